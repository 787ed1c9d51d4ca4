package io.reachability.bench;

import io.reachability.autonat.AutonatClient;
import io.reachability.autonat.AutonatClientSettings;
import io.reachability.autonat.CheckOptions;
import io.reachability.autonat.Reachability;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.host.Host;
import io.reachability.monitor.AddressReport;
import io.reachability.monitor.MonitorSettings;
import io.reachability.monitor.ProbeOutcome;
import io.reachability.monitor.ReachabilityMonitor;
import io.reachability.pool.EmbeddedPool;
import io.reachability.testing.LoopbackHosts;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Monitor convergence with real parts on loopback: a fresh node (own host and AutoNAT v2 client)
 * and a monitor with the default settings probe two candidates, the node's listen address
 * (reachable) and a closed port (unreachable), through an embedded pool of servers. Servers are
 * treated as remote ones (one probe at a time, {@code perServerInterval} apart) unless the scenario
 * says in-process. Prints, per scenario, the median and worst over the runs of: seconds from start
 * to the first verdict and to a stable one (confidence at target), and probes spent by then. The
 * reference column is go-libp2p's schedule with the same servers: new addresses wait 1 s, and its
 * client asks a server at most once per 2 min. Run with {@code bench/monitor-bench.sh} or {@code
 * bench/compare.sh}; with {@code -Dbench.json=FILE} the figures are also written as JSON.
 */
public final class MonitorBench {

  static final int RUNS = Integer.getInteger("bench.runs", 10);
  static final Duration WAIT = Duration.ofMinutes(2);
  static final long POLL_MILLIS = 1;

  /** go-libp2p: new addresses are probed after this settling delay. */
  static final Duration GO_NEW_ADDRESS_DELAY = Duration.ofSeconds(1);

  /** go-libp2p's client: one request per server per this interval. */
  static final Duration GO_SERVER_THROTTLE = Duration.ofMinutes(2);

  /** go-libp2p's probe workers. */
  static final int GO_WORKERS = 5;

  private MonitorBench() {}

  record Scenario(String name, int servers, boolean remote) {}

  record Run(double firstVerdictS, int firstVerdictProbes, double stableS, int stableProbes) {}

  public static void main(String[] args) throws Exception {
    System.out.printf(
        "machine: %d cores, %s %s; %d runs per scenario; 2 candidates (1 reachable, 1"
            + " unreachable)%n",
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.vm.name"),
        System.getProperty("java.version"),
        RUNS);
    List<Scenario> scenarios =
        List.of(
            new Scenario("5 remote-like servers", 5, true),
            new Scenario("3 remote-like servers", 3, true),
            new Scenario("3 in-process servers", 3, false));
    System.out.printf(
        "%-24s %-12s %22s %22s %22s %22s %18s%n",
        "scenario",
        "address",
        "first verdict s (p50/max)",
        "probes at first",
        "stable s (p50/max)",
        "probes at stable",
        "go reference s");
    List<Map<String, Object>> rows = new ArrayList<>();
    for (Scenario scenario : scenarios) {
      try (EmbeddedPool pool = EmbeddedPool.start(scenario.servers())) {
        List<Map<String, Run>> runs = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) {
          runs.add(run(scenario, pool));
        }
        for (String address : List.of("reachable", "unreachable")) {
          List<Run> of = runs.stream().map(r -> r.get(address)).toList();
          System.out.printf(
              "%-24s %-12s %22s %22s %22s %22s %18s%n",
              scenario.name(),
              address,
              seconds(of.stream().map(Run::firstVerdictS).toList()),
              probes(of.stream().map(Run::firstVerdictProbes).toList()),
              seconds(of.stream().map(Run::stableS).toList()),
              probes(of.stream().map(Run::stableProbes).toList()),
              goReference(scenario, address));
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("scenario", scenario.name());
          row.put("servers", scenario.servers());
          row.put("remoteLike", scenario.remote());
          row.put("address", address);
          row.put("runs", of.size());
          row.put("firstVerdictS", summary(of.stream().map(Run::firstVerdictS).toList()));
          row.put(
              "probesAtFirstVerdict",
              summary(of.stream().map(r -> (double) r.firstVerdictProbes()).toList()));
          row.put("stableVerdictS", summary(of.stream().map(Run::stableS).toList()));
          row.put(
              "probesAtStableVerdict",
              summary(of.stream().map(r -> (double) r.stableProbes()).toList()));
          row.put("goEarliestStableS", goEarliest(scenario, address).toMillis() / 1000.0);
          rows.add(row);
        }
      }
    }
    System.out.println(
        "probes: outcomes in the address's history when the verdict was first given / became stable"
            + " (target confidence "
            + MonitorSettings.DEFAULT_TARGET_CONFIDENCE
            + "); the reference needs the same "
            + MonitorSettings.DEFAULT_TARGET_CONFIDENCE
            + " probes per stable verdict");
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("runsPerScenario", RUNS);
    figures.put("targetConfidence", MonitorSettings.DEFAULT_TARGET_CONFIDENCE);
    figures.put(
        "perServerIntervalS", MonitorSettings.DEFAULTS.perServerInterval().toMillis() / 1000.0);
    figures.put("scenarios", rows);
    BenchJson.writeIfAsked(figures);
  }

  private static Map<String, Run> run(Scenario scenario, EmbeddedPool pool) throws Exception {
    int closed;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = socket.getLocalPort();
    }
    try (Host node = Host.builder().listen(LoopbackHosts.ANY_PORT).build().start();
        AutonatClient client = new AutonatClient(node, AutonatClientSettings.defaults()).start()) {
      Multiaddr reachable = node.listenAddresses().get(0);
      Multiaddr unreachable = Multiaddr.fromString("/ip4/127.0.0.1/tcp/" + closed);
      CheckOptions options = CheckOptions.from(client.settings());
      List<ReachabilityMonitor.Server> servers =
          pool.addresses().stream()
              .map(a -> new ReachabilityMonitor.Server(a, scenario.remote()))
              .toList();
      Map<Multiaddr, Long> firstVerdictNanos = new ConcurrentHashMap<>();
      Map<Multiaddr, Integer> firstVerdictProbes = new ConcurrentHashMap<>();
      ReachabilityMonitor monitor =
          new ReachabilityMonitor(
              MonitorSettings.DEFAULTS,
              (server, address, timeout) ->
                  client.check(server, List.of(address), options.withTimeout(timeout)),
              () -> servers,
              () -> List.of(reachable, unreachable),
              Clock.systemUTC());
      Map<String, Run> result = new ConcurrentHashMap<>();
      try {
        long start = System.nanoTime();
        monitor.addListener(
            change -> {
              if (change.to() != Reachability.UNKNOWN) {
                firstVerdictNanos.putIfAbsent(change.address(), System.nanoTime() - start);
              }
            });
        monitor.start();
        long deadline = start + WAIT.toNanos();
        Map<Multiaddr, Long> stableNanos = new ConcurrentHashMap<>();
        Map<Multiaddr, Integer> stableProbes = new ConcurrentHashMap<>();
        while (stableNanos.size() < 2 && System.nanoTime() < deadline) {
          for (AddressReport report : monitor.report().addresses()) {
            int decided =
                (int)
                    report.history().stream()
                        .filter(r -> r.outcome() != ProbeOutcome.ERROR)
                        .count();
            if (firstVerdictNanos.containsKey(report.address())) {
              firstVerdictProbes.putIfAbsent(report.address(), decided);
            }
            if (report.confidence() >= MonitorSettings.DEFAULT_TARGET_CONFIDENCE
                && !stableNanos.containsKey(report.address())) {
              stableNanos.put(report.address(), System.nanoTime() - start);
              stableProbes.put(report.address(), report.history().size());
            }
          }
          TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
        }
        if (stableNanos.size() < 2) {
          throw new IllegalStateException(
              "no stable verdicts within " + WAIT + ": " + monitor.report());
        }
        result.put(
            "reachable",
            new Run(
                s(firstVerdictNanos.get(reachable)),
                firstVerdictProbes.get(reachable),
                s(stableNanos.get(reachable)),
                stableProbes.get(reachable)));
        result.put(
            "unreachable",
            new Run(
                s(firstVerdictNanos.get(unreachable)),
                firstVerdictProbes.get(unreachable),
                s(stableNanos.get(unreachable)),
                stableProbes.get(unreachable)));
      } finally {
        monitor.close();
      }
      return result;
    }
  }

  /**
   * go-libp2p's earliest stable verdict for the address with the same servers: after the 1 s
   * settling delay, 3 probes per address, at most 5 at once, each server at most once per 2 min;
   * the unreachable address is listed second, so it is served after the reachable one.
   */
  private static String goReference(Scenario scenario, String address) {
    return String.format("≥ %.1f", goEarliest(scenario, address).toMillis() / 1000.0);
  }

  private static Duration goEarliest(Scenario scenario, String address) {
    int target = MonitorSettings.DEFAULT_TARGET_CONFIDENCE;
    int probesUpToThisAddress = target * (address.equals("reachable") ? 1 : 2);
    int perRound = Math.min(scenario.servers(), GO_WORKERS);
    int rounds = (probesUpToThisAddress + perRound - 1) / perRound;
    return GO_NEW_ADDRESS_DELAY.plus(GO_SERVER_THROTTLE.multipliedBy(rounds - 1L));
  }

  /** p50 (upper median, as printed) and max of the runs. */
  private static Map<String, Object> summary(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("p50", BenchJson.number(sorted.get(sorted.size() / 2)));
    out.put("max", BenchJson.number(sorted.get(sorted.size() - 1)));
    return out;
  }

  private static double s(long nanos) {
    return nanos / 1e9;
  }

  private static String seconds(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return String.format(
        "%.3f / %.3f", sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1));
  }

  private static String probes(List<Integer> values) {
    List<Integer> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(sorted.size() / 2) + " / " + sorted.get(sorted.size() - 1);
  }
}
