package io.reachability.bench;

import io.reachability.autonat.AutonatClient;
import io.reachability.autonat.AutonatClientSettings;
import io.reachability.autonat.CheckResult;
import io.reachability.autonat.RateLimiter;
import io.reachability.autonat.Reachability;
import io.reachability.interop.InteropPeer;
import io.reachability.interop.PeerImplementation;
import io.reachability.interop.PeerSpec;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.host.Host;
import io.reachability.libp2p.host.HostBuilder;
import io.reachability.libp2p.transport.QuicTransport;
import io.reachability.testing.LoopbackHosts;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * AutoNAT v2 end to end on loopback, every check with a real dial-back (new connection, nonce).
 * Single-check latency for every client → server pair of ours, js, go and rust; then server
 * capacity and server CPU per check, without and with dial data and over QUIC, for every server
 * under the same load generator (our client), in one run. Our server is the packaged jar ({@code
 * -Dbench.jar}) in the server role, its own process, so its CPU is measured as the others': the
 * whole process from /proc. js = js-libp2p 3.3.11 with {@code @libp2p/autonat-v2} 2.0.15 in Node
 * (its server with the test-only loopback switch), go = go-libp2p v0.52.0, rust = rust-libp2p
 * 0.56.0; their clients are the wire-level ones of the interop peers ({@code autonat-request}). Run
 * with {@code bench/autonat-bench.sh} or {@code bench/compare.sh}; prints a table and, with {@code
 * -Dbench.json=FILE}, writes the figures as JSON. Loopback only, bounded in count and time.
 */
public final class AutonatBench {

  /** Sequential checks measured for latency per pair (after warm-up). */
  static final int LATENCY_CHECKS = Integer.getInteger("bench.latencyChecks", 300);

  /** Sequential checks per pair before measuring (JIT, connection to the server, caches). */
  static final int WARMUP_CHECKS = Integer.getInteger("bench.warmupChecks", 200);

  /** Concurrent clients (each its own host and peer id) for the capacity run. */
  static final int CLIENTS = Integer.getInteger("bench.clients", 8);

  /** Length of each capacity run. */
  static final Duration CAPACITY_RUN =
      Duration.ofSeconds(Integer.getInteger("bench.capacitySeconds", 10));

  static final long CHECK_TIMEOUT_SECONDS = 30;

  /** A server under benchmark gets budgets far above the load, so we measure work, not policy. */
  static final RateLimiter.Limits UNLIMITED =
      new RateLimiter.Limits(1_000_000, 1_000_000, 1_000_000, 1_000_000, 1_000_000, 1_000);

  static final String OURS = "ours (Java)";

  /** The load generator of every capacity run. */
  static final String LOAD_GENERATOR = OURS + " client, one host and peer id per client";

  static final String JS = "js-libp2p 3.3.11 / autonat-v2 2.0.15";
  static final String GO = "go-libp2p v0.52.0";
  static final String RUST = "rust-libp2p 0.56.0 / autonat 0.15.0";

  /** The other implementations measured ({@code bench.peers}, default all three). */
  static final List<PeerImplementation> PEERS =
      Arrays.stream(System.getProperty("bench.peers", "js,go,rust").split(","))
          .map(String::strip)
          .filter(name -> !name.isEmpty())
          .map(name -> PeerImplementation.valueOf(name.toUpperCase(Locale.ROOT)))
          .toList();

  /**
   * go's server with its per-minute limits far above the load ({@code --server-rate-limit rpm,
   * perPeerRPM, dialDataRPM, maxConcurrentPerPeer}); js's and rust's have none that the load meets.
   */
  static final List<String> GO_UNLIMITED =
      List.of("--server-rate-limit", "1000000,1000000,1000000,1000");

  /** Checks before each capacity run's measurement starts (JIT, dial-data path, caches). */
  static final Duration CAPACITY_WARMUP =
      Duration.ofSeconds(Integer.getInteger("bench.capacityWarmupSeconds", 5));

  /**
   * Another JVM to run our server on as well ({@code bench.altJava}, a java executable; empty =
   * none): newer JDKs accelerate ChaCha20-Poly1305 (JDK 25 measured), so dial data costs less
   * there.
   */
  static final String ALT_JAVA = System.getProperty("bench.altJava", "").strip();

  /** Load on our server before any capacity run, with dial data so that path is compiled too. */
  static final Duration JIT_WARMUP =
      Duration.ofSeconds(Integer.getInteger("bench.jitWarmupSeconds", 20));

  /**
   * Our server is the packaged service in the server role, its own process measured whole (GC, JIT,
   * Spring and metrics included), as an operator runs it: limits far above the load, no jitter
   * before paid dial-backs (it costs time, not CPU), no monitor (it would check on its own).
   */
  static final List<String> SERVER_SETTINGS =
      List.of(
          "--reach.node.listen=" + LoopbackHosts.ANY_PORT + "," + LoopbackHosts.QUIC_ANY_PORT,
          "--reach.server.enabled=true",
          "--reach.server.allow-private-addresses=true",
          "--reach.server.max-dial-data-jitter=0s",
          "--reach.server.rate-limit.global-per-minute=" + UNLIMITED.globalPerMinute(),
          "--reach.server.rate-limit.per-peer-per-minute=" + UNLIMITED.perPeerPerMinute(),
          "--reach.server.rate-limit.per-ip-per-minute=" + UNLIMITED.perIpPerMinute(),
          "--reach.server.rate-limit.per-subnet-per-minute=" + UNLIMITED.perSubnetPerMinute(),
          "--reach.server.rate-limit.dial-data-per-minute=" + UNLIMITED.dialDataPerMinute(),
          "--reach.server.rate-limit.concurrent-per-peer=" + UNLIMITED.concurrentPerPeer(),
          "--reach.monitor.enabled=false",
          "--logging.level.root=WARN");

  /**
   * With dial data, a client listens on this loopback IP but reaches the server from 127.0.0.1, so
   * every server sees an address whose IP differs from the observed one and asks for dial data.
   */
  static final String DIAL_DATA_LISTEN = "/ip4/127.0.0.2/tcp/0";

  private AutonatBench() {}

  /** The transports a check's dial-back can go over. */
  enum DialBack {
    TCP("tcp", LoopbackHosts.ANY_PORT),
    QUIC("quic-v1", LoopbackHosts.QUIC_ANY_PORT);

    final String label;
    final String listen;

    DialBack(String label, String listen) {
      this.label = label;
      this.listen = listen;
    }
  }

  /**
   * Whether to measure dial-backs over QUIC too ({@code bench.quic}, default true): ours and the go
   * and rust servers, the same load generator.
   */
  static final boolean QUIC = Boolean.parseBoolean(System.getProperty("bench.quic", "true"));

  record Latency(
      String client,
      String server,
      String transport,
      double medianMs,
      double p99Ms,
      int checks,
      long failures) {}

  record Capacity(
      String server,
      String transport,
      boolean dialData,
      int clients,
      double seconds,
      long checks,
      double checksPerSecond,
      long failures,
      double loadCpuMsPerCheck,
      double serverCpuMsPerCheck,
      double dialDataBytesPerCheck) {}

  /** A server under benchmark: its name, address, and how to read the CPU time it has used. */
  record Server(String name, Multiaddr address, LongSupplier cpuNanos) {}

  static String nameOf(PeerImplementation implementation) {
    return switch (implementation) {
      case JS -> JS;
      case GO -> GO;
      case RUST -> RUST;
    };
  }

  public static void main(String[] args) throws Exception {
    System.out.printf(
        "machine: %d cores, %s %s%n",
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.vm.name"),
        System.getProperty("java.version"));
    List<Latency> latencies = new ArrayList<>();
    List<Capacity> capacities = new ArrayList<>();
    List<InteropPeer> started = new ArrayList<>();

    Path jar = Path.of(System.getProperty("bench.jar", "")).toAbsolutePath();
    Path serviceLog = Path.of(System.getProperty("bench.serviceLog", "target/bench/server.log"));
    try (ServiceProcess service =
        ServiceProcess.start(
            jar, SERVER_SETTINGS, serviceLog, System.getProperty("bench.pidFile"))) {
      System.out.println(
          "our server: java -jar " + jar.getFileName() + " " + String.join(" ", SERVER_SETTINGS));
      try {
        List<Server> servers = new ArrayList<>();
        JsonNode node = service.getJson("/api/v1/node");
        servers.add(
            new Server(
                OURS,
                Multiaddr.fromString(node.path("listenAddresses").path(0).asString())
                    .withPeerId(PeerId.fromString(node.path("peerId").asString())),
                service::cpuNanos));
        // their wire-level clients (their stack, the harness's AutoNAT v2 messages and dial-back
        // handler, as js's autonat-request) ask every server about their own listen address
        Map<PeerImplementation, InteropPeer> clients = new EnumMap<>(PeerImplementation.class);
        for (PeerImplementation implementation : PEERS) {
          PeerSpec serverSpec = PeerSpec.autonatServerNode();
          if (implementation == PeerImplementation.GO) {
            serverSpec = serverSpec.withExtraArgs(GO_UNLIMITED);
          }
          InteropPeer peerServer = InteropPeer.start(implementation, serverSpec);
          started.add(peerServer);
          long pid = peerServer.pid();
          servers.add(
              new Server(
                  nameOf(implementation),
                  Multiaddr.fromString(peerServer.addrs().get(0)),
                  () -> ServiceProcess.processCpuNanos(pid)));
          // js's client node runs js's AutoNAT v2 unpatched: its dial-back handler answers the
          // requests' nonces and it never asks anyone about its own (loopback) addresses
          InteropPeer client =
              implementation == PeerImplementation.JS
                  ? InteropPeer.startJsAutonat(
                      "", List.of("--listen", LoopbackHosts.ANY_PORT), Map.of())
                  : InteropPeer.start(implementation, PeerSpec.node());
          started.add(client);
          clients.put(implementation, client);
        }
        // our server is a JVM: its JIT has compiled the hot paths only after a while under load
        // (measured: C2 still busy after 2 000 checks), the others are compiled ahead of time
        System.out.println(
            "== JIT warm-up of our server (" + JIT_WARMUP.toSeconds() + " s, not reported)");
        capacity(servers.get(0), DialBack.TCP, true, JIT_WARMUP);
        for (Server target : servers) {
          latencies.add(latency(OURS, target.name(), target.address(), DialBack.TCP));
        }
        for (Map.Entry<PeerImplementation, InteropPeer> client : clients.entrySet()) {
          for (Server target : servers) {
            latencies.add(
                wireLatency(
                    client.getValue(), nameOf(client.getKey()), target.name(), target.address()));
          }
        }
        for (Server target : servers) {
          capacities.add(capacity(target, DialBack.TCP, false));
        }
        for (Server target : servers) {
          capacities.add(capacity(target, DialBack.TCP, true));
        }

        if (!ALT_JAVA.isEmpty()) {
          capacities.addAll(onAnotherJdk(jar, serviceLog));
        }
        if (QUIC && QuicTransport.isAvailable()) {
          // the same checks with a QUIC address: the request over TCP, the dial-back over QUIC (js
          // has no QUIC transport here)
          for (Server target : servers) {
            if (!target.name().equals(JS)) {
              latencies.add(latency(OURS, target.name(), target.address(), DialBack.QUIC));
            }
          }
          for (Server target : servers) {
            if (!target.name().equals(JS)) {
              capacities.add(capacity(target, DialBack.QUIC, false));
            }
          }
        }
      } finally {
        started.forEach(InteropPeer::close);
      }
    }

    System.out.println();
    System.out.printf(
        "%-40s %-40s %-8s %10s %10s %8s %7s%n",
        "client", "server", "dial-back", "median ms", "p99 ms", "checks", "failed");
    for (Latency l : latencies) {
      System.out.printf(
          Locale.ROOT,
          "%-40s %-40s %-8s %10.2f %10.2f %8d %7d%n",
          l.client,
          l.server,
          l.transport,
          l.medianMs,
          l.p99Ms,
          l.checks,
          l.failures);
    }
    System.out.printf(
        "%n%-40s %-8s %-9s %8s %12s %9s %7s %16s %12s%n",
        "server (load: our client)",
        "dial-back",
        "dial data",
        "clients",
        "checks/s",
        "checks",
        "failed",
        "server CPU ms/ck",
        "vs ours");
    for (Capacity c : capacities) {
      double oursCpu =
          capacities.stream()
              .filter(
                  o ->
                      o.server.equals(OURS)
                          && o.transport.equals(c.transport)
                          && o.dialData == c.dialData)
              .findFirst()
              .orElse(c)
              .serverCpuMsPerCheck;
      System.out.printf(
          Locale.ROOT,
          "%-40s %-8s %-9s %8d %12.1f %9d %7d %16.2f %11.1fx%n",
          c.server,
          c.transport,
          c.dialData
              ? String.format(Locale.ROOT, "%.0f kB", c.dialDataBytesPerCheck / 1e3)
              : "none",
          c.clients,
          c.checksPerSecond,
          c.checks,
          c.failures,
          c.serverCpuMsPerCheck,
          c.serverCpuMsPerCheck / oursCpu);
    }
    BenchJson.writeIfAsked(json(latencies, capacities));
    System.exit(0);
  }

  static Map<String, Object> json(List<Latency> latencies, List<Capacity> capacities) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("warmupChecks", WARMUP_CHECKS);
    out.put("capacityWarmupSeconds", CAPACITY_WARMUP.toSeconds());
    out.put("jitWarmupSeconds", JIT_WARMUP.toSeconds());
    List<Map<String, Object>> l = new ArrayList<>();
    for (Latency x : latencies) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("client", x.client);
      m.put("server", x.server);
      m.put("transport", x.transport);
      m.put("medianMs", BenchJson.number(x.medianMs));
      m.put("p99Ms", BenchJson.number(x.p99Ms));
      m.put("checks", x.checks);
      m.put("failed", x.failures);
      l.add(m);
    }
    out.put("latency", l);
    List<Map<String, Object>> c = new ArrayList<>();
    for (Capacity x : capacities) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("server", x.server);
      m.put("transport", x.transport);
      m.put("dialData", x.dialData);
      m.put("dialDataBytesPerCheck", BenchJson.number(x.dialDataBytesPerCheck));
      m.put("loadGenerator", LOAD_GENERATOR);
      m.put("clients", x.clients);
      m.put("seconds", BenchJson.number(x.seconds));
      m.put("checks", x.checks);
      m.put("checksPerSecond", BenchJson.number(x.checksPerSecond));
      m.put("failed", x.failures);
      m.put("loadJvmCpuMsPerCheck", BenchJson.number(x.loadCpuMsPerCheck));
      m.put("serverCpuMsPerCheck", BenchJson.number(x.serverCpuMsPerCheck));
      c.add(m);
    }
    out.put("capacity", c);
    return out;
  }

  /**
   * Our client checking its own listen address with {@code server}: warm-up, then sequential
   * checks.
   */
  static Latency latency(String clientName, String serverName, Multiaddr server, DialBack dialBack)
      throws Exception {
    System.out.println(
        "== latency: "
            + clientName
            + " client -> "
            + serverName
            + " server at "
            + server
            + ", dial-back over "
            + dialBack.label);
    long failures = 0;
    List<Double> latencies = new ArrayList<>();
    try (Host clientHost =
            withDialBackListener(LoopbackHosts.builder("bench-client"), dialBack).build().start();
        AutonatClient client = new AutonatClient(clientHost, AutonatClientSettings.defaults())) {
      client.start();
      Multiaddr tested = tested(clientHost, dialBack);
      for (int i = 0; i < WARMUP_CHECKS + LATENCY_CHECKS; i++) {
        CheckResult result =
            client.check(server, List.of(tested)).get(CHECK_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (result.reachability() != Reachability.REACHABLE) {
          failures++;
          if (failures == 1) {
            System.out.println(
                "  first failed check (#"
                    + i
                    + "): "
                    + result.reachability()
                    + ", "
                    + result.reason());
          }
          continue;
        }
        if (i >= WARMUP_CHECKS) {
          latencies.add(result.duration().toNanos() / 1e6);
        }
      }
    }
    return report(clientName, serverName, dialBack.label, latencies, failures);
  }

  /** {@code builder} (listening on TCP) listening on QUIC too when the dial-back is QUIC. */
  private static HostBuilder withDialBackListener(HostBuilder builder, DialBack dialBack) {
    return dialBack == DialBack.QUIC ? builder.listen(dialBack.listen) : builder;
  }

  /** The listen address of {@code host} a check over {@code dialBack} tests. */
  private static Multiaddr tested(Host host, DialBack dialBack) {
    return host.listenAddresses().stream()
        .filter(a -> a.isQuic() == (dialBack == DialBack.QUIC))
        .findFirst()
        .orElseThrow();
  }

  /**
   * A peer's wire-level client ({@code autonat-request}) asking {@code server} about its own listen
   * address, warm-up then sequential checks, each timed inside the peer from the command's start
   * (the dial of the already connected server included) to the DialResponse, as our client's
   * duration is. A check counts when the server answered OK/OK and the dial-back carried the
   * request's nonce.
   */
  static Latency wireLatency(
      InteropPeer client, String clientName, String serverName, Multiaddr server) {
    System.out.println(
        "== latency: " + clientName + " client -> " + serverName + " server at " + server);
    String listen = client.addrs().get(0);
    String tested = listen.substring(0, listen.indexOf("/p2p/"));
    long failures = 0;
    List<Double> latencies = new ArrayList<>();
    for (int i = 0; i < WARMUP_CHECKS + LATENCY_CHECKS; i++) {
      JsonNode reply =
          client.request(
              "autonat-request",
              Map.of("addr", server.toString(), "addrs", List.of(tested), "untilResponse", true),
              Duration.ofSeconds(CHECK_TIMEOUT_SECONDS));
      if (!wireCheckSucceeded(reply)) {
        failures++;
        if (failures == 1) {
          System.out.println("  first failed check (#" + i + "): " + reply);
        }
        continue;
      }
      if (i >= WARMUP_CHECKS) {
        latencies.add(reply.path("elapsedMs").asDouble());
      }
    }
    return report(clientName, serverName, DialBack.TCP.label, latencies, failures);
  }

  static boolean wireCheckSucceeded(JsonNode reply) {
    if (!reply.path("ok").asBoolean()) {
      return false;
    }
    // the response comes last, after a DialDataRequest when the server asked for dial data
    JsonNode messages = reply.path("messages");
    JsonNode last = messages.path(messages.size() - 1);
    boolean answeredOk =
        "dialResponse".equals(last.path("type").asString())
            && "OK".equals(last.path("status").asString())
            && "OK".equals(last.path("dialStatus").asString());
    boolean nonceCameBack = false;
    for (JsonNode dialBack : reply.path("dialBacks").values()) {
      nonceCameBack |= dialBack.path("matched").asBoolean();
    }
    return answeredOk && nonceCameBack;
  }

  private static Latency report(
      String clientName,
      String serverName,
      String transport,
      List<Double> latencies,
      long failures) {
    double median = BenchJson.median(latencies);
    double p99 = BenchJson.percentile(latencies, 99);
    System.out.printf(
        Locale.ROOT,
        "  latency: median %.2f ms, p99 %.2f ms over %d checks (%d failed, warm-up included)%n",
        median,
        p99,
        latencies.size(),
        failures);
    return new Latency(clientName, serverName, transport, median, p99, latencies.size(), failures);
  }

  /**
   * CLIENTS clients, each keeping one check in flight: a warm-up of CAPACITY_WARMUP, then
   * CAPACITY_RUN measured: completed checks per second and the server's CPU per check. With {@code
   * dialData} every check costs the client dial data (the tested IP differs from the observed one).
   */
  static Capacity capacity(Server target, DialBack dialBack, boolean dialData) throws Exception {
    return capacity(target, dialBack, dialData, CAPACITY_WARMUP);
  }

  static Capacity capacity(Server target, DialBack dialBack, boolean dialData, Duration warmup)
      throws Exception {
    String serverName = target.name();
    Multiaddr server = target.address();
    System.out.println(
        "== capacity: "
            + serverName
            + " server at "
            + server
            + ", dial-back over "
            + dialBack.label
            + (dialData ? ", dial data on every check" : ""));
    List<Host> hosts = new ArrayList<>();
    List<AutonatClient> clients = new ArrayList<>();
    ExecutorService threads = Executors.newFixedThreadPool(CLIENTS);
    try {
      for (int i = 0; i < CLIENTS; i++) {
        HostBuilder builder = Host.builder().threadName("bench-load-" + i).ioThreads(1);
        if (dialData) {
          // outbound connections must leave from 127.0.0.1, not from the listen IP's port
          builder.listen(DIAL_DATA_LISTEN).reusePort(false);
        } else {
          builder.listen(LoopbackHosts.ANY_PORT);
        }
        Host h = withDialBackListener(builder, dialBack).build().start();
        hosts.add(h);
        AutonatClient c = new AutonatClient(h, AutonatClientSettings.defaults());
        c.start();
        clients.add(c);
      }
      List<Multiaddr> tested = hosts.stream().map(h -> tested(h, dialBack)).toList();
      run(threads, clients, server, tested, warmup);
      long cpuBefore = processCpuNanos();
      long serverCpuBefore = target.cpuNanos().getAsLong();
      long start = System.nanoTime();
      Run run = run(threads, clients, server, tested, CAPACITY_RUN);
      double seconds = (System.nanoTime() - start) / 1e9;
      long serverCpu = target.cpuNanos().getAsLong() - serverCpuBefore;
      long checks = Math.max(1, run.completed());
      double rate = run.completed() / seconds;
      double loadCpuMsPerCheck = (processCpuNanos() - cpuBefore) / 1e6 / checks;
      double serverCpuMsPerCheck = serverCpu / 1e6 / checks;
      double dialDataBytesPerCheck = (double) run.dialDataBytes() / checks;
      System.out.printf(
          Locale.ROOT,
          "  capacity: %d clients, %.1f checks/s (%d in %.1f s, %d failed); load CPU %.2f ms,"
              + " server CPU %.2f ms per check; %.0f bytes of dial data per check%n",
          CLIENTS,
          rate,
          run.completed(),
          seconds,
          run.failures(),
          loadCpuMsPerCheck,
          serverCpuMsPerCheck,
          dialDataBytesPerCheck);
      return new Capacity(
          serverName,
          dialBack.label,
          dialData,
          CLIENTS,
          seconds,
          run.completed(),
          rate,
          run.failures(),
          loadCpuMsPerCheck,
          serverCpuMsPerCheck,
          dialDataBytesPerCheck);
    } finally {
      threads.shutdownNow();
      for (AutonatClient c : clients) {
        c.close();
      }
      for (Host h : hosts) {
        h.close();
      }
    }
  }

  /**
   * Our server started on {@link #ALT_JAVA} as well: JIT warm-up, then capacity without and with
   * dial data, named "ours (JDK n)".
   */
  static List<Capacity> onAnotherJdk(Path jar, Path serviceLog) throws Exception {
    String version = javaVersion(ALT_JAVA);
    Path log = serviceLog.resolveSibling("server-jdk" + version + ".log");
    try (ServiceProcess service =
        ServiceProcess.start(ALT_JAVA, jar, List.of(), SERVER_SETTINGS, log, "")) {
      JsonNode node = service.getJson("/api/v1/node");
      Server server =
          new Server(
              OURS + " (JDK " + version + ")",
              Multiaddr.fromString(node.path("listenAddresses").path(0).asString())
                  .withPeerId(PeerId.fromString(node.path("peerId").asString())),
              service::cpuNanos);
      System.out.println("== JIT warm-up of our server on JDK " + version + " (not reported)");
      capacity(server, DialBack.TCP, true, JIT_WARMUP);
      return List.of(capacity(server, DialBack.TCP, false), capacity(server, DialBack.TCP, true));
    }
  }

  /** The feature version of a java executable ({@code java -XshowSettings:properties -version}). */
  static String javaVersion(String java) throws Exception {
    Process p =
        new ProcessBuilder(java, "-XshowSettings:properties", "-version")
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(VERSION_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    Matcher m = SPEC_VERSION.matcher(out);
    if (!m.find()) {
      throw new IllegalStateException("no java.specification.version from " + java + ": " + out);
    }
    return m.group(1);
  }

  static final long VERSION_TIMEOUT_SECONDS = 30;
  static final Pattern SPEC_VERSION = Pattern.compile("java\\.specification\\.version = (\\S+)");

  /** What the clients of one timed run did. */
  record Run(long completed, long failures, long dialDataBytes) {}

  /**
   * Every client checks {@code tested.get(i)} with {@code server} in a loop, one check in flight,
   * until {@code length} has passed; one plain thread per client, since blocking waits must not
   * starve a shared pool.
   */
  private static Run run(
      ExecutorService threads,
      List<AutonatClient> clients,
      Multiaddr server,
      List<Multiaddr> tested,
      Duration length)
      throws Exception {
    AtomicLong completed = new AtomicLong();
    AtomicLong failures = new AtomicLong();
    AtomicLong dialDataBytes = new AtomicLong();
    long deadline = System.nanoTime() + length.toNanos();
    List<CompletableFuture<Void>> loops = new ArrayList<>();
    for (int i = 0; i < clients.size(); i++) {
      AutonatClient c = clients.get(i);
      List<Multiaddr> addresses = List.of(tested.get(i));
      loops.add(
          CompletableFuture.runAsync(
              () -> {
                while (System.nanoTime() < deadline) {
                  try {
                    CheckResult r =
                        c.check(server, addresses).get(CHECK_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                    if (r.reachability() == Reachability.REACHABLE) {
                      completed.incrementAndGet();
                      dialDataBytes.addAndGet(r.dialDataBytes());
                    } else {
                      failures.incrementAndGet();
                    }
                  } catch (Exception e) {
                    failures.incrementAndGet();
                  }
                }
              },
              threads));
    }
    CompletableFuture.allOf(loops.toArray(new CompletableFuture<?>[0]))
        .get(length.toSeconds() + CHECK_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    return new Run(completed.get(), failures.get(), dialDataBytes.get());
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }
}
