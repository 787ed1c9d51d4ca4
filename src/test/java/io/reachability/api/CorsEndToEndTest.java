package io.reachability.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.reachability.testing.LoopbackHosts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * A dashboard on another origin calling the API with an API key, as a browser does: the preflight
 * (no key) is answered for the origin configured, the real request then needs the key like any
 * other; an origin not configured is refused with a problem document.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "reach.node.listen=" + LoopbackHosts.ANY_PORT,
      "reach.api.cors.allowed-origins=" + CorsEndToEndTest.DASHBOARD,
      "reach.access.keys[0].name=alice",
      "reach.access.keys[0].secret=" + CorsEndToEndTest.KEY
    })
class CorsEndToEndTest {

  static final String DASHBOARD = "http://dash.test:3000";
  static final String KEY = "cors-test-key-0123456789abcdef";

  @LocalServerPort int port;

  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpRequest.Builder to(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
  }

  private HttpRequest.Builder preflight(String origin) {
    return to("/api/v1/checks")
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
        .header("Origin", origin)
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "authorization,content-type");
  }

  @Test
  void theConfiguredOriginMayCallWithItsKey() throws Exception {
    HttpResponse<String> preflight = send(preflight(DASHBOARD));
    assertThat(preflight.statusCode()).as(preflight.body()).isEqualTo(200);
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).contains(DASHBOARD);
    assertThat(
            preflight.headers().firstValue("Access-Control-Allow-Headers").orElse("").toLowerCase())
        .contains("authorization")
        .contains("content-type");
    assertThat(preflight.headers().firstValue("Access-Control-Allow-Credentials")).isEmpty();

    HttpResponse<String> submitted =
        send(
            to("/api/v1/checks")
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .header("Origin", DASHBOARD)
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + KEY));
    assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(202);
    assertThat(submitted.headers().firstValue("Access-Control-Allow-Origin")).contains(DASHBOARD);
    assertThat(submitted.headers().firstValue("Access-Control-Expose-Headers").orElse(""))
        .contains("Location");

    // the origin alone is no key: a write without one is still refused
    HttpResponse<String> keyless =
        send(
            to("/api/v1/checks")
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .header("Origin", DASHBOARD)
                .header("Content-Type", "application/json"));
    assertThat(keyless.statusCode()).isEqualTo(401);
  }

  @Test
  void anotherOriginIsRefusedWithAProblem() throws Exception {
    HttpResponse<String> refused = send(preflight("http://evil.test"));
    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(refused.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
    assertThat(refused.body()).contains("reach.api.cors.allowed-origins");
    assertThat(refused.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();

    HttpResponse<String> read = send(to("/api/v1/node").header("Origin", "http://evil.test"));
    assertThat(read.statusCode()).isEqualTo(403);
  }
}
