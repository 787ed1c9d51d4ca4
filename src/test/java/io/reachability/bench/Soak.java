package io.reachability.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.reachability.libp2p.core.Connection;
import io.reachability.libp2p.core.Direction;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.core.ProtocolHandler;
import io.reachability.libp2p.crypto.Keys;
import io.reachability.libp2p.crypto.PrivateKey;
import io.reachability.libp2p.transport.ConnectionUpgrader;
import io.reachability.libp2p.transport.StreamHandlerRegistry;
import io.reachability.libp2p.transport.UpgradeSettings;
import io.reachability.testing.LoopbackHosts;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Soak test of the packaged jar under every attack at once, while an honest client checks the
 * node's listen address every {@link #HONEST_INTERVAL}: half-open TCP connections and authenticated
 * idle libp2p connections from 16 loopback IPs filling the node's slots, 10 MB JSON bodies, 300
 * event-stream subscribers that never read, scan attempts (servers outside the pool, addresses that
 * are not the node's), 50-address jobs against silent listeners, malformed multipart bodies, and
 * guesses at other clients' jobs. Every 5 s it samples the service's RSS, threads and log size; at
 * the end it prints the honest checks' success rate and what each attack got back, and exits
 * non-zero when an honest check came back UNREACHABLE, fewer than 95 % were REACHABLE, or RSS/log
 * grew without bound.
 *
 * <p>Traffic goes to loopback only (the service listens on 127.0.0.1; the attackers' "other"
 * addresses are 127.0.0.x), bounded in count (every pool below has a fixed size) and in time
 * ({@code -Dsoak.seconds}, default 120). Run with {@code bench/soak.sh}; not part of the build.
 */
public final class Soak {

  static final Duration DURATION = Duration.ofSeconds(Integer.getInteger("soak.seconds", 120));
  static final Duration HONEST_INTERVAL = Duration.ofSeconds(2);
  static final Duration HONEST_JOB_WAIT = Duration.ofSeconds(60);
  static final Duration SAMPLE_INTERVAL = Duration.ofSeconds(5);
  static final Duration START_TIMEOUT = Duration.ofSeconds(120);
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  /** Half-open connections held from 127.0.0.1 at a time (re-opened as the node closes them). */
  static final int HALF_OPEN = 256;

  /** Loopback source IPs of the idle-connection flood (127.0.0.2 …), one /24. */
  static final int FLOOD_IPS = 16;

  /** Authenticated idle connections each flooding IP keeps open. */
  static final int FLOOD_PER_IP = 80;

  /** Senders of 10 MB bodies at once. */
  static final int BIG_BODY_SENDERS = 8;

  static final int BIG_BODY_BYTES = 10 * 1024 * 1024;

  /** Event-stream subscribers that never read. */
  static final int SSE_SUBSCRIBERS = 300;

  /** Silent TCP listeners whose ports the head-of-line jobs check. */
  static final int SILENT_LISTENERS = 50;

  /** Random bytes of each generated API key secret (hex: twice as many characters). */
  static final int SECRET_BYTES = 24;

  /**
   * Rounds of the event-stream attacker (top up, churn a tenth); a well-behaved client tries every
   * few rounds.
   */
  static final Duration SSE_ROUND = Duration.ofSeconds(2);

  static final int SSE_ROUNDS_PER_PROBE = 5;

  /** Pause between two rounds of one attacker (top-ups, resubmissions). */
  static final Duration ATTACK_ROUND = Duration.ofMillis(500);

  /**
   * Failing criteria: no honest check may come back UNREACHABLE (a false verdict), at least this
   * share must be REACHABLE (the rest UNKNOWN: undecided on a machine the attacks saturate), RSS
   * may grow to this multiple of the first sample, the log by this much.
   */
  static final double MIN_HONEST_REACHABLE = 0.95;

  static final double MAX_RSS_GROWTH = 3.0;
  static final long MAX_LOG_GROWTH_BYTES = 20L * 1024 * 1024;

  static final Pattern STATUS_LINE =
      Pattern.compile("^(VmRSS|Threads):\\s+(\\d+)", Pattern.MULTILINE);

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final SecureRandom RANDOM = new SecureRandom();

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(REQUEST_TIMEOUT).build();
  private final String api;
  private final String honestKey;

  /** One key per REST attack: a determined attacker holds several, each with its own budget. */
  private final Map<String, String> attackerKeys;

  private final AtomicBoolean running = new AtomicBoolean(true);

  /** What each attack got back: "attack status" → count. */
  private final Map<String, LongAdder> answers = new ConcurrentHashMap<>();

  private final List<String> honestFailures = new CopyOnWriteArrayList<>();
  private final LongAdder honestChecks = new LongAdder();
  private final LongAdder honestReachable = new LongAdder();
  private final AtomicLong honestMaxMillis = new AtomicLong();

  private Soak(String api, String honestKey, Map<String, String> attackerKeys) {
    this.api = api;
    this.honestKey = honestKey;
    this.attackerKeys = attackerKeys;
  }

  /** The REST attacks, each with a key of its own. */
  static final List<String> REST_ATTACKS = List.of("bodies", "scans", "hol", "multipart", "guess");

  private String key(String attack) {
    return attackerKeys.get(attack);
  }

  record Sample(
      long second,
      long rssBytes,
      long threads,
      long logBytes,
      long honestChecks,
      long honestReachable,
      String monitor) {}

  /** The listen address, whose verdict in the monitor is sampled too. */
  private volatile String listen = "";

  public static void main(String[] args) throws Exception {
    Path jar = Path.of(System.getProperty("bench.jar", "")).toAbsolutePath();
    Path log =
        Path.of(System.getProperty("bench.serviceLog", "target/bench/soak-service.log"))
            .toAbsolutePath();
    String honestKey = secret();
    Map<String, String> attackerKeys = new LinkedHashMap<>();
    REST_ATTACKS.forEach(attack -> attackerKeys.put(attack, secret()));
    List<String> command =
        new ArrayList<>(
            List.of(
                "--reach.node.listen=" + LoopbackHosts.ANY_PORT,
                "--reach.access.keys[0].name=honest",
                "--reach.access.keys[0].secret=" + honestKey));
    int index = 1;
    for (Map.Entry<String, String> key : attackerKeys.entrySet()) {
      command.add("--reach.access.keys[" + index + "].name=attacker-" + key.getKey());
      command.add("--reach.access.keys[" + index + "].secret=" + key.getValue());
      index++;
    }
    System.out.printf(
        "machine: %d cores, %s %s%n",
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.vm.name"),
        System.getProperty("java.version"));
    String shown = String.join(" ", command).replace(honestKey, "…");
    for (String secret : attackerKeys.values()) {
      shown = shown.replace(secret, "…");
    }
    System.out.println("service: java -jar " + jar.getFileName() + " " + shown);
    int exit;
    try (ServiceProcess service = ServiceProcess.start(jar, command, log, "")) {
      Soak soak = new Soak(service.api(), honestKey, attackerKeys);
      exit = soak.run(service.pid(), log);
    }
    System.exit(exit);
  }

  private static String secret() {
    byte[] bytes = new byte[SECRET_BYTES];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  private int run(long pid, Path log) throws Exception {
    JsonNode node = JSON.readTree(send(get("/api/v1/node", honestKey)).body());
    listen = node.path("listenAddresses").path(0).asString();
    InetSocketAddress libp2p = Multiaddr.fromString(listen).toTcpSocketAddress().orElseThrow();
    System.out.println("node: " + listen + "; attacking for " + DURATION.toSeconds() + " s");

    List<ServerSocket> silent = new ArrayList<>();
    for (int i = 0; i < SILENT_LISTENERS; i++) {
      silent.add(new ServerSocket(0, 1024, InetAddress.getLoopbackAddress()));
    }
    EventLoopGroup loops = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    ExecutorService attackers = Executors.newCachedThreadPool();
    List<Sample> samples = new ArrayList<>();
    try {
      attackers.submit(guard("half-open", () -> halfOpen(libp2p)));
      attackers.submit(guard("idle flood", () -> idleFlood(loops, libp2p)));
      for (int i = 0; i < BIG_BODY_SENDERS; i++) {
        attackers.submit(guard("big bodies", this::bigBodies));
      }
      attackers.submit(guard("event streams", () -> subscribers(libp2p.getPort())));
      attackers.submit(guard("scans", this::scans));
      attackers.submit(guard("head of line", () -> headOfLine(silent)));
      attackers.submit(guard("multipart", this::multipart));
      attackers.submit(guard("job guessing", this::guessJobs));
      attackers.submit(guard("honest", () -> honest(listen)));

      long start = System.nanoTime();
      long end = start + DURATION.toNanos();
      while (System.nanoTime() < end) {
        samples.add(sample(pid, log, (System.nanoTime() - start) / 1_000_000_000L));
        Sample last = samples.get(samples.size() - 1);
        System.out.printf(
            "t=%3d s  RSS %s  threads %d  log %s  honest %d/%d REACHABLE  monitor %s%n",
            last.second,
            mb(last.rssBytes),
            last.threads,
            kb(last.logBytes),
            last.honestReachable,
            last.honestChecks,
            last.monitor);
        TimeUnit.MILLISECONDS.sleep(
            Math.min(
                SAMPLE_INTERVAL.toMillis(), Math.max(1, (end - System.nanoTime()) / 1_000_000)));
      }
    } finally {
      running.set(false);
      attackers.shutdownNow();
      attackers.awaitTermination(30, TimeUnit.SECONDS);
      loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
      for (ServerSocket socket : silent) {
        socket.close();
      }
    }
    samples.add(sample(pid, log, DURATION.toSeconds()));
    return report(samples);
  }

  private Runnable guard(String name, Attack attack) {
    return () -> {
      try {
        attack.run();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        if (running.get()) {
          count(name, "attacker failed: " + e);
        }
      }
    };
  }

  @FunctionalInterface
  interface Attack {
    void run() throws Exception;
  }

  private void count(String attack, Object answer) {
    answers.computeIfAbsent(attack + " -> " + answer, k -> new LongAdder()).increment();
  }

  // ---- the honest client
  // --------------------------------------------------------------------------

  private void honest(String listen) throws Exception {
    String body = "{\"addresses\":[\"" + listen + "\"],\"confirmations\":3}";
    while (running.get()) {
      long start = System.nanoTime();
      HttpResponse<String> accepted = send(post("/api/v1/checks", honestKey, body));
      String verdict;
      if (accepted.statusCode() != 202) {
        verdict = "submit " + accepted.statusCode() + " " + accepted.body();
      } else {
        String location = accepted.headers().firstValue("Location").orElseThrow();
        verdict = awaitVerdict(location);
      }
      long millis = (System.nanoTime() - start) / 1_000_000;
      if (!running.get() && !"REACHABLE".equals(verdict)) {
        return; // cut short by the end of the run
      }
      honestChecks.increment();
      honestMaxMillis.accumulateAndGet(millis, Math::max);
      if ("REACHABLE".equals(verdict)) {
        honestReachable.increment();
      } else {
        honestFailures.add(verdict);
      }
      TimeUnit.MILLISECONDS.sleep(HONEST_INTERVAL.toMillis());
    }
  }

  private String awaitVerdict(String location) throws Exception {
    long deadline = System.nanoTime() + HONEST_JOB_WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode job = JSON.readTree(send(get(location, honestKey)).body());
      String state = job.path("state").asString();
      if (state.equals("SUCCEEDED")) {
        String verdict = job.path("results").path(0).path("verdict").asString();
        return verdict.equals("REACHABLE")
            ? verdict
            : verdict + " " + job.path("results").path(0).path("attempts");
      }
      if (state.equals("FAILED") || state.equals("CANCELLED")) {
        return state + ": " + job.path("error").asString();
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
    return "no verdict within " + HONEST_JOB_WAIT.toSeconds() + " s";
  }

  // ---- attacks on the wire
  // ------------------------------------------------------------------------

  /** Connections that complete TCP and never say a word, topped up to {@link #HALF_OPEN}. */
  private void halfOpen(InetSocketAddress target) throws Exception {
    List<Socket> held = new ArrayList<>();
    try {
      while (running.get()) {
        held.removeIf(
            socket -> {
              if (isClosedByPeer(socket)) {
                count("half-open", "closed by the node");
                closeQuietly(socket);
                return true;
              }
              return false;
            });
        while (held.size() < HALF_OPEN && running.get()) {
          Socket socket = new Socket();
          try {
            socket.connect(target, (int) REQUEST_TIMEOUT.toMillis());
            held.add(socket);
            count("half-open", "opened");
          } catch (IOException e) {
            count("half-open", "connect failed");
            closeQuietly(socket);
            break;
          }
        }
        TimeUnit.MILLISECONDS.sleep(ATTACK_ROUND.toMillis());
      }
    } finally {
      held.forEach(Soak::closeQuietly);
    }
  }

  private static boolean isClosedByPeer(Socket socket) {
    try {
      socket.setSoTimeout(1);
      return socket.getInputStream().read() == -1;
    } catch (java.net.SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  /**
   * Authenticated libp2p connections (Noise, yamux) that open no stream, from {@link #FLOOD_IPS}
   * source IPs of 127.0.0.0/24, each topped up to {@link #FLOOD_PER_IP}.
   */
  private void idleFlood(EventLoopGroup loops, InetSocketAddress target) throws Exception {
    PrivateKey identity = Keys.generateEd25519();
    StreamHandlerRegistry nothing =
        new StreamHandlerRegistry() {
          @Override
          public Collection<String> protocols() {
            return List.of();
          }

          @Override
          public Optional<ProtocolHandler> handler(String protocolId) {
            return Optional.empty();
          }
        };
    ConnectionUpgrader upgrader =
        new ConnectionUpgrader(identity, UpgradeSettings.defaults(), nothing);
    Map<Integer, Set<Connection>> open = new ConcurrentHashMap<>();
    while (running.get()) {
      for (int i = 0; i < FLOOD_IPS && running.get(); i++) {
        InetAddress source = InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) (2 + i)});
        Set<Connection> fromIp = open.computeIfAbsent(i, k -> ConcurrentHashMap.newKeySet());
        fromIp.removeIf(c -> !c.isOpen());
        for (int n = fromIp.size(); n < FLOOD_PER_IP; n++) {
          Bootstrap bootstrap =
              new Bootstrap()
                  .group(loops)
                  .channel(NioSocketChannel.class)
                  .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) REQUEST_TIMEOUT.toMillis())
                  .handler(
                      new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel channel) {
                          upgrader
                              .upgrade(channel, Direction.OUTBOUND, null)
                              .whenComplete(
                                  (connection, error) -> {
                                    if (connection != null) {
                                      fromIp.add(connection);
                                      count("idle flood", "authenticated");
                                    } else {
                                      count("idle flood", "refused or closed during the upgrade");
                                    }
                                  });
                        }
                      });
          Channel channel =
              bootstrap
                  .connect(target, new InetSocketAddress(source, 0))
                  .awaitUninterruptibly()
                  .channel();
          if (!channel.isActive()) {
            count("idle flood", "connect failed");
          }
        }
      }
      TimeUnit.MILLISECONDS.sleep(ATTACK_ROUND.toMillis());
    }
    open.values().forEach(set -> set.forEach(Connection::close));
  }

  // ---- attacks on the REST API
  // ----------------------------------------------------------------------

  private void bigBodies() throws Exception {
    byte[] body =
        ("{\"addresses\":[\"" + "A".repeat(BIG_BODY_BYTES) + "\"]}")
            .getBytes(StandardCharsets.US_ASCII);
    while (running.get()) {
      HttpRequest request =
          HttpRequest.newBuilder(URI.create(api + "/api/v1/checks"))
              .timeout(REQUEST_TIMEOUT)
              .header("Authorization", "Bearer " + key("bodies"))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofByteArray(body))
              .build();
      try {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        count(
            "10 MB body", response.statusCode() + " (answer " + kb(response.body().length()) + ")");
      } catch (IOException e) {
        count("10 MB body", "connection closed by the service");
      }
    }
  }

  /** Subscribers that send the request and never read a byte; some are dropped and re-opened. */
  private void subscribers(int unused) throws Exception {
    URI events = URI.create(api + "/api/v1/reachability/events");
    List<Socket> held = new ArrayList<>();
    int round = 0;
    try {
      while (running.get()) {
        while (held.size() < SSE_SUBSCRIBERS && running.get()) {
          Socket socket = new Socket();
          socket.setReceiveBufferSize(1024); // a client that stops reading fills its window quickly
          socket.connect(
              new InetSocketAddress(events.getHost(), events.getPort()),
              (int) REQUEST_TIMEOUT.toMillis());
          OutputStream out = socket.getOutputStream();
          out.write(
              ("GET "
                      + events.getPath()
                      + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
          out.flush();
          held.add(socket);
          count("event streams (anonymous, never reading)", "opened");
        }
        // churn: a tenth go away each round, as dead clients do
        for (int i = 0; i < SSE_SUBSCRIBERS / 10 && !held.isEmpty(); i++) {
          closeQuietly(held.remove(held.size() - 1));
        }
        // can a well-behaved client still subscribe? (one every 10 s: a stream it closed holds its
        // place until the next keep-alive finds it gone, and a client has 8 places)
        if (++round % SSE_ROUNDS_PER_PROBE != 0) {
          TimeUnit.MILLISECONDS.sleep(SSE_ROUND.toMillis());
          continue;
        }
        HttpResponse<java.io.InputStream> probe =
            http.send(
                HttpRequest.newBuilder(events)
                    .timeout(REQUEST_TIMEOUT)
                    .header("Accept", "text/event-stream")
                    .header("Authorization", "Bearer " + honestKey)
                    .GET()
                    .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        count("event streams", "well-behaved subscriber " + probe.statusCode());
        probe.body().close();
        TimeUnit.MILLISECONDS.sleep(SSE_ROUND.toMillis());
      }
    } finally {
      held.forEach(Soak::closeQuietly);
    }
  }

  /**
   * Servers outside the pool and addresses that are not the node's: the service as a port scanner.
   */
  private void scans() throws Exception {
    String peer = PeerId.fromPublicKey(Keys.generateEd25519().publicKey()).toString();
    int port = 1;
    while (running.get()) {
      String servers = "{\"servers\":[\"/ip4/127.0.0.1/tcp/" + port + "/p2p/" + peer + "\"]}";
      count("scan via servers", send(post("/api/v1/checks", key("scans"), servers)).statusCode());
      String addresses =
          "{\"addresses\":[\"/ip4/127.0.0." + (2 + port % 200) + "/tcp/" + port + "\"]}";
      count(
          "scan via addresses", send(post("/api/v1/checks", key("scans"), addresses)).statusCode());
      port = port % 1000 + 1;
      TimeUnit.MILLISECONDS.sleep(ATTACK_ROUND.toMillis() / 5);
    }
  }

  /** 50-address jobs against listeners that never answer, as many as the service takes. */
  private void headOfLine(List<ServerSocket> silent) throws Exception {
    String addresses =
        silent.stream()
            .map(s -> "\"/ip4/127.0.0.1/tcp/" + s.getLocalPort() + "\"")
            .collect(Collectors.joining(","));
    String body = "{\"addresses\":[" + addresses + "],\"confirmations\":3,\"timeoutSeconds\":600}";
    while (running.get()) {
      count("50-address jobs", send(post("/api/v1/checks", key("hol"), body)).statusCode());
      TimeUnit.MILLISECONDS.sleep(ATTACK_ROUND.toMillis() / 5);
    }
  }

  private void multipart() throws Exception {
    // a part that never ends: the container's multipart parser fails on it
    String garbage = "--y\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n" + "b".repeat(100);
    while (running.get()) {
      HttpRequest request =
          HttpRequest.newBuilder(URI.create(api + "/api/v1/checks"))
              .timeout(REQUEST_TIMEOUT)
              .header("Authorization", "Bearer " + key("multipart"))
              .header("Content-Type", "multipart/form-data; boundary=y")
              .POST(HttpRequest.BodyPublishers.ofString(garbage))
              .build();
      count(
          "malformed multipart",
          http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode());
      HttpRequest anywhere =
          HttpRequest.newBuilder(URI.create(api + "/x/" + RANDOM.nextInt(1000)))
              .timeout(REQUEST_TIMEOUT)
              .header("Content-Type", "multipart/form-data; boundary=y")
              .POST(HttpRequest.BodyPublishers.ofString(garbage))
              .build();
      count(
          "malformed multipart (any path)",
          http.send(anywhere, HttpResponse.BodyHandlers.discarding()).statusCode());
      TimeUnit.MILLISECONDS.sleep(ATTACK_ROUND.toMillis() / 10);
    }
  }

  /** Other clients' jobs: listed, read and cancelled by guessing (they must stay invisible). */
  private void guessJobs() throws Exception {
    while (running.get()) {
      JsonNode page = JSON.readTree(send(get("/api/v1/checks?size=100", key("guess"))).body());
      for (JsonNode job : page.path("items")) {
        if (!job.path("owner").asString().equals("attacker-guess")) {
          count("job guessing", "saw another client's job");
        }
      }
      count(
          "job guessing: cancel a guessed id",
          send(delete("/api/v1/checks/" + UUID.randomUUID(), key("guess"))).statusCode());
      TimeUnit.MILLISECONDS.sleep(ATTACK_ROUND.toMillis());
    }
  }

  // ---- measuring
  // ------------------------------------------------------------------------------------

  private Sample sample(long pid, Path log, long second) throws IOException {
    String status = Files.readString(Path.of("/proc/" + pid + "/status"));
    long rss = 0;
    long threads = 0;
    Matcher m = STATUS_LINE.matcher(status);
    while (m.find()) {
      if (m.group(1).equals("VmRSS")) {
        rss = Long.parseLong(m.group(2)) * 1024;
      } else {
        threads = Long.parseLong(m.group(2));
      }
    }
    return new Sample(
        second,
        rss,
        threads,
        Files.size(log),
        honestChecks.sum(),
        honestReachable.sum(),
        monitorVerdict());
  }

  /** The monitor's verdict on the listen address now. */
  private String monitorVerdict() {
    try {
      for (JsonNode address :
          JSON.readTree(send(get("/api/v1/reachability", honestKey)).body()).path("addresses")) {
        if (address.path("address").asString().equals(listen)) {
          return address.path("verdict").asString();
        }
      }
      return "untracked";
    } catch (IOException | InterruptedException | RuntimeException e) {
      return "unreadable (" + e.getClass().getSimpleName() + ")";
    }
  }

  private int report(List<Sample> samples) throws IOException {
    Sample first = samples.get(0);
    Sample last = samples.get(samples.size() - 1);
    long maxRss = samples.stream().mapToLong(Sample::rssBytes).max().orElse(0);
    long maxThreads = samples.stream().mapToLong(Sample::threads).max().orElse(0);
    long logGrowth = last.logBytes - first.logBytes;
    long checks = honestChecks.sum();
    long reachable = honestReachable.sum();
    double rate = checks == 0 ? 0 : 100.0 * reachable / checks;
    System.out.println();
    System.out.println("what the attacks got back:");
    answers.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> System.out.printf("  %-70s %8d%n", e.getKey(), e.getValue().sum()));
    System.out.println();
    System.out.printf(
        "honest checks: %d of %d REACHABLE (%.1f %%), slowest %d ms%n",
        reachable, checks, rate, honestMaxMillis.get());
    honestFailures.stream().limit(5).forEach(f -> System.out.println("  not REACHABLE: " + f));
    System.out.printf(
        "service RSS: %s at the start of the attacks, %s at most, %s at the end%n",
        mb(first.rssBytes), mb(maxRss), mb(last.rssBytes));
    System.out.printf(
        "service threads: %d at the start, %d at most, %d at the end%n",
        first.threads, maxThreads, last.threads);
    System.out.printf("service log: grew %s in %d s%n", kb(logGrowth), last.second - first.second);
    List<String> failed = new ArrayList<>();
    long falseVerdicts = honestFailures.stream().filter(f -> f.startsWith("UNREACHABLE")).count();
    List<String> monitorSeen = samples.stream().map(Sample::monitor).distinct().toList();
    System.out.printf("monitor's verdict on the listen address, over the run: %s%n", monitorSeen);
    if (monitorSeen.contains("UNREACHABLE")) {
      failed.add("the monitor found the listen address UNREACHABLE");
    }
    System.out.printf("honest checks with a false verdict (UNREACHABLE): %d%n", falseVerdicts);
    if (falseVerdicts > 0) {
      failed.add(falseVerdicts + " honest checks UNREACHABLE");
    }
    if (checks == 0 || reachable < MIN_HONEST_REACHABLE * checks) {
      failed.add(
          "fewer than " + Math.round(100 * MIN_HONEST_REACHABLE) + " % of honest checks REACHABLE");
    }
    if (maxRss > MAX_RSS_GROWTH * first.rssBytes) {
      failed.add("RSS grew beyond " + MAX_RSS_GROWTH + "x");
    }
    if (logGrowth > MAX_LOG_GROWTH_BYTES) {
      failed.add("the log grew by more than " + kb(MAX_LOG_GROWTH_BYTES));
    }
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("seconds", DURATION.toSeconds());
    figures.put("honestChecks", checks);
    figures.put("honestReachable", reachable);
    figures.put("honestUnreachable", falseVerdicts);
    figures.put("honestSlowestMs", honestMaxMillis.get());
    figures.put("rssStartBytes", first.rssBytes);
    figures.put("rssMaxBytes", maxRss);
    figures.put("rssEndBytes", last.rssBytes);
    figures.put("threadsStart", first.threads);
    figures.put("threadsMax", maxThreads);
    figures.put("logGrowthBytes", logGrowth);
    Map<String, Object> attacks = new LinkedHashMap<>();
    answers.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> attacks.put(e.getKey(), e.getValue().sum()));
    figures.put("answers", attacks);
    BenchJson.writeIfAsked(figures);
    System.out.println(failed.isEmpty() ? "PASS" : "FAIL: " + String.join("; ", failed));
    return failed.isEmpty() ? 0 : 1;
  }

  // ---- HTTP
  // ---------------------------------------------------------------------------------------

  private HttpRequest get(String path, String key) {
    return HttpRequest.newBuilder(URI.create(api + path))
        .timeout(REQUEST_TIMEOUT)
        .header("Authorization", "Bearer " + key)
        .GET()
        .build();
  }

  private HttpRequest delete(String path, String key) {
    return HttpRequest.newBuilder(URI.create(api + path))
        .timeout(REQUEST_TIMEOUT)
        .header("Authorization", "Bearer " + key)
        .DELETE()
        .build();
  }

  private HttpRequest post(String path, String key, String body) {
    return HttpRequest.newBuilder(URI.create(api + path))
        .timeout(REQUEST_TIMEOUT)
        .header("Authorization", "Bearer " + key)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  private HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // gone anyway
    }
  }

  static String mb(long bytes) {
    return String.format("%.0f MiB", bytes / (1024.0 * 1024.0));
  }

  static String kb(long bytes) {
    return String.format("%.1f KiB", bytes / 1024.0);
  }
}
