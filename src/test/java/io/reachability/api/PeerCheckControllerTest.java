package io.reachability.api;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.startsWith;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.reachability.access.KeyedRateLimiter;
import io.reachability.access.SecurityConfiguration;
import io.reachability.job.InMemoryJobStore;
import io.reachability.job.JobState;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import io.reachability.peercheck.AddressOutcome;
import io.reachability.peercheck.PeerCheckService;
import io.reachability.peercheck.PeerCheckSettings;
import io.reachability.peercheck.PeerCheckValidator;
import io.reachability.peercheck.RequesterLimiter;
import io.reachability.peercheck.TargetRules;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
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
 * The peer-check endpoints over MockMvc, on a real peer-check service whose dials never end (checks
 * stay RUNNING): status codes, Location, problem details naming the rule broken. Real dials, DNS
 * and the rates per requester and target are in {@link PeerCheckApiEndToEndTest}.
 */
@WebMvcTest(PeerCheckController.class)
@Import({PeerCheckControllerTest.Beans.class, SecurityConfiguration.class})
class PeerCheckControllerTest {

  static final String PEER = "12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN";

  @TestConfiguration(proxyBeanMethods = false)
  static class Beans {

    /** Dials that never end, a DHT that never answers, names that resolve to themselves. */
    static final PeerCheckService.Network SILENT =
        new PeerCheckService.Network() {
          @Override
          public CompletableFuture<List<Multiaddr>> find(PeerId peer, BooleanSupplier stop) {
            return new CompletableFuture<>();
          }

          @Override
          public CompletableFuture<List<Multiaddr>> resolve(Multiaddr address) {
            return CompletableFuture.completedFuture(List.of(address));
          }

          @Override
          public CompletableFuture<AddressOutcome> check(PeerId peer, Multiaddr address) {
            return new CompletableFuture<>();
          }
        };

    static final TargetRules RULES =
        new TargetRules(
            false,
            a -> a.isDns() || a.toIpSocketAddress().isPresent() && !a.toString().contains("/ws"));

    @Bean(destroyMethod = "close")
    PeerCheckService peerCheckService() {
      PeerCheckSettings settings = PeerCheckSettings.defaults();
      return new PeerCheckService(
          new InMemoryJobStore(Clock.systemUTC(), Duration.ofHours(1), 100),
          SILENT,
          RULES,
          settings,
          new KeyedRateLimiter(1000),
          Clock.systemUTC());
    }

    @Bean
    PeerCheckValidator peerCheckValidator() {
      return new PeerCheckValidator(PeerCheckSettings.defaults(), RULES, SILENT::resolve);
    }

    @Bean
    RequesterLimiter requesterLimiter() {
      return new RequesterLimiter(1000);
    }
  }

  @Autowired MockMvc mvc;
  @Autowired PeerCheckService checks;

  @BeforeEach
  void cancelUnfinished() {
    for (JobState state : List.of(JobState.QUEUED, JobState.RUNNING)) {
      checks.list(state, null, 0, 100).items().forEach(job -> checks.cancel(job.id()));
    }
  }

  @Test
  void submitAnswers202WithLocationAndTheCheck() throws Exception {
    mvc.perform(
            post("/api/v1/peer-checks")
                .contentType(MediaType.APPLICATION_JSON)
                .content(
                    "{\"peer\":\"/ip4/8.8.8.8/tcp/4001/p2p/"
                        + PEER
                        + "\",\"addresses\":[\"/ip4/8.8.8.8/udp/4001/quic-v1\"],\"timeoutSeconds\":30}"))
        .andExpect(status().isAccepted())
        .andExpect(header().string("Location", startsWith("/api/v1/peer-checks/")))
        .andExpect(jsonPath("$.state").value("RUNNING"))
        .andExpect(jsonPath("$.peer").value(PEER))
        .andExpect(jsonPath("$.verdict").doesNotExist())
        .andExpect(jsonPath("$.lookedUp").value(false))
        .andExpect(jsonPath("$.timeoutSeconds").value(30))
        .andExpect(jsonPath("$.addresses", hasSize(2)))
        .andExpect(jsonPath("$.addresses[0].address").value("/ip4/8.8.8.8/tcp/4001"))
        .andExpect(jsonPath("$.addresses[0].transport").value("tcp"))
        .andExpect(jsonPath("$.addresses[0].source").value("REQUEST"))
        .andExpect(jsonPath("$.addresses[1].transport").value("quic-v1"));
  }

  @Test
  void aPeerIdAloneIsLookedUp() throws Exception {
    mvc.perform(
            post("/api/v1/peer-checks")
                .contentType(MediaType.APPLICATION_JSON)
                .content("{\"peer\":\"" + PEER + "\"}"))
        .andExpect(status().isAccepted())
        .andExpect(jsonPath("$.lookedUp").value(true))
        .andExpect(jsonPath("$.addresses", hasSize(0)));
  }

  @Test
  void privateTargetsAreA400NamingTheRange() throws Exception {
    long before = checks.list(null, null, 0, 1).total();
    mvc.perform(
            post("/api/v1/peer-checks")
                .contentType(MediaType.APPLICATION_JSON)
                .content(
                    "{\"peer\":\"/ip4/192.168.1.20/tcp/4001/p2p/"
                        + PEER
                        + "\",\"addresses\":[\"/ip4/127.0.0.1/tcp/4001\",\"/ip4/100.64.1.1/tcp/1\",\"/ip6/fe80::1/tcp/1\"]}"))
        .andExpect(status().isBadRequest())
        .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
        .andExpect(jsonPath("$.errors", hasSize(4)))
        .andExpect(jsonPath("$.errors[0].field").value("peer"))
        .andExpect(
            jsonPath(
                "$.errors[0].reason", startsWith("a private (192.168.0.0/16, RFC 1918) address")))
        .andExpect(jsonPath("$.errors[1].field").value("addresses[0]"))
        .andExpect(jsonPath("$.errors[1].reason", startsWith("a loopback (127.0.0.0/8) address")))
        .andExpect(
            jsonPath(
                "$.errors[1].reason", containsString("reach.peer-checks.allow-private-addresses")))
        .andExpect(jsonPath("$.errors[2].reason", startsWith("a carrier-grade NAT")))
        .andExpect(jsonPath("$.errors[3].reason", startsWith("a link-local")));
    org.assertj.core.api.Assertions.assertThat(checks.list(null, null, 0, 1).total())
        .isEqualTo(before);
  }

  @Test
  void aMissingOrMalformedPeerIsA400() throws Exception {
    mvc.perform(post("/api/v1/peer-checks").contentType(MediaType.APPLICATION_JSON).content("{}"))
        .andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.errors[0].field").value("peer"))
        .andExpect(jsonPath("$.errors[0].reason", startsWith("required")));
    mvc.perform(post("/api/v1/peer-checks"))
        .andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.errors[0].field").value("peer"));
    mvc.perform(
            post("/api/v1/peer-checks")
                .contentType(MediaType.APPLICATION_JSON)
                .content("{\"peer\":\"12D3KooW\"}"))
        .andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.errors[0].field").value("peer"));
    mvc.perform(
            post("/api/v1/peer-checks")
                .contentType(MediaType.APPLICATION_JSON)
                .content("{\"peer\":\"" + PEER + "\",\"timeoutSeconds\":1.5}"))
        .andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.errors[0].field").value("timeoutSeconds"));
    mvc.perform(
            post("/api/v1/peer-checks")
                .contentType(MediaType.APPLICATION_JSON)
                .content("{\"peer\":\"" + PEER + "\",\"addresses\":\"/ip4/8.8.8.8/tcp/1\"}"))
        .andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.errors[0].field").value("addresses"));
  }

  @Test
  void readListAndCancel() throws Exception {
    String location =
        mvc.perform(
                post("/api/v1/peer-checks")
                    .contentType(MediaType.APPLICATION_JSON)
                    .content("{\"peer\":\"/ip4/8.8.8.8/tcp/4001/p2p/" + PEER + "\"}"))
            .andReturn()
            .getResponse()
            .getHeader("Location");
    mvc.perform(get(location))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.state").value("RUNNING"))
        .andExpect(jsonPath("$.addresses[0].verdict").doesNotExist());
    mvc.perform(get("/api/v1/peer-checks").param("state", "RUNNING"))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.items", hasSize(1)))
        .andExpect(jsonPath("$.total").value(1));
    mvc.perform(delete(location))
        .andExpect(status().isOk())
        .andExpect(jsonPath("$.state").value("CANCELLED"))
        .andExpect(jsonPath("$.error").value("cancelled"));
    mvc.perform(get("/api/v1/peer-checks").param("size", "101"))
        .andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.errors[0].field").value("size"));
  }

  @Test
  void anUnknownIdIsA404NamingAPeerCheck() throws Exception {
    mvc.perform(get("/api/v1/peer-checks/" + UUID.randomUUID()))
        .andExpect(status().isNotFound())
        .andExpect(jsonPath("$.title").value("Peer check not found"));
    mvc.perform(delete("/api/v1/peer-checks/" + UUID.randomUUID()))
        .andExpect(status().isNotFound());
    mvc.perform(get("/api/v1/peer-checks/nope"))
        .andExpect(status().isBadRequest())
        .andExpect(jsonPath("$.errors[0].field").value("id"));
  }
}
