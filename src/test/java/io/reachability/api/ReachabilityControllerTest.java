package io.reachability.api;

import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.reachability.access.SecurityConfiguration;
import io.reachability.autonat.CheckResult;
import io.reachability.autonat.DialStatus;
import io.reachability.autonat.Reachability;
import io.reachability.autonat.ResponseStatus;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.crypto.Keys;
import io.reachability.monitor.MonitorSettings;
import io.reachability.monitor.ReachabilityMonitor;
import io.reachability.pool.ServerPool;
import io.reachability.testing.Waiting;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.RequestPostProcessor;

/** {@code /api/v1/reachability} with a monitor (its prober scripted) and without one. */
class ReachabilityControllerTest {

  static final Multiaddr ADDRESS = Multiaddr.fromString("/ip4/198.51.100.7/tcp/4001");
  static final Multiaddr SERVER =
      Multiaddr.fromString("/ip4/203.0.113.1/tcp/4001")
          .withPeerId(PeerId.fromPublicKey(Keys.generateEd25519().publicKey()));
  static final Multiaddr SECOND =
      Multiaddr.fromString("/ip4/192.0.2.1/tcp/4001")
          .withPeerId(PeerId.fromPublicKey(Keys.generateEd25519().publicKey()));
  static final Multiaddr SILENT =
      Multiaddr.fromString("/ip4/198.18.0.1/tcp/4001")
          .withPeerId(PeerId.fromPublicKey(Keys.generateEd25519().publicKey()));
  static final Duration WAIT = Duration.ofSeconds(10);

  @TestConfiguration(proxyBeanMethods = false)
  static class Pool {

    @Bean(destroyMethod = "close")
    ServerPool serverPool() {
      return ServerPool.of(List.of(SERVER), null);
    }
  }

  @TestConfiguration(proxyBeanMethods = false)
  static class Monitor {

    @Bean(destroyMethod = "close")
    ReachabilityMonitor reachabilityMonitor() {
      // two servers find the address reachable, the third never answers
      ReachabilityMonitor.Prober scripted =
          (server, address, timeout) ->
              server.equals(SILENT)
                  ? new CompletableFuture<CheckResult>()
                  : CompletableFuture.supplyAsync(
                      () ->
                          new CheckResult(
                              server.peerId().orElseThrow(),
                              server,
                              0,
                              address,
                              ResponseStatus.OK,
                              DialStatus.OK,
                              Reachability.REACHABLE,
                              "scripted",
                              true,
                              address,
                              0,
                              Duration.ZERO));
      List<ReachabilityMonitor.Server> servers =
          List.of(
              new ReachabilityMonitor.Server(SERVER, true),
              new ReachabilityMonitor.Server(SECOND, true),
              new ReachabilityMonitor.Server(SILENT, true));
      return new ReachabilityMonitor(
              MonitorSettings.DEFAULTS,
              scripted,
              () -> servers,
              () -> List.of(ADDRESS),
              Clock.systemUTC())
          .start();
    }
  }

  @Nested
  @WebMvcTest(ReachabilityController.class)
  @Import({Pool.class, Monitor.class, SecurityConfiguration.class})
  class WithTheMonitor {

    @Autowired MockMvc mvc;
    @Autowired ReachabilityMonitor monitor;

    /**
     * A caller from elsewhere has its share of the event streams, the local operator is not
     * counted.
     */
    @Test
    void aRemoteClientGetsAtMostItsShareOfEventStreams() throws Exception {
      awaitFirstPass();
      RequestPostProcessor remote =
          request -> {
            request.setRemoteAddr("192.0.2.44");
            return request;
          };
      for (int i = 0; i < ReachabilityEvents.MAX_SUBSCRIBERS_PER_CLIENT; i++) {
        mvc.perform(
                get("/api/v1/reachability/events").with(remote).accept(MediaType.TEXT_EVENT_STREAM))
            .andExpect(status().isOk());
      }
      mvc.perform(
              get("/api/v1/reachability/events").with(remote).accept(MediaType.TEXT_EVENT_STREAM))
          .andExpect(status().isTooManyRequests())
          .andExpect(header().exists("Retry-After"))
          .andExpect(content().contentTypeCompatibleWith("application/problem+json"));
      mvc.perform(get("/api/v1/reachability/events").accept(MediaType.TEXT_EVENT_STREAM))
          .andExpect(status().isOk());
    }

    /**
     * Until the monitor's first pass is over its answers publish events from other threads, which
     * MockMvc's response (not thread-safe) may be written by while a request is still being
     * performed: a ConcurrentModificationException seen once in CI-like runs.
     */
    private void awaitFirstPass() throws InterruptedException {
      Waiting.within(WAIT)
          .until(() -> monitor.report().addresses().stream().anyMatch(a -> a.successes() == 2));
    }

    @Test
    void theViewShowsEveryTrackedAddressWithItsWindow() throws Exception {
      // the first pass and the answers run on other threads
      Waiting.within(WAIT)
          .until(() -> monitor.report().addresses().stream().anyMatch(a -> a.successes() == 2));

      mvc.perform(get("/api/v1/reachability"))
          .andExpect(status().isOk())
          .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_JSON))
          .andExpect(jsonPath("$.reachability").value("PUBLIC"))
          .andExpect(jsonPath("$.notice").value(nullValue()))
          .andExpect(jsonPath("$.addresses[0].address").value(ADDRESS.toString()))
          .andExpect(jsonPath("$.addresses[0].verdict").value("REACHABLE"))
          .andExpect(jsonPath("$.addresses[0].confidence").value(2))
          .andExpect(jsonPath("$.addresses[0].successes").value(2))
          .andExpect(jsonPath("$.addresses[0].failures").value(0))
          .andExpect(jsonPath("$.addresses[0].secondary").value(false))
          .andExpect(jsonPath("$.addresses[0].probesInFlight").value(1))
          .andExpect(
              jsonPath("$.addresses[0].history[*].outcome").value(contains("SUCCESS", "SUCCESS")))
          .andExpect(
              jsonPath("$.addresses[0].history[*].server")
                  .value(containsInAnyOrder(SERVER.toString(), SECOND.toString())));
    }

    @Test
    void anEventStreamIsOpened() throws Exception {
      awaitFirstPass();
      mvc.perform(get("/api/v1/reachability/events").accept(MediaType.TEXT_EVENT_STREAM))
          .andExpect(status().isOk())
          .andExpect(content().contentTypeCompatibleWith(MediaType.TEXT_EVENT_STREAM));
    }
  }

  @Nested
  @WebMvcTest(ReachabilityController.class)
  @Import({Pool.class, SecurityConfiguration.class})
  class WithoutTheMonitor {

    @Autowired MockMvc mvc;

    @Test
    void theViewIs404() throws Exception {
      mvc.perform(get("/api/v1/reachability"))
          .andExpect(status().isNotFound())
          .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
          .andExpect(jsonPath("$.title").value("Reachability monitor disabled"))
          .andExpect(jsonPath("$.detail", startsWith("the reachability monitor is off")));
    }

    @Test
    void theStreamIs404Too() throws Exception {
      mvc.perform(get("/api/v1/reachability/events").accept(MediaType.TEXT_EVENT_STREAM))
          .andExpect(status().isNotFound())
          .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON));
    }
  }
}
