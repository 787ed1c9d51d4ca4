package io.reachability;

import static org.assertj.core.api.Assertions.assertThat;

import io.reachability.libp2p.core.Connection;
import io.reachability.libp2p.host.Host;
import io.reachability.testing.LoopbackHosts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The whole service: it starts its node, reports it in health, and the node accepts connections.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = "reach.node.listen=" + LoopbackHosts.ANY_PORT)
class ApplicationTest {

  /** How long a dial to the node, and then a ping over it, may take. */
  private static final Duration WAIT = Duration.ofSeconds(20);

  @LocalServerPort int port;

  @Autowired Host node;

  @Test
  void healthShowsTheNode() throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("\"libp2p\"").contains(node.peerId().toString());
  }

  @Test
  void theNodeAcceptsLibp2pConnections() throws Exception {
    try (Host client = Host.builder().threadName("test-client").build().start()) {
      Connection connection =
          client
              .dial(node.listenAddresses().get(0).withPeerId(node.peerId()))
              .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(client.ping(connection).get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isPositive();
    }
  }
}
