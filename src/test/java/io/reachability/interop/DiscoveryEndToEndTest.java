package io.reachability.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import io.reachability.libp2p.host.Host;
import io.reachability.testing.LoopbackHosts;
import io.reachability.testing.ServiceApi;
import io.reachability.testing.Waiting;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The service with nothing but the discovery switch and one bootstrap peer of a go-libp2p-kad-dht
 * DHT on loopback (five nodes, two of them AutoNAT v2 servers): the pool fills with the two, the
 * API shows them as discovered, and a check job through the pool is REACHABLE.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@Interop
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "reach.node.listen=" + LoopbackHosts.ANY_PORT,
      "reach.pool.discovery.enabled=true",
      "reach.pool.discovery.allow-private-addresses=true",
      "reach.pool.discovery.target-servers=2",
      "reach.pool.discovery.interval=200ms"
    })
@DirtiesContext // its DHT stops after the class: close the service with it
class DiscoveryEndToEndTest {

  private static final int NODES = 5;
  private static final Set<Integer> AUTONAT_SERVERS = Set.of(1, 3);
  private static final Duration WAIT = Duration.ofSeconds(45);

  private static final List<InteropPeer> nodes = new ArrayList<>();

  @BeforeAll
  static void startDht() {
    nodes.addAll(GoDht.start(NODES, AUTONAT_SERVERS));
  }

  /** Read when the context starts, after {@link #startDht()}. */
  @DynamicPropertySource
  static void bootstrap(DynamicPropertyRegistry registry) {
    registry.add("reach.pool.discovery.bootstrap", () -> nodes.get(0).addrs().get(0));
  }

  @AfterAll
  static void stop() {
    nodes.forEach(InteropPeer::close);
  }

  @LocalServerPort int port;
  @Autowired Host node;

  @Test
  void thePoolFillsFromTheDhtAndAChecksGoesThroughIt() throws Exception {
    DocumentContext pool =
        Waiting.within(WAIT)
            .alias("two discovered servers")
            .until(
                () -> JsonPath.parse(get("/api/v1/servers").body()),
                // the count is raised just after the pool takes the server: wait for both
                p ->
                    p.<List<String>>read("$.servers[?(@.source == 'DISCOVERED')].peerId").size()
                            == 2
                        && p.read("$.discovery.admitted", Integer.class) == 2);
    assertThat(pool.<List<String>>read("$.servers[*].peerId"))
        .containsExactlyInAnyOrder(nodes.get(1).peerId(), nodes.get(3).peerId());
    assertThat(pool.<List<String>>read("$.servers[*].foundVia")).doesNotContainNull();
    assertThat(pool.read("$.discovery.admitted", Integer.class)).isEqualTo(2);
    assertThat(pool.read("$.notice", String.class)).isNull(); // no embedded pool

    String listen = node.listenAddresses().get(0).toString();
    DocumentContext job =
        new ServiceApi(port)
            .submitAndWait(
                "/api/v1/checks", "{\"addresses\":[\"" + listen + "\"],\"confirmations\":2}", WAIT);
    assertThat(job.read("$.state", String.class)).as(job.jsonString()).isEqualTo("SUCCEEDED");
    assertThat(job.read("$.results[0].verdict", String.class))
        .as(job.jsonString())
        .isEqualTo("REACHABLE");
  }

  private HttpResponse<String> get(String path) throws Exception {
    return new ServiceApi(port).get(path);
  }
}
