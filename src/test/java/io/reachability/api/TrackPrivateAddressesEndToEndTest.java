package io.reachability.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.JsonPath;
import io.reachability.libp2p.host.Host;
import io.reachability.pool.EmbeddedPool;
import io.reachability.testing.LoopbackHosts;
import io.reachability.testing.Waiting;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * {@code reach.monitor.track-private-addresses} with a configured pool (servers that dial private
 * addresses, as the toolkit's compose network has): the node's loopback address is tracked and
 * found REACHABLE; without the setting the same pool leaves it untracked (public addresses only).
 */
class TrackPrivateAddressesEndToEndTest {

  static final Duration WAIT = Duration.ofSeconds(30);

  /** Configured servers, not the embedded pool: they dial private addresses like the compose's. */
  static final EmbeddedPool SERVERS = EmbeddedPool.start(2);

  @AfterAll
  static void stopServers() {
    SERVERS.close();
  }

  static void configuredPool(DynamicPropertyRegistry registry) {
    registry.add("reach.node.listen", () -> LoopbackHosts.ANY_PORT);
    registry.add("reach.pool.embedded.enabled", () -> "false");
    registry.add(
        "reach.pool.servers",
        () -> SERVERS.addresses().stream().map(Object::toString).collect(Collectors.joining(",")));
  }

  static String get(int port, String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  static List<String> tracked(int port) throws Exception {
    return JsonPath.parse(get(port, "/api/v1/reachability"))
        .read("$.addresses[?(@.verdict == 'REACHABLE')].address");
  }

  @Nested
  @SpringBootTest(
      webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
      properties = "reach.monitor.track-private-addresses=true")
  class On {

    @DynamicPropertySource
    static void pool(DynamicPropertyRegistry registry) {
      configuredPool(registry);
    }

    @LocalServerPort int port;
    @Autowired Host node;

    @Test
    void theLoopbackAddressIsTrackedAndReachable() throws Exception {
      String listen = node.listenAddresses().get(0).toString();
      Waiting.within(WAIT).alias(listen + " REACHABLE").until(() -> tracked(port).contains(listen));
    }
  }

  @Nested
  @SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
  class Off {

    @DynamicPropertySource
    static void pool(DynamicPropertyRegistry registry) {
      configuredPool(registry);
    }

    @LocalServerPort int port;

    @Test
    void nothingPrivateIsTracked() throws Exception {
      // the pool is up (its servers were dialed at start, after the monitor's first pass was
      // scheduled): by now a tracked address would be listed, UNKNOWN at least
      Waiting.within(WAIT)
          .alias("both pool servers connected")
          .until(
              () ->
                  JsonPath.parse(get(port, "/api/v1/servers"))
                          .<List<Boolean>>read("$.servers[?(@.connected == true)].connected")
                          .size()
                      == 2);
      assertThat(
              JsonPath.parse(get(port, "/api/v1/reachability"))
                  .<List<String>>read("$.addresses[*].address"))
          .isEmpty();
    }
  }
}
