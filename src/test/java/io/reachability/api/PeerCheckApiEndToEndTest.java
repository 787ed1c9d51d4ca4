package io.reachability.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import io.reachability.libp2p.host.Host;
import io.reachability.testing.LoopbackHosts;
import io.reachability.testing.ServiceApi;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;

/**
 * The whole service checking other nodes on loopback (the lab switch on): a peer reachable on one
 * address, a closed port, another peer's address; then the per-target rate. The monitor's view of
 * the node's own addresses is not touched by any of it.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "reach.node.listen=" + LoopbackHosts.ANY_PORT,
      "reach.peer-checks.allow-private-addresses=true",
      "reach.peer-checks.per-target-per-minute=" + PeerCheckApiEndToEndTest.PER_TARGET
    })
@DirtiesContext // its peers stop after the class
class PeerCheckApiEndToEndTest {

  static final int PER_TARGET = 2;
  private static final Duration WAIT = Duration.ofSeconds(60);

  private static Host target;
  private static Host impostor;

  /** On an IP of its own: targets are counted per IP too, and 127.0.0.1 is everyone else's. */
  private static Host rated;

  @BeforeAll
  static void start() {
    target = LoopbackHosts.start("peer-check-e2e-target");
    impostor = LoopbackHosts.start("peer-check-e2e-impostor");
    rated = LoopbackHosts.builder("peer-check-e2e-rated", "/ip4/127.0.0.3/tcp/0").build().start();
  }

  @AfterAll
  static void stop() {
    rated.close();
    impostor.close();
    target.close();
  }

  @LocalServerPort int port;

  @Test
  void everyAddressGetsItsOwnVerdictWithWhatThePeerRuns() throws Exception {
    ServiceApi api = new ServiceApi(port);
    String trackedBefore = tracked(api);
    String peer = target.listenAddresses().get(0).withPeerId(target.peerId()).toString();
    String closed = "/ip4/127.0.0.1/tcp/" + LoopbackHosts.closedPort();
    String elsewhere = impostor.listenAddresses().get(0).toString();

    DocumentContext check =
        api.submitAndWait(
            "/api/v1/peer-checks",
            "{\"peer\":\"" + peer + "\",\"addresses\":[\"" + closed + "\",\"" + elsewhere + "\"]}",
            WAIT);

    String json = check.jsonString();
    assertThat(check.read("$.state", String.class)).as(json).isEqualTo("SUCCEEDED");
    assertThat(check.read("$.verdict", String.class)).as(json).isEqualTo("REACHABLE");
    assertThat(check.read("$.agentVersion", String.class)).as(json).isNotBlank();
    assertThat(check.<List<String>>read("$.addresses[*].verdict"))
        .as(json)
        .containsExactly("REACHABLE", "UNREACHABLE", "WRONG_PEER");
    assertThat(check.<List<String>>read("$.addresses[*].source")).containsOnly("REQUEST");
    assertThat(check.read("$.addresses[0].securityProtocol", String.class)).isEqualTo("/noise");
    assertThat(check.read("$.addresses[0].muxer", String.class)).isEqualTo("/yamux/1.0.0");
    assertThat(check.read("$.addresses[0].provenPeer", String.class))
        .isEqualTo(target.peerId().toString());
    assertThat(check.read("$.addresses[0].pingRttMs", Double.class)).isNotNull();
    assertThat(check.<List<String>>read("$.addresses[0].protocols")).contains("/ipfs/id/1.0.0");
    assertThat(check.read("$.addresses[0].observedAddress", String.class))
        .startsWith("/ip4/127.0.0.1/tcp/");
    assertThat(check.read("$.addresses[1].error", String.class)).isNotBlank();
    assertThat(check.read("$.addresses[2].provenPeer", String.class))
        .isEqualTo(impostor.peerId().toString());

    String metrics = api.get("/actuator/prometheus").body();
    assertThat(metrics)
        .contains("reach_peer_checks_finished_total{state=\"SUCCEEDED\",verdict=\"REACHABLE\"}")
        .contains("reach_peer_checks_dials_total{transport=\"tcp\",verdict=\"WRONG_PEER\"}")
        .contains("reach_peer_checks_running ");
    // peer checks say nothing about the node's own addresses
    assertThat(tracked(api)).isEqualTo(trackedBefore);
  }

  @Test
  void oneTargetIsCheckedAtMostItsRateAMinute() throws Exception {
    ServiceApi api = new ServiceApi(port);
    String body =
        "{\"peer\":\"" + rated.listenAddresses().get(0).withPeerId(rated.peerId()) + "\"}";
    for (int i = 0; i < PER_TARGET; i++) {
      assertThat(api.post("/api/v1/peer-checks", body).statusCode()).isEqualTo(202);
    }
    HttpResponse<String> refused = api.post("/api/v1/peer-checks", body);
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(429);
    assertThat(refused.headers().firstValue("Retry-After")).isPresent();
    assertThat(JsonPath.parse(refused.body()).read("$.detail", String.class))
        .contains("reach.peer-checks.per-target-per-minute");
  }

  /** The addresses the monitor tracks, as JSON text. */
  private static String tracked(ServiceApi api) throws Exception {
    return JsonPath.parse(api.get("/api/v1/reachability").body())
        .read("$.addresses[*].address", List.class)
        .toString();
  }
}
