package io.reachability.bench;

import io.reachability.Application;
import io.reachability.access.AccessProperties;
import io.reachability.autonat.DialStatus;
import io.reachability.autonat.Reachability;
import io.reachability.autonat.ResponseStatus;
import io.reachability.job.AddressResult;
import io.reachability.job.Attempt;
import io.reachability.job.CheckJob;
import io.reachability.job.CheckRequest;
import io.reachability.job.InMemoryJobStore;
import io.reachability.job.JobSettings;
import io.reachability.job.JobState;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.crypto.Keys;
import io.reachability.libp2p.host.Host;
import io.reachability.testing.LoopbackHosts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Check jobs end to end through REST with the embedded pool (1 address x 1 confirmation, every
 * check a real dial-back): job latency (createdAt to finishedAt, p50/p99) from sequential jobs,
 * jobs/s with concurrent HTTP clients submitting and polling, and heap bytes per stored finished
 * job (100k jobs in an {@link InMemoryJobStore}). Run with {@code bench/jobs-bench.sh} or {@code
 * bench/compare.sh}; with {@code -Dbench.json=FILE} the figures are also written as JSON.
 */
public final class JobsBench {

  static final int LATENCY_JOBS = Integer.getInteger("bench.latencyJobs", 300);
  static final int WARMUP_JOBS = Integer.getInteger("bench.warmupJobs", 200);
  static final int CLIENTS = Integer.getInteger("bench.clients", 8);
  static final Duration RUN = Duration.ofSeconds(Integer.getInteger("bench.seconds", 10));
  static final int STORED_JOBS = Integer.getInteger("bench.storedJobs", 100_000);
  static final long POLL_MICROS = 500;
  static final Pattern STATE = Pattern.compile("\"state\":\"([A-Z]+)\"");
  static final Pattern CREATED = Pattern.compile("\"createdAt\":\"([^\"]+)\"");
  static final Pattern FINISHED = Pattern.compile("\"finishedAt\":\"([^\"]+)\"");

  private JobsBench() {}

  public static void main(String[] args) throws Exception {
    System.out.printf(
        "machine: %d cores, %s %s%n",
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.vm.name"),
        System.getProperty("java.version"));
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("heapBytesPerStoredJob", heapPerStoredJob());
    figures.put("storedJobs", STORED_JOBS);
    ConfigurableApplicationContext context =
        SpringApplication.run(
            Application.class,
            "--server.port=0",
            "--reach.node.listen=" + LoopbackHosts.ANY_PORT,
            "--reach.jobs.queue-capacity=10000",
            // one local client submits every job: lift the per-client limits meant for strangers
            "--reach.jobs.max-unfinished-per-client=" + (10000 + JobSettings.MAX_CONCURRENCY),
            "--reach.access.submissions-per-minute=" + AccessProperties.MAX_SUBMISSIONS_PER_MINUTE,
            "--spring.main.banner-mode=off",
            "--logging.level.root=WARN",
            "--logging.level.io.reachability=WARN");
    try {
      String base = "http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port");
      String address = context.getBean(Host.class).listenAddresses().get(0).toString();
      String body = "{\"addresses\":[\"" + address + "\"],\"confirmations\":1}";
      HttpClient http = HttpClient.newHttpClient();
      for (int i = 0; i < WARMUP_JOBS; i++) {
        runJob(http, base, body);
      }
      List<Long> micros = new ArrayList<>();
      for (int i = 0; i < LATENCY_JOBS; i++) {
        String job = runJob(http, base, body);
        micros.add(
            Duration.between(instant(CREATED, job), instant(FINISHED, job)).toNanos() / 1000);
      }
      Collections.sort(micros);
      double p50 = micros.get(micros.size() / 2) / 1000.0;
      double p99 = micros.get((int) Math.ceil(micros.size() * 0.99) - 1) / 1000.0;
      System.out.printf(
          "job latency (createdAt -> finishedAt, %d sequential jobs): p50 %.2f ms, p99 %.2f ms%n",
          LATENCY_JOBS, p50, p99);
      figures.put("warmupJobs", WARMUP_JOBS);
      figures.put("latencyJobs", LATENCY_JOBS);
      figures.put("latencyP50Ms", BenchJson.number(p50));
      figures.put("latencyP99Ms", BenchJson.number(p99));

      AtomicLong done = new AtomicLong();
      AtomicLong failed = new AtomicLong();
      long end = System.nanoTime() + RUN.toNanos();
      ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
      long start = System.nanoTime();
      for (int c = 0; c < CLIENTS; c++) {
        clients.submit(
            () -> {
              while (System.nanoTime() < end) {
                try {
                  String job = runJob(http, base, body);
                  (job.contains("\"verdict\":\"REACHABLE\"") ? done : failed).incrementAndGet();
                } catch (Exception e) {
                  failed.incrementAndGet();
                }
              }
              return null;
            });
      }
      clients.shutdown();
      clients.awaitTermination(RUN.toSeconds() + 60, TimeUnit.SECONDS);
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf(
          "throughput (%d HTTP clients, submit + poll, %.0f s): %.0f jobs/s REACHABLE, %d not%n",
          CLIENTS, seconds, done.get() / seconds, failed.get());
      figures.put("clients", CLIENTS);
      figures.put("seconds", BenchJson.number(seconds));
      figures.put("jobsPerSecond", BenchJson.number(done.get() / seconds));
      figures.put("reachableJobs", done.get());
      figures.put("notReachableJobs", failed.get());
      BenchJson.writeIfAsked(figures);
    } finally {
      context.close();
    }
  }

  /** Submits, polls until finished, returns the finished job's JSON. */
  static String runJob(HttpClient http, String base, String body) throws Exception {
    HttpResponse<String> accepted =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/api/v1/checks"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (accepted.statusCode() != 202) {
      throw new IllegalStateException("submit: " + accepted.statusCode() + " " + accepted.body());
    }
    URI location = URI.create(base + accepted.headers().firstValue("Location").orElseThrow());
    while (true) {
      String job =
          http.send(HttpRequest.newBuilder(location).build(), HttpResponse.BodyHandlers.ofString())
              .body();
      Matcher state = STATE.matcher(job);
      if (state.find() && JobState.valueOf(state.group(1)).isTerminal()) {
        return job;
      }
      TimeUnit.MICROSECONDS.sleep(POLL_MICROS);
    }
  }

  static Instant instant(Pattern pattern, String json) {
    Matcher m = pattern.matcher(json);
    if (!m.find()) {
      throw new IllegalStateException("no " + pattern + " in " + json);
    }
    return Instant.parse(m.group(1));
  }

  /** Heap of {@value #STORED_JOBS} finished jobs shaped like a REST job (1 address x 1 attempt). */
  static long heapPerStoredJob() {
    Multiaddr server =
        Multiaddr.fromString("/ip4/127.0.0.1/tcp/40000")
            .withPeerId(PeerId.fromPublicKey(Keys.generateEd25519().publicKey()));
    InMemoryJobStore store =
        new InMemoryJobStore(Clock.systemUTC(), Duration.ofDays(1), STORED_JOBS);
    long before = usedHeap();
    for (int i = 0; i < STORED_JOBS; i++) {
      Multiaddr address = Multiaddr.fromString("/ip4/127.0.0.1/tcp/" + (1024 + i % 60000));
      Instant now = Instant.now();
      Attempt attempt =
          new Attempt(
              server,
              Reachability.REACHABLE,
              ResponseStatus.OK,
              DialStatus.OK,
              true,
              Multiaddr.fromString("/ip4/127.0.0.1/tcp/" + (1024 + i % 60000)),
              0,
              2,
              null);
      CheckJob job =
          CheckJob.queued(
                  UUID.randomUUID(),
                  CheckJob.LOCAL_OWNER,
                  CheckRequest.of(List.of(address)).withConfirmations(1),
                  now)
              .started(now)
              .withResults(
                  List.of(
                      new AddressResult(
                          address, Reachability.REACHABLE, List.of(), List.of(attempt))))
              .finished(JobState.SUCCEEDED, now, null);
      store.save(job);
    }
    long after = usedHeap();
    long perJob = (after - before) / STORED_JOBS;
    System.out.printf(
        "heap per stored finished job (%d jobs, 1 address x 1 attempt): %d bytes%n",
        store.size(), perJob);
    return perJob;
  }

  static long usedHeap() {
    Runtime runtime = Runtime.getRuntime();
    for (int i = 0; i < 5; i++) {
      System.gc();
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return runtime.totalMemory() - runtime.freeMemory();
  }
}
