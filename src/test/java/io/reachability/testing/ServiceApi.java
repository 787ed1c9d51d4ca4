package io.reachability.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;

/**
 * The service's REST API as a test drives it over real HTTP on loopback: plain requests, and
 * submit-then-poll for the job endpoints ({@code /api/v1/checks}, {@code /api/v1/peer-checks}).
 */
public final class ServiceApi {

  /** States a job does not leave. */
  private static final Set<String> TERMINAL = Set.of("SUCCEEDED", "FAILED", "CANCELLED");

  private final String base;
  private final HttpClient http = HttpClient.newHttpClient();

  /** The service on {@code 127.0.0.1:port}. */
  public ServiceApi(int port) {
    this("http://127.0.0.1:" + port);
  }

  /**
   * @param base scheme, host and port, e.g. {@code http://[3fff:0:1::2]:8080}
   */
  public ServiceApi(String base) {
    this.base = base;
  }

  public HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create(base + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  public HttpResponse<String> post(String path, String json)
      throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Submits a job (asserting the 202) and polls its Location until it is in a terminal state. */
  public DocumentContext submitAndWait(String path, String json, Duration wait)
      throws IOException, InterruptedException {
    HttpResponse<String> accepted = post(path, json);
    assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
    String location = accepted.headers().firstValue("Location").orElseThrow();
    return Waiting.within(wait)
        .alias("job at " + location + " finished")
        .until(
            () -> JsonPath.parse(get(location).body()),
            job -> TERMINAL.contains(job.read("$.state", String.class)));
  }
}
