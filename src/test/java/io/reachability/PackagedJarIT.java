package io.reachability;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import io.reachability.testing.LoopbackHosts;
import io.reachability.testing.Namespaced;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The jar {@code ./mvnw package} builds, started with {@code java -jar} as an operator would: it
 * must come up with no configuration and answer a check. Tests on the test classpath cannot see
 * what the jar lacks (a dependency whose scope a test declaration narrowed, say). Run by failsafe
 * in {@code verify}, after the jar is built.
 */
class PackagedJarIT {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration JOB_TIMEOUT = Duration.ofSeconds(30);
  private static final long POLL_MILLIS = 100;

  private static Process service;
  private static Path log;
  private static String api;
  private static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    Path jar = Namespaced.packagedJar();
    int port = LoopbackHosts.closedPort();
    api = "http://127.0.0.1:" + port;
    log = Files.createTempFile("packaged-jar", ".log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    service =
        new ProcessBuilder(
                List.of(
                    java,
                    "-jar",
                    jar.toString(),
                    "--server.port=" + port,
                    "--server.address=127.0.0.1",
                    "--reach.node.listen=" + LoopbackHosts.ANY_PORT))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!service.isAlive()) {
        throw new AssertionError(
            "the packaged service exited with "
                + service.exitValue()
                + ":\n"
                + Files.readString(log));
      }
      try {
        if (get("/actuator/health/readiness").statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
    }
    throw new AssertionError(
        "the packaged service did not become ready:\n" + Files.readString(log));
  }

  @AfterAll
  static void stop() throws Exception {
    if (service != null) {
      service.destroy();
      if (!service.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        service.destroyForcibly();
      }
    }
    if (log != null) {
      Files.deleteIfExists(log);
    }
  }

  private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create(api + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aCheckWithNoConfigurationIsReachable() throws Exception {
    HttpResponse<String> accepted =
        http.send(
            HttpRequest.newBuilder(URI.create(api + "/api/v1/checks"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(accepted.statusCode()).isEqualTo(202);
    String location = accepted.headers().firstValue("Location").orElseThrow();

    long deadline = System.nanoTime() + JOB_TIMEOUT.toNanos();
    DocumentContext job = JsonPath.parse(get(location).body());
    while (List.of("QUEUED", "RUNNING").contains(job.read("$.state", String.class))
        && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
      job = JsonPath.parse(get(location).body());
    }
    assertThat(job.read("$.state", String.class)).isEqualTo("SUCCEEDED");
    assertThat(job.read("$.results[0].verdict", String.class)).isEqualTo("REACHABLE");
  }

  @Test
  void documentationAndMetricsAreServed() throws Exception {
    assertThat(get("/v3/api-docs").statusCode()).isEqualTo(200);
    assertThat(get("/swagger-ui/index.html").statusCode()).isEqualTo(200);
    HttpResponse<String> prometheus = get("/actuator/prometheus");
    assertThat(prometheus.statusCode()).isEqualTo(200);
    assertThat(prometheus.body()).contains("reach_jobs_queued");
    assertThat(get("/actuator/health").body()).contains("\"libp2p\"", "\"serverPool\"");
  }

  /** The dashboard's files are in the jar: what a new user opens first. */
  @Test
  void theDashboardIsServedFromTheJar() throws Exception {
    HttpResponse<String> page = get("/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body())
        .contains("<title>Reachability service</title>", "dashboard/dashboard.js");
    for (String file :
        new String[] {
          "/dashboard/dashboard.js", "/dashboard/dashboard.css", "/dashboard/icon.svg"
        }) {
      assertThat(get(file).statusCode()).as(file).isEqualTo(200);
    }
    assertThat(page.headers().firstValue("Content-Security-Policy").orElse(""))
        .contains("script-src 'self'");
  }
}
