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
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

/**
 * The service on a mini-internet ({@code src/test/nat/mini-internet.sh}): a name server (dnsmasq)
 * whose {@code _dnsaddr.bootstrap.mini.test} TXT record names the first of six go-libp2p-kad-dht
 * nodes, each on its own /48; two of the six also serve AutoNAT v2 (go's stock server, as
 * published: 3fff::/20 is public for go). Two of our services, configured with nothing but the
 * discovery switch, the bootstrap {@code /dnsaddr} name and that name server, one public and one
 * behind a NAT gateway that refuses unsolicited inbound, must find exactly those two servers
 * through DNS and the DHT and reach the right verdicts, in their monitors and in check jobs:
 * REACHABLE in public, UNREACHABLE behind the NAT. Times are measured and printed, never asserted.
 *
 * <p>Needs root, {@code ip}, {@code nft}, {@code curl}, {@code dnsmasq} (Debian: dnsmasq-base) and
 * the go interop peer; skipped with the reason otherwise, unless {@value #REQUIRED_ENV} is {@code
 * required} ({@code .ci/run} sets it).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MiniInternetIT {

  static final String REQUIRED_ENV = NatSimulationIT.REQUIRED_ENV;

  private static final Path TOPOLOGY = Path.of("src/test/nat/mini-internet.sh");
  private static final Path LOG_DIR = Path.of("target/mini-internet-logs");

  private static final Duration COMMAND_TIMEOUT = Namespaced.COMMAND_TIMEOUT;

  /** Two JVMs and six go nodes on two cores. */
  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

  /** Until both services have found both servers (measured: see the printed figures). */
  private static final Duration DISCOVERY_TIMEOUT = Duration.ofSeconds(90);

  /** The monitors' spacing of probes to one server. */
  private static final Duration MONITOR_INTERVAL = Duration.ofSeconds(20);

  /** Until both monitors give the listen address a verdict. */
  private static final Duration MONITOR_TIMEOUT = Duration.ofSeconds(120);

  /** A check job's own bound. */
  private static final Duration JOB_TIMEOUT = Duration.ofSeconds(60);

  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);
  private static final long POLL_MILLIS = 250;
  private static final List<String> JVM_OPTIONS = List.of("-Xmx256m", "-XX:TieredStopAtLevel=1");

  private static final int LIBP2P_PORT = 4001;
  private static final int REST_PORT = 8080;
  private static final int DHT_NODES = 6;

  /** The DHT nodes that also serve AutoNAT v2 (1-based, as the namespaces d1..d6). */
  private static final Set<Integer> AUTONAT_SERVERS = Set.of(3, 5);

  private static final String NAME_SERVER = "3fff:0:100::53";
  private static final String BOOTSTRAP_NAME = "bootstrap.mini.test";

  /** Name servers keep a record this long (seconds). */
  private static final int TXT_TTL_SECONDS = 60;

  private record Host(String name, String ip, String truth) {}

  private static final List<Host> HOSTS =
      List.of(
          new Host("pub", "3fff:0:200::2", "REACHABLE"),
          new Host("nat", "3fff:0:301::2", "UNREACHABLE"));

  private static @Nullable String skipReason;
  private static String prefix;
  private static boolean topologyUp;
  private static final List<InteropPeer> dht = new ArrayList<>();
  private static @Nullable Process dnsmasq;
  private static final List<Service> services = new ArrayList<>();
  private static final Map<String, Service> byHost = new LinkedHashMap<>();
  private static final List<String> figures = new ArrayList<>();

  @BeforeAll
  static void setUp() throws Exception {
    prefix = "mi" + ProcessHandle.current().pid();
    String missing = Namespaced.missing(List.of("ip", "nft", "curl", "dnsmasq"), prefix + "-probe");
    if (missing == null && Boolean.getBoolean(InteropPeer.SKIP_PROPERTY)) {
      missing = "the go interop peer (-DskipInterop=true)";
    }
    if (missing != null) {
      String message = "the mini-internet needs " + missing;
      if ("required".equals(System.getenv(REQUIRED_ENV))) {
        fail(message + " (" + REQUIRED_ENV + "=required)");
      }
      skipReason = message + "; skipped (" + REQUIRED_ENV + "=required makes this a failure)";
      return;
    }
    PeerImplementation.GO.assumeAvailable();
    run(COMMAND_TIMEOUT, TOPOLOGY.toString(), "down-stale");
    try {
      long t0 = System.nanoTime();
      Result up = run(COMMAND_TIMEOUT, TOPOLOGY.toString(), "up", prefix);
      if (up.exit() != 0) {
        throw new AssertionError("mini-internet.sh up failed (" + up.exit() + "):\n" + up.stderr());
      }
      topologyUp = true;
      startDht();
      startNameServer();
      figures.add(String.format(Locale.ROOT, "DHT and name server up: %.1f s", seconds(t0)));
      startServices();
    } catch (Throwable e) {
      tearDown();
      throw e;
    }
  }

  @BeforeEach
  void skipWhenImpossible() {
    assumeTrue(skipReason == null, skipReason);
  }

  private static String dhtIp(int node) {
    return "3fff:0:" + (100 + node) + "::2";
  }

  private static String tcp(String ip) {
    return "/ip6/" + ip + "/tcp/" + LIBP2P_PORT;
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }

  private static void startDht() {
    for (int node = 1; node <= DHT_NODES; node++) {
      List<String> args = new ArrayList<>(List.of("--dht", "server"));
      if (node > 1) {
        args.addAll(List.of("--bootstrap", dht.get(0).addrs().get(0)));
      }
      PeerSpec spec =
          PeerSpec.node()
              .withoutAllowPrivate() // 3fff::/20 is public for go: it runs as published
              .withListen(List.of(tcp(dhtIp(node))))
              .withExtraArgs(args);
      if (AUTONAT_SERVERS.contains(node)) {
        spec = spec.withAutonat(true, false);
      }
      dht.add(
          InteropPeer.start(
              PeerImplementation.GO,
              List.of("ip", "netns", "exec", prefix + "-d" + node),
              PeerImplementation.GO.arguments(spec),
              Map.of(),
              START_TIMEOUT));
    }
    long t0 = System.nanoTime();
    long deadline = t0 + START_TIMEOUT.toNanos();
    while (dht.get(0).requestOk("dht-refresh", Map.of()).path("peers").size() < DHT_NODES - 1) {
      if (System.nanoTime() > deadline) {
        fail("the bootstrap node's table did not fill within " + START_TIMEOUT);
      }
    }
    figures.add(String.format(Locale.ROOT, "DHT table filled: %.1f s", seconds(t0)));
  }

  /** dnsmasq answering for the bootstrap name only: its TXT record names the first DHT node. */
  private static void startNameServer() throws Exception {
    java.nio.file.Files.createDirectories(LOG_DIR);
    String record = "dnsaddr=" + tcp(dhtIp(1)) + "/p2p/" + dht.get(0).peerId();
    dnsmasq =
        new ProcessBuilder(
                "ip",
                "netns",
                "exec",
                prefix + "-dns",
                "dnsmasq",
                "--keep-in-foreground",
                "--no-resolv",
                "--no-hosts",
                "--bind-interfaces",
                "--listen-address=" + NAME_SERVER,
                "--port=53",
                "--local-ttl=" + TXT_TTL_SECONDS,
                "--pid-file=" + LOG_DIR.toAbsolutePath().resolve(prefix + "-dnsmasq.pid"),
                "--log-queries",
                "--log-facility=-",
                "--txt-record=_dnsaddr." + BOOTSTRAP_NAME + "," + record)
            .redirectErrorStream(true)
            .redirectOutput(LOG_DIR.resolve(prefix + "-dnsmasq.log").toFile())
            .start();
  }

  private static void startServices() throws Exception {
    String bootstrap = "/dnsaddr/" + BOOTSTRAP_NAME + "/p2p/" + dht.get(0).peerId();
    for (Host host : HOSTS) {
      Service service =
          Namespaced.startService(
              host.name(),
              prefix + "-" + host.name(),
              REST_PORT,
              JVM_OPTIONS,
              List.of(
                  "--reach.node.listen=" + tcp(host.ip()),
                  // the one switch, the bootstrap name, and where names are looked up here
                  "--reach.pool.discovery.enabled=true",
                  "--reach.pool.discovery.bootstrap=" + bootstrap,
                  "--reach.node.dns.servers=[" + NAME_SERVER + "]:53",
                  // go's servers pay for 12 dial-backs with dial data a minute, for all clients
                  // together: the NATed monitor asks each server every 20 s (6 a minute)
                  "--reach.monitor.per-server-interval=" + MONITOR_INTERVAL.toSeconds() + "s"),
              LOG_DIR.resolve(prefix + "-" + host.name() + ".log"));
      services.add(service);
      byHost.put(host.name(), service);
    }
    for (Service service : services) {
      double ready = Namespaced.awaitReady(service, START_TIMEOUT, POLL_MILLIS);
      figures.add(String.format(Locale.ROOT, "%s ready: %.1f s", service.name(), ready));
    }
  }

  @AfterAll
  static synchronized void tearDown() {
    Namespaced.stop(services, STOP_TIMEOUT);
    services.clear();
    dht.forEach(InteropPeer::close);
    dht.clear();
    if (dnsmasq != null) {
      dnsmasq.destroyForcibly();
      dnsmasq = null;
    }
    if (topologyUp) {
      Result down = runQuietly(TOPOLOGY.toString(), "down", prefix);
      if (down.exit() != 0) {
        System.err.println("mini-internet.sh down " + prefix + " failed: " + down.stderr());
      }
      topologyUp = false;
    }
    if (!figures.isEmpty()) {
      System.out.println("mini-internet figures:\n  " + String.join("\n  ", figures));
    }
  }

  @Test
  @Order(1)
  void bothFindExactlyTheAutonatServersThroughDnsAndTheDht() throws Exception {
    Set<String> expected = new TreeSet<>();
    AUTONAT_SERVERS.forEach(node -> expected.add(dht.get(node - 1).peerId()));
    for (Service service : services) {
      long deadline = System.nanoTime() + DISCOVERY_TIMEOUT.toNanos();
      JsonNode pool;
      while (true) {
        pool = getJson(service, "/api/v1/servers");
        Set<String> found = new TreeSet<>();
        for (JsonNode server : pool.path("servers").values()) {
          found.add(server.path("peerId").asString());
        }
        if (found.equals(expected)) {
          break;
        }
        assertThat(expected)
            .as("%s found a server it should not have: %s", service.name(), pool)
            .containsAll(found);
        if (System.nanoTime() > deadline) {
          fail(
              service.name()
                  + " did not find both servers within "
                  + DISCOVERY_TIMEOUT
                  + ":\n"
                  + pool);
        }
        TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
      }
      figures.add(
          String.format(
              Locale.ROOT,
              "%s: both servers in the pool %.1f s after its start (%d contacts, %d queries)",
              service.name(),
              seconds(service.startedNanos()),
              pool.path("discovery").path("contacts").asLong(),
              pool.path("discovery").path("queries").asLong()));
      for (JsonNode server : pool.path("servers").values()) {
        assertThat(server.path("source").asString()).isEqualTo("DISCOVERED");
        assertThat(server.path("foundVia").asString()).isEqualTo(dht.get(0).peerId());
        assertThat(server.path("address").asString()).startsWith("/ip6/3fff:0:10");
      }
    }
  }

  /** The monitors reach the truth by themselves, and say nothing false on the way. */
  @Test
  @Order(2)
  void theMonitorsFindTheTruth() throws Exception {
    for (Host host : HOSTS) {
      Service service = byHost.get(host.name());
      String address = tcp(host.ip());
      long deadline = System.nanoTime() + MONITOR_TIMEOUT.toNanos();
      while (true) {
        JsonNode view = getJson(service, "/api/v1/reachability");
        String verdict = "UNKNOWN";
        for (JsonNode tracked : view.path("addresses").values()) {
          if (tracked.path("address").asString().equals(address)) {
            verdict = tracked.path("verdict").asString();
          }
        }
        if (!verdict.equals("UNKNOWN")) {
          assertThat(verdict)
              .as("%s's monitor on %s: %s", host.name(), address, view)
              .isEqualTo(host.truth());
          figures.add(
              String.format(
                  Locale.ROOT,
                  "%s: the monitor says %s %.1f s after the start",
                  host.name(),
                  verdict,
                  seconds(service.startedNanos())));
          break;
        }
        if (System.nanoTime() > deadline) {
          fail(host.name() + "'s monitor gave no verdict within " + MONITOR_TIMEOUT + ":\n" + view);
        }
        TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
      }
    }
  }

  @Test
  @Order(3)
  void checksGiveTheTruthPublicAndBehindTheNat() throws Exception {
    for (Host host : HOSTS) {
      Service service = byHost.get(host.name());
      String address = tcp(host.ip());
      long t0 = System.nanoTime();
      Response accepted =
          curl(
              service,
              "POST",
              "/api/v1/checks",
              "{\"addresses\":[\""
                  + address
                  + "\"],\"confirmations\":2,\"timeoutSeconds\":"
                  + JOB_TIMEOUT.toSeconds()
                  + "}");
      JsonNode job = awaitFinished(service, accepted);
      assertThat(job.path("state").asString()).as("%s", job).isEqualTo("SUCCEEDED");
      JsonNode result = job.path("results").get(0);
      assertThat(result.path("verdict").asString())
          .as("%s: %s", host.name(), job)
          .isEqualTo(host.truth());
      figures.add(
          String.format(
              Locale.ROOT,
              "%s: %s %s in %.1f s",
              host.name(),
              address,
              result.path("verdict").asString(),
              seconds(t0)));
    }
  }

  /**
   * Peer checks from the public service: a DHT node named by its id alone (its addresses come from
   * the DHT, as a new user would ask), the NATed service's node (behind the refusing gateway), and
   * one DHT node's address under another's id.
   */
  @Test
  @Order(4)
  void peerChecksFindAPeerByIdAndTellTheNatedAndTheWrongOneApart() throws Exception {
    Service pub = byHost.get("pub");
    InteropPeer onlyInTheDht = dht.get(DHT_NODES - 1); // neither a bootstrap peer nor a server
    long t0 = System.nanoTime();
    JsonNode byId =
        awaitFinished(
            pub,
            curl(
                pub,
                "POST",
                "/api/v1/peer-checks",
                "{\"peer\":\"" + onlyInTheDht.peerId() + "\"}"));
    assertThat(byId.path("state").asString()).as("%s", byId).isEqualTo("SUCCEEDED");
    assertThat(byId.path("verdict").asString()).as("%s", byId).isEqualTo("REACHABLE");
    assertThat(byId.path("lookedUp").asBoolean()).isTrue();
    assertThat(byId.path("agentVersion").asString()).as("%s", byId).isNotBlank();
    JsonNode reached = null;
    for (JsonNode address : byId.path("addresses").values()) {
      assertThat(address.path("source").asString()).isEqualTo("DHT");
      if (address.path("verdict").asString().equals("REACHABLE")) {
        reached = address;
      }
    }
    assertThat(reached).as("%s", byId).isNotNull();
    assertThat(reached.path("address").asString()).isEqualTo(tcp(dhtIp(DHT_NODES)));
    assertThat(reached.path("provenPeer").asString()).isEqualTo(onlyInTheDht.peerId());
    assertThat(reached.path("protocols").toString()).contains("/ipfs/kad/1.0.0");
    figures.add(
        String.format(
            Locale.ROOT,
            "pub: peer check of a DHT node by its id alone: REACHABLE in %.1f s",
            seconds(t0)));

    String natPeer = getJson(byHost.get("nat"), "/api/v1/node").path("peerId").asString();
    String behindNat = tcp(HOSTS.get(1).ip()) + "/p2p/" + natPeer;
    String wrong = tcp(dhtIp(1)) + "/p2p/" + dht.get(1).peerId();
    t0 = System.nanoTime();
    JsonNode nated =
        awaitFinished(
            pub, curl(pub, "POST", "/api/v1/peer-checks", "{\"peer\":\"" + behindNat + "\"}"));
    JsonNode impostor =
        awaitFinished(
            pub, curl(pub, "POST", "/api/v1/peer-checks", "{\"peer\":\"" + wrong + "\"}"));
    assertThat(nated.path("verdict").asString()).as("%s", nated).isEqualTo("UNREACHABLE");
    assertThat(impostor.path("verdict").asString()).as("%s", impostor).isEqualTo("WRONG_PEER");
    assertThat(impostor.path("addresses").get(0).path("provenPeer").asString())
        .isEqualTo(dht.get(0).peerId());
    figures.add(
        String.format(
            Locale.ROOT,
            "pub: peer checks of the NATed node and of a wrong id: %.1f s",
            seconds(t0)));
  }

  /** Polls a job accepted with 202 until it leaves QUEUED and RUNNING. */
  private static JsonNode awaitFinished(Service service, Response accepted) throws Exception {
    assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
    String location =
        java.util.Objects.requireNonNull(accepted.header("location"), "Location")
            .replaceFirst("^https?://[^/]+", "");
    long deadline = System.nanoTime() + JOB_TIMEOUT.plusSeconds(15).toNanos();
    while (true) {
      JsonNode job = getJson(service, location);
      String state = job.path("state").asString();
      if (!state.equals("QUEUED") && !state.equals("RUNNING")) {
        return job;
      }
      if (System.nanoTime() > deadline) {
        fail(service.name() + ": the job at " + location + " did not finish:\n" + job);
      }
      TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
    }
  }
}
