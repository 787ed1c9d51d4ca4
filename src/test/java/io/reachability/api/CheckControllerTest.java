package io.reachability.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.reachability.access.SecurityConfiguration;
import io.reachability.autonat.CheckOptions;
import io.reachability.autonat.CheckResult;
import io.reachability.job.AddressChecker;
import io.reachability.job.CheckRequest;
import io.reachability.job.CheckRequestValidator;
import io.reachability.job.Excerpt;
import io.reachability.job.InMemoryJobStore;
import io.reachability.job.JobService;
import io.reachability.job.JobSettings;
import io.reachability.job.JobState;
import io.reachability.job.NodeAddresses;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.crypto.Keys;
import io.reachability.pool.ServerPool;
import io.reachability.testing.Waiting;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartException;

/**
 * The check endpoints over MockMvc, on a real job service whose only server never answers (jobs
 * stay QUEUED or RUNNING, so the queue can fill): status codes, Location, problem details.
 */
@WebMvcTest(CheckController.class)
@Import({CheckControllerTest.Beans.class, SecurityConfiguration.class})
class CheckControllerTest {

  /** Bound on waiting for a job to get somewhere. */
  private static final Duration WAIT = Duration.ofSeconds(10);

  static final PeerId SELF = PeerId.fromPublicKey(Keys.generateEd25519().publicKey());
  static final Multiaddr SERVER =
      Multiaddr.fromString("/ip4/127.0.0.1/tcp/5000")
          .withPeerId(PeerId.fromPublicKey(Keys.generateEd25519().publicKey()));
  static final int QUEUE = 2;

  @TestConfiguration(proxyBeanMethods = false)
  static class Beans {

    @Bean(destroyMethod = "close")
    JobService jobService() {
      AddressChecker silent = (server, address, options) -> new CompletableFuture<CheckResult>();
      return new JobService(
          new InMemoryJobStore(Clock.systemUTC(), Duration.ofHours(1), 100),
          silent,
          ServerPool.of(List.of(SERVER), null),
          () ->
              new NodeAddresses(
                  List.of(Multiaddr.fromString("/ip4/127.0.0.1/tcp/4001")), List.of()),
          JobSettings.of(1, QUEUE).toBuilder().shutdownGrace(Duration.ZERO).build(),
          new CheckOptions(100_000, Duration.ofSeconds(15)),
          Clock.systemUTC());
    }

    @Bean
    CheckRequestValidator validator() {
      return new CheckRequestValidator(SELF, 100_000);
    }

    @Bean
    RequiredParameter requiredParameter() {
      return new RequiredParameter();
    }
  }

  /**
   * No API endpoint has a required parameter (yet): this one shows how a missing one is answered.
   */
  @RestController
  static class RequiredParameter {

    @GetMapping("/test/required")
    String required(@RequestParam String name) {
      return name;
    }

    @PostMapping("/test/multipart")
    String multipart() {
      throw new MultipartException("Failed to parse multipart servlet request");
    }
  }

  @Autowired MockMvc mvc;
  @Autowired JobService jobs;

  /** The context (and its job service) is shared: each test starts with an empty queue. */
  @BeforeEach
  void cancelUnfinished() {
    for (JobState state : List.of(JobState.QUEUED, JobState.RUNNING)) {
      jobs.list(state, 0, 100).items().forEach(job -> jobs.cancel(job.id()));
    }
  }

  @Test
  void submitAnswers202WithLocationAndTheJob() throws Exception {
    mvc.perform(
            post("/api/v1/checks")
                .contentType(MediaType.APPLICATION_JSON)
                .content(
                    "{\"addresses\":[\"/ip4/127.0.0.1/tcp/4001\"],\"confirmations\":2,\"timeoutSeconds\":30}"))
        .andExpect(status().isAccepted())
        .andExpect(header().string("Location", startsWith("/api/v1/checks/")))
        .andExpect(jsonPath("$.state").value("QUEUED"))
        .andExpect(jsonPath("$.request.addresses[0]").value("/ip4/127.0.0.1/tcp/4001"))
        .andExpect(jsonPath("$.request.confirmations").value(2))
        .andExpect(jsonPath("$.request.timeoutSeconds").value(30))
        .andExpect(jsonPath("$.results", hasSize(0)));
  }

  @Test
  void anEmptyBodyChecksTheCandidates() throws Exception {
    mvc.perform(post("/api/v1/checks"))
        .andExpect(status().isAccepted())
        .andExpect(jsonPath("$.request.addresses", hasSize(0)));
  }

  @Test
  void invalidFieldsAreProblemDetailsWithEveryError() throws Exception {
    mvc.perform(
            post("/api/v1/checks")
                .contentType(MediaType.APPLICATION_JSON)
                .content(
                    "{\"addresses\":[\"nope\",\"/ip4/127.0.0.1/udp/1/quic-v1/webtransport\",\"/ip4/1.2.3.4/tcp/1/p2p/"
                        + SERVER.peerId().get()
                        + "/p2p-circuit\"],\"confirmations\":0}"))
        .andExpect(status().isBadRequest())
        .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
        .andExpect(jsonPath("$.status").value(400))
        .andExpect(jsonPath("$.errors", hasSize(4)))
        .andExpect(jsonPath("$.errors[0].field").value("addresses[0]"))
        .andExpect(jsonPath("$.errors[0].value").value("nope"))
        .andExpect(jsonPath("$.errors[0].reason", startsWith("not a multiaddr")))
        .andExpect(jsonPath("$.errors[1].field").value("addresses[1]"))
        .andExpect(jsonPath("$.errors[2].reason", startsWith("a relayed (/p2p-circuit) address")))
        .andExpect(jsonPath("$.errors[3].field").value("confirmations"));
  }

  @Test
  void malformedJsonIsA400Problem() throws Exception {
    mvc.perform(
            post("/api/v1/checks")
                .contentType(MediaType.APPLICATION_JSON)
                .content("{\"addresses\": [1,"))
        .andExpect(status().isBadRequest())
        .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
        .andExpect(jsonPath("$.title").value("Invalid request"))
        .andExpect(jsonPath("$.status").value(400))
        .andExpect(
            jsonPath("$.detail").value("the request body is not valid JSON for a check request"))
        .andExpect(jsonPath("$.instance").value("/api/v1/checks"))
        .andExpect(jsonPath("$.errors", hasSize(1)))
        .andExpect(jsonPath("$.errors[0].field").value("body"))
        .andExpect(jsonPath("$.errors[0].value").value(nullValue()))
        .andExpect(jsonPath("$.errors[0].reason").value("malformed JSON or wrong types"));
    // a body that is not an object at all
    mvc.perform(post("/api/v1/checks").contentType(MediaType.APPLICATION_JSON).content("[1, 2]"))
        .andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.errors[0].field").value("body"));
  }

  /**
   * {@code confirmations: 1.5} was taken as 1 and {@code "3"} as 3: a number must be what it says.
   */
  @Test
  void numbersAreStrictAndAWrongTypeNamesItsField() throws Exception {
    for (String value : List.of("1.5", "2.0", "1e1", "\"3\"", "true", "99999999999", "[3]")) {
      mvc.perform(
              post("/api/v1/checks")
                  .contentType(MediaType.APPLICATION_JSON)
                  .content("{\"confirmations\": " + value + "}"))
          .andExpect(status().isBadRequest())
          .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
          .andExpect(
              jsonPath("$.detail").value("the request body is not valid JSON for a check request"))
          .andExpect(jsonPath("$.errors", hasSize(1)))
          .andExpect(jsonPath("$.errors[0].field").value("confirmations"))
          .andExpect(jsonPath("$.errors[0].value").value(nullValue()))
          .andExpect(jsonPath("$.errors[0].reason").value(ApiExceptionHandler.NOT_AN_INTEGER));
    }
    mvc.perform(
            post("/api/v1/checks")
                .contentType(MediaType.APPLICATION_JSON)
                .content("{\"timeoutSeconds\": 30.5, \"maxDialDataBytes\": 1}"))
        .andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.errors[0].field").value("timeoutSeconds"));
    mvc.perform(
            post("/api/v1/checks")
                .contentType(MediaType.APPLICATION_JSON)
                .content("{\"addresses\": [\"/ip4/127.0.0.1/tcp/4001\", {}]}"))
        .andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.errors[0].field").value("addresses[1]"))
        .andExpect(jsonPath("$.errors[0].reason").value(ApiExceptionHandler.NOT_A_STRING));
    mvc.perform(
            post("/api/v1/checks")
                .contentType(MediaType.APPLICATION_JSON)
                .content("{\"servers\": \"/ip4/127.0.0.1/tcp/4001\"}"))
        .andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.errors[0].field").value("servers"))
        .andExpect(jsonPath("$.errors[0].reason").value(ApiExceptionHandler.NOT_A_LIST));
    // whole numbers still are numbers
    mvc.perform(
            post("/api/v1/checks")
                .contentType(MediaType.APPLICATION_JSON)
                .content("{\"confirmations\": 2, \"timeoutSeconds\": 30}"))
        .andExpect(status().isAccepted())
        .andExpect(jsonPath("$.request.confirmations").value(2));
  }

  /** A 1 MB address echoed in full made a 1 MB answer (and 10 MB bodies answers of 10.5 MB). */
  @Test
  void echoedInputIsCutInEveryError() throws Exception {
    String huge = "/ip4/" + "9".repeat(1_000_000);
    String cut = huge.substring(0, Excerpt.MAX_CHARS) + "… (" + huge.length() + " chars)";
    String answer =
        mvc.perform(
                post("/api/v1/checks")
                    .contentType(MediaType.APPLICATION_JSON)
                    .content("{\"addresses\":[\"" + huge + "\"],\"servers\":[\"" + huge + "\"]}"))
            .andExpect(status().isBadRequest())
            .andExpect(jsonPath("$.errors", hasSize(2)))
            .andExpect(jsonPath("$.errors[0].value").value(cut))
            .andExpect(jsonPath("$.errors[1].value").value(cut))
            .andReturn()
            .getResponse()
            .getContentAsString();
    assertThat(answer).hasSizeLessThan(4_000);

    // a path, a media type and a query value are input too
    String longPath = "/api/v1/" + "x".repeat(5_000);
    mvc.perform(get(longPath))
        .andExpect(status().isNotFound())
        .andExpect(jsonPath("$.detail").value("no endpoint for GET " + Excerpt.of(longPath)));
    mvc.perform(post("/api/v1/checks").contentType("text/" + "p".repeat(5_000)).content("{}"))
        .andExpect(status().isUnsupportedMediaType())
        .andExpect(jsonPath("$.detail", startsWith("Content-Type text/ppp")))
        .andExpect(jsonPath("$.detail", containsString("… (5005 chars) is not supported")));
    mvc.perform(get("/api/v1/checks").param("state", "S".repeat(5_000)))
        .andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.errors[0].value").value(Excerpt.of("S".repeat(5_000))));
  }

  @Test
  void unknownIdIs404AndABadIdIs400() throws Exception {
    mvc.perform(get("/api/v1/checks/" + UUID.randomUUID()))
        .andExpect(status().isNotFound())
        .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
        .andExpect(jsonPath("$.title").value("Check job not found"));
    mvc.perform(delete("/api/v1/checks/" + UUID.randomUUID())).andExpect(status().isNotFound());
    mvc.perform(get("/api/v1/checks/not-a-uuid"))
        .andExpect(status().isBadRequest())
        .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
        .andExpect(jsonPath("$.title").value("Invalid request"))
        .andExpect(jsonPath("$.detail").value("a parameter has the wrong form"))
        .andExpect(jsonPath("$.errors", hasSize(1)))
        .andExpect(jsonPath("$.errors[0].field").value("id"))
        .andExpect(jsonPath("$.errors[0].value").value("not-a-uuid"))
        .andExpect(jsonPath("$.errors[0].reason").value("not a valid UUID"));
  }

  @Test
  void aWrongMethodIs405WithAllow() throws Exception {
    mvc.perform(put("/api/v1/checks"))
        .andExpect(status().isMethodNotAllowed())
        .andExpect(header().string("Allow", containsString("POST")))
        .andExpect(header().string("Allow", containsString("GET")))
        .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
        .andExpect(jsonPath("$.title").value("Method not allowed"))
        .andExpect(jsonPath("$.status").value(405))
        .andExpect(jsonPath("$.detail").value("PUT is not supported here; allowed: GET, POST"))
        .andExpect(jsonPath("$.instance").value("/api/v1/checks"));
  }

  @Test
  void anUnsupportedContentTypeIs415() throws Exception {
    mvc.perform(
            post("/api/v1/checks")
                .contentType(MediaType.TEXT_PLAIN)
                .content("addresses=/ip4/127.0.0.1/tcp/4001"))
        .andExpect(status().isUnsupportedMediaType())
        .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
        .andExpect(jsonPath("$.title").value("Unsupported media type"))
        .andExpect(jsonPath("$.status").value(415))
        .andExpect(
            jsonPath("$.detail")
                .value("Content-Type text/plain is not supported; send one of [application/json]"))
        .andExpect(header().string("Accept", "application/json"));
  }

  @Test
  void theApiSpeaksOnlyJsonThoughOtherConvertersAreOnTheClasspath() throws Exception {
    // springdoc brings a YAML converter; the API must neither read nor write YAML
    mvc.perform(
            post("/api/v1/checks")
                .contentType("application/yaml")
                .content("addresses: [/ip4/127.0.0.1/tcp/4001]"))
        .andExpect(status().isUnsupportedMediaType());
    mvc.perform(get("/api/v1/checks").accept("application/yaml"))
        .andExpect(status().isNotAcceptable())
        .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON));
  }

  @Test
  void nothingAcceptableIs406() throws Exception {
    mvc.perform(get("/api/v1/checks").accept(MediaType.TEXT_PLAIN))
        .andExpect(status().isNotAcceptable())
        .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
        .andExpect(jsonPath("$.title").value("Not acceptable"))
        .andExpect(jsonPath("$.status").value(406))
        .andExpect(
            jsonPath("$.detail", startsWith("none of the media types in Accept can be produced")));
  }

  @Test
  void anUnmappedPathIs404() throws Exception {
    mvc.perform(get("/api/v1/nothing-here"))
        .andExpect(status().isNotFound())
        .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
        .andExpect(jsonPath("$.title").value("Not found"))
        .andExpect(jsonPath("$.detail").value("no endpoint for GET /api/v1/nothing-here"));
  }

  @Test
  void aMissingParameterIs400WithAFieldError() throws Exception {
    mvc.perform(get("/test/required"))
        .andExpect(status().isBadRequest())
        .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
        .andExpect(jsonPath("$.title").value("Invalid request"))
        .andExpect(jsonPath("$.errors[0].field").value("name"))
        .andExpect(jsonPath("$.errors[0].value").value(nullValue()))
        .andExpect(jsonPath("$.errors[0].reason").value("required"));
  }

  /**
   * A multipart resolver switched on again must not turn a client's bad body into a 500 with a
   * stack trace.
   */
  @Test
  void anUnreadableMultipartBodyIs400() throws Exception {
    mvc.perform(post("/test/multipart"))
        .andExpect(status().isBadRequest())
        .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
        .andExpect(jsonPath("$.detail").value("the multipart body cannot be read"))
        .andExpect(jsonPath("$.errors[0].field").value("body"));
  }

  @Test
  void getListAndCancel() throws Exception {
    UUID id = jobs.submit(CheckRequest.defaults()).id();
    mvc.perform(get("/api/v1/checks/" + id))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.id").value(id.toString()));
    mvc.perform(get("/api/v1/checks").param("size", "1"))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.items", hasSize(1)))
        .andExpect(jsonPath("$.size").value(1));
    mvc.perform(delete("/api/v1/checks/" + id))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.state").value("CANCELLED"))
        .andExpect(jsonPath("$.finishedAt").isNotEmpty());
    mvc.perform(get("/api/v1/checks").param("state", "CANCELLED"))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.items[0].state").value("CANCELLED"));
    // an empty page is a page
    mvc.perform(get("/api/v1/checks").param("state", "SUCCEEDED"))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.items", hasSize(0)))
        .andExpect(jsonPath("$.total").value(0));
    mvc.perform(get("/api/v1/checks").param("state", "DONE"))
        .andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.errors[0].field").value("state"))
        .andExpect(jsonPath("$.errors[0].value").value("DONE"))
        .andExpect(
            jsonPath("$.errors[0].reason")
                .value(
                    "not a valid JobState (one of [QUEUED, RUNNING, SUCCEEDED, FAILED,"
                        + " CANCELLED])"));
    mvc.perform(get("/api/v1/checks").param("size", "0"))
        .andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.errors[0].field").value("size"));
    mvc.perform(get("/api/v1/checks").param("page", "first"))
        .andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.errors[0].field").value("page"))
        .andExpect(jsonPath("$.errors[0].value").value("first"))
        .andExpect(jsonPath("$.errors[0].reason").value("not a valid int"));
  }

  @Test
  void aFullQueueIs503WithRetryAfter() throws Exception {
    // the one worker busy for good (its server never answers), then QUEUE jobs waiting
    UUID running = jobs.submit(CheckRequest.defaults()).id();
    Waiting.within(WAIT).until(() -> jobs.find(running).orElseThrow().state() == JobState.RUNNING);
    for (int i = 0; i < QUEUE; i++) {
      jobs.submit(CheckRequest.defaults());
    }
    mvc.perform(post("/api/v1/checks"))
        .andExpect(status().isServiceUnavailable())
        .andExpect(
            header().string("Retry-After", Long.toString(JobSettings.RETRY_AFTER.toSeconds())))
        .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON));
  }
}
