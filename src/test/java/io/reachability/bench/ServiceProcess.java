package io.reachability.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;

/**
 * The packaged service as an operator runs it: {@code java -jar} with no JVM options, a separate
 * process on loopback, its REST API on a free port. Knows its pid, its CPU time ({@code
 * /proc/<pid>/stat}) and how long it took from the process start to ready. Stopped on {@link
 * #close()} and, should the bench JVM exit first, by a shutdown hook.
 */
final class ServiceProcess implements AutoCloseable {

  static final Duration START_TIMEOUT = Duration.ofSeconds(120);

  /** Readiness poll interval: short, since the start-up time is read from it. */
  static final long READY_POLL_MILLIS = 20;

  static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

  /** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ, 100 on Linux). */
  static final long USER_HZ = 100;

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final Process process;
  private final String api;
  private final List<String> settings;
  private final Thread stopper;
  private final double startupSeconds;

  private ServiceProcess(
      Process process, String api, List<String> settings, Thread stopper, double startupSeconds) {
    this.process = process;
    this.api = api;
    this.settings = settings;
    this.stopper = stopper;
    this.startupSeconds = startupSeconds;
  }

  /**
   * Starts {@code jar} with {@code arguments} (Spring settings, {@code --name=value}), its output
   * in {@code log}, and waits until its readiness probe answers. {@code pidFile}, when not blank,
   * gets the pid so a script can stop the service should this JVM die. Prints nothing of the
   * command (it may hold secrets).
   */
  static ServiceProcess start(Path jar, List<String> arguments, Path log, String pidFile)
      throws Exception {
    return start(jar, List.of(), arguments, log, pidFile);
  }

  /**
   * As {@link #start(Path, List, Path, String)}, with {@code jvmOptions} before {@code -jar}, and
   * {@code -Dbench.serviceJvmOptions} (space-separated, e.g. a JFR recording to profile the service
   * under a benchmark's load) after them.
   */
  static ServiceProcess start(
      Path jar, List<String> jvmOptions, List<String> arguments, Path log, String pidFile)
      throws Exception {
    return start(thisJava(), jar, jvmOptions, arguments, log, pidFile);
  }

  /** The java executable of the JVM this runs in. */
  static String thisJava() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** As {@link #start(Path, List, List, Path, String)}, on the JVM {@code java}. */
  static ServiceProcess start(
      String java,
      Path jar,
      List<String> jvmOptions,
      List<String> arguments,
      Path log,
      String pidFile)
      throws Exception {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          "no jar at " + jar + " (-Dbench.jar; ./mvnw -DskipTests package builds it)");
    }
    Files.createDirectories(log.toAbsolutePath().getParent());
    int port = freePort();
    String api = "http://127.0.0.1:" + port;
    List<String> command = new ArrayList<>(List.of(java));
    command.addAll(jvmOptions);
    String extra = System.getProperty("bench.serviceJvmOptions", "").strip();
    if (!extra.isEmpty()) {
      command.addAll(List.of(extra.split("\\s+")));
    }
    int settingsFrom = command.size() + 2;
    command.addAll(List.of("-jar", jar.toString()));
    command.add("--server.port=" + port);
    command.add("--server.address=127.0.0.1");
    command.addAll(arguments);
    long started = System.nanoTime();
    Process process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    Thread stopper = new Thread(() -> stop(process), "stop-service");
    Runtime.getRuntime().addShutdownHook(stopper);
    if (pidFile != null && !pidFile.isBlank()) {
      Files.writeString(Path.of(pidFile), process.pid() + "\n");
    }
    try {
      awaitReady(process, api, log);
    } catch (Exception e) {
      stop(process);
      throw e;
    }
    double startupSeconds = (System.nanoTime() - started) / 1e9;
    System.out.printf("service ready in %.2f s (pid %d)%n", startupSeconds, process.pid());
    return new ServiceProcess(
        process, api, command.subList(settingsFrom, command.size()), stopper, startupSeconds);
  }

  long pid() {
    return process.pid();
  }

  /** {@code http://127.0.0.1:<port>}. */
  String api() {
    return api;
  }

  /** The settings it was started with (everything after the jar). */
  List<String> arguments() {
    return settings;
  }

  /** From the process start to the first 200 of {@code /actuator/health/readiness}. */
  double startupSeconds() {
    return startupSeconds;
  }

  /** CPU time the whole process has used (every thread: GC, JIT, Spring, the node). */
  long cpuNanos() {
    return processCpuNanos(process.pid());
  }

  JsonNode getJson(String path) throws Exception {
    return BenchJson.JSON.readTree(get(api + path));
  }

  @Override
  public void close() {
    stop(process);
    try {
      Runtime.getRuntime().removeShutdownHook(stopper);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs anyway; it finds the service stopped
    }
  }

  /** CPU time of a process (its utime + stime in /proc/<pid>/stat). */
  static long processCpuNanos(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      // fields after the command name, which is in parentheses and may hold spaces
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
      return ticks * (1_000_000_000L / USER_HZ);
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("cannot read the CPU time of process " + pid, e);
    }
  }

  static String get(String url) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("GET " + url + ": " + r.statusCode() + " " + r.body());
    }
    return r.body();
  }

  private static void awaitReady(Process service, String api, Path log) throws Exception {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!service.isAlive()) {
        throw new IllegalStateException(
            "the service exited with " + service.exitValue() + "; log " + log.toAbsolutePath());
      }
      try {
        HttpResponse<String> r =
            HTTP.send(
                HttpRequest.newBuilder(URI.create(api + "/actuator/health/readiness")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      TimeUnit.MILLISECONDS.sleep(READY_POLL_MILLIS);
    }
    throw new IllegalStateException(
        "the service did not become ready within "
            + START_TIMEOUT
            + "; log "
            + log.toAbsolutePath());
  }

  private static void stop(Process service) {
    if (!service.isAlive()) {
      return;
    }
    service.destroy();
    try {
      if (!service.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        service.destroyForcibly().waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      service.destroyForcibly();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
