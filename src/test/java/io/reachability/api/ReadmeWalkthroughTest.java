package io.reachability.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.reachability.testing.LoopbackHosts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Runs the README's curl walkthrough (the block after {@value #MARKER}) with bash and curl against
 * the service with its default embedded pool, so the README cannot rot.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = "reach.node.listen=" + LoopbackHosts.ANY_PORT + "," + LoopbackHosts.QUIC_ANY_PORT)
class ReadmeWalkthroughTest {

  static final String MARKER = "<!-- walkthrough -->";
  static final String BASE = "api=http://localhost:8080";
  private static final long TIMEOUT_SECONDS = 60;

  @LocalServerPort int port;

  @Test
  void theWalkthroughWorksAsWritten() throws Exception {
    String output = run(MARKER, port);
    assertThat(output)
        .startsWith("/api/v1/checks/")
        .contains("\"state\":\"SUCCEEDED\"")
        .contains("\"verdict\":\"REACHABLE\"")
        .contains("\"transport\":\"quic-v1\"")
        .contains("\"nonceVerified\":true")
        .contains("\"verdict\":\"UNREACHABLE\"")
        .contains("\"dialStatus\":\"E_DIAL_ERROR\"")
        .contains("the node does not listen on tcp/9; a dial-back cannot succeed")
        .contains("loopback reachability only")
        .contains("reach_checks_verdicts_total{transport=\"tcp\",verdict=\"REACHABLE\"}")
        .contains("reach_jobs_duration_seconds_count{state=\"SUCCEEDED\"}")
        .contains("\"peerId\":");
  }

  /**
   * Runs the README's {@code sh} block after {@code marker} with bash against the service on {@code
   * port} (its {@value #BASE} line pointed there); returns what it printed, having asserted that it
   * exited 0.
   */
  static String run(String marker, int port) throws Exception {
    assumeTrue(available("bash") && available("curl"), "needs bash and curl");
    String readme = Files.readString(Path.of("README.md"));
    int at = readme.indexOf(marker);
    assertThat(at).as("README has the marker %s", marker).isNotNegative();
    int start = readme.indexOf("```sh\n", at) + "```sh\n".length();
    String script = readme.substring(start, readme.indexOf("\n```", start));
    assertThat(script).startsWith(BASE);

    Process bash =
        new ProcessBuilder(
                "bash",
                "-euo",
                "pipefail",
                "-c",
                script.replace(BASE, "api=http://127.0.0.1:" + port))
            .redirectErrorStream(true)
            .start();
    assertThat(bash.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
    String output = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(bash.exitValue()).as(output).isZero();
    return output;
  }

  private static boolean available(String command) {
    try {
      return new ProcessBuilder(command, "--version")
          .redirectErrorStream(true)
          .start()
          .waitFor(10, TimeUnit.SECONDS);
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }
}
