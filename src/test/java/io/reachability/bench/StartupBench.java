package io.reachability.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Start-up of the packaged service, from the process start to the first 200 of its readiness probe,
 * with the default settings (listen ports moved to free ones): {@code java -jar} on the packaged
 * jar as it is, and the same jar extracted ({@code java -Djarmode=tools -jar … extract}) with a
 * class-data-sharing archive written by one training run ({@code -XX:ArchiveClassesAtExit}, {@code
 * -Dspring.context.exit=onRefresh}), as the README describes. Median of {@link #RUNS} starts each.
 * Run by {@code bench/compare.sh}; with {@code -Dbench.json=FILE} the figures are also written as
 * JSON.
 */
public final class StartupBench {

  /** Starts measured per way of starting. */
  static final int RUNS = Integer.getInteger("bench.startupRuns", 5);

  /** Longest the extraction and the training run may take. */
  static final long PREPARE_TIMEOUT_SECONDS = 180;

  /** Default settings except ports: nothing else may hold 4001 or 8080 during a bench. */
  static final List<String> SETTINGS =
      List.of("--reach.node.listen=/ip4/127.0.0.1/tcp/0,/ip4/127.0.0.1/udp/0/quic-v1");

  private StartupBench() {}

  public static void main(String[] args) throws Exception {
    Path jar = Path.of(System.getProperty("bench.jar", "")).toAbsolutePath();
    Path work = Path.of(System.getProperty("bench.startupDir", "target/bench/startup"));
    Path log = work.resolve("service.log");
    deleteTree(work);
    Files.createDirectories(work);

    List<Double> plain = starts(jar, List.of(), log);
    System.out.printf("java -jar: median %.2f s of %s%n", BenchJson.median(plain), plain);

    Path extracted = work.resolve("extracted");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    run(
        List.of(
            java,
            "-Djarmode=tools",
            "-jar",
            jar.toString(),
            "extract",
            "--destination",
            extracted.toString()),
        work.resolve("extract.log"));
    Path extractedJar = extracted.resolve(jar.getFileName());
    Path archive = work.resolve("application.jsa").toAbsolutePath();
    List<String> training = new ArrayList<>();
    training.addAll(
        List.of(
            java,
            "-XX:ArchiveClassesAtExit=" + archive,
            "-Dspring.context.exit=onRefresh",
            "-jar",
            extractedJar.toString(),
            "--server.port=0"));
    training.addAll(SETTINGS);
    run(training, work.resolve("training.log"));
    List<Double> cds = starts(extractedJar, List.of("-XX:SharedArchiveFile=" + archive), log);
    System.out.printf(
        "extracted jar with a CDS archive: median %.2f s of %s%n", BenchJson.median(cds), cds);

    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("runs", RUNS);
    figures.put("plainJarMedianSeconds", BenchJson.number(BenchJson.median(plain)));
    figures.put("plainJarSeconds", plain.stream().map(BenchJson::number).toList());
    figures.put("cdsMedianSeconds", BenchJson.number(BenchJson.median(cds)));
    figures.put("cdsSeconds", cds.stream().map(BenchJson::number).toList());
    figures.put("archiveBytes", Files.size(archive));
    BenchJson.writeIfAsked(figures);
  }

  private static List<Double> starts(Path jar, List<String> jvmOptions, Path log) throws Exception {
    List<Double> seconds = new ArrayList<>();
    for (int i = 0; i < RUNS; i++) {
      try (ServiceProcess service = ServiceProcess.start(jar, jvmOptions, SETTINGS, log, "")) {
        seconds.add(service.startupSeconds());
      }
    }
    return seconds;
  }

  private static void run(List<String> command, Path log) throws Exception {
    Process process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!process.waitFor(PREPARE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException(command.get(1) + " did not finish; log " + log);
    }
    if (process.exitValue() != 0) {
      throw new IllegalStateException(
          String.join(" ", command) + " exited with " + process.exitValue() + "; log " + log);
    }
  }

  private static void deleteTree(Path root) throws Exception {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
