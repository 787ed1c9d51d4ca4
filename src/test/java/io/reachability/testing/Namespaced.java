package io.reachability.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Our packaged service run in network namespaces the tests made ({@code ip netns exec}), driven
 * over REST with curl inside its namespace; and the commands around it. Shared by the namespace
 * tests (NatSimulationIT, MiniInternetIT).
 */
public final class Namespaced {

  /** One REST call (curl's --max-time). */
  public static final Duration CURL_TIMEOUT = Duration.ofSeconds(10);

  /** Short commands (ip, nft, topology scripts). */
  public static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private Namespaced() {}

  /** One of our services, started in a namespace. */
  public record Service(
      String name, String namespace, int restPort, Process process, Path log, long startedNanos) {}

  /** A command's exit code and output. */
  public record Result(int exit, String stdout, String stderr) {}

  /** An HTTP answer: status, headers (lower-case names), body. */
  public record Response(int status, Map<String, String> headers, String body) {
    public @Nullable String header(String name) {
      return headers.get(name);
    }
  }

  /**
   * Starts the packaged jar in {@code namespace}, its REST port on the namespace's loopback, its
   * output in {@code logDir}/{@code logName}.log.
   */
  /** The jar {@code ./mvnw package} built in {@code target/}. */
  public static Path packagedJar() throws IOException {
    try (Stream<Path> files = Files.list(Path.of("target"))) {
      return files
          .filter(p -> p.getFileName().toString().matches("reachability-service-.*\\.jar"))
          .findFirst()
          .orElseThrow(() -> new IllegalStateException("no packaged jar in target/"));
    }
  }

  public static Service startService(
      String name,
      String namespace,
      int restPort,
      List<String> jvmOptions,
      List<String> args,
      Path log)
      throws IOException {
    Path jar = packagedJar();
    Files.createDirectories(log.getParent());
    List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(
        List.of("-jar", jar.toString(), "--server.port=" + restPort, "--server.address=127.0.0.1"));
    command.addAll(args);
    Process process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    return new Service(name, namespace, restPort, process, log, System.nanoTime());
  }

  /** Waits until the service reports ready; the seconds it took from its start. */
  public static double awaitReady(Service service, Duration timeout, long pollMillis)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!service.process().isAlive()) {
        throw new AssertionError(
            service.name()
                + " exited with "
                + service.process().exitValue()
                + ":\n"
                + tail(service.log()));
      }
      if (curl(service, "GET", "/actuator/health/readiness", null).status() == 200) {
        return (System.nanoTime() - service.startedNanos()) / 1e9;
      }
      TimeUnit.MILLISECONDS.sleep(pollMillis);
    }
    throw new AssertionError(
        service.name() + " not ready within " + timeout + ":\n" + tail(service.log()));
  }

  /** Stops the services gracefully, forcibly after {@code timeout}. */
  public static void stop(List<Service> services, Duration timeout) {
    for (Service service : services) {
      service.process().destroy();
    }
    for (Service service : services) {
      try {
        if (!service.process().waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          service.process().destroyForcibly().waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        service.process().destroyForcibly();
      }
    }
  }

  public static JsonNode getJson(Service service, String path) throws Exception {
    Response response = curl(service, "GET", path, null);
    if (response.status() != 200) {
      throw new AssertionError(
          service.name() + " GET " + path + ": " + response.status() + " " + response.body());
    }
    return JSON.readTree(response.body());
  }

  /**
   * One REST call with curl inside the service's namespace (its REST port is on the namespace's
   * loopback).
   */
  public static Response curl(Service service, String method, String path, @Nullable String body)
      throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                "ip",
                "netns",
                "exec",
                service.namespace(),
                "curl",
                "-sS",
                "-i",
                "-X",
                method,
                "--max-time",
                String.valueOf(CURL_TIMEOUT.toSeconds())));
    if (body != null) {
      command.addAll(List.of("-H", "Content-Type: application/json", "--data-binary", body));
    }
    command.add("http://127.0.0.1:" + service.restPort() + path);
    Result result = run(CURL_TIMEOUT.plusSeconds(5), command.toArray(String[]::new));
    if (result.exit() != 0) {
      return new Response(-1, Map.of(), result.stderr()); // not listening yet, or gone
    }
    String out = result.stdout();
    int split = out.indexOf("\r\n\r\n");
    String head = split < 0 ? out : out.substring(0, split);
    String[] lines = head.split("\r\n");
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers.put(
            lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
            lines[i].substring(colon + 1).trim());
      }
    }
    return new Response(
        Integer.parseInt(lines[0].split(" ")[1]),
        headers,
        split < 0 ? "" : out.substring(split + 4));
  }

  public static Result run(Duration timeout, String... command)
      throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).start();
    process.getOutputStream().close();
    CompletableFuture<String> out = read(process.getInputStream());
    CompletableFuture<String> err = read(process.getErrorStream());
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      throw new AssertionError(String.join(" ", command) + " did not finish within " + timeout);
    }
    return new Result(process.exitValue(), out.join(), err.join());
  }

  public static Result runQuietly(String... command) {
    try {
      return run(COMMAND_TIMEOUT, command);
    } catch (IOException | AssertionError e) {
      return new Result(-1, "", String.valueOf(e.getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(-1, "", "interrupted");
    }
  }

  /** Reads a child's output (a thread each: with two cores the common pool may have just one). */
  private static final ExecutorService READERS =
      Executors.newCachedThreadPool(
          r -> {
            Thread thread = new Thread(r, "namespaced-reader");
            thread.setDaemon(true);
            return thread;
          });

  private static CompletableFuture<String> read(InputStream stream) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (stream) {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
          } catch (IOException e) {
            return "";
          }
        },
        READERS);
  }

  public static String tail(Path log) throws IOException {
    List<String> lines = Files.readAllLines(log);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }

  /**
   * Why namespace tests cannot run here (null: they can): root, the tools, and the right to make a
   * namespace ({@code probeName} is created and deleted to find out).
   */
  public static @Nullable String missing(List<String> tools, String probeName) {
    List<String> missing = new ArrayList<>();
    Result id = runQuietly("id", "-u");
    if (!"0".equals(id.stdout().strip())) {
      missing.add("root (network namespaces and nftables need it)");
    }
    for (String tool : tools) {
      if (runQuietly("bash", "-c", "command -v " + tool).exit() != 0) {
        missing.add(tool + " on PATH");
      }
    }
    if (missing.isEmpty()) {
      Result add = runQuietly("ip", "netns", "add", probeName);
      if (add.exit() != 0) {
        missing.add(
            "permission to create a network namespace (ip netns add: "
                + add.stderr().strip()
                + ")");
      } else {
        runQuietly("ip", "netns", "del", probeName);
      }
    }
    return missing.isEmpty() ? null : String.join(", ", missing);
  }
}
