package io.reachability.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.crypto.Keys;
import io.reachability.testing.LoopbackHosts;
import io.reachability.testing.Waiting;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The health endpoint and its probes over HTTP, one service per role: liveness is the process and
 * the node, readiness is being able to do the job of the role.
 */
class HealthEndToEndTest {

  static final Duration WAIT = Duration.ofSeconds(30);
  static final HttpClient HTTP = HttpClient.newHttpClient();

  static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> await(int port, String path, int status) throws Exception {
    return Waiting.within(WAIT)
        .alias(path + " answers " + status)
        .until(() -> get(port, path), response -> response.statusCode() == status);
  }

  static Map<String, Object> components(HttpResponse<String> response) {
    return JsonPath.parse(response.body()).read("$.components");
  }

  /**
   * The default: a checker whose pool is the embedded one (same context as the API's end-to-end
   * tests).
   */
  @Nested
  @SpringBootTest(
      webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
      properties = "reach.node.listen=" + LoopbackHosts.ANY_PORT)
  class CheckerWithTheEmbeddedPool {

    @LocalServerPort int port;

    @Test
    void readyOnceItsEmbeddedServersAreAndLiveWithItsNode() throws Exception {
      HttpResponse<String> readiness = await(port, "/actuator/health/readiness", 200);
      assertThat(components(readiness)).containsOnlyKeys("readinessState", "libp2p", "role");
      assertThat(
              JsonPath.parse(readiness.body()).read("$.components.role.details.role", String.class))
          .isEqualTo("checker");
      HttpResponse<String> liveness = await(port, "/actuator/health/liveness", 200);
      assertThat(components(liveness)).containsOnlyKeys("livenessState", "libp2p");
    }
  }

  /** A fleet member as docs/OPERATIONS.md suggests: the server role, no pool. */
  @Nested
  @SpringBootTest(
      webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
      properties = {
        "reach.node.listen=" + LoopbackHosts.ANY_PORT,
        "reach.server.enabled=true",
        "reach.pool.embedded.enabled=false"
      })
  @DirtiesContext
  class PureServer {

    @LocalServerPort int port;

    @Test
    void upLiveAndReadyWithoutAPool() throws Exception {
      DocumentContext health = JsonPath.parse(await(port, "/actuator/health", 200).body());
      assertThat(health.read("$.status", String.class)).isEqualTo("UP");
      assertThat(health.read("$.components.serverPool.status", String.class)).isEqualTo("UP");
      HttpResponse<String> readiness = await(port, "/actuator/health/readiness", 200);
      assertThat(
              JsonPath.parse(readiness.body()).read("$.components.role.details.role", String.class))
          .isEqualTo("server");
      await(port, "/actuator/health/liveness", 200);
    }
  }

  /** A checker whose only pool server is away: alive, not ready. */
  @Nested
  @SpringBootTest(
      webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
      properties = "reach.node.listen=" + LoopbackHosts.ANY_PORT)
  @DirtiesContext
  class CheckerWhosePoolIsAway {

    @DynamicPropertySource
    static void absentPool(DynamicPropertyRegistry registry) {
      registry.add("reach.pool.servers", CheckerWhosePoolIsAway::absentServer);
    }

    static String absentServer() {
      try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        return Multiaddr.fromString("/ip4/127.0.0.1/tcp/" + socket.getLocalPort())
            .withPeerId(PeerId.fromPublicKey(Keys.generateEd25519().publicKey()))
            .toString();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }

    @LocalServerPort int port;

    @Test
    void liveButNotReady() throws Exception {
      await(port, "/actuator/health/liveness", 200);
      HttpResponse<String> readiness = await(port, "/actuator/health/readiness", 503);
      assertThat(JsonPath.parse(readiness.body()).read("$.components.role.status", String.class))
          .isEqualTo("DOWN");
      assertThat(JsonPath.parse(readiness.body()).read("$.components.libp2p.status", String.class))
          .isEqualTo("UP");
      assertThat(
              JsonPath.parse(await(port, "/actuator/health", 503).body())
                  .read("$.components.serverPool.status", String.class))
          .isEqualTo("DOWN");
    }
  }
}
