package io.reachability.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.reachability.testing.LoopbackHosts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The headers a browser gets: a content security policy without inline scripts on the dashboard,
 * the API, errors and Swagger UI (which alone may set inline styles); no framing by default, and
 * framing by exactly the origins of {@code reach.access.frame-ancestors} when set.
 */
class SecurityHeadersEndToEndTest {

  static final String FRAMER = "https://wall.example.org";

  static HttpHeaders get(int port, String path) throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    return response.headers();
  }

  static String policy(HttpHeaders headers) {
    List<String> values = headers.allValues("Content-Security-Policy");
    assertThat(values).as("exactly one policy").hasSize(1);
    return values.get(0);
  }

  @Nested
  @SpringBootTest(
      webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
      properties = "reach.node.listen=" + LoopbackHosts.ANY_PORT)
  class AsShipped {

    @LocalServerPort int port;

    @Test
    void everyPageHasThePolicyAndNoneMayBeFramed() throws Exception {
      for (String path :
          List.of("/", "/dashboard/dashboard.js", "/api/v1/node", "/api/v1/checks/nope", "/nope")) {
        HttpHeaders headers = get(port, path);
        String policy = policy(headers);
        assertThat(policy)
            .as(path)
            .contains("script-src 'self';")
            .contains("style-src 'self';")
            .contains("object-src 'none'")
            .contains("base-uri 'none'")
            .endsWith("frame-ancestors 'none'")
            .doesNotContain("unsafe");
        assertThat(headers.firstValue("X-Frame-Options")).as(path).contains("DENY");
        assertThat(headers.firstValue("X-Content-Type-Options")).as(path).contains("nosniff");
      }
      String swagger = policy(get(port, "/swagger-ui/index.html"));
      assertThat(swagger)
          .contains("script-src 'self';")
          .contains("style-src 'self' 'unsafe-inline';")
          .endsWith("frame-ancestors 'none'");
    }

    @Test
    void theDashboardIsServedAtTheRoot() throws Exception {
      HttpResponse<String> page =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
      // nothing inline, nothing from another host
      assertThat(page.body())
          .contains("<script type=\"module\" src=\"dashboard/dashboard.js\"></script>")
          .doesNotContain("<script>")
          .doesNotContain("<style")
          .doesNotContain(" style=")
          .doesNotContain("http://")
          .doesNotContain("https://");
    }
  }

  @Nested
  @SpringBootTest(
      webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
      properties = {
        "reach.node.listen=" + LoopbackHosts.ANY_PORT,
        "reach.access.frame-ancestors=" + FRAMER
      })
  class FramingAllowed {

    @LocalServerPort int port;

    @Test
    void onlyTheNamedOriginMayFrame() throws Exception {
      HttpHeaders headers = get(port, "/");
      assertThat(policy(headers)).endsWith("frame-ancestors " + FRAMER);
      // X-Frame-Options cannot name an origin: it would forbid the one allowed
      assertThat(headers.firstValue("X-Frame-Options")).isEmpty();
    }
  }
}
