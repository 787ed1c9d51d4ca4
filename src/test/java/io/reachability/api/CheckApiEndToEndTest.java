package io.reachability.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.host.Host;
import io.reachability.pool.EmbeddedPool;
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
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The whole service over HTTP with its default embedded pool: what a newcomer does with curl. */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = "reach.node.listen=" + LoopbackHosts.ANY_PORT)
class CheckApiEndToEndTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  @LocalServerPort int port;
  @Autowired Host node;

  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> send(HttpRequest.Builder request)
      throws IOException, InterruptedException {
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpRequest.Builder at(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
  }

  private HttpResponse<String> post(String body) throws IOException, InterruptedException {
    return send(
        at("/api/v1/checks")
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  private DocumentContext poll(String location) throws Exception {
    return Waiting.within(WAIT)
        .alias("job at " + location + " finished")
        .until(
            () -> JsonPath.parse(send(at(location)).body()),
            job -> !job.read("$.state").equals("QUEUED") && !job.read("$.state").equals("RUNNING"));
  }

  @Test
  void theNodesOwnAddressIsReachable() throws Exception {
    HttpResponse<String> accepted = post("{}");
    assertThat(accepted.statusCode()).isEqualTo(202);
    String location = accepted.headers().firstValue("Location").orElseThrow();

    DocumentContext job = poll(location);

    assertThat(job.read("$.state", String.class)).isEqualTo("SUCCEEDED");
    assertThat(job.read("$.results[0].address", String.class))
        .isEqualTo(node.listenAddresses().get(0).toString());
    assertThat(job.read("$.results[0].verdict", String.class)).isEqualTo("REACHABLE");
    List<Boolean> verified = job.read("$.results[0].attempts[*].nonceVerified");
    assertThat(verified).hasSize(3).containsOnly(true);
    List<String> servers = job.read("$.results[0].attempts[*].server");
    assertThat(servers).doesNotHaveDuplicates();
  }

  @Test
  void aClosedPortIsUnreachableWithAWarning() throws Exception {
    int closed = freePort();
    HttpResponse<String> accepted = post("{\"addresses\":[\"/ip4/127.0.0.1/tcp/" + closed + "\"]}");
    assertThat(accepted.statusCode()).isEqualTo(202);

    DocumentContext job = poll(accepted.headers().firstValue("Location").orElseThrow());

    assertThat(job.read("$.results[0].verdict", String.class)).isEqualTo("UNREACHABLE");
    assertThat(job.read("$.results[0].warnings[0]", String.class))
        .isEqualTo("the node does not listen on tcp/" + closed + "; a dial-back cannot succeed");
    List<String> dialStatus = job.read("$.results[0].attempts[*].dialStatus");
    assertThat(dialStatus).hasSize(3).containsOnly("E_DIAL_ERROR");
  }

  /**
   * A request that names a pool server's peer id at a port where nothing listens is answered over
   * the node's open connection to that peer: the attempt names that connection's address.
   */
  @Test
  void anAttemptNamesTheServerAddressActuallyUsed() throws Exception {
    assertThat(
            poll(post("{}").headers().firstValue("Location").orElseThrow())
                .read("$.state", String.class))
        .isEqualTo("SUCCEEDED");
    String real =
        JsonPath.parse(send(at("/api/v1/servers")).body())
            .read("$.servers[0].address", String.class);
    Multiaddr server = Multiaddr.fromString(real);
    assertThat(node.connections(server.peerId().orElseThrow()))
        .as("the pool check left a connection open")
        .isNotEmpty();
    String elsewhere = "/ip4/127.0.0.1/tcp/" + freePort() + "/p2p/" + server.peerId().orElseThrow();
    String listen = node.listenAddresses().get(0).toString();

    // a pool server's peer id at another address is not the pool's server: refused before anything
    // is dialed (the attempt would otherwise name the port while the node reused its connection)
    HttpResponse<String> refused =
        post(
            "{\"addresses\":[\""
                + listen
                + "\"],\"servers\":[\""
                + elsewhere
                + "\"],\"confirmations\":1}");
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(JsonPath.parse(refused.body()).read("$.errors[0].field", String.class))
        .isEqualTo("servers[0]");

    // by its pool address it is asked, and the attempt names the address the node talked to
    HttpResponse<String> accepted =
        post(
            "{\"addresses\":[\""
                + listen
                + "\"],\"servers\":[\""
                + real
                + "\"],\"confirmations\":1}");
    assertThat(accepted.statusCode()).isEqualTo(202);
    DocumentContext job = poll(accepted.headers().firstValue("Location").orElseThrow());
    assertThat(job.read("$.results[0].attempts[0].server", String.class)).isEqualTo(real);
    assertThat(job.read("$.results[0].verdict", String.class)).isEqualTo("REACHABLE");
  }

  @Test
  void nodeAndServers() throws Exception {
    DocumentContext nodeView = JsonPath.parse(send(at("/api/v1/node")).body());
    assertThat(nodeView.read("$.peerId", String.class)).isEqualTo(node.peerId().toString());
    assertThat(nodeView.read("$.agentVersion", String.class)).startsWith("reachability-service");

    DocumentContext pool =
        Waiting.within(WAIT)
            .until(
                () -> JsonPath.parse(send(at("/api/v1/servers")).body()),
                p -> p.<List<?>>read("$.servers[?(@.speaksAutonatV2 == true)]").size() >= 3);
    assertThat(pool.read("$.notice", String.class)).isEqualTo(EmbeddedPool.NOTICE);
    List<Boolean> embedded = pool.read("$.servers[*].embedded");
    assertThat(embedded).hasSize(3).containsOnly(true);
    List<Boolean> speaks = pool.read("$.servers[*].speaksAutonatV2");
    assertThat(speaks).containsOnly(true);
  }

  @Test
  void healthHasTheServerPool() throws Exception {
    DocumentContext health =
        Waiting.within(WAIT)
            .until(
                () -> JsonPath.parse(send(at("/actuator/health")).body()),
                h -> "UP".equals(h.read("$.components.serverPool.status", String.class)));
    assertThat(health.read("$.components.serverPool.status", String.class)).isEqualTo("UP");
    assertThat(health.read("$.components.serverPool.details.ready", Integer.class)).isEqualTo(3);
  }

  @Test
  void probesAndInfo() throws Exception {
    HttpResponse<String> readiness = send(at("/actuator/health/readiness"));
    assertThat(readiness.statusCode()).isEqualTo(200);
    assertThat(JsonPath.parse(readiness.body()).read("$.status", String.class)).isEqualTo("UP");
    assertThat(send(at("/actuator/health/liveness")).statusCode()).isEqualTo(200);
    DocumentContext info = JsonPath.parse(send(at("/actuator/info")).body());
    assertThat(info.read("$.node.peerId", String.class)).isEqualTo(node.peerId().toString());
    assertThat(info.read("$.node.listenAddresses[0]", String.class))
        .isEqualTo(node.listenAddresses().get(0).toString());
  }

  @Test
  void prometheusHasJobsVerdictsDurationsAndClientResults() throws Exception {
    HttpResponse<String> accepted = post("{}");
    assertThat(
            poll(accepted.headers().firstValue("Location").orElseThrow())
                .read("$.state", String.class))
        .isEqualTo("SUCCEEDED");

    HttpResponse<String> scrape = send(at("/actuator/prometheus"));
    assertThat(scrape.statusCode()).isEqualTo(200);
    assertThat(scrape.headers().firstValue("Content-Type"))
        .get()
        .asString()
        .startsWith("text/plain");
    assertThat(scrape.body())
        .contains("reach_jobs_queued ")
        .contains("reach_jobs_running ")
        .contains("reach_jobs_finished_total{state=\"SUCCEEDED\"}")
        .contains("reach_jobs_duration_seconds_count{state=\"SUCCEEDED\"}")
        .contains("reach_jobs_duration_seconds_sum{state=\"SUCCEEDED\"}")
        .contains("reach_checks_verdicts_total{transport=\"tcp\",verdict=\"REACHABLE\"}")
        .contains(
            "reach_autonat_client_results_total{reachability=\"REACHABLE\",status=\"OK\",transport=\"tcp\"}");
  }

  @Test
  void onlyHealthInfoAndPrometheusAreExposed() throws Exception {
    assertThat(send(at("/actuator")).body())
        .contains("/actuator/prometheus")
        .doesNotContain("/actuator/metrics");
    HttpResponse<String> metrics = send(at("/actuator/metrics"));
    assertThat(metrics.statusCode()).isEqualTo(404);
    assertThat(send(at("/actuator/metrics/reach.jobs.queued")).statusCode()).isEqualTo(404);
  }

  @Test
  void errorsAreProblemDetails() throws Exception {
    HttpResponse<String> invalid =
        post("{\"addresses\":[\"/ip4/127.0.0.1/udp/1/quic-v1/webtransport\"]}");
    assertThat(invalid.statusCode()).isEqualTo(400);
    assertThat(invalid.headers().firstValue("Content-Type"))
        .get()
        .asString()
        .startsWith("application/problem+json");
    assertThat(JsonPath.parse(invalid.body()).read("$.errors[0].field", String.class))
        .isEqualTo("addresses[0]");

    HttpResponse<String> unknown = send(at("/api/v1/checks/00000000-0000-0000-0000-000000000000"));
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.headers().firstValue("Content-Type"))
        .get()
        .asString()
        .startsWith("application/problem+json");

    // raised by Spring MVC before (or instead of) a controller: problem details too
    HttpResponse<String> wrongMethod =
        send(at("/api/v1/checks").PUT(HttpRequest.BodyPublishers.noBody()));
    assertThat(wrongMethod.statusCode()).isEqualTo(405);
    assertThat(wrongMethod.headers().firstValue("Content-Type"))
        .get()
        .asString()
        .startsWith("application/problem+json");
    assertThat(wrongMethod.headers().firstValue("Allow")).get().asString().contains("POST");
    assertThat(JsonPath.parse(wrongMethod.body()).read("$.title", String.class))
        .isEqualTo("Method not allowed");

    HttpResponse<String> notJson =
        send(
            at("/api/v1/checks")
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("{}")));
    assertThat(notJson.statusCode()).isEqualTo(415);
    assertThat(notJson.headers().firstValue("Content-Type"))
        .get()
        .asString()
        .startsWith("application/problem+json");
    assertThat(JsonPath.parse(notJson.body()).read("$.title", String.class))
        .isEqualTo("Unsupported media type");

    HttpResponse<String> noEndpoint = send(at("/api/v1/nothing-here"));
    assertThat(noEndpoint.statusCode()).isEqualTo(404);
    assertThat(noEndpoint.headers().firstValue("Content-Type"))
        .get()
        .asString()
        .startsWith("application/problem+json");
  }

  /** A port nothing listens on: bound once by the OS, then released. */
  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
