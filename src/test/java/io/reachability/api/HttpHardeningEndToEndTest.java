package io.reachability.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import io.reachability.testing.RawHttp;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The HTTP edge of the whole service, with requests no well-behaved client sends, over raw
 * sockets: oversized and malformed bodies. Every answer is a problem document. Same context as
 * {@link CheckApiEndToEndTest}.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = "reach.node.listen=/ip4/127.0.0.1/tcp/0")
class HttpHardeningEndToEndTest {

  static final int LIMIT = BodyLimitFilter.DEFAULT_MAX_BODY_BYTES;

  @LocalServerPort int port;

  private static String post(String path, String... headers) {
    return "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nConnection: close\r\n"
        + String.join("", java.util.Arrays.stream(headers).map(h -> h + "\r\n").toList())
        + "\r\n";
  }

  /** {@code body} as chunks of {@code size} bytes, with the last chunk. */
  private static byte[] chunked(byte[] body, int size) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < body.length; i += size) {
      int n = Math.min(size, body.length - i);
      out.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(body, i, n);
      out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    }
    out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    return out.toByteArray();
  }

  /** A valid empty check request padded with spaces to exactly {@code size} bytes. */
  private static byte[] paddedRequest(int size) {
    return ("{}" + " ".repeat(size - 2)).getBytes(StandardCharsets.US_ASCII);
  }

  private static DocumentContext problem(RawHttp.Response response, int status) {
    assertThat(response.status()).as(response.body()).isEqualTo(status);
    assertThat(response.header("Content-Type")).startsWith("application/problem+json");
    DocumentContext problem = JsonPath.parse(response.body());
    assertThat(problem.read("$.status", Integer.class)).isEqualTo(status);
    return problem;
  }

  @Test
  void aBodyDeclaredLargerThanTheLimitIs413BeforeItIsRead() throws Exception {
    // ten megabytes announced, none sent: the answer cannot have waited for them
    RawHttp.Response response = RawHttp.exchange(port, post("/api/v1/checks", "Content-Length: " + 10 * 1024 * 1024));
    DocumentContext problem = problem(response, 413);
    assertThat(problem.read("$.title", String.class)).isEqualTo("Content too large");
    assertThat(problem.read("$.detail", String.class))
        .isEqualTo("the request body has 10485760 bytes; at most " + LIMIT + " bytes are accepted (reach.api.max-body-bytes)");
    assertThat(problem.read("$.instance", String.class)).isEqualTo("/api/v1/checks");
    assertThat(response.header("Connection")).isEqualTo("close");
  }

  @Test
  void theLimitHoldsOnEveryPath() throws Exception {
    RawHttp.Response response = RawHttp.exchange(port, post("/api/v1/nothing-here", "Content-Length: " + (LIMIT + 1)), new byte[LIMIT + 1]);
    problem(response, 413);
    RawHttp.Response actuator = RawHttp.exchange(port, post("/actuator/health", "Content-Length: " + (LIMIT + 1)), new byte[LIMIT + 1]);
    problem(actuator, 413);
  }

  @Test
  void aChunkedBodyIsCountedAsItArrives() throws Exception {
    RawHttp.Response response =
        RawHttp.exchange(port, post("/api/v1/checks", "Transfer-Encoding: chunked"), chunked(paddedRequest(LIMIT + 1), 4096));
    DocumentContext problem = problem(response, 413);
    assertThat(problem.read("$.detail", String.class))
        .isEqualTo("the request body has more than " + LIMIT + " bytes; at most " + LIMIT + " bytes are accepted (reach.api.max-body-bytes)");
  }

  @Test
  void aBodyOfExactlyTheLimitIsAccepted() throws Exception {
    RawHttp.Response declared = RawHttp.exchange(port, post("/api/v1/checks", "Content-Length: " + LIMIT), paddedRequest(LIMIT));
    assertThat(declared.status()).as(declared.body()).isEqualTo(202);
    RawHttp.Response chunked =
        RawHttp.exchange(port, post("/api/v1/checks", "Transfer-Encoding: chunked"), chunked(paddedRequest(LIMIT), 1000));
    assertThat(chunked.status()).as(chunked.body()).isEqualTo(202);
    assertThat(JsonPath.parse(chunked.body()).read("$.state", String.class)).isEqualTo("QUEUED");
  }
}
