package io.reachability.api;

import io.reachability.access.ApiClient;
import io.reachability.access.KeyedRateLimiter;
import io.reachability.access.SubmissionsLimitedException;
import io.reachability.job.JobPage;
import io.reachability.job.JobState;
import io.reachability.peercheck.PeerCheckJob;
import io.reachability.peercheck.PeerCheckService;
import io.reachability.peercheck.PeerCheckValidator;
import io.reachability.peercheck.RequesterLimiter;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Peer checks: is another node reachable from here? Submit, read, list, cancel. */
@RestController
@RequestMapping(path = PeerCheckController.PATH, produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = ApiDocumentation.TAG_PEER_CHECKS)
@ApiResponse(
    responseCode = "400",
    description =
        """
        Invalid request: invalid body fields (every one listed, each naming the rule it breaks), a
        body that is not JSON, a value of the wrong JSON type, or a path/query parameter of the
        wrong form or out of range.\
        """,
    content =
        @Content(
            mediaType = ApiDocumentation.PROBLEM_JSON,
            schema = @Schema(implementation = ApiDocumentation.ValidationProblem.class),
            examples =
                @ExampleObject(
                    name = "privateTarget",
                    summary = "a loopback target, and a name that resolves to one",
                    value = PeerCheckController.EXAMPLE_PRIVATE_TARGET)))
@ApiResponse(
    responseCode = "404",
    description =
        "Peer checks are off (`reach.peer-checks.enabled=false`), or (with an id) no such peer"
            + " check.",
    content =
        @Content(
            mediaType = ApiDocumentation.PROBLEM_JSON,
            schema = @Schema(implementation = ApiDocumentation.Problem.class)))
class PeerCheckController {

  static final String PATH = "/api/v1/peer-checks";

  private static final String KIND = "peer check";

  private static final String ID =
      "The peer check's id. Not a UUID = 400 with a field error for `id`.";

  static final String EXAMPLE_PRIVATE_TARGET =
      """
      {"title": "Invalid request", "status": 400, "detail": "the request has invalid fields",
       "instance": "/api/v1/peer-checks",
       "errors": [
         {"field": "addresses[0]", "value": "/ip4/127.0.0.1/tcp/4001",
          "reason": "a loopback (127.0.0.0/8) address: peer checks dial public addresses only (reach.peer-checks.allow-private-addresses lifts this, for labs)"},
         {"field": "addresses[1]", "value": "/dns4/localhost.example/tcp/4001",
          "reason": "resolves to [/ip4/127.0.0.1/tcp/4001]; /ip4/127.0.0.1/tcp/4001: a loopback (127.0.0.0/8) address: peer checks dial public addresses only (reach.peer-checks.allow-private-addresses lifts this, for labs)"}]}\
      """;

  private final ObjectProvider<PeerCheckService> service;
  private final ObjectProvider<PeerCheckValidator> validator;
  private final ObjectProvider<RequesterLimiter> requesters;
  private final KeyedRateLimiter submissions;

  PeerCheckController(
      ObjectProvider<PeerCheckService> service,
      ObjectProvider<PeerCheckValidator> validator,
      ObjectProvider<RequesterLimiter> requesters,
      KeyedRateLimiter submissions) {
    this.service = service;
    this.validator = validator;
    this.requesters = requesters;
    this.submissions = submissions;
  }

  private PeerCheckService service() {
    PeerCheckService running = service.getIfAvailable();
    if (running == null) {
      throw new PeerChecksDisabledException();
    }
    return running;
  }

  @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
  @Operation(
      operationId = "submitPeerCheck",
      summary = "Submit a peer check",
      description =
          """
          Is another node reachable from here? Dials each of the peer's addresses on its own (one
          transport per attempt, never a race): connect time, security protocol and muxer, the peer
          id the handshake proves (another one is WRONG_PEER), identify (agent, protocols, listen
          addresses, the address it observed for us) and one ping. With only a peer id, its
          addresses are looked up in the DHT first. The check runs as a job: 202 with its
          `Location`, then poll `GET /api/v1/peer-checks/{id}`. Peer checks say nothing about this
          node's own addresses and never change the monitor's verdicts.

          Limits, because this endpoint makes the service dial where callers say: public targets
          only (unless `reach.peer-checks.allow-private-addresses`), at most
          `reach.peer-checks.max-addresses` addresses, `per-requester-per-minute` submissions per
          requester IP (an IPv6 /64) and `per-target-per-minute` checks per peer id and per target
          IP (429 with `Retry-After`), plus the client's `reach.access.submissions-per-minute`.\
          """,
      requestBody =
          @io.swagger.v3.oas.annotations.parameters.RequestBody(
              required = true,
              content =
                  @Content(
                      schema = @Schema(implementation = PeerCheckRequestBody.class),
                      examples = {
                        @ExampleObject(
                            name = "byId",
                            summary = "a peer id: addresses from the DHT",
                            value =
                                "{\"peer\":"
                                    + " \"12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN\"}"),
                        @ExampleObject(
                            name = "byAddress",
                            summary = "one address of the peer",
                            value =
                                "{\"peer\": \"/ip6/3fff:0:200::2/tcp/4001/p2p/"
                                    + "12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN\"}")
                      })))
  @ApiResponse(
      responseCode = "202",
      description = "Accepted; the peer check as stored.",
      headers =
          @Header(
              name = "Location",
              required = true,
              description = "The peer check's URL (`/api/v1/peer-checks/{id}`).",
              schema = @Schema(type = "string", format = "uri-reference")),
      content = @Content(schema = @Schema(implementation = PeerCheckView.class)))
  @ApiResponse(
      responseCode = "429",
      description =
          """
          Not accepted, nothing stored or dialed: this requester IP, this client or this target
          (peer id or IP) is over its rate, or the client has
          `reach.peer-checks.max-unfinished-per-client` peer checks unfinished. `Retry-After` says
          when to come back.\
          """,
      headers =
          @Header(
              name = "Retry-After",
              required = true,
              description = "Seconds to wait.",
              schema = @Schema(type = "integer")),
      content =
          @Content(
              mediaType = ApiDocumentation.PROBLEM_JSON,
              schema = @Schema(implementation = ApiDocumentation.Problem.class)))
  @ApiResponse(
      responseCode = "503",
      description =
          "Not accepted: `reach.peer-checks.queue-capacity` peer checks are waiting, or the service"
              + " is shutting down.",
      content =
          @Content(
              mediaType = ApiDocumentation.PROBLEM_JSON,
              schema = @Schema(implementation = ApiDocumentation.Problem.class)))
  ResponseEntity<PeerCheckView> submit(
      @RequestBody(required = false) @Nullable PeerCheckRequestBody body,
      @Parameter(hidden = true) @AuthenticationPrincipal ApiClient client,
      HttpServletRequest http) {
    PeerCheckService checks = service();
    // counted before validation: garbage costs the sender too
    requesters.getObject().acquire(requester(http));
    submissions
        .tryAcquire(client.name())
        .ifPresent(
            wait -> {
              throw new SubmissionsLimitedException(submissions.perMinute(), wait);
            });
    PeerCheckRequestBody request = body != null ? body : new PeerCheckRequestBody(null, null, null);
    PeerCheckJob job =
        checks.submit(validator.getObject().validate(request.toSubmission()), client.name());
    return ResponseEntity.accepted()
        .location(URI.create(PATH + "/" + job.id()))
        .body(PeerCheckView.of(job));
  }

  private static InetAddress requester(HttpServletRequest http) {
    try {
      return InetAddress.getByName(http.getRemoteAddr()); // a literal: no lookup
    } catch (UnknownHostException e) {
      throw new IllegalStateException("the container gave no IP: " + http.getRemoteAddr(), e);
    }
  }

  private Optional<PeerCheckJob> visible(UUID id, @Nullable ApiClient client) {
    return service().find(id).filter(job -> client != null && client.owns(job));
  }

  @GetMapping("/{id}")
  @Operation(operationId = "getPeerCheck", summary = "Read a peer check")
  @ApiResponse(responseCode = "200", description = "The peer check as it is now.")
  PeerCheckView get(
      @Parameter(description = ID) @PathVariable UUID id,
      @Parameter(hidden = true) @AuthenticationPrincipal @Nullable ApiClient client) {
    return visible(id, client)
        .map(PeerCheckView::of)
        .orElseThrow(() -> new JobNotFoundException(id, KIND));
  }

  @GetMapping
  @Operation(
      operationId = "listPeerChecks",
      summary = "List peer checks",
      description = "One page of peer checks, newest first, optionally only those in one state.")
  @ApiResponse(responseCode = "200", description = "The page (possibly empty).")
  PeerCheckPageView list(
      @Parameter(description = "Only peer checks in this state (absent or empty = every state).")
          @RequestParam(required = false)
          @Nullable JobState state,
      @Parameter(
              description = "Page number, from 0.",
              schema =
                  @Schema(type = "integer", format = "int32", minimum = "0", defaultValue = "0"))
          @RequestParam(defaultValue = "0")
          int page,
      @Parameter(
              description = "Peer checks per page.",
              schema =
                  @Schema(
                      type = "integer",
                      format = "int32",
                      minimum = "1",
                      maximum = "" + Paging.MAX_PAGE_SIZE,
                      defaultValue = "" + Paging.DEFAULT_PAGE_SIZE))
          @RequestParam(defaultValue = "" + Paging.DEFAULT_PAGE_SIZE)
          int size,
      @Parameter(hidden = true) @AuthenticationPrincipal @Nullable ApiClient client) {
    PeerCheckService checks = service();
    Paging.check(page, size);
    if (client == null) {
      return PeerCheckPageView.of(new JobPage<>(List.of(), page, size, 0));
    }
    return PeerCheckPageView.of(
        checks.list(state, client.admin() ? null : client.name(), page, size));
  }

  @DeleteMapping("/{id}")
  @Operation(
      operationId = "cancelPeerCheck",
      summary = "Cancel a peer check",
      description =
          """
          Cancels a queued or running peer check: CANCELLED at once with what it found so far (dials
          in flight end on their own bounds). A finished one is returned unchanged; it stays
          readable until its retention passes.\
          """)
  @ApiResponse(responseCode = "200", description = "The peer check after cancelling.")
  PeerCheckView cancel(
      @Parameter(description = ID) @PathVariable UUID id,
      @Parameter(hidden = true) @AuthenticationPrincipal ApiClient client) {
    if (visible(id, client).isEmpty()) {
      throw new JobNotFoundException(id, KIND);
    }
    return service()
        .cancel(id)
        .map(PeerCheckView::of)
        .orElseThrow(() -> new JobNotFoundException(id, KIND));
  }
}
