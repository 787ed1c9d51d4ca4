package io.reachability.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs {@code src/test/browser/dashboard-test.mjs}: Debian's Chromium, headless, driven by
 * playwright-core (npm, pinned by the lock file, installed by the build). Skipped with the reason
 * when Chromium or the npm package is missing, unless {@code BROWSER_TEST=required} (as {@code
 * .ci/run} sets it) makes that a failure.
 */
public final class BrowserScript {

  /** Where the build installed the package (pom: {@code interop.browser.dir}). */
  static final String DIR_PROPERTY = "interop.browser.dir";

  static final String DEFAULT_DIR = "src/test/browser";

  static final Path CHROMIUM =
      Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));

  /** Screenshots go here. */
  public static final Path OUT = Path.of("target", "dashboard");

  /** The whole script, every wait in it included. */
  static final Duration TIMEOUT = Duration.ofMinutes(4);

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private BrowserScript() {}

  /** What the script asks the test to do midway; answered with "go". */
  public interface Request {
    void handle(String what) throws Exception;
  }

  /** Skips (or, with {@code BROWSER_TEST=required}, fails) when the browser cannot run here. */
  public static Path assumeAvailable() {
    Path dir = Path.of(System.getProperty(DIR_PROPERTY, DEFAULT_DIR));
    String missing =
        !Files.isExecutable(CHROMIUM)
            ? CHROMIUM + " is missing (Debian: apt-get install chromium)"
            : !Files.isDirectory(dir.resolve("node_modules/playwright-core"))
                ? "playwright-core is not installed in "
                    + dir
                    + " (the build's npm ci, skipped with -DskipInterop)"
                : null;
    if (missing != null) {
      if ("required".equals(System.getenv("BROWSER_TEST"))) {
        throw new AssertionError("BROWSER_TEST=required, but " + missing);
      }
      Assumptions.abort("browser test skipped: " + missing);
    }
    return dir;
  }

  /** Runs the script to its end; the test fails with the script's error and its steps. */
  public static List<String> run(Request requests, String... arguments) throws Exception {
    Path dir = assumeAvailable();
    List<String> command = new ArrayList<>(List.of("node", "dashboard-test.mjs"));
    command.addAll(List.of(arguments));
    Process process =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    List<String> steps = new ArrayList<>();
    try (BufferedReader out =
            new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        OutputStream in = process.getOutputStream()) {
      Thread killer =
          new Thread(
              () -> {
                try {
                  if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              });
      killer.setDaemon(true);
      killer.start();
      JsonNode last = null;
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        JsonNode message = JSON.readTree(line);
        if (message.has("step")) {
          steps.add(message.get("step").asString());
        } else if (message.has("await")) {
          requests.handle(message.get("await").asString());
          in.write("go\n".getBytes(StandardCharsets.UTF_8));
          in.flush();
        } else if (message.has("ok")) {
          last = message;
        }
      }
      process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(last).as("the script's last word (steps done: %s)", steps).isNotNull();
      assertThat(last.get("ok").asBoolean())
          .as("%s\nsteps done: %s", last.path("error").asString(), steps)
          .isTrue();
      assertThat(process.exitValue()).isZero();
      return steps;
    } catch (IOException e) {
      throw new AssertionError("the browser script broke off; steps done: " + steps, e);
    } finally {
      process.destroyForcibly();
    }
  }
}
