package io.reachability.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import io.reachability.autonat.ResponseStatus;
import io.reachability.libp2p.core.Connection;
import io.reachability.libp2p.host.Host;
import io.reachability.pool.EmbeddedPool;
import io.reachability.testing.LoopbackHosts;
import io.reachability.testing.TcpRelay;
import io.reachability.testing.Waiting;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The monitor end to end with the embedded pool: the loopback listen address becomes REACHABLE, an
 * announced address where nothing listens UNREACHABLE; then a port forward to the listen port is
 * opened on the announced port (as a NAT's port forward would be) and the monitor's re-probes turn
 * that address REACHABLE through UNKNOWN. The event stream delivers each change.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "reach.node.listen=" + LoopbackHosts.ANY_PORT,
      "reach.monitor.reprobe-interval=2s"
    })
class ReachabilityEndToEndTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final int FORWARD_PORT = LoopbackHosts.closedPort();
  private static final String ANNOUNCED = "/ip4/127.0.0.1/tcp/" + FORWARD_PORT;
  private static TcpRelay relay;

  @DynamicPropertySource
  static void announce(DynamicPropertyRegistry registry) {
    registry.add("reach.node.announce", () -> ANNOUNCED);
  }

  @LocalServerPort int port;
  @Autowired Host node;

  private final HttpClient http = HttpClient.newHttpClient();

  @AfterAll
  static void closeRelay() throws IOException {
    if (relay != null) {
      relay.close();
    }
  }

  private String get(String path) throws IOException, InterruptedException {
    return http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private String verdictOf(DocumentContext reachability, String address) {
    List<String> verdicts =
        reachability.read("$.addresses[?(@.address == '" + address + "')].verdict");
    return verdicts.isEmpty() ? null : verdicts.get(0);
  }

  private DocumentContext awaitReachability(Predicate<DocumentContext> condition, String what)
      throws Exception {
    return Waiting.within(WAIT)
        .alias(what)
        .until(() -> JsonPath.parse(get("/api/v1/reachability")), condition);
  }

  /** The {@code data} of every {@code verdict} event read so far, parsed. */
  private List<Map<String, Object>> subscribe() {
    List<Map<String, Object>> events = new CopyOnWriteArrayList<>();
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/api/v1/reachability/events"))
            .header("Accept", "text/event-stream")
            .build();
    http.sendAsync(request, HttpResponse.BodyHandlers.ofLines())
        .thenAccept(
            response -> {
              assertThat(response.statusCode()).isEqualTo(200);
              try (Stream<String> lines = response.body()) {
                lines
                    .filter(line -> line.startsWith("data:"))
                    .forEach(line -> events.add(JsonPath.parse(line.substring(5)).json()));
              }
            });
    return events;
  }

  private void awaitEvent(
      List<Map<String, Object>> events, String address, String verdict, String previous)
      throws Exception {
    Waiting.within(WAIT)
        .alias("event " + address + " " + previous + " -> " + verdict)
        .until(
            () ->
                events.stream()
                    .anyMatch(
                        e ->
                            address.equals(e.get("address"))
                                && verdict.equals(e.get("verdict"))
                                && java.util.Objects.equals(previous, e.get("previous"))));
  }

  /** What the node announces over identify to a fresh peer. */
  private List<String> identifiedAddresses() {
    try (Host peer = Host.builder().build().start()) {
      Connection connection =
          peer.dial(node.listenAddresses().get(0).withPeerId(node.peerId()))
              .get(WAIT.toSeconds(), TimeUnit.SECONDS);
      return peer
          .identify(connection)
          .get(WAIT.toSeconds(), TimeUnit.SECONDS)
          .listenAddresses()
          .stream()
          .map(Object::toString)
          .toList();
    } catch (Exception e) {
      throw new AssertionError("cannot identify the node", e);
    }
  }

  @Test
  void verdictsFollowTheAddressesAndTheStreamDeliversTheChanges() throws Exception {
    String listen = node.listenAddresses().get(0).toString();
    List<Map<String, Object>> events = subscribe();

    DocumentContext settled =
        awaitReachability(
            r ->
                "REACHABLE".equals(verdictOf(r, listen))
                    && "UNREACHABLE".equals(verdictOf(r, ANNOUNCED)),
            listen + " REACHABLE and " + ANNOUNCED + " UNREACHABLE");
    assertThat(settled.read("$.reachability", String.class)).isEqualTo("PUBLIC");
    List<String> outcomes =
        settled.read("$.addresses[?(@.address == '" + ANNOUNCED + "')].history[*].outcome");
    assertThat(outcomes).contains("FAILURE").doesNotContain("SUCCESS");

    assertThat(settled.read("$.notice", String.class)).contains("loopback");

    // the per-address gauge alerts and dashboards read: -1 for UNREACHABLE, 1 for REACHABLE
    awaitSeries(ANNOUNCED, "-1.0");
    awaitSeries(listen, "1.0");

    // identify announces the listen address, not the unreachable announced one; /node says so too
    assertThat(identifiedAddresses()).contains(listen).doesNotContain(ANNOUNCED);
    DocumentContext nodeView = JsonPath.parse(get("/api/v1/node"));
    assertThat(nodeView.<List<String>>read("$.confirmedAddresses")).containsExactly(listen);
    assertThat(nodeView.<List<String>>read("$.advertisedAddresses"))
        .contains(listen)
        .doesNotContain(ANNOUNCED);
    assertThat(nodeView.<List<String>>read("$.announceAddresses")).containsExactly(ANNOUNCED);

    // the stream: on connect every address's current verdict (previous null), or the change if it
    // came later
    awaitEvent(events, listen, "REACHABLE", null);
    awaitEvent(events, ANNOUNCED, "UNREACHABLE", null);

    // a port forward to the listen port on the announced port: re-probes now succeed
    relay =
        TcpRelay.open(
            FORWARD_PORT,
            node.listenAddresses().get(0).toTcpSocketAddress().orElseThrow().getPort());
    DocumentContext forwarded =
        awaitReachability(
            r -> "REACHABLE".equals(verdictOf(r, ANNOUNCED)), ANNOUNCED + " REACHABLE");
    List<String> history =
        forwarded.read("$.addresses[?(@.address == '" + ANNOUNCED + "')].history[*].outcome");
    assertThat(history).contains("FAILURE", "SUCCESS");

    // confirmed now: identify announces it again
    assertThat(identifiedAddresses()).contains(listen, ANNOUNCED);

    // the sliding window passes through UNKNOWN: FFFSS has |S − F| = 1
    awaitEvent(events, ANNOUNCED, "UNKNOWN", "UNREACHABLE");
    awaitEvent(events, ANNOUNCED, "REACHABLE", "UNKNOWN");

    // the gauge follows the flip
    awaitSeries(ANNOUNCED, "1.0");
  }

  /** Waits for {@code reach_monitor_address_verdict} of a TCP address to read the value. */
  private void awaitSeries(String address, String value) throws Exception {
    String series =
        "reach_monitor_address_verdict{address=\"" + address + "\",transport=\"tcp\"} " + value;
    Waiting.within(WAIT)
        .alias(series)
        .until(() -> get("/actuator/prometheus").lines().anyMatch(series::equals));
  }

  /**
   * A stranger cannot be named as a server at all: nothing it could say reaches a job, let alone
   * the monitor.
   */
  @Test
  void serversOutsideThePoolAreRefusedAndNeverHeard() throws Exception {
    String listen = node.listenAddresses().get(0).toString();
    try (EmbeddedPool stranger = EmbeddedPool.start(1)) {
      String server = stranger.addresses().get(0).toString();
      String body =
          "{\"addresses\":[\""
              + listen
              + "\"],\"servers\":[\""
              + server
              + "\"],\"confirmations\":1}";
      HttpResponse<String> refused =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/checks"))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(refused.statusCode()).isEqualTo(400);
      assertThat(JsonPath.parse(refused.body()).read("$.errors[0].field", String.class))
          .isEqualTo("servers[0]");
      assertThat(stranger.servers().get(0).responses(ResponseStatus.OK))
          .as("the stranger was never asked")
          .isZero();

      List<String> heard =
          JsonPath.parse(get("/api/v1/reachability")).read("$.addresses[*].history[*].server");
      assertThat(heard).isNotEmpty().doesNotContain(server);
    }
  }

  @Test
  void healthAndMetricsShowTheMonitor() throws Exception {
    String listen = node.listenAddresses().get(0).toString();
    awaitReachability(r -> "REACHABLE".equals(verdictOf(r, listen)), listen + " REACHABLE");

    DocumentContext health = JsonPath.parse(get("/actuator/health"));
    assertThat(health.read("$.components.reachability.status", String.class)).isEqualTo("UP");
    assertThat(health.read("$.components.reachability.details.reachability", String.class))
        .isEqualTo("PUBLIC");
    assertThat(health.read("$.components.reachability.details.reachable", Integer.class))
        .isGreaterThanOrEqualTo(1);

    String prometheus = get("/actuator/prometheus");
    assertThat(prometheus)
        .contains("reach_monitor_addresses{verdict=\"REACHABLE\"}", "reach_monitor_probes_total");
  }
}
