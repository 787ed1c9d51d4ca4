package io.reachability.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import io.reachability.autonat.AutonatServer;
import io.reachability.autonat.AutonatServerSettings;
import io.reachability.libp2p.host.Host;
import io.reachability.testing.LoopbackDnsServer;
import io.reachability.testing.LoopbackHosts;
import io.reachability.testing.ServiceApi;
import io.reachability.testing.Waiting;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The service with a pool server named only by a {@code /dnsaddr} name, as the public bootstrap
 * list names its peers: the name is served by a name server on loopback ({@code
 * reach.node.dns.servers}), its records name the server by a {@code /dns4} name, and the server is
 * an AutoNAT v2 server on loopback. The pool finds it, checks go through it.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = "reach.node.listen=" + LoopbackHosts.ANY_PORT)
@DirtiesContext // its pool server stops after the class: close the service with it
class DnsPoolEndToEndTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  private static LoopbackDnsServer dns;
  private static Host serverHost;
  private static AutonatServer server;

  @BeforeAll
  static void start() {
    dns = new LoopbackDnsServer();
    serverHost = LoopbackHosts.start("dns-pool-server");
    server =
        new AutonatServer(
            serverHost, new AutonatServerSettings.Builder().allowPrivateAddresses(true).build());
    server.start();
    int port = serverHost.listenAddresses().get(0).toTcpSocketAddress().orElseThrow().getPort();
    dns.txt(
            "_dnsaddr.pool.test",
            "dnsaddr=/dns4/server.pool.test/tcp/" + port + "/p2p/" + serverHost.peerId())
        .address("server.pool.test", "127.0.0.1");
  }

  private static String poolServer() {
    return "/dnsaddr/pool.test/p2p/" + serverHost.peerId();
  }

  @DynamicPropertySource
  static void pool(DynamicPropertyRegistry registry) {
    registry.add("reach.pool.servers", DnsPoolEndToEndTest::poolServer);
    registry.add("reach.node.dns.servers", () -> "127.0.0.1:" + dns.address().getPort());
  }

  @AfterAll
  static void stop() {
    server.close();
    serverHost.close();
    dns.close();
  }

  @LocalServerPort int port;
  @Autowired Host node;

  @Test
  void thePoolReachesItsServerThroughTheNames() throws Exception {
    DocumentContext pool =
        Waiting.within(WAIT)
            .alias("the named server identified as an AutoNAT v2 server")
            .until(
                () -> JsonPath.parse(get("/api/v1/servers").body()),
                p -> p.<List<Boolean>>read("$.servers[*].speaksAutonatV2").contains(true));
    assertThat(pool.<List<String>>read("$.servers[*].address")).containsExactly(poolServer());
    assertThat(pool.<List<Boolean>>read("$.servers[*].connected")).containsExactly(true);

    String listen = node.listenAddresses().get(0).toString();
    DocumentContext job = check("{\"addresses\":[\"" + listen + "\"],\"confirmations\":1}");
    assertThat(job.read("$.state", String.class)).as(job.jsonString()).isEqualTo("SUCCEEDED");
    assertThat(job.read("$.results[0].verdict", String.class))
        .as(job.jsonString())
        .isEqualTo("REACHABLE");
    List<Map<String, Object>> attempts = job.read("$.results[0].attempts");
    // an attempt names the address the server was reached at: what the names resolved to
    assertThat(attempts.get(0).get("server"))
        .isEqualTo(serverHost.listenAddresses().get(0).withPeerId(serverHost.peerId()).toString());
    assertThat(attempts.get(0).get("nonceVerified")).isEqualTo(true);
    assertThat(dns.queries()).isPositive();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return new ServiceApi(port).get(path);
  }

  private DocumentContext check(String body) throws Exception {
    return new ServiceApi(port).submitAndWait("/api/v1/checks", body, WAIT);
  }
}
