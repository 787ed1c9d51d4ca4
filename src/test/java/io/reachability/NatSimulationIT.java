package io.reachability;

import static io.reachability.testing.Namespaced.curl;
import static io.reachability.testing.Namespaced.getJson;
import static io.reachability.testing.Namespaced.run;
import static io.reachability.testing.Namespaced.runQuietly;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.reachability.interop.InteropPeer;
import io.reachability.interop.PeerImplementation;
import io.reachability.interop.PeerSpec;
import io.reachability.testing.Namespaced;
import io.reachability.testing.Namespaced.Response;
import io.reachability.testing.Namespaced.Result;
import io.reachability.testing.Namespaced.Service;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Does the service tell the truth behind a NAT? A real network shape made of network namespaces
 * ({@code src/test/nat/topology.sh}, drawn in src/test/nat/README.md): two of our services and one
 * js-libp2p node serve AutoNAT v2 in a server namespace; our service runs as the client in seven
 * client namespaces, listening on TCP and QUIC, with those three servers as its pool: one public,
 * one behind a NAT gateway that refuses unsolicited inbound (tcp reset, icmp for udp), one behind a
 * gateway with a port forward (tcp and udp) to its listen port, one behind a gateway that silently
 * drops unsolicited inbound, one behind a gateway that forwards its TCP port but drops all UDP (TCP
 * reachable, QUIC not: a verdict only a per-transport check gives), one public behind its own
 * firewall, and one behind two NATs, with a third of our servers in the private network between
 * them in its pool. Addresses are from 3fff::/20, public for every implementation here, so no
 * private-address switch is on anywhere; only the segment between the two NATs is private (ULA).
 *
 * <p>Asserted through each client's REST API (curl inside its namespace): the monitor's verdicts
 * (never a false one while it converges, including for addresses the servers observe for the node),
 * check jobs' verdicts with every server's evidence (dial data paid exactly when the server sees
 * the connection come from another IP than the address asked about, as behind a NAT; js, which has
 * no QUIC, refusing every QUIC address), each verdict's transport, and what the node advertises,
 * over REST and over identify as the js server sees it. Times are measured and printed, never
 * asserted.
 *
 * <p>Needs root, {@code ip} (iproute2), {@code nft} (nftables), {@code curl} and the js interop
 * peer. Without them it is skipped with the reason, unless the environment variable {@value
 * #REQUIRED_ENV} is {@code required} ({@code .ci/run} sets it): then it fails.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NatSimulationIT {

  /** Environment variable: {@code required} turns a missing prerequisite into a failure. */
  static final String REQUIRED_ENV = "NAT_SIM";

  private static final Path TOPOLOGY = Path.of("src/test/nat/topology.sh");
  private static final Path LOG_DIR = Path.of("target/nat-sim-logs");

  /** topology.sh up/down and other short commands (measured: up 0.2 s, down 0.1 s). */
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);

  /**
   * A service from exec to ready; three servers, then seven clients, start at once on two cores
   * (measured with five clients: servers 5–7.5 s, clients 12–22 s).
   */
  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

  /**
   * Until every monitor has settled. Each server answers a client one probe per 10 s, js refuses
   * QUIC addresses, and behind the dropping gateways several addresses' dial-backs each wait out a
   * 10 s timeout; udb, whose QUIC addresses come after its TCP ones, is the slowest (measured:
   * 44–47 s).
   */
  private static final Duration MONITOR_TIMEOUT = Duration.ofSeconds(180);

  /**
   * A check job's own bound (its {@code timeoutSeconds}): a job checks its addresses one after the
   * other, and behind a dropping gateway two of them each wait out a 10 s dial-back timeout
   * (measured: at most 2.1 s, 21–22.5 s for ndr and udb).
   */
  private static final Duration JOB_TIMEOUT = Duration.ofSeconds(120);

  /** Beyond {@link #JOB_TIMEOUT}, until the job has failed by itself and says so. */
  private static final Duration JOB_GRACE = Duration.ofSeconds(15);

  /** A service's graceful stop before it is killed. */
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);

  private static final long POLL_MILLIS = 250;

  /** Ten JVMs and three other peers share the machine: small heaps, quick start. */
  private static final List<String> JVM_OPTIONS = List.of("-Xmx256m", "-XX:TieredStopAtLevel=1");

  // the topology's addresses (topology.sh)
  private static final int LIBP2P_PORT = 4001;
  private static final int CLIENT_REST_PORT = 8080;

  /** Our two servers: IP and REST port (they share the server namespace's loopback). */
  private static final Map<String, Integer> OUR_SERVERS =
      Map.of("3fff:0:0:1::2", 8081, "3fff:0:0:1::3", 8082);

  /**
   * Every per-minute budget of our servers ({@code reach.server.rate-limit.*}). The defaults (24
   * requests per client /56, 12 needing dial data, 60 in all) are for the open internet; here seven
   * clients in one /56 (3fff:0:0::/56) with two to four addresses each send each server on the core
   * dozens of requests within a minute and a half (monitor probes and the first check jobs; five
   * clients sent about 35, 16 of them paying dial data), and a refusal would be the limiter
   * speaking, not the network. The limits have tests of their own.
   */
  private static final int SERVER_REQUESTS_PER_MINUTE = 600;

  private static final String JS_SERVER = "3fff:0:0:1::4";

  /**
   * Our service as a server inside the outer NAT of the double NAT (topology.sh: in the private
   * segment fd00:0:0:20::/64 behind gwe, next to the inner gateway gwf), in its own namespace: in
   * dnt's pool only. It sees dnt come from gwf's outside address, a private one, and has no public
   * address of its own, so it refuses to dial any of the (public) addresses it is asked about.
   */
  private static final String MIDDLE_SERVER = "fd00:0:0:20::3";

  private static final String MIDDLE_NAMESPACE = "mid";
  private static final int MIDDLE_REST_PORT = 8081;

  /**
   * The reference servers, each asked alone in {@link #eachReferenceServerAloneTellsTheTruth}: go
   * (3fff::/20 is public for go, so it runs as published, without {@code AllowPrivateAddrs}) and
   * rust (which has no private-address check).
   */
  private static final Map<PeerImplementation, String> REFERENCE_SERVERS =
      Map.of(PeerImplementation.GO, "3fff:0:0:1::5", PeerImplementation.RUST, "3fff:0:0:1::6");

  private static final String REACHABLE = "REACHABLE";
  private static final String UNREACHABLE = "UNREACHABLE";
  private static final String UNKNOWN = "UNKNOWN";
  private static final String QUIC_V1 = "quic-v1";

  /**
   * A client namespace and the truth about it: which of its addresses can really be dialed from the
   * servers, and the outside address of its gateway (what servers see its connections come from).
   * It listens on TCP and QUIC, port 4001 of its IP. Behind a double NAT, {@code innerGatewayIp} is
   * the inner gateway's outside address, where {@link #MIDDLE_SERVER} (then in its pool) sees it.
   */
  private record ClientSpec(
      String name,
      String ip,
      List<String> announce,
      @Nullable String gatewayIp,
      Set<String> reachable,
      String nodeReachability,
      @Nullable String innerGatewayIp) {

    List<String> listen() {
      return List.of(tcp(ip), quic(ip));
    }

    String truth(String address) {
      return reachable.contains(address) ? REACHABLE : UNREACHABLE;
    }
  }

  /** The clients. Our servers on the core see all seven come from one /56 (3fff:0:0::/56). */
  private static final List<ClientSpec> CLIENTS =
      List.of(
          new ClientSpec(
              "pub",
              "3fff:0:0:2::2",
              List.of(),
              null,
              Set.of(tcp("3fff:0:0:2::2"), quic("3fff:0:0:2::2")),
              "PUBLIC",
              null),
          // behind gwa: masquerade, unsolicited inbound refused (tcp reset, icmp for udp)
          new ClientSpec(
              "nat", "3fff:0:0:10::2", List.of(), "3fff:0:0:3::1", Set.of(), "PRIVATE", null),
          // behind gwb: masquerade, [3fff:0:0:4::1]:4001 tcp and udp forwarded to the client
          new ClientSpec(
              "fwd",
              "3fff:0:0:11::2",
              List.of(tcp("3fff:0:0:4::1"), quic("3fff:0:0:4::1")),
              "3fff:0:0:4::1",
              Set.of(tcp("3fff:0:0:4::1"), quic("3fff:0:0:4::1")),
              "PUBLIC",
              null),
          // behind gwc: masquerade, unsolicited inbound silently dropped
          new ClientSpec(
              "ndr", "3fff:0:0:12::2", List.of(), "3fff:0:0:5::1", Set.of(), "PRIVATE", null),
          // behind gwd: masquerade, tcp/4001 forwarded, every udp packet dropped: TCP reachable,
          // QUIC not
          new ClientSpec(
              "udb",
              "3fff:0:0:13::2",
              List.of(tcp("3fff:0:0:6::1"), quic("3fff:0:0:6::1")),
              "3fff:0:0:6::1",
              Set.of(tcp("3fff:0:0:6::1")),
              "PUBLIC",
              null),
          // public, no NAT, its own firewall refuses new connections to port 4001
          new ClientSpec("fwl", "3fff:0:0:7::2", List.of(), null, Set.of(), "PRIVATE", null),
          // behind gwf (masquerade to fd00:0:0:20::2, reject) behind gwe (masquerade to
          // 3fff:0:0:8::1, reject): a double NAT, with the middle server between the two
          new ClientSpec(
              "dnt",
              "3fff:0:0:14::2",
              List.of(),
              "3fff:0:0:8::1",
              Set.of(),
              "PRIVATE",
              "fd00:0:0:20::2"));

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private static @Nullable String skipReason;
  private static String prefix;
  private static boolean topologyUp;
  private static final List<Service> services = new ArrayList<>();
  private static @Nullable InteropPeer js;
  private static final Map<PeerImplementation, InteropPeer> referenceServers =
      new EnumMap<>(PeerImplementation.class);
  private static final Map<String, Service> clients = new LinkedHashMap<>();
  private static final Map<String, Long> clientReadyNanos = new LinkedHashMap<>();
  private static final List<String> pool = new ArrayList<>();

  /** {@link #MIDDLE_SERVER}'s TCP address with its peer id, once it is ready. */
  private static @Nullable String middleServer;

  private static final List<String> figures = new ArrayList<>();
  private static @Nullable Thread shutdownHook;

  // ------------------------------------------------------------------ setup and teardown

  @BeforeAll
  static void setUp() throws Exception {
    skipReason = missingPrerequisites();
    if (skipReason != null) {
      return; // each test reports the skip with the reason
    }
    prefix = "rs" + ProcessHandle.current().pid();
    // a run that died (kill -9, power loss) may have left namespaces and processes behind
    run(COMMAND_TIMEOUT, TOPOLOGY.toString(), "down-stale");
    shutdownHook = new Thread(NatSimulationIT::tearDownQuietly, "nat-sim-teardown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    try {
      long t0 = System.nanoTime();
      Result up = run(COMMAND_TIMEOUT, TOPOLOGY.toString(), "up", prefix);
      if (up.exit() != 0) {
        throw new AssertionError(
            "topology.sh up " + prefix + " failed (" + up.exit() + "):\n" + up.stderr());
      }
      topologyUp = true;
      figures.add(
          String.format(Locale.ROOT, "topology up: %.2f s", seconds(System.nanoTime() - t0)));
      startServers();
      startClients();
    } catch (Throwable e) {
      tearDownQuietly();
      throw e;
    }
  }

  /** Skips each test, with the reason, when the simulation cannot run here. */
  @BeforeEach
  void skipWhenImpossible() {
    assumeTrue(skipReason == null, skipReason);
  }

  /**
   * Why the simulation cannot run here (null: it can); fails instead when {@value #REQUIRED_ENV}
   * says it must.
   */
  private static @Nullable String missingPrerequisites() {
    List<String> missing = new ArrayList<>();
    Result id = runQuietly("id", "-u");
    if (!"0".equals(id.stdout().strip())) {
      missing.add("root (network namespaces and nftables need it)");
    }
    for (String tool : List.of("ip", "nft", "curl")) {
      if (runQuietly("bash", "-c", "command -v " + tool).exit() != 0) {
        missing.add(
            tool
                + " on PATH (Debian: "
                + (tool.equals("ip") ? "iproute2" : tool.equals("nft") ? "nftables" : "curl")
                + ")");
      }
    }
    if (missing.isEmpty()) {
      // root in a container without CAP_SYS_ADMIN cannot make namespaces: try one
      String probe = "rs" + ProcessHandle.current().pid() + "-probe";
      Result add = runQuietly("ip", "netns", "add", probe);
      if (add.exit() != 0) {
        missing.add(
            "permission to create a network namespace (ip netns add: "
                + add.stderr().strip()
                + ")");
      } else {
        runQuietly("ip", "netns", "del", probe);
      }
    }
    if (Boolean.getBoolean(InteropPeer.SKIP_PROPERTY)) {
      missing.add("the js, go and rust interop peers (-DskipInterop=true)");
    }
    if (!missing.isEmpty()) {
      String message = "NAT simulation needs " + String.join(", ", missing);
      if ("required".equals(System.getenv(REQUIRED_ENV))) {
        fail(message + " (" + REQUIRED_ENV + "=required)");
      }
      return message + "; skipped (" + REQUIRED_ENV + "=required makes this a failure)";
    }
    // fail when a peer is not installed or built, as the interop tests do
    PeerImplementation.JS.assumeAvailable();
    REFERENCE_SERVERS.keySet().forEach(PeerImplementation::assumeAvailable);
    return null;
  }

  /**
   * Our two servers and the js server, in the server namespace; their addresses make the clients'
   * pool.
   */
  private static void startServers() throws Exception {
    String ns = ns("srv");
    List<Service> ours = new ArrayList<>();
    for (Map.Entry<String, Integer> server : new TreeMap<>(OUR_SERVERS).entrySet()) {
      String ip = server.getKey();
      ours.add(
          startService(
              "server-" + ip.substring(ip.lastIndexOf(':') + 1),
              ns,
              server.getValue(),
              serverArguments(ip)));
    }
    Service middle =
        startService(
            "server-middle",
            ns(MIDDLE_NAMESPACE),
            MIDDLE_REST_PORT,
            serverArguments(MIDDLE_SERVER));
    long t0 = System.nanoTime();
    Map<String, String> env = new LinkedHashMap<>();
    env.put(
        InteropPeer.ALLOW_PRIVATE_ENV,
        ""); // js exactly as published: 3fff::/20 is public for it anyway
    js =
        InteropPeer.start(
            PeerImplementation.JS,
            List.of("ip", "netns", "exec", ns),
            List.of("--listen", tcp(JS_SERVER), "--service", InteropPeer.AUTONAT_SERVICE),
            env,
            START_TIMEOUT);
    figures.add(
        String.format(Locale.ROOT, "js server ready: %.1f s", seconds(System.nanoTime() - t0)));
    for (Service server : ours) {
      awaitReady(server);
      JsonNode node = getJson(server, "/api/v1/node");
      // asked over TCP, as js (which has no QUIC) is; the dial-back takes the address's transport
      String listen =
          InteropPeer.strings(node.path("listenAddresses")).stream()
              .filter(a -> a.contains("/tcp/"))
              .findFirst()
              .orElseThrow();
      pool.add(listen + "/p2p/" + node.path("peerId").asString());
    }
    pool.add(tcp(JS_SERVER) + "/p2p/" + js.peerId());
    System.out.println("NAT simulation " + prefix + ": pool " + pool);
    awaitReady(middle);
    middleServer =
        tcp(MIDDLE_SERVER) + "/p2p/" + getJson(middle, "/api/v1/node").path("peerId").asString();
    System.out.println("NAT simulation " + prefix + ": middle server " + middleServer);
    for (Map.Entry<PeerImplementation, String> reference : REFERENCE_SERVERS.entrySet()) {
      long started = System.nanoTime();
      InteropPeer peer =
          InteropPeer.start(
              reference.getKey(),
              List.of("ip", "netns", "exec", ns),
              reference
                  .getKey()
                  .arguments(
                      PeerSpec.autonatServerNode()
                          .withoutAllowPrivate()
                          .withListen(List.of(tcp(reference.getValue())))),
              Map.of(),
              START_TIMEOUT);
      referenceServers.put(reference.getKey(), peer);
      figures.add(
          String.format(
              Locale.ROOT,
              "%s server ready: %.1f s",
              reference.getKey().id(),
              seconds(System.nanoTime() - started)));
    }
  }

  /**
   * One of our services as a pure AutoNAT v2 server on tcp/4001 and udp/4001/quic-v1 of {@code ip}.
   */
  private static List<String> serverArguments(String ip) {
    return List.of(
        // QUIC dial-backs leave from the server's own UDP socket
        "--reach.node.listen=" + tcp(ip) + "," + quic(ip),
        "--reach.server.enabled=true",
        "--reach.server.rate-limit.global-per-minute=" + SERVER_REQUESTS_PER_MINUTE,
        "--reach.server.rate-limit.per-peer-per-minute=" + SERVER_REQUESTS_PER_MINUTE,
        "--reach.server.rate-limit.per-ip-per-minute=" + SERVER_REQUESTS_PER_MINUTE,
        "--reach.server.rate-limit.per-subnet-per-minute=" + SERVER_REQUESTS_PER_MINUTE,
        "--reach.server.rate-limit.dial-data-per-minute=" + SERVER_REQUESTS_PER_MINUTE,
        // a pure server: no pool of its own, nothing to monitor
        "--reach.pool.embedded.enabled=false",
        "--reach.monitor.enabled=false");
  }

  /**
   * The pool servers of {@code spec}: the three on the core, and the middle server for the client
   * behind the double NAT.
   */
  private static List<String> poolOf(ClientSpec spec) {
    List<String> servers = new ArrayList<>(pool);
    if (spec.innerGatewayIp() != null) {
      servers.add(Objects.requireNonNull(middleServer, "middle server"));
    }
    return servers;
  }

  private static void startClients() throws Exception {
    for (ClientSpec spec : CLIENTS) {
      List<String> args = new ArrayList<>();
      args.add("--reach.node.listen=" + String.join(",", spec.listen()));
      args.add("--reach.pool.servers=" + String.join(",", poolOf(spec)));
      // the go and rust servers are asked by name, each alone, outside the pool (3fff::/20 is
      // public, so the service allows that with this switch)
      args.add("--reach.access.allow-any-server=true");
      if (!spec.announce().isEmpty()) {
        args.add("--reach.node.announce=" + String.join(",", spec.announce()));
      }
      clients.put(
          spec.name(),
          startService("client-" + spec.name(), ns(spec.name()), CLIENT_REST_PORT, args));
    }
    for (ClientSpec spec : CLIENTS) {
      awaitReady(clients.get(spec.name()));
      clientReadyNanos.put(spec.name(), System.nanoTime());
    }
  }

  private static Service startService(
      String name, String namespace, int restPort, List<String> args) throws IOException {
    Service service =
        Namespaced.startService(
            name,
            namespace,
            restPort,
            JVM_OPTIONS,
            args,
            LOG_DIR.resolve(prefix + "-" + name + ".log"));
    services.add(service);
    return service;
  }

  private static void awaitReady(Service service) throws Exception {
    double seconds = Namespaced.awaitReady(service, START_TIMEOUT, POLL_MILLIS);
    figures.add(String.format(Locale.ROOT, "%s ready: %.1f s", service.name(), seconds));
  }

  @AfterAll
  static void tearDown() {
    tearDownQuietly();
    if (shutdownHook != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException shuttingDown) {
        // the hook runs anyway
      }
    }
    if (!figures.isEmpty()) {
      System.out.println("NAT simulation figures:\n  " + String.join("\n  ", figures));
    }
  }

  /**
   * Stops every process, then deletes the namespaces (which kills anything left in them).
   * Idempotent.
   */
  private static synchronized void tearDownQuietly() {
    Namespaced.stop(services, STOP_TIMEOUT);
    services.clear();
    if (js != null) {
      js.close();
      js = null;
    }
    referenceServers.values().forEach(InteropPeer::close);
    referenceServers.clear();
    if (topologyUp) {
      Result down = runQuietly(TOPOLOGY.toString(), "down", prefix);
      if (down.exit() != 0) {
        System.err.println("topology.sh down " + prefix + " failed: " + down.stderr());
      }
      topologyUp = false;
    }
  }

  // ------------------------------------------------------------------ tests

  /**
   * Each client's monitor settles on the truth by itself, before any check job feeds it: every
   * tracked address (listen, announced, observed by the servers) gets a verdict, and no verdict is
   * ever false on the way. Times are counted from the client's REST readiness (its monitor starts
   * probing about then).
   */
  @Test
  @Order(1)
  void theMonitorsFindTheTruth() throws Exception {
    Map<String, Map<String, Double>> verdictAfter = new LinkedHashMap<>();
    CLIENTS.forEach(c -> verdictAfter.put(c.name(), new TreeMap<>()));
    Map<String, Double> settledAfter = new LinkedHashMap<>();
    Map<String, JsonNode> last = new LinkedHashMap<>();
    long deadline = System.nanoTime() + MONITOR_TIMEOUT.toNanos();
    while (true) {
      for (ClientSpec spec : CLIENTS) {
        JsonNode view = getJson(clients.get(spec.name()), "/api/v1/reachability");
        last.put(spec.name(), view);
        for (JsonNode address : view.path("addresses").values()) {
          String text = address.path("address").asString();
          String verdict = address.path("verdict").asString();
          if (!address.path("transport").asString().equals(transport(text))) {
            fail(spec.name() + ": the monitor gives " + text + " another transport:\n" + view);
          }
          if (!verdict.equals(UNKNOWN)) {
            if (!verdict.equals(spec.truth(text))) {
              fail(
                  spec.name()
                      + ": the monitor says "
                      + text
                      + " is "
                      + verdict
                      + ", but it is "
                      + spec.truth(text)
                      + ":\n"
                      + view);
            }
            verdictAfter
                .get(spec.name())
                .putIfAbsent(text, seconds(System.nanoTime() - clientReadyNanos.get(spec.name())));
          }
        }
        if (settled(spec, view)) {
          settledAfter.putIfAbsent(
              spec.name(), seconds(System.nanoTime() - clientReadyNanos.get(spec.name())));
        }
      }
      if (settledAfter.size() == CLIENTS.size()) {
        break;
      }
      if (System.nanoTime() > deadline) {
        fail("the monitors did not settle within " + MONITOR_TIMEOUT + ":\n" + describe(last));
      }
      TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
    }
    for (ClientSpec spec : CLIENTS) {
      JsonNode view = last.get(spec.name());
      System.out.println("monitor of " + spec.name() + ": " + view);
      verdictAfter
          .get(spec.name())
          .forEach(
              (address, after) ->
                  figures.add(
                      String.format(
                          Locale.ROOT,
                          "monitor %s: %s %s after %.1f s",
                          spec.name(),
                          address,
                          spec.truth(address),
                          after)));
      figures.add(
          String.format(
              Locale.ROOT,
              "monitor %s: settled after %.1f s",
              spec.name(),
              settledAfter.get(spec.name())));
      // the diagnosis the evidence supports once settled, each with evidence and a hint
      List<String> diagnoses = new ArrayList<>();
      for (JsonNode diagnosis : view.path("diagnoses").values()) {
        diagnoses.add(diagnosis.path("code").asString());
        assertThat(diagnosis.path("evidence").values()).as(spec.name()).isNotEmpty();
        assertThat(diagnosis.path("hint").asString()).as(spec.name()).isNotBlank();
        if (diagnosis.path("code").asString().equals("DOUBLE_NAT")) {
          // about where the middle server saw the node: the inner gateway's private address
          assertThat(InteropPeer.strings(diagnosis.path("addresses")))
              .as(spec.name() + ": " + diagnosis)
              .isNotEmpty()
              .allMatch(a -> a.startsWith("/ip6/" + spec.innerGatewayIp() + "/tcp/"));
        }
      }
      assertThat(diagnoses)
          .as(spec.name() + " diagnoses:\n" + view)
          .containsExactlyElementsOf(EXPECTED_DIAGNOSES.get(spec.name()));
      figures.add("monitor " + spec.name() + ": diagnoses " + diagnoses);
    }
  }

  /**
   * What each client's reachability view diagnoses: behind a refusing or dropping NAT the servers
   * observe the gateway's address and nothing gets in (port not forwarded); with TCP forwarded and
   * UDP dropped, UDP blocked; a public address refused by its own machine's firewall, firewalled; a
   * public client and a working port forward, nothing. Behind the double NAT, the middle server
   * (configured, so believed alone) observes the inner gateway's private address, not the node's
   * own, while nothing of the node's is reachable: double NAT; and the servers on the core observe
   * the outer gateway's public address, where nothing gets in either: port not forwarded.
   */
  private static final Map<String, List<String>> EXPECTED_DIAGNOSES =
      Map.of(
          "pub", List.of(),
          "nat", List.of("PORT_NOT_FORWARDED"),
          "fwd", List.of(),
          "ndr", List.of("PORT_NOT_FORWARDED"),
          "udb", List.of("UDP_BLOCKED"),
          "fwl", List.of("FIREWALLED"),
          "dnt", List.of("DOUBLE_NAT", "PORT_NOT_FORWARDED"));

  /**
   * Settled: every expected address and, behind a gateway, an address the servers observed on the
   * gateway's IP are tracked; every tracked address has a verdict; the node's reachability is
   * right.
   */
  private static boolean settled(ClientSpec spec, JsonNode view) {
    Map<String, String> verdicts = new LinkedHashMap<>();
    view.path("addresses")
        .values()
        .forEach(a -> verdicts.put(a.path("address").asString(), a.path("verdict").asString()));
    List<String> expected = new ArrayList<>(spec.listen());
    expected.addAll(spec.announce());
    boolean observedTracked =
        spec.gatewayIp() == null
            || verdicts.keySet().stream()
                .anyMatch(a -> a.startsWith("/ip6/" + spec.gatewayIp() + "/tcp/"));
    return verdicts.keySet().containsAll(expected)
        && observedTracked
        && !verdicts.containsValue(UNKNOWN)
        && view.path("reachability").asString().equals(spec.nodeReachability());
  }

  /**
   * Check jobs through REST, all seven clients at once, every pool server asked about every TCP and
   * QUIC address: public → REACHABLE, NATed → UNREACHABLE (E_DIAL_ERROR, after paying dial data:
   * the servers see its connections come from the gateway), port forward → REACHABLE, the forwarded
   * client's own address → UNREACHABLE, behind the dropping gateway → UNREACHABLE once the
   * dial-backs time out, TCP forwarded with UDP dropped → TCP REACHABLE and QUIC UNREACHABLE,
   * behind the double NAT → UNREACHABLE. js refuses QUIC addresses (it has no QUIC), so our two
   * servers decide those; the middle server, with no public address, refuses every address.
   */
  @Test
  @Order(2)
  void checkJobsTellTheTruth() throws Exception {
    Map<String, List<String>> checked = new LinkedHashMap<>();
    Map<String, String> locations = new LinkedHashMap<>();
    for (ClientSpec spec : CLIENTS) {
      checked.put(spec.name(), addressesOf(spec));
      locations.put(spec.name(), submitCheck(spec, Map.of()));
    }
    for (ClientSpec spec : CLIENTS) {
      JsonNode job = awaitJob(clients.get(spec.name()), locations.get(spec.name()));
      System.out.println("job of " + spec.name() + ": " + job);
      assertThat(job.path("state").asString()).as(spec.name() + ": " + job).isEqualTo("SUCCEEDED");
      figures.add(
          String.format(
              Locale.ROOT,
              "job %s: %s in %.1f s",
              spec.name(),
              checked.get(spec.name()),
              seconds(
                  Duration.between(
                          Instant.parse(job.path("startedAt").asString()),
                          Instant.parse(job.path("finishedAt").asString()))
                      .toNanos())));
      assertThat(job.path("results").size())
          .as(spec.name())
          .isEqualTo(checked.get(spec.name()).size());
      for (JsonNode result : job.path("results").values()) {
        assertResult(spec, result);
      }
    }
  }

  /** What a check job of {@code spec} asks about: its announced addresses first, then its own. */
  private static List<String> addressesOf(ClientSpec spec) {
    List<String> addresses = new ArrayList<>(spec.announce());
    addresses.addAll(spec.listen());
    return addresses;
  }

  /**
   * Submits a check of {@code spec}'s addresses through its REST API, with {@code fields} added to
   * the request; answers the job's location.
   */
  private static String submitCheck(ClientSpec spec, Map<String, Object> fields) throws Exception {
    Map<String, Object> request = new LinkedHashMap<>(fields);
    request.put("addresses", addressesOf(spec));
    request.put("timeoutSeconds", JOB_TIMEOUT.toSeconds());
    Response accepted =
        curl(clients.get(spec.name()), "POST", "/api/v1/checks", JSON.writeValueAsString(request));
    assertThat(accepted.status()).as(spec.name() + ": " + accepted.body()).isEqualTo(202);
    return Objects.requireNonNull(accepted.header("location"), "Location");
  }

  private static void assertResult(ClientSpec spec, JsonNode result) {
    String address = result.path("address").asString();
    String truth = spec.truth(address);
    String what = spec.name() + " " + address + ": " + result;
    assertThat(result.path("verdict").asString()).as(what).isEqualTo(truth);
    assertThat(result.path("transport").asString()).as(what).isEqualTo(transport(address));
    boolean quic = transport(address).equals(QUIC_V1);
    List<String> servers = new ArrayList<>();
    // the server sees the connection come from the gateway (or the client itself when public):
    // dial data is due exactly when the address asked about has another IP
    String seenFrom = spec.gatewayIp() != null ? spec.gatewayIp() : spec.ip();
    boolean dialDataDue = !address.startsWith("/ip6/" + seenFrom + "/");
    List<String> timings = new ArrayList<>();
    for (JsonNode attempt : result.path("attempts").values()) {
      servers.add(attempt.path("server").asString());
      if (attempt.path("server").asString().contains("/ip6/" + MIDDLE_SERVER + "/")) {
        // no public address of its own: it will not dial a public one, and says so at once
        assertThat(attempt.path("responseStatus").asString()).as(what).isEqualTo("E_DIAL_REFUSED");
        assertThat(attempt.path("nonceVerified").asBoolean()).as(what).isFalse();
        assertThat(attempt.path("dialDataBytes").asLong()).as(what).isZero();
        timings.add("middle refused in " + attempt.path("durationMs").asLong() + " ms");
        continue;
      }
      if (quic && attempt.path("server").asString().contains("/ip6/" + JS_SERVER + "/")) {
        // js-libp2p has no QUIC transport: it refuses at once, and our two servers decide
        assertThat(attempt.path("responseStatus").asString()).as(what).isEqualTo("E_DIAL_REFUSED");
        assertThat(attempt.path("nonceVerified").asBoolean()).as(what).isFalse();
        assertThat(attempt.path("dialDataBytes").asLong()).as(what).isZero();
        timings.add("js refused in " + attempt.path("durationMs").asLong() + " ms");
        continue;
      }
      assertThat(attempt.path("responseStatus").asString()).as(what).isEqualTo("OK");
      assertThat(attempt.path("dialStatus").asString())
          .as(what)
          .isEqualTo(truth.equals(REACHABLE) ? "OK" : "E_DIAL_ERROR");
      assertThat(attempt.path("nonceVerified").asBoolean())
          .as(what)
          .isEqualTo(truth.equals(REACHABLE));
      long paid = attempt.path("dialDataBytes").asLong();
      if (dialDataDue) {
        assertThat(paid).as("dial data paid: " + what).isPositive();
      } else {
        assertThat(paid).as("no dial data: " + what).isZero();
      }
      timings.add(
          serverName(attempt.path("server").asString())
              + " "
              + attempt.path("durationMs").asLong()
              + " ms"
              + (paid > 0 ? " (" + paid + " B dial data)" : ""));
    }
    // the servers on the core always answer; a job asks only as many servers as it wants answers
    // (AddressRound) and replaces only those whose answer decides nothing, so the middle server,
    // which refuses every request, is asked only when it comes before the three that decide
    assertThat(servers)
        .as("every pool server on the core answered: " + what)
        .containsAll(pool)
        .doesNotHaveDuplicates()
        .isSubsetOf(poolOf(spec));
    figures.add(
        String.format(
            Locale.ROOT,
            "  %s %s %s: %s",
            spec.name(),
            address,
            truth,
            String.join(", ", timings)));
  }

  /**
   * The verdicts hold with go-libp2p's and with rust-libp2p's stock server as the only server of a
   * check: all seven clients at once, each asking that one server about its TCP and QUIC addresses
   * (both dial QUIC back). Public → REACHABLE, NATed → UNREACHABLE (E_DIAL_ERROR), port forward →
   * REACHABLE, TCP forwarded but UDP dropped → TCP REACHABLE and QUIC UNREACHABLE. A QUIC dial-back
   * that gets no answer (dropped, or refused with icmp, which neither heeds) ends with their QUIC
   * handshake timeout (5 s) in E_DIAL_ERROR. A silently dropped TCP dial-back: go answers
   * E_DIAL_ERROR when it times out, while rust gives up on the whole request after its 10 s handler
   * limit without answering, so that check is UNKNOWN (no server said anything about the address),
   * never a false verdict.
   */
  @ParameterizedTest
  @EnumSource(
      value = PeerImplementation.class,
      names = {"GO", "RUST"})
  @Order(3)
  void eachReferenceServerAloneTellsTheTruth(PeerImplementation implementation) throws Exception {
    InteropPeer server = Objects.requireNonNull(referenceServers.get(implementation));
    String serverAddress = tcp(REFERENCE_SERVERS.get(implementation)) + "/p2p/" + server.peerId();
    Map<String, String> locations = new LinkedHashMap<>();
    for (ClientSpec spec : CLIENTS) {
      locations.put(
          spec.name(),
          submitCheck(spec, Map.of("servers", List.of(serverAddress), "confirmations", 1)));
    }
    Map<String, JsonNode> jobs = new LinkedHashMap<>();
    for (ClientSpec spec : CLIENTS) {
      JsonNode job = awaitJob(clients.get(spec.name()), locations.get(spec.name()));
      System.out.println(implementation.id() + " job of " + spec.name() + ": " + job);
      jobs.put(spec.name(), job);
    }
    for (ClientSpec spec : CLIENTS) {
      JsonNode job = jobs.get(spec.name());
      assertThat(job.path("state").asString()).as(spec.name() + ": " + job).isEqualTo("SUCCEEDED");
      for (JsonNode result : job.path("results").values()) {
        String address = result.path("address").asString();
        String what = implementation.id() + ": " + spec.name() + " " + address + ": " + result;
        boolean tcpSilentlyDropped = spec.name().equals("ndr") && transport(address).equals("tcp");
        String expected =
            tcpSilentlyDropped && implementation == PeerImplementation.RUST
                ? UNKNOWN
                : spec.truth(address);
        assertThat(result.path("verdict").asString()).as(what).isEqualTo(expected);
        assertThat(result.path("transport").asString()).as(what).isEqualTo(transport(address));
        JsonNode attempt = result.path("attempts").get(0);
        assertThat(attempt.path("server").asString()).as(what).isEqualTo(serverAddress);
        if (!expected.equals(UNKNOWN)) {
          assertThat(attempt.path("dialStatus").asString())
              .as(what)
              .isEqualTo(expected.equals(REACHABLE) ? "OK" : "E_DIAL_ERROR");
          assertThat(attempt.path("nonceVerified").asBoolean())
              .as(what)
              .isEqualTo(expected.equals(REACHABLE));
        }
        // behind a NAT the server sees another IP than the address's: both ask for dial data
        String seenFrom = spec.gatewayIp() != null ? spec.gatewayIp() : spec.ip();
        if (!address.startsWith("/ip6/" + seenFrom + "/") && !expected.equals(UNKNOWN)) {
          assertThat(attempt.path("dialDataBytes").asLong()).as("dial data: " + what).isPositive();
        }
        figures.add(
            String.format(
                Locale.ROOT,
                "  %s alone: %s %s %s in %d ms",
                implementation.id(),
                spec.name(),
                address,
                result.path("verdict").asString(),
                attempt.path("durationMs").asLong()));
      }
    }
  }

  /**
   * After the jobs the monitor still says the same, and each node advertises only what is truly
   * reachable: confirmed addresses are exactly the reachable ones, and identify (as the js server
   * receives it over the wire) never carries an unreachable address.
   */
  @Test
  @Order(4)
  void theMonitorAgreesAndOnlyTheTruthIsAdvertised() throws Exception {
    for (ClientSpec spec : CLIENTS) {
      Service client = clients.get(spec.name());
      JsonNode view = getJson(client, "/api/v1/reachability");
      assertThat(settled(spec, view)).as(spec.name() + ": " + view).isTrue();
      for (JsonNode address : view.path("addresses").values()) {
        String text = address.path("address").asString();
        assertThat(address.path("verdict").asString())
            .as(spec.name() + " " + text + ": " + view)
            .isEqualTo(spec.truth(text));
      }

      JsonNode node = getJson(client, "/api/v1/node");
      assertThat(InteropPeer.strings(node.path("confirmedAddresses")))
          .as(spec.name() + ": " + node)
          .containsExactlyInAnyOrderElementsOf(spec.reachable());
      List<String> advertised = InteropPeer.strings(node.path("advertisedAddresses"));
      assertThat(advertised).as(spec.name() + ": " + node).containsAll(spec.reachable());
      assertThat(spec.reachable())
          .as(spec.name() + " advertises only reachable addresses: " + node)
          .containsAll(advertised);

      // identify as another implementation receives it
      String peerId = node.path("peerId").asString();
      JsonNode identify = js.requestOk("identify", Map.of("peerId", peerId, "refresh", true));
      List<String> announced =
          InteropPeer.strings(identify.path("listenAddrs")).stream()
              .map(a -> a.replace("/p2p/" + peerId, ""))
              .toList();
      System.out.println("identify of " + spec.name() + " as js sees it: " + announced);
      assertThat(spec.reachable())
          .as(spec.name() + " identify: " + identify)
          .containsAll(announced);
    }
  }

  // ------------------------------------------------------------------ helpers

  private static JsonNode awaitJob(Service client, String location) throws Exception {
    long deadline = System.nanoTime() + JOB_TIMEOUT.plus(JOB_GRACE).toNanos();
    while (true) {
      JsonNode job = getJson(client, location);
      String state = job.path("state").asString();
      if (!state.equals("QUEUED") && !state.equals("RUNNING")) {
        return job;
      }
      if (System.nanoTime() > deadline) {
        fail(
            "job "
                + location
                + " of "
                + client.name()
                + " did not finish within "
                + JOB_TIMEOUT.plus(JOB_GRACE)
                + ": "
                + job);
      }
      TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
    }
  }

  private static String serverName(String server) {
    return server.contains("/ip6/" + JS_SERVER + "/")
        ? "js"
        : "ours "
            + server
                .substring(0, server.indexOf("/p2p/"))
                .replace("/ip6/", "")
                .replace("/tcp/" + LIBP2P_PORT, "");
  }

  private static String describe(Map<String, JsonNode> views) {
    StringBuilder text = new StringBuilder();
    views.forEach(
        (name, view) -> text.append("  ").append(name).append(": ").append(view).append('\n'));
    return text.toString();
  }

  private static String ns(String name) {
    return prefix + "-" + name;
  }

  private static String tcp(String ip) {
    return "/ip6/" + ip + "/tcp/" + LIBP2P_PORT;
  }

  private static String quic(String ip) {
    return "/ip6/" + ip + "/udp/" + LIBP2P_PORT + "/quic-v1";
  }

  /** The {@code transport} the REST views give {@code address}. */
  private static String transport(String address) {
    return address.endsWith("/" + QUIC_V1) ? QUIC_V1 : "tcp";
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }
}
