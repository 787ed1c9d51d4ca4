package io.reachability.bench;

import io.reachability.autonat.AutonatClient;
import io.reachability.autonat.AutonatClientSettings;
import io.reachability.autonat.AutonatServer;
import io.reachability.autonat.AutonatServerSettings;
import io.reachability.autonat.CheckResult;
import io.reachability.autonat.RateLimiter;
import io.reachability.autonat.Reachability;
import io.reachability.interop.JsPeer;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.host.Host;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * AutoNAT v2 end to end on loopback, every check with a real dial-back (new TCP connection, Noise,
 * yamux, nonce): single-check latency and server capacity, for our server and for js-libp2p's
 * (2.0.15, loopback patch) under the same client and load, in one run. Run with {@code
 * bench/autonat-bench.sh}; prints a table. Loopback only, bounded in count and time.
 */
public final class AutonatBench {

  /** Sequential checks measured for latency (after warm-up). */
  static final int LATENCY_CHECKS = Integer.getInteger("bench.latencyChecks", 300);

  static final int WARMUP_CHECKS = Integer.getInteger("bench.warmupChecks", 200);

  /** Concurrent clients (each its own host and peer id) for the capacity run. */
  static final int CLIENTS = Integer.getInteger("bench.clients", 8);

  /** Length of each capacity run. */
  static final Duration CAPACITY_RUN = Duration.ofSeconds(Integer.getInteger("bench.capacitySeconds", 10));

  static final long CHECK_TIMEOUT_SECONDS = 30;

  /** A server under benchmark gets budgets far above the load, so we measure work, not policy. */
  static final RateLimiter.Limits UNLIMITED = new RateLimiter.Limits(1_000_000, 1_000_000, 1_000_000, 1_000_000, 1_000_000, 1_000);

  private AutonatBench() {}

  record Figures(String name, double medianMs, double p99Ms, int latencyChecks, double checksPerSecond, long failures) {}

  public static void main(String[] args) throws Exception {
    System.out.printf(
        "machine: %d cores, %s %s%n",
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.vm.name"),
        System.getProperty("java.version"));
    List<Figures> all = new ArrayList<>();

    try (Host serverHost = Host.builder().threadName("bench-server").listen("/ip4/127.0.0.1/tcp/0").build().start()) {
      AutonatServer server =
          new AutonatServer(
              serverHost, AutonatServerSettings.defaults().withAllowPrivateAddresses(true).withLimits(UNLIMITED));
      server.start();
      try {
        all.add(run("ours (Java) server", serverHost.listenAddresses().get(0).withPeerId(serverHost.peerId())));
      } finally {
        server.close();
      }
    }

    if (!Boolean.getBoolean("bench.skipJs")) {
      try (JsPeer js = JsPeer.startAutonat("server", List.of("--listen", "/ip4/127.0.0.1/tcp/0"), java.util.Map.of())) {
        all.add(run("js-libp2p 2.0.15 server", Multiaddr.fromString(js.addrs().get(0))));
      }
    }

    System.out.println();
    System.out.printf("%-26s %12s %12s %10s %14s %9s%n", "server (client: ours)", "median ms", "p99 ms", "checks", "capacity/s", "failed");
    for (Figures f : all) {
      System.out.printf(
          Locale.ROOT, "%-26s %12.2f %12.2f %10d %14.1f %9d%n", f.name, f.medianMs, f.p99Ms, f.latencyChecks, f.checksPerSecond, f.failures);
    }
    if (all.size() == 2) {
      System.out.printf(
          Locale.ROOT,
          "ratio ours/js: latency %.1fx lower, capacity %.1fx higher%n",
          all.get(1).medianMs / all.get(0).medianMs,
          all.get(0).checksPerSecond / all.get(1).checksPerSecond);
    }
    System.exit(0);
  }

  static Figures run(String name, Multiaddr server) throws Exception {
    System.out.println("== " + name + " at " + server);
    long failures = 0;
    List<Double> latencies = new ArrayList<>();
    try (Host clientHost = Host.builder().threadName("bench-client").listen("/ip4/127.0.0.1/tcp/0").build().start();
        AutonatClient client = new AutonatClient(clientHost, AutonatClientSettings.defaults())) {
      client.start();
      Multiaddr tested = clientHost.listenAddresses().get(0);
      for (int i = 0; i < WARMUP_CHECKS + LATENCY_CHECKS; i++) {
        CheckResult result = client.check(server, List.of(tested)).get(CHECK_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (result.reachability() != Reachability.REACHABLE) {
          failures++;
          continue;
        }
        if (i >= WARMUP_CHECKS) {
          latencies.add(result.duration().toNanos() / 1e6);
        }
      }
    }
    Collections.sort(latencies);
    double median = latencies.isEmpty() ? Double.NaN : latencies.get(latencies.size() / 2);
    double p99 = latencies.isEmpty() ? Double.NaN : latencies.get((int) Math.min(latencies.size() - 1, Math.ceil(latencies.size() * 0.99) - 1));
    System.out.printf(Locale.ROOT, "  latency: median %.2f ms, p99 %.2f ms over %d checks (%d failed)%n", median, p99, latencies.size(), failures);

    double rate = capacity(server);
    return new Figures(name, median, p99, latencies.size(), rate, failures + capacityFailures.getAndSet(0));
  }

  private static final AtomicLong capacityFailures = new AtomicLong();

  /** CLIENTS clients, each keeping one check in flight, for CAPACITY_RUN: completed checks per second. */
  static double capacity(Multiaddr server) throws Exception {
    List<Host> hosts = new ArrayList<>();
    List<AutonatClient> clients = new ArrayList<>();
    AtomicLong completed = new AtomicLong();
    try {
      for (int i = 0; i < CLIENTS; i++) {
        Host h = Host.builder().threadName("bench-load-" + i).ioThreads(1).listen("/ip4/127.0.0.1/tcp/0").build().start();
        hosts.add(h);
        AutonatClient c = new AutonatClient(h, AutonatClientSettings.defaults());
        c.start();
        clients.add(c);
      }
      long cpuBefore = processCpuNanos();
      long start = System.nanoTime();
      long deadline = start + CAPACITY_RUN.toNanos();
      List<CompletableFuture<Void>> loops = new ArrayList<>();
      // one plain thread per client: blocking waits must not starve a shared pool
      ExecutorService threads = Executors.newFixedThreadPool(CLIENTS);
      for (int i = 0; i < CLIENTS; i++) {
        AutonatClient c = clients.get(i);
        Multiaddr tested = hosts.get(i).listenAddresses().get(0);
        loops.add(CompletableFuture.runAsync(() -> {
          while (System.nanoTime() < deadline) {
            try {
              CheckResult r = c.check(server, List.of(tested)).get(CHECK_TIMEOUT_SECONDS, TimeUnit.SECONDS);
              if (r.reachability() == Reachability.REACHABLE) {
                completed.incrementAndGet();
              } else {
                capacityFailures.incrementAndGet();
              }
            } catch (Exception e) {
              capacityFailures.incrementAndGet();
            }
          }
        }, threads));
      }
      CompletableFuture.allOf(loops.toArray(new CompletableFuture<?>[0])).get(CAPACITY_RUN.toSeconds() + CHECK_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      threads.shutdown();
      double seconds = (System.nanoTime() - start) / 1e9;
      double rate = completed.get() / seconds;
      System.out.printf(
          Locale.ROOT,
          "  capacity: %d clients, %.1f checks/s (%d in %.1f s, %d failed); this JVM's CPU %.2f ms per check%n",
          CLIENTS, rate, completed.get(), seconds, capacityFailures.get(),
          (processCpuNanos() - cpuBefore) / 1e6 / Math.max(1, completed.get()));
      return rate;
    } finally {
      for (AutonatClient c : clients) {
        c.close();
      }
      for (Host h : hosts) {
        h.close();
      }
    }
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }
}
