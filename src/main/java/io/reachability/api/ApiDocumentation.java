package io.reachability.api;

import io.reachability.job.FieldError;
import io.swagger.v3.core.jackson.ModelResolver;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.JsonSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.servers.Server;
import io.swagger.v3.oas.models.tags.Tag;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The OpenAPI document springdoc serves at {@code /v3/api-docs} (Swagger UI at {@code
 * /swagger-ui.html}). The code is the source of truth: operations come from the controllers'
 * annotations, schemas from the view records, and nullability and required-ness from the records'
 * {@code @Nullable} components (this API always writes every field, null included). The committed
 * {@code openapi/openapi.yaml} is this document; a test fails when the two differ.
 */
@Configuration(proxyBeanMethods = false)
class ApiDocumentation {

  /** RFC 9457 media type of every error this API answers. */
  static final String PROBLEM_JSON = "application/problem+json";

  /** The {@code transport} field of an address in the views. */
  static final String TRANSPORT_DESCRIPTION =
      "The transport the address is checked over: one IP and port can be reachable over TCP and"
          + " not over QUIC.";

  /** Version of the REST contract (paths are under {@code /api/v1}); not the build's version. */
  static final String API_VERSION = "1.0.0";

  static final String TAG_CHECKS = "checks";
  static final String TAG_NODE = "node";
  static final String TAG_SERVERS = "servers";
  static final String TAG_REACHABILITY = "reachability";
  static final String TAG_PEER_CHECKS = "peer-checks";

  static {
    // enums become named components (JobState, Reachability, ...) instead of inline copies per
    // property
    ModelResolver.enumsAsRef = true;
  }

  /** The records this API reads: a field is required only when its schema says so. */
  private static final Set<Class<? extends Record>> REQUEST_RECORDS =
      Set.of(CheckRequestBody.class, PeerCheckRequestBody.class);

  /** The records whose JSON this API writes or reads, for the nullability pass. */
  private static final List<Class<? extends Record>> DOCUMENTED_RECORDS =
      List.of(
          CheckRequestBody.class,
          PeerCheckRequestBody.class,
          JobView.class,
          JobView.RequestView.class,
          JobView.ResultView.class,
          JobView.AttemptView.class,
          JobPageView.class,
          PeerCheckView.class,
          PeerCheckView.PeerAddressView.class,
          PeerCheckPageView.class,
          NodeController.NodeView.class,
          ServerController.PoolView.class,
          ServerController.ServerView.class,
          ReachabilityView.class,
          ReachabilityView.AddressView.class,
          ReachabilityView.OutcomeView.class,
          VerdictEvent.class,
          Problem.class,
          ValidationProblem.class,
          FieldError.class);

  /** Enum components: they live in Spring-free packages, so their words are kept here. */
  private static final Map<String, String> ENUM_DESCRIPTIONS =
      Map.of(
          "JobState",
          """
          Where a job is in its life. `QUEUED` (accepted, waiting to run), `RUNNING`, then one
          terminal state: `SUCCEEDED` (every address got a verdict, possibly UNKNOWN), `FAILED`
          (timeout passed, no server could be asked, or an error) or `CANCELLED` (by a user, or by
          the service shutting down).\
          """,
          "Reachability",
          """
          Whether an address can be dialed. For one server's answer: REACHABLE (dialed back, nonce
          verified), UNREACHABLE (the server tried and could not connect) or UNKNOWN (refused,
          rejected, failed or unverifiable; `error` says why). For a job: the verdict of its
          servers' answers. For the monitor: the verdict of the address's window.\
          """,
          "ResponseStatus",
          "AutoNAT v2 `DialResponse.ResponseStatus`: whether the server served the request.",
          "DialStatus",
          "AutoNAT v2 `DialStatus`: how the server's dial-back went.",
          "NodeReachability",
          "The node as a whole: PUBLIC (an address is reachable), PRIVATE (every tracked address is"
              + " unreachable), UNKNOWN.",
          "PeerVerdict",
          """
          A peer check's verdict on the peer: REACHABLE (an address reached it, the handshake
          proving its id), UNREACHABLE (no address reached anyone), WRONG_PEER (no address reached
          it, and one reached another peer), NOT_FOUND (the DHT does not know it, or its record
          has no address), NO_DIALABLE_ADDRESS (addresses were found but every one was skipped,
          each with its reason).\
          """,
          "AddressVerdict",
          "One address of a peer check: REACHABLE (connected, the handshake proved the peer),"
              + " UNREACHABLE (no connection: refused, timed out, no route, failed handshake),"
              + " WRONG_PEER (connected to another peer).",
          "AddressSource",
          "Where a peer check got an address: REQUEST (named in it) or DHT (the peer's record,"
              + " found by a FIND_NODE lookup towards its id).",
          "ProbeOutcome",
          """
          What one monitor probe came to: SUCCESS (dialed back, nonce verified) and FAILURE (could \
          not connect) enter the window; REFUSED (the server would not dial it) counts toward a \
          pause; ERROR (no answer about the address) counts for nothing.\
          """);

  private static final String DESCRIPTION =
      """
      Tells operators of peer-to-peer nodes **which of their addresses can be dialed from the
      outside**, using the libp2p AutoNAT v2 protocol. The service runs its own embedded libp2p
      node; a *check job* asks several AutoNAT v2 servers (the configured pool, or servers named in
      the request) to dial the node's addresses back and gives one verdict per address together
      with every server's answer as evidence.

      A *peer check* (`POST /api/v1/peer-checks`) answers the other question: is another node,
      given by peer id or address, reachable from here? Each of its addresses (named, or found in
      the DHT by its id) is dialed on its own and reported with the peer id the handshake proved,
      the security protocol and muxer, identify's answers and one ping. Targets must be public
      unless `reach.peer-checks.allow-private-addresses` is set; requesters and targets have rates
      (429 with `Retry-After`).

      Jobs are asynchronous: `POST /api/v1/checks` answers `202 Accepted` with the job's URL in
      `Location`; poll `GET /api/v1/checks/{id}` until `state` is terminal (`SUCCEEDED`, `FAILED`,
      `CANCELLED`). Every accepted job reaches a terminal state. Finished jobs stay readable for
      `reach.jobs.retention` (default 1h, at most `reach.jobs.max-stored` of them), then answer 404.

      Access: with API keys configured (`reach.access.keys`), every write (`POST`, `DELETE`) needs
      one, sent as `Authorization: Bearer <key>`; with none configured, writes are answered for
      callers on the service's own machine (loopback) only, 403 for anyone else. Reads are open
      unless `reach.access.protect-reads` is set, but a job is visible to the client that
      submitted it (and to admin keys) only: to anyone else it does not exist (404). A key that is
      not valid is a 401 on any endpoint. Each client may submit `reach.access.submissions-per-minute`
      checks a minute and have `reach.jobs.max-unfinished-per-client` jobs unfinished (429 with
      `Retry-After` beyond). By default a check may name only the pool's servers and the node's own
      addresses (`reach.access.allow-any-server`, `reach.access.allow-any-address`).

      JSON conventions: timestamps are ISO-8601 strings (UTC instants), multiaddrs are their text
      form, and `null` fields are always written (never omitted).

      Errors are RFC 9457 `application/problem+json` documents (`title`, `status`, `detail`,
      `instance`; `type` is omitted, which means `about:blank`); a 400 adds
      `errors: [{field, value, reason}]`. A request body larger than `reach.api.max-body-bytes`
      (default 64 KiB) is a 413 on every path. That includes the errors Spring MVC raises before a
      handler runs: 405 for a method the path does not support (with `Allow`), 415 for a request
      `Content-Type` that is not JSON (with `Accept`), 406 when nothing in `Accept` can be
      produced or `Accept` does not parse, 404 for a path with no endpoint; and the ones the
      servlet container decides itself: 400 for a malformed request (request line, header, URI,
      chunk), 405 for TRACE, 501 for a `Transfer-Encoding` other than chunked, 505 for an HTTP
      version other than 1.x, 500 for an unexpected failure (which never describes it). Every error
      is a problem document whatever the request's `Accept` says.

      Not described here: the Spring Boot actuator endpoints `/actuator/health` (components
      `libp2p`, `serverPool`, `role`, `reachability`; `/actuator/health/liveness` is the process
      and the node, `/actuator/health/readiness` being able to do the job of the service's role),
      `/actuator/info` (node peer id, addresses, build) and `/actuator/prometheus`
      (Prometheus text format; for example `reach_jobs_queued`, `reach_jobs_finished_total`,
      `reach_jobs_duration_seconds`, `reach_checks_verdicts_total`, `reach_peer_checks_finished_total`).
      """;

  @Bean
  OpenAPI reachabilityOpenApi() {
    return new OpenAPI()
        .info(
            new Info()
                .title("Reachability service")
                .version(API_VERSION)
                .description(DESCRIPTION)
                .license(new License().name("Apache-2.0").identifier("Apache-2.0")))
        .servers(
            List.of(
                new Server()
                    .url("http://localhost:8080")
                    .description("the service with its default port (server.port)")))
        .tags(
            List.of(
                new Tag().name(TAG_CHECKS).description("Check jobs: submit, read, list, cancel."),
                new Tag()
                    .name(TAG_PEER_CHECKS)
                    .description(
                        "Peer checks: is another node reachable from here? Submit, read, list,"
                            + " cancel."),
                new Tag()
                    .name(TAG_NODE)
                    .description("The embedded libp2p node whose addresses are checked."),
                new Tag()
                    .name(TAG_SERVERS)
                    .description("The pool of AutoNAT v2 servers that check jobs are sent to."),
                new Tag()
                    .name(TAG_REACHABILITY)
                    .description(
                        "The reachability monitor: every candidate address's verdict, kept current"
                            + " in the background.")))
        .components(
            new Components()
                .addSecuritySchemes(
                    SECURITY_SCHEME,
                    new SecurityScheme()
                        .type(SecurityScheme.Type.HTTP)
                        .scheme("bearer")
                        .description(
                            "An API key from `reach.access.keys`, as `Authorization: Bearer"
                                + " <key>`.")))
        // optional: an empty requirement means "no key" (loopback callers while none is configured,
        // open reads)
        .security(
            List.of(new SecurityRequirement(), new SecurityRequirement().addList(SECURITY_SCHEME)));
  }

  /** The name of the API-key security scheme. */
  static final String SECURITY_SCHEME = "apiKey";

  static final String UNAUTHORIZED =
      """
      An API key is needed and none was sent (keys are configured), or the `Authorization` header
      does not carry a valid one (any endpoint). With `WWW-Authenticate: Bearer`.\
      """;

  static final String FORBIDDEN_WRITE =
      "No API key is configured and the caller is not on the service's machine: writes are answered"
          + " for loopback callers only.";

  static final String UNAUTHORIZED_READ =
      "Only with `reach.access.protect-reads`: as for writes. Otherwise only a malformed or unknown"
          + " key in `Authorization`.";

  static final String FORBIDDEN_READ =
      "Only with `reach.access.protect-reads` and no API key configured, for a caller not on the"
          + " service's machine.";

  /** 401 and 403 on every API operation: who may call it depends on settings, not on the path. */
  @Bean
  OpenApiCustomizer accessResponses() {
    return openApi ->
        forEachOperation(
            openApi,
            (method, operation) -> {
              boolean read =
                  method == PathItem.HttpMethod.GET || method == PathItem.HttpMethod.HEAD;
              ApiResponses responses = operation.getResponses();
              responses.addApiResponse(
                  "401",
                  problem(read ? UNAUTHORIZED_READ : UNAUTHORIZED)
                      .addHeaderObject(
                          "WWW-Authenticate",
                          new io.swagger.v3.oas.models.headers.Header()
                              .description("`Bearer realm=\"reachability\"`.")
                              .schema(new StringSchema())));
              responses.addApiResponse("403", problem(read ? FORBIDDEN_READ : FORBIDDEN_WRITE));
            });
  }

  /** Runs {@code action} for every operation of every path of the document. */
  private static void forEachOperation(
      OpenAPI openApi, BiConsumer<PathItem.HttpMethod, Operation> action) {
    if (openApi.getPaths() != null) {
      openApi.getPaths().values().forEach(path -> path.readOperationsMap().forEach(action));
    }
  }

  /**
   * Every 429 and 503 says when to try again ({@code Retry-After}), so the controllers' annotations
   * need not repeat the header.
   */
  @Bean
  OpenApiCustomizer retryAfterHeaders() {
    return openApi ->
        forEachOperation(
            openApi,
            (method, operation) ->
                operation.getResponses().forEach(ApiDocumentation::addRetryAfter));
  }

  private static void addRetryAfter(String code, ApiResponse response) {
    boolean retryLater = code.equals("429") || code.equals("503");
    if (retryLater
        && (response.getHeaders() == null || !response.getHeaders().containsKey(RETRY_AFTER))) {
      response.addHeaderObject(
          RETRY_AFTER,
          new io.swagger.v3.oas.models.headers.Header()
              .required(true)
              .description("Seconds to wait before trying again (at least 1).")
              .schema(new io.swagger.v3.oas.models.media.IntegerSchema().minimum(BigDecimal.ONE)));
    }
  }

  static final String RETRY_AFTER = "Retry-After";

  private static ApiResponse problem(String description) {
    return new ApiResponse()
        .description(description)
        .content(
            new Content()
                .addMediaType(
                    PROBLEM_JSON,
                    new MediaType()
                        .schema(
                            new io.swagger.v3.oas.models.media.Schema<>()
                                .$ref("#/components/schemas/Problem"))));
  }

  /** Required and nullable properties from the records, enum descriptions from the table above. */
  @Bean
  OpenApiCustomizer recordNullability() {
    return openApi -> {
      @SuppressWarnings("rawtypes")
      Map<String, io.swagger.v3.oas.models.media.Schema> schemas =
          openApi.getComponents().getSchemas();
      if (schemas == null) {
        return;
      }
      for (Class<? extends Record> type : DOCUMENTED_RECORDS) {
        var schema = schemas.get(schemaName(type));
        if (schema != null) {
          applyNullability(type, schema);
        }
      }
      ENUM_DESCRIPTIONS.forEach(
          (name, description) -> {
            var schema = schemas.get(name);
            if (schema != null) {
              schema.setDescription(description);
            }
          });
    };
  }

  private static String schemaName(Class<?> type) {
    Schema annotation = type.getAnnotation(Schema.class);
    return annotation != null && !annotation.name().isEmpty()
        ? annotation.name()
        : type.getSimpleName();
  }

  @SuppressWarnings({"rawtypes", "unchecked"})
  private static void applyNullability(
      Class<? extends Record> type, io.swagger.v3.oas.models.media.Schema schema) {
    Map<String, io.swagger.v3.oas.models.media.Schema> properties = schema.getProperties();
    if (properties == null) {
      return;
    }
    // Jackson writes every component, null included: all are required in what the API writes
    List<String> required = new ArrayList<>();
    for (RecordComponent component : type.getRecordComponents()) {
      var property = properties.get(component.getName());
      if (property == null) {
        continue;
      }
      if (component.getAnnotatedType().isAnnotationPresent(Nullable.class)) {
        properties.put(component.getName(), nullable(property));
      }
      // @Schema does not target record components: it lands on the accessor (and field)
      Schema annotation = component.getAccessor().getAnnotation(Schema.class);
      Schema.RequiredMode mode =
          annotation == null ? Schema.RequiredMode.AUTO : annotation.requiredMode();
      if (REQUEST_RECORDS.contains(type)
          ? mode == Schema.RequiredMode.REQUIRED
          : mode != Schema.RequiredMode.NOT_REQUIRED) {
        required.add(component.getName());
      }
    }
    schema.setRequired(required.isEmpty() ? null : required);
  }

  /** The property, also allowing JSON null (OpenAPI 3.1: a "null" type; a $ref gets a oneOf). */
  @SuppressWarnings({"rawtypes", "unchecked"})
  private static io.swagger.v3.oas.models.media.Schema nullable(
      io.swagger.v3.oas.models.media.Schema property) {
    if (property.get$ref() != null) {
      JsonSchema ref = new JsonSchema();
      ref.set$ref(property.get$ref());
      JsonSchema wrapper = new JsonSchema();
      wrapper.setDescription(property.getDescription());
      wrapper.setOneOf(List.of(ref, new JsonSchema().types(Set.of("null"))));
      return wrapper;
    }
    Set<String> types = new LinkedHashSet<>();
    if (property.getTypes() != null) {
      types.addAll(property.getTypes());
    } else if (property.getType() != null) {
      types.add(property.getType());
    }
    types.add("null");
    property.setTypes(types);
    return property;
  }

  /**
   * RFC 9457 problem details as this API writes them (documentation only: Spring's ProblemDetail is
   * what is sent).
   */
  @Schema(
      name = "Problem",
      description =
          "RFC 9457 problem details. `type` is not written by this service (absent ="
              + " `about:blank`).")
  record Problem(
      @Schema(
              description = "Never written by this service; absent = `about:blank`.",
              format = "uri-reference",
              defaultValue = "about:blank",
              requiredMode = Schema.RequiredMode.NOT_REQUIRED)
          String type,
      @Schema(
              description =
                  """
                  `Invalid request` (every 400), `Check job not found`, `Check job not accepted`,
                  `Peer check not found`, `Peer check not accepted`, `Too many peer checks`; for
                  the errors Spring MVC raises, the status's reason phrase in sentence case (`Method
                  not allowed`, `Unsupported media type`, `Not acceptable`, `Not found`, `Content too
                  large`).\
                  """)
          String title,
      @Schema(description = "The HTTP status code.") int status,
      String detail,
      @Schema(description = "The request path.", format = "uri-reference") String instance) {}

  /** A 400 problem with every field error (documentation only). */
  @Schema(name = "ValidationProblem", description = "A 400 problem with every field error.")
  record ValidationProblem(
      @Schema(
              description = "Never written by this service; absent = `about:blank`.",
              format = "uri-reference",
              defaultValue = "about:blank",
              requiredMode = Schema.RequiredMode.NOT_REQUIRED)
          String type,
      @Schema(description = "`Invalid request`.") String title,
      @Schema(description = "400.") int status,
      String detail,
      @Schema(description = "The request path.", format = "uri-reference") String instance,
      @Schema(description = "Every invalid field, at least one.") List<FieldError> errors) {}
}
