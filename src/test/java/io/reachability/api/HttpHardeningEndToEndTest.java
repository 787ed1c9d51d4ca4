package io.reachability.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import io.reachability.testing.LoopbackHosts;
import io.reachability.testing.RawHttp;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The HTTP edge of the whole service, with requests no well-behaved client sends, over raw sockets:
 * oversized and malformed bodies, TRACE, {@code /error}, an unparsable {@code Accept}. Every answer
 * is a problem document. Same context as {@link CheckApiEndToEndTest}.
 */
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = "reach.node.listen=" + LoopbackHosts.ANY_PORT)
class HttpHardeningEndToEndTest {

  static final int LIMIT = BodyLimitFilter.DEFAULT_MAX_BODY_BYTES;

  @LocalServerPort int port;

  private static String post(String path, String... headers) {
    return "POST "
        + path
        + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nConnection: close\r\n"
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
    RawHttp.Response response =
        RawHttp.exchange(port, post("/api/v1/checks", "Content-Length: " + 10 * 1024 * 1024));
    DocumentContext problem = problem(response, 413);
    assertThat(problem.read("$.title", String.class)).isEqualTo("Content too large");
    assertThat(problem.read("$.detail", String.class))
        .isEqualTo(
            "the request body has 10485760 bytes; at most "
                + LIMIT
                + " bytes are accepted (reach.api.max-body-bytes)");
    assertThat(problem.read("$.instance", String.class)).isEqualTo("/api/v1/checks");
    assertThat(response.header("Connection")).isEqualTo("close");
  }

  @Test
  void theLimitHoldsOnEveryPath() throws Exception {
    RawHttp.Response response =
        RawHttp.exchange(
            port,
            post("/api/v1/nothing-here", "Content-Length: " + (LIMIT + 1)),
            new byte[LIMIT + 1]);
    problem(response, 413);
    RawHttp.Response actuator =
        RawHttp.exchange(
            port, post("/actuator/health", "Content-Length: " + (LIMIT + 1)), new byte[LIMIT + 1]);
    problem(actuator, 413);
  }

  @Test
  void aChunkedBodyIsCountedAsItArrives() throws Exception {
    RawHttp.Response response =
        RawHttp.exchange(
            port,
            post("/api/v1/checks", "Transfer-Encoding: chunked"),
            chunked(paddedRequest(LIMIT + 1), 4096));
    DocumentContext problem = problem(response, 413);
    assertThat(problem.read("$.detail", String.class))
        .isEqualTo(
            "the request body has more than "
                + LIMIT
                + " bytes; at most "
                + LIMIT
                + " bytes are accepted (reach.api.max-body-bytes)");
  }

  @Test
  void aBodyOfExactlyTheLimitIsAccepted() throws Exception {
    RawHttp.Response declared =
        RawHttp.exchange(
            port, post("/api/v1/checks", "Content-Length: " + LIMIT), paddedRequest(LIMIT));
    assertThat(declared.status()).as(declared.body()).isEqualTo(202);
    RawHttp.Response chunked =
        RawHttp.exchange(
            port,
            post("/api/v1/checks", "Transfer-Encoding: chunked"),
            chunked(paddedRequest(LIMIT), 1000));
    assertThat(chunked.status()).as(chunked.body()).isEqualTo(202);
    assertThat(JsonPath.parse(chunked.body()).read("$.state", String.class)).isEqualTo("QUEUED");
  }

  @Test
  void aMalformedChunkIs400() throws Exception {
    byte[] body = "zz\r\n{}\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    RawHttp.Response response =
        RawHttp.exchange(port, post("/api/v1/checks", "Transfer-Encoding: chunked"), body);
    DocumentContext problem = problem(response, 400);
    assertThat(problem.read("$.title", String.class)).isEqualTo("Invalid request");
  }

  @Test
  void errorAnsweredDirectlyIsA404NotStatus999() throws Exception {
    RawHttp.Response response =
        RawHttp.exchange(
            port, "GET /error HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    DocumentContext problem = problem(response, 404);
    assertThat(problem.read("$.detail", String.class)).isEqualTo("no endpoint for GET /error");
    assertThat(problem.read("$.instance", String.class)).isEqualTo("/error");
  }

  @Test
  void traceIsA405Problem() throws Exception {
    RawHttp.Response response =
        RawHttp.exchange(
            port, "TRACE /api/v1/checks HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    DocumentContext problem = problem(response, 405);
    assertThat(problem.read("$.title", String.class)).isEqualTo("Method not allowed");
    assertThat(problem.read("$.detail", String.class))
        .isEqualTo("the request method is not allowed here");
    assertThat(response.header("Allow")).doesNotContain("TRACE");
    assertThat(problem.read("$.instance", String.class)).isEqualTo("/api/v1/checks");
  }

  @Test
  void anUnparsableAcceptIsA406ProblemNotAnEmptyAnswer() throws Exception {
    for (String path : List.of("/api/v1/node", "/api/v1/checks", "/actuator/health")) {
      RawHttp.Response response =
          RawHttp.exchange(
              port,
              "GET "
                  + path
                  + " HTTP/1.1\r\nHost: localhost\r\nAccept: !!!\r\nConnection: close\r\n\r\n");
      DocumentContext problem = problem(response, 406);
      assertThat(problem.read("$.detail", String.class))
          .as(path)
          .isEqualTo("the Accept header is not a list of media types");
    }
    // an error of another kind with such an Accept keeps its body too
    RawHttp.Response notFound =
        RawHttp.exchange(
            port,
            "GET /api/v1/checks/00000000-0000-0000-0000-000000000000 HTTP/1.1\r\n"
                + "Host: localhost\r\n"
                + "Accept: !!!\r\n"
                + "Connection: close\r\n\r\n");
    assertThat(notFound.status()).isIn(404, 406);
    assertThat(notFound.header("Content-Type")).startsWith("application/problem+json");
    assertThat(notFound.body()).isNotEmpty();
  }

  @Test
  void aMalformedMultipartBodyIsAProblemWithoutAStackTrace(CapturedOutput output) throws Exception {
    byte[] body =
        "--xyz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nno closing boundary"
            .getBytes(StandardCharsets.US_ASCII);
    for (String path : List.of("/api/v1/checks", "/api/v1/anything", "/actuator/health")) {
      String head =
          "POST "
              + path
              + " HTTP/1.1\r\n"
              + "Host: localhost\r\n"
              + "Content-Type: multipart/form-data; boundary=xyz\r\n"
              + "Content-Length: "
              + body.length
              + "\r\nConnection: close\r\n\r\n";
      RawHttp.Response response = RawHttp.exchange(port, head, body);
      assertThat(response.status()).as(path + ": " + response.body()).isBetween(400, 499);
      assertThat(response.header("Content-Type")).as(path).startsWith("application/problem+json");
    }
    assertThat(output.getAll())
        .doesNotContain("MultipartException")
        .doesNotContain("\tat org.apache");
  }

  /** What Tomcat turns away before any servlet runs was an HTML page naming Tomcat. */
  @Test
  void whatTomcatRejectsItselfIsAProblemToo(CapturedOutput output) throws Exception {
    Map<String, Integer> requests =
        Map.of(
            "GET /a|b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            400,
            "G@T /api/v1/node HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            400,
            "GET /api/v1/node HTTP/1.1\r\nHost: x\r\nBad Header\r\nConnection: close\r\n\r\n",
            400,
            "GET /api/v1/node HTTP/1.1\r\nHost: x\r\nX: "
                + "a".repeat(20_000)
                + "\r\nConnection: close\r\n\r\n",
            400,
            "POST /api/v1/checks HTTP/1.1\r\n"
                + "Host: x\r\n"
                + "Transfer-Encoding: gzip\r\n"
                + "Connection: close\r\n\r\n"
                + "{}",
            501,
            "GET /api/v1/node HTTP/9.9\r\nHost: x\r\nConnection: close\r\n\r\n",
            505);
    for (Map.Entry<String, Integer> request : requests.entrySet()) {
      RawHttp.Response response = RawHttp.exchange(port, request.getKey());
      String line = request.getKey().substring(0, Math.min(40, request.getKey().indexOf('\r')));
      assertThat(response.status()).as(line).isEqualTo(request.getValue());
      assertThat(response.header("Content-Type")).as(line).startsWith("application/problem+json");
      DocumentContext problem = JsonPath.parse(response.body());
      assertThat(problem.read("$.status", Integer.class)).as(line).isEqualTo(request.getValue());
      assertThat(response.body())
          .as(line)
          .doesNotContainIgnoringCase("tomcat")
          .doesNotContain("aaaaaaaaaa");
    }
    // a client's error: no stack trace in the log
    assertThat(output.getAll())
        .doesNotContain("Error parsing HTTP request header")
        .doesNotContain("\tat org.apache");
  }
}
