package io.reachability.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.JsonPath;
import io.reachability.testing.LoopbackHosts;
import io.reachability.testing.RawHttp;
import io.reachability.testing.Waiting;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;

/**
 * The event stream over real connections: many clients that connect at once and never read past the
 * status line. Its own context, closed afterwards: it leaves the stream full.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"reach.node.listen=" + LoopbackHosts.ANY_PORT, "reach.pool.embedded.size=1"})
@DirtiesContext
class ReachabilityEventsEndToEndTest {

  static final int EXTRA = 44;

  /** What {@link #subscribeAndStall()} returns for a connection closed with no status line. */
  static final int CLOSED_UNANSWERED = -1;

  static final Duration TIMEOUT = Duration.ofSeconds(30);

  @LocalServerPort int port;

  private final List<Socket> sockets = new CopyOnWriteArrayList<>();

  @AfterEach
  void disconnect() throws IOException {
    for (Socket socket : sockets) {
      socket.close();
    }
  }

  /**
   * Connects, asks for the stream, reads the status line only; keeps the connection open. {@link
   * #CLOSED_UNANSWERED} when the server hung up before any status line (seen under heavy load).
   */
  private int subscribeAndStall() throws IOException {
    Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
    sockets.add(socket);
    socket.setSoTimeout((int) TIMEOUT.toMillis());
    socket
        .getOutputStream()
        .write(
            "GET /api/v1/reachability/events HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
      line.write(b);
    }
    String[] status = line.toString(StandardCharsets.US_ASCII).split(" ");
    return status.length < 2 ? CLOSED_UNANSWERED : Integer.parseInt(status[1]);
  }

  @Test
  void atOnceManyClientsGetExactlyTheCapAndAReadingClientStillGetsItsEvents() throws Exception {
    // a client that reads: its snapshot arrives whatever the others do
    List<String> received = new CopyOnWriteArrayList<>();
    HttpClient http = HttpClient.newHttpClient();
    http.sendAsync(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/api/v1/reachability/events"))
                .header("Accept", "text/event-stream")
                .build(),
            HttpResponse.BodyHandlers.ofLines())
        .thenAccept(
            response -> {
              try (Stream<String> lines = response.body()) {
                lines.filter(l -> l.startsWith("data:")).forEach(received::add);
              }
            });
    Waiting.within(TIMEOUT).until(() -> !received.isEmpty());
    assertThat(received).as("the reading client's snapshot").isNotEmpty();

    // everybody else at once, and none of them reads
    ExecutorService pool = Executors.newFixedThreadPool(64);
    try {
      List<Future<Integer>> statuses = new ArrayList<>();
      for (int i = 0; i < ReachabilityEvents.MAX_SUBSCRIBERS - 1 + EXTRA; i++) {
        statuses.add(pool.submit((Callable<Integer>) this::subscribeAndStall));
      }
      int accepted = 0;
      int full = 0;
      for (Future<Integer> status : statuses) {
        int code = status.get();
        if (code == 200) {
          accepted++;
        } else if (code == 503 || code == CLOSED_UNANSWERED) {
          full++;
        }
      }
      // every slot could be taken and the rest were refused; a stream that ends during the burst
      // (seen once in CI: 256 accepted) frees its slot for a later one, so "exactly" would race;
      // the cap holds afterwards (the 503 below)
      assertThat(accepted).isGreaterThanOrEqualTo(ReachabilityEvents.MAX_SUBSCRIBERS - 1);
      assertThat(accepted + full).isEqualTo(ReachabilityEvents.MAX_SUBSCRIBERS - 1 + EXTRA);
      assertThat(full).isPositive();
    } finally {
      pool.shutdownNow();
    }

    RawHttp.Response refused =
        RawHttp.exchange(
            port,
            "GET /api/v1/reachability/events HTTP/1.1\r\n"
                + "Host: localhost\r\n"
                + "Connection: close\r\n\r\n");
    assertThat(refused.status()).isEqualTo(503);
    assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
    assertThat(refused.header("Retry-After"))
        .isEqualTo(Long.toString(ReachabilityEvents.HEARTBEAT.toSeconds()));
    assertThat(JsonPath.parse(refused.body()).read("$.title", String.class))
        .isEqualTo("Event stream full");
  }
}
