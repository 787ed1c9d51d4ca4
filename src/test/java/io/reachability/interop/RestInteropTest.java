package io.reachability.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import io.reachability.libp2p.host.Host;
import io.reachability.testing.LoopbackHosts;
import io.reachability.testing.ServiceApi;
import io.reachability.testing.Waiting;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The whole service over HTTP with real js-libp2p (2.0.15), go-libp2p (v0.52.0) and rust-libp2p
 * (0.56) AutoNAT v2 servers as its pool: checks submitted with {@code POST /api/v1/checks} and
 * {@code servers} naming one of them are answered by that implementation alone, which dials the
 * node back (js's test-only patch and go's {@code AllowPrivateAddrs} let their servers dial
 * loopback; rust has no such check).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@Interop
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "reach.node.listen=" + LoopbackHosts.ANY_PORT,
      "reach.peer-checks.allow-private-addresses=true"
    })
@DirtiesContext // its pool is three processes stopped after the class: close the service with it
class RestInteropTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  private static final Map<PeerImplementation, InteropPeer> servers =
      new EnumMap<>(PeerImplementation.class);

  @BeforeAll
  static void startServers() {
    for (PeerImplementation implementation : PeerImplementation.values()) {
      implementation.assumeAvailable();
      servers.put(implementation, InteropPeer.start(implementation, PeerSpec.autonatServerNode()));
    }
  }

  /** Read when the context starts, after {@link #startServers()}; the embedded pool is off then. */
  @DynamicPropertySource
  static void pool(DynamicPropertyRegistry registry) {
    registry.add(
        "reach.pool.servers",
        () ->
            servers.values().stream().map(s -> s.addrs().get(0)).collect(Collectors.joining(",")));
  }

  @AfterAll
  static void stopServers() {
    servers.values().forEach(InteropPeer::close);
  }

  private static String serverOf(PeerImplementation implementation) {
    return servers.get(implementation).addrs().get(0);
  }

  @LocalServerPort int port;
  @Autowired Host node;

  @ParameterizedTest
  @EnumSource(PeerImplementation.class)
  void theNodesListenAddressIsReachableAccordingToEach(PeerImplementation implementation)
      throws Exception {
    String listen = node.listenAddresses().get(0).toString();
    String server = serverOf(implementation);
    DocumentContext job =
        check(
            "{\"addresses\":[\""
                + listen
                + "\"],\"servers\":[\""
                + server
                + "\"],\"confirmations\":1}");

    assertThat(job.read("$.state", String.class)).as(job.jsonString()).isEqualTo("SUCCEEDED");
    assertThat(job.read("$.results[0].address", String.class)).isEqualTo(listen);
    assertThat(job.read("$.results[0].verdict", String.class))
        .as(job.jsonString())
        .isEqualTo("REACHABLE");
    assertThat(job.<List<String>>read("$.results[0].warnings")).isEmpty();
    List<Map<String, Object>> attempts = job.read("$.results[0].attempts");
    assertThat(attempts).as(job.jsonString()).hasSize(1); // one server named: one confirmation
    Map<String, Object> attempt = attempts.get(0);
    assertThat(attempt.get("server")).isEqualTo(server);
    assertThat(attempt.get("responseStatus")).isEqualTo("OK");
    assertThat(attempt.get("dialStatus")).isEqualTo("OK");
    assertThat(attempt.get("nonceVerified")).isEqualTo(true);
    assertThat(attempt.get("dialBackAddress")).isEqualTo(listen);
    assertThat(attempt.get("dialDataBytes"))
        .isEqualTo(0); // same IP as the connection: no dial data
    assertThat(attempt.get("error")).isNull();
  }

  /** The configured pool: all three identified (in the background) as speaking AutoNAT v2. */
  @Test
  void thePoolListsTheThreeImplementationsAsAutonatServers() throws Exception {
    DocumentContext pool =
        Waiting.within(WAIT)
            .until(
                () -> JsonPath.parse(get("/api/v1/servers").body()),
                p ->
                    p.<List<Boolean>>read("$.servers[*].speaksAutonatV2").stream()
                            .filter(Boolean.TRUE::equals)
                            .count()
                        == servers.size());
    assertThat(pool.read("$.notice", String.class)).isNull();
    assertThat(pool.<List<String>>read("$.servers[*].peerId"))
        .containsExactlyInAnyOrderElementsOf(
            servers.values().stream().map(InteropPeer::peerId).toList());
    assertThat(pool.<List<Boolean>>read("$.servers[*].embedded")).containsOnly(false);
  }

  @ParameterizedTest
  @EnumSource(PeerImplementation.class)
  void aClosedPortIsUnreachableAccordingToEach(PeerImplementation implementation) throws Exception {
    int closed = LoopbackHosts.closedPort();
    String server = serverOf(implementation);
    DocumentContext job =
        check(
            "{\"addresses\":[\"/ip4/127.0.0.1/tcp/"
                + closed
                + "\"],\"servers\":[\""
                + server
                + "\"],\"confirmations\":1}");

    assertThat(job.read("$.state", String.class)).as(job.jsonString()).isEqualTo("SUCCEEDED");
    assertThat(job.read("$.results[0].verdict", String.class))
        .as(job.jsonString())
        .isEqualTo("UNREACHABLE");
    assertThat(job.read("$.results[0].warnings[0]", String.class))
        .isEqualTo("the node does not listen on tcp/" + closed + "; a dial-back cannot succeed");
    List<Map<String, Object>> attempts = job.read("$.results[0].attempts");
    assertThat(attempts).as(job.jsonString()).hasSize(1);
    Map<String, Object> attempt = attempts.get(0);
    assertThat(attempt.get("server")).isEqualTo(server);
    assertThat(attempt.get("responseStatus")).isEqualTo("OK");
    assertThat(attempt.get("dialStatus")).isEqualTo("E_DIAL_ERROR");
    assertThat(attempt.get("nonceVerified")).isEqualTo(false);
  }

  /** A peer check of each implementation's node by its address: reachable, with what it runs. */
  @ParameterizedTest
  @EnumSource(PeerImplementation.class)
  void eachImplementationIsReachableByAPeerCheck(PeerImplementation implementation)
      throws Exception {
    InteropPeer peer = servers.get(implementation);
    DocumentContext check =
        new ServiceApi(port)
            .submitAndWait(
                "/api/v1/peer-checks", "{\"peer\":\"" + serverOf(implementation) + "\"}", WAIT);

    String json = check.jsonString();
    assertThat(check.read("$.state", String.class)).as(json).isEqualTo("SUCCEEDED");
    assertThat(check.read("$.verdict", String.class)).as(json).isEqualTo("REACHABLE");
    assertThat(check.read("$.servesAutonatV2", Boolean.class)).as(json).isTrue();
    assertThat(check.read("$.agentVersion", String.class)).as(json).isNotBlank();
    assertThat(check.read("$.addresses[0].provenPeer", String.class)).isEqualTo(peer.peerId());
    assertThat(check.read("$.addresses[0].muxer", String.class)).isEqualTo("/yamux/1.0.0");
    assertThat(check.read("$.addresses[0].pingRttMs", Double.class)).as(json).isNotNull();
    assertThat(check.<List<String>>read("$.addresses[0].protocols"))
        .contains("/libp2p/autonat/2/dial-request", "/ipfs/id/1.0.0");
  }

  // ---- HTTP
  // -------------------------------------------------------------------------------------------

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return new ServiceApi(port).get(path);
  }

  /** Submits a check and polls it until it is no longer QUEUED or RUNNING. */
  private DocumentContext check(String body) throws Exception {
    return new ServiceApi(port).submitAndWait("/api/v1/checks", body, WAIT);
  }
}
