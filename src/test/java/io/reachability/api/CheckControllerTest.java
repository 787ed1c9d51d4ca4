package io.reachability.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.startsWith;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.reachability.autonat.CheckOptions;
import io.reachability.autonat.CheckResult;
import io.reachability.job.AddressChecker;
import io.reachability.job.CheckRequest;
import io.reachability.job.CheckRequestValidator;
import io.reachability.job.InMemoryJobStore;
import io.reachability.job.JobService;
import io.reachability.job.JobSettings;
import io.reachability.job.JobState;
import io.reachability.job.NodeAddresses;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.crypto.Keys;
import io.reachability.pool.ServerPool;
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

/**
 * The check endpoints over MockMvc, on a real job service whose only server never answers (jobs
 * stay QUEUED or RUNNING, so the queue can fill): status codes, Location, problem details.
 */
@WebMvcTest(CheckController.class)
@Import(CheckControllerTest.Beans.class)
class CheckControllerTest {

  static final PeerId SELF = Keys.generateEd25519().publicKey().peerId();
  static final Multiaddr SERVER = Multiaddr.fromString("/ip4/127.0.0.1/tcp/5000").withPeerId(Keys.generateEd25519().publicKey().peerId());
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
          () -> new NodeAddresses(List.of(Multiaddr.fromString("/ip4/127.0.0.1/tcp/4001")), List.of()),
          JobSettings.of(1, QUEUE).withShutdownGrace(Duration.ZERO),
          new CheckOptions(100_000, Duration.ofSeconds(15)),
          Clock.systemUTC());
    }

    @Bean
    CheckRequestValidator validator() {
      return new CheckRequestValidator(SELF, 100_000);
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
                .content("{\"addresses\":[\"/ip4/127.0.0.1/tcp/4001\"],\"confirmations\":2,\"timeoutSeconds\":30}"))
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
    mvc.perform(post("/api/v1/checks")).andExpect(status().isAccepted()).andExpect(jsonPath("$.request.addresses", hasSize(0)));
  }

  @Test
  void invalidFieldsAreProblemDetailsWithEveryError() throws Exception {
    mvc.perform(
            post("/api/v1/checks")
                .contentType(MediaType.APPLICATION_JSON)
                .content("{\"addresses\":[\"nope\",\"/ip4/127.0.0.1/udp/1/quic-v1\",\"/ip4/1.2.3.4/tcp/1/p2p/" + SERVER.peerId().get() + "/p2p-circuit\"],\"confirmations\":0}"))
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
    mvc.perform(post("/api/v1/checks").contentType(MediaType.APPLICATION_JSON).content("{\"addresses\": [1,"))
        .andExpect(status().isBadRequest())
        .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
        .andExpect(jsonPath("$.errors[0].field").value("body"));
  }

  @Test
  void unknownIdIs404AndABadIdIs400() throws Exception {
    mvc.perform(get("/api/v1/checks/" + UUID.randomUUID()))
        .andExpect(status().isNotFound())
        .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON));
    mvc.perform(delete("/api/v1/checks/" + UUID.randomUUID())).andExpect(status().isNotFound());
    mvc.perform(get("/api/v1/checks/not-a-uuid")).andExpect(status().isBadRequest()).andExpect(jsonPath("$.errors[0].field").value("id"));
  }

  @Test
  void getListAndCancel() throws Exception {
    UUID id = jobs.submit(CheckRequest.defaults()).id();
    mvc.perform(get("/api/v1/checks/" + id)).andExpect(status().isOk()).andExpect(jsonPath("$.id").value(id.toString()));
    mvc.perform(get("/api/v1/checks").param("size", "1")).andExpect(status().isOk()).andExpect(jsonPath("$.items", hasSize(1)))
        .andExpect(jsonPath("$.size").value(1));
    mvc.perform(delete("/api/v1/checks/" + id))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.state").value("CANCELLED"))
        .andExpect(jsonPath("$.finishedAt").isNotEmpty());
    mvc.perform(get("/api/v1/checks").param("state", "CANCELLED")).andExpect(status().isOk())
        .andExpect(jsonPath("$.items[0].state").value("CANCELLED"));
    // an empty page is a page
    mvc.perform(get("/api/v1/checks").param("state", "SUCCEEDED")).andExpect(status().isOk()).andExpect(jsonPath("$.items", hasSize(0)))
        .andExpect(jsonPath("$.total").value(0));
    mvc.perform(get("/api/v1/checks").param("state", "DONE")).andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.errors[0].field").value("state"));
    mvc.perform(get("/api/v1/checks").param("size", "0")).andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.errors[0].field").value("size"));
  }

  @Test
  void aFullQueueIs503WithRetryAfter() throws Exception {
    // the one worker busy for good (its server never answers), then QUEUE jobs waiting
    UUID running = jobs.submit(CheckRequest.defaults()).id();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (jobs.find(running).orElseThrow().state() != JobState.RUNNING) {
      assertThat(System.nanoTime()).isLessThan(deadline);
      Thread.sleep(5);
    }
    for (int i = 0; i < QUEUE; i++) {
      jobs.submit(CheckRequest.defaults());
    }
    mvc.perform(post("/api/v1/checks"))
        .andExpect(status().isServiceUnavailable())
        .andExpect(header().string("Retry-After", Long.toString(JobSettings.RETRY_AFTER.toSeconds())))
        .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON));
  }
}
