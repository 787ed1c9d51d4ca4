package io.reachability.bench;

import io.reachability.access.AccessProperties;
import io.reachability.job.JobSettings;
import io.reachability.testing.LoopbackHosts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * Memory of the service as an operator runs it: the packaged jar started with {@code java -jar} (no
 * JVM options) as a separate process on loopback, its resident set ({@code VmRSS} of {@code
 * /proc/<pid>/status}) and heap (Prometheus' {@code jvm_memory_used_bytes{area="heap"}}) at idle
 * and after {@link #JOBS} check jobs submitted through REST and kept in its store, each 1 address x
 * 1 confirmation with a real dial-back by the embedded pool. Both points are read after a forced GC
 * ({@code jcmd <pid> GC.run}) and a short settle, so they count what is kept, not garbage; {@code
 * VmHWM} is the peak. Bytes per stored job = the growth / {@link #JOBS}. Run by {@code
 * bench/compare.sh}; with {@code -Dbench.json=FILE} the figures are also written as JSON.
 */
public final class ServiceMemoryBench {

  /** Jobs submitted and kept (full size 100 000); the store keeps at least this many. */
  static final int JOBS = Integer.getInteger("bench.memoryJobs", 100_000);

  /**
   * Jobs submitted (at most a fifth of JOBS) before the service's CPU per job is measured over the
   * rest: JIT compilation at the start is not a cost per job.
   */
  static final int CPU_WARMUP_JOBS = 2000;

  /** HTTP clients submitting jobs at once. */
  static final int SUBMITTERS = Integer.getInteger("bench.memorySubmitters", 4);

  /** {@code reach.jobs.max-stored} at least this (the size reported), more when JOBS is larger. */
  static final int MIN_MAX_STORED = 100_000;

  /** {@code reach.jobs.retention}: far longer than the run, so no job expires while measured. */
  static final String RETENTION = "24h";

  /**
   * {@code reach.jobs.queue-capacity}: room for the submitters to stay ahead of the running jobs.
   */
  static final int QUEUE_CAPACITY = 10_000;

  /** Longest the whole submission and the draining of the queue may take. */
  static final Duration FILL_TIMEOUT =
      Duration.ofMinutes(Integer.getInteger("bench.memoryFillMinutes", 30));

  /** Settle time before each reading (after start, and after the forced GC). */
  static final Duration SETTLE =
      Duration.ofSeconds(Integer.getInteger("bench.memorySettleSeconds", 5));

  /** Wait before submitting again when the queue is full (503). */
  static final long QUEUE_FULL_BACKOFF_MILLIS = 20;

  static final long POLL_MILLIS = 200;

  static final Pattern VM_LINE = Pattern.compile("^(VmRSS|VmHWM):\\s+(\\d+) kB", Pattern.MULTILINE);
  static final Pattern HEAP_LINE =
      Pattern.compile(
          "^jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*\\}\\s+(\\S+)", Pattern.MULTILINE);

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private ServiceMemoryBench() {}

  record Reading(long rssBytes, long hwmBytes, long heapBytes) {}

  public static void main(String[] args) throws Exception {
    Path jar = Path.of(System.getProperty("bench.jar", "")).toAbsolutePath();
    Path log = Path.of(System.getProperty("bench.serviceLog", "target/bench/service.log"));
    List<String> settings =
        List.of(
            "--reach.node.listen=" + LoopbackHosts.ANY_PORT,
            "--reach.jobs.max-stored=" + Math.max(JOBS, MIN_MAX_STORED),
            "--reach.jobs.retention=" + RETENTION,
            "--reach.jobs.queue-capacity=" + QUEUE_CAPACITY,
            // one local client submits every job: lift the per-client limits meant for strangers
            "--reach.jobs.max-unfinished-per-client="
                + (QUEUE_CAPACITY + JobSettings.MAX_CONCURRENCY),
            "--reach.access.submissions-per-minute=" + AccessProperties.MAX_SUBMISSIONS_PER_MINUTE,
            "--logging.level.root=WARN");
    try (ServiceProcess service =
        ServiceProcess.start(jar, settings, log, System.getProperty("bench.pidFile"))) {
      System.out.println(
          "service: java -jar " + jar.getFileName() + " " + String.join(" ", settings));
      String api = service.api();
      String address = service.getJson("/api/v1/node").path("listenAddresses").path(0).asString();
      TimeUnit.MILLISECONDS.sleep(SETTLE.toMillis());
      Reading idle = read(service.pid(), api);
      System.out.printf("idle: RSS %s, heap %s%n", mb(idle.rssBytes), mb(idle.heapBytes));

      long start = System.nanoTime();
      int warmupJobs = Math.min(CPU_WARMUP_JOBS, JOBS / 5);
      long[] warmup = fill(api, address, warmupJobs);
      long cpuBefore = service.cpuNanos();
      long[] measured = fill(api, address, JOBS - warmupJobs);
      // the whole process while it served the jobs: HTTP, job store, both sides of every check
      double cpuMsPerJob = (service.cpuNanos() - cpuBefore) / 1e6 / Math.max(1, measured[0]);
      double fillSeconds = (System.nanoTime() - start) / 1e9;
      long[] outcome = {warmup[0] + measured[0], warmup[1] + measured[1]};
      long stored = total(api, "");
      long succeeded = total(api, "SUCCEEDED");
      System.out.printf(
          "%d jobs submitted and finished in %.1f s (%.0f jobs/s, %.2f ms of service CPU per job),"
              + " %d stored, %d SUCCEEDED, %d submissions turned away (queue full)%n",
          outcome[0],
          fillSeconds,
          outcome[0] / fillSeconds,
          cpuMsPerJob,
          stored,
          succeeded,
          outcome[1]);
      Reading full = read(service.pid(), api);
      double rssPerJob = (double) (full.rssBytes - idle.rssBytes) / JOBS;
      double heapPerJob = (double) (full.heapBytes - idle.heapBytes) / JOBS;
      System.out.printf(
          "after %d stored jobs: RSS %s, heap %s; peak RSS %s%n",
          stored, mb(full.rssBytes), mb(full.heapBytes), mb(full.hwmBytes));
      System.out.printf("per stored job: %.0f bytes RSS, %.0f bytes heap%n", rssPerJob, heapPerJob);

      Map<String, Object> figures = new LinkedHashMap<>();
      figures.put(
          "process", "java -jar (no JVM options), " + String.join(" ", service.arguments()));
      figures.put("startupSeconds", BenchJson.number(service.startupSeconds()));
      figures.put("jobs", JOBS);
      figures.put("submitters", SUBMITTERS);
      figures.put("storedJobs", stored);
      figures.put("succeededJobs", succeeded);
      figures.put("fillSeconds", BenchJson.number(fillSeconds));
      figures.put("serviceCpuMsPerJob", BenchJson.number(cpuMsPerJob));
      figures.put("cpuWarmupJobs", warmupJobs);
      figures.put("idleRssBytes", idle.rssBytes);
      figures.put("idleHeapBytes", idle.heapBytes);
      figures.put("storedRssBytes", full.rssBytes);
      figures.put("storedHeapBytes", full.heapBytes);
      figures.put("peakRssBytes", full.hwmBytes);
      figures.put("rssBytesPerStoredJob", BenchJson.number(rssPerJob));
      figures.put("heapBytesPerStoredJob", BenchJson.number(heapPerJob));
      BenchJson.writeIfAsked(figures);
    }
  }

  /**
   * Submits {@code jobs} jobs from SUBMITTERS clients (retrying on 503), then waits until none is
   * queued or running.
   */
  static long[] fill(String api, String address, int jobs) throws Exception {
    String body = "{\"addresses\":[\"" + address + "\"],\"confirmations\":1}";
    AtomicInteger next = new AtomicInteger();
    AtomicLong turnedAway = new AtomicLong();
    long deadline = System.nanoTime() + FILL_TIMEOUT.toNanos();
    ExecutorService pool = Executors.newFixedThreadPool(SUBMITTERS);
    List<Future<Void>> submitters = new ArrayList<>();
    for (int i = 0; i < SUBMITTERS; i++) {
      submitters.add(
          pool.submit(
              () -> {
                while (next.getAndIncrement() < jobs) {
                  while (true) {
                    if (System.nanoTime() > deadline) {
                      throw new IllegalStateException(
                          "submitting took longer than " + FILL_TIMEOUT);
                    }
                    HttpResponse<String> r =
                        HTTP.send(
                            HttpRequest.newBuilder(URI.create(api + "/api/v1/checks"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 202) {
                      break;
                    }
                    if (r.statusCode() != 503) {
                      throw new IllegalStateException("submit: " + r.statusCode() + " " + r.body());
                    }
                    turnedAway.incrementAndGet();
                    TimeUnit.MILLISECONDS.sleep(QUEUE_FULL_BACKOFF_MILLIS);
                  }
                }
                return null;
              }));
    }
    pool.shutdown();
    for (Future<Void> f : submitters) {
      f.get(FILL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }
    while (total(api, "QUEUED") + total(api, "RUNNING") > 0) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("jobs still unfinished after " + FILL_TIMEOUT);
      }
      TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
    }
    return new long[] {Math.min(next.get(), jobs), turnedAway.get()};
  }

  /** Jobs in the store (in {@code state}, or all when empty), from the list endpoint's total. */
  static long total(String api, String state) throws Exception {
    String query = state.isEmpty() ? "?size=1" : "?size=1&state=" + state;
    return json(ServiceProcess.get(api + "/api/v1/checks" + query)).path("total").asLong();
  }

  /** Forces a GC, settles, then reads VmRSS/VmHWM and the heap in use. */
  static Reading read(long pid, String api) throws Exception {
    forceGc(pid);
    TimeUnit.MILLISECONDS.sleep(SETTLE.toMillis());
    String status = Files.readString(Path.of("/proc/" + pid + "/status"));
    Map<String, Long> vm = new LinkedHashMap<>();
    Matcher m = VM_LINE.matcher(status);
    while (m.find()) {
      vm.put(m.group(1), Long.parseLong(m.group(2)) * 1024);
    }
    long heap = 0;
    Matcher h = HEAP_LINE.matcher(ServiceProcess.get(api + "/actuator/prometheus"));
    while (h.find()) {
      heap += (long) Double.parseDouble(h.group(1));
    }
    return new Reading(vm.getOrDefault("VmRSS", -1L), vm.getOrDefault("VmHWM", -1L), heap);
  }

  static void forceGc(long pid) throws Exception {
    String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
    Process p =
        new ProcessBuilder(jcmd, Long.toString(pid), "GC.run").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("jcmd " + pid + " GC.run failed: " + out);
    }
  }

  static JsonNode json(String text) {
    return BenchJson.JSON.readTree(text);
  }

  static String mb(long bytes) {
    return String.format("%.1f MB", bytes / 1e6);
  }
}
