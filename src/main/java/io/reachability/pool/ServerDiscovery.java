package io.reachability.pool;

import io.reachability.autonat.AddressClass;
import io.reachability.autonat.AutonatV2;
import io.reachability.libp2p.core.Connection;
import io.reachability.libp2p.core.Errors;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.MultiaddrException;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.host.Host;
import io.reachability.libp2p.identify.IdentifyResult;
import io.reachability.libp2p.kad.Kad;
import io.reachability.libp2p.kad.KadClient;
import io.reachability.libp2p.kad.KadMessages;
import io.reachability.libp2p.kad.KadPeer;
import io.reachability.libp2p.multiformats.IpLiterals;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps {@link DiscoverySettings#targetServers()} AutoNAT v2 servers from the DHT in the pool, as
 * go-libp2p's own client finds its servers among the peers it meets. Every {@link
 * DiscoverySettings#interval()} one step: replace discovered servers that failed {@link
 * DiscoverySettings#maxFailuresInARow()} times in a row or said they do not speak AutoNAT v2; then,
 * while the pool is short, ask one DHT node ({@code FIND_NODE} for a random key; the bootstrap
 * peers first, then the DHT servers met since) and vet the peers it names: dial one public TCP or
 * QUIC address, identify, keep those that list {@link AutonatV2#DIAL_REQUEST_PROTOCOL}, one per
 * network (/24, /48), and remember those that serve the DHT as nodes to ask. Every dial counts
 * against {@link DiscoverySettings#contactsPerMinute()}; what is remembered is bounded; a vetted
 * peer that is not kept is hung up on.
 */
public final class ServerDiscovery implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ServerDiscovery.class);

  /** DHT nodes remembered to ask. */
  static final int MAX_DHT_NODES = 64;

  /** IPv4 networks are told apart by their /24, IPv6 ones by their /48. */
  static final int IPV4_NETWORK_BITS = 24;

  static final int IPV6_NETWORK_BITS = 48;

  /**
   * The state file is read up to this size; a larger one (not ours, or damaged) is ignored whole.
   * Far above {@link DiscoverySettings#MAX_TARGET_SERVERS} lines of real multiaddrs.
   */
  static final long MAX_STATE_FILE_BYTES = 256 * 1024;

  /** The first line of the state file. */
  static final String STATE_FILE_HEADER =
      "# AutoNAT v2 servers found on the DHT by the reachability service; rewritten as they change";

  /** What remembered servers say was their finder. */
  static final String REMEMBERED = "remembered";

  /** Bound on one vetting (dial, upgrade, identify). */
  static final Duration CONTACT_TIMEOUT = ServerPool.PROBE_TIMEOUT;

  /** Bound on one DHT query: a dial and a {@code FIND_NODE}, each within its own bound. */
  static final Duration QUERY_TIMEOUT = CONTACT_TIMEOUT.plus(Kad.REQUEST_TIMEOUT);

  /** Bound on a step's vettings together (each has {@link #CONTACT_TIMEOUT}; they run at once). */
  static final Duration VETTING_TIMEOUT = CONTACT_TIMEOUT.multipliedBy(2);

  /**
   * Peers vetted at once per missing server: most peers of a real DHT serve no AutoNAT v2, so a
   * step vets a few for each server the pool lacks.
   */
  static final int VETTED_PER_MISSING_SERVER = 4;

  private final Host host;
  private final ServerPool pool;
  private final DiscoverySettings settings;
  private final Clock clock;
  private final RandomGenerator random;
  private final ScheduledExecutorService timer;

  // touched only by the discovery thread
  private final Map<PeerId, Boolean> seen;
  private final ArrayDeque<Candidate> candidates = new ArrayDeque<>();
  private final LinkedHashMap<PeerId, Multiaddr> dhtNodes = new LinkedHashMap<>();

  /** {@link #dhtNodes} as of the last step, for other threads. */
  private volatile List<Multiaddr> dhtNodeSnapshot = List.of();

  private int nextNode;
  private Instant window = Instant.EPOCH;
  private int contactsInWindow;

  private volatile int dhtNodeCount;
  private volatile int candidateCount;
  private final AtomicLong contacts = new AtomicLong();
  private final AtomicLong queries = new AtomicLong();
  private final AtomicLong vetted = new AtomicLong();
  private final AtomicLong admitted = new AtomicLong();
  private final AtomicLong replaced = new AtomicLong();

  /** A peer a DHT node named, and which node that was. */
  private record Candidate(KadPeer peer, PeerId via) {}

  /** What vetting one candidate found. */
  private record Vetting(
      Candidate candidate, Multiaddr address, @Nullable IdentifyResult identify) {}

  /** Counters for the API and metrics. */
  public record Status(
      int servers,
      int target,
      int dhtNodes,
      int candidates,
      long contacts,
      long queries,
      long vetted,
      long admitted,
      long replaced) {}

  public ServerDiscovery(
      Host host, ServerPool pool, DiscoverySettings settings, Clock clock, RandomGenerator random) {
    this.host = host;
    this.pool = pool;
    this.settings = settings;
    this.clock = clock;
    this.random = random;
    int maxSeen = settings.maxKnownPeers();
    this.seen =
        new LinkedHashMap<>(16, 0.75f, false) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<PeerId, Boolean> eldest) {
            return size() > maxSeen;
          }
        };
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread = new Thread(r, "server-discovery");
              thread.setDaemon(true);
              return thread;
            });
  }

  /**
   * Puts the servers the state file remembers back into the pool (they are identified again, and
   * replaced by the usual rules when they fail), then takes the first step now and one every {@link
   * DiscoverySettings#interval()}.
   */
  public ServerDiscovery start() {
    for (Multiaddr address : remembered()) {
      PoolServer server = PoolServer.discovered(address, REMEMBERED);
      if (pool.discovered().size() < settings.targetServers() && pool.add(server)) {
        seen.put(server.peerId(), Boolean.TRUE);
        ServerPool.probe(host, server);
      }
    }
    log.info(
        "server discovery: keeping {} AutoNAT v2 servers from the DHT, starting from {}",
        settings.targetServers(),
        settings.bootstrap());
    timer.scheduleWithFixedDelay(
        this::step, 0, settings.interval().toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  /**
   * The DHT nodes met so far (each with {@code /p2p}), as of the last step: where a peer check's
   * lookup can start. Safe from any thread.
   */
  public List<Multiaddr> dhtNodes() {
    return dhtNodeSnapshot;
  }

  public Status status() {
    return new Status(
        pool.discovered().size(),
        settings.targetServers(),
        dhtNodeCount,
        candidateCount,
        contacts.get(),
        queries.get(),
        vetted.get(),
        admitted.get(),
        replaced.get());
  }

  /** One step (the timer's; tests call it directly). */
  void step() {
    List<PoolServer> before = pool.discovered();
    try {
      replaceFailing();
      if (pool.discovered().size() >= settings.targetServers()) {
        return;
      }
      if (candidates.size() < settings.targetServers()) {
        askTheDht();
      }
      vet();
    } catch (RuntimeException e) {
      // the next step tries again; nothing may end the timer
      log.warn("server discovery step failed: {}", Errors.describe(e));
    } finally {
      dhtNodeCount = dhtNodes.size();
      dhtNodeSnapshot =
          dhtNodes.entrySet().stream().map(e -> e.getValue().withPeerId(e.getKey())).toList();
      candidateCount = candidates.size();
      if (!pool.discovered().equals(before)) {
        remember();
      }
    }
  }

  /** The server addresses the state file holds (none when there is no file, or it is bad). */
  List<Multiaddr> remembered() {
    Path file = settings.stateFile();
    if (file == null || !Files.isRegularFile(file)) {
      return List.of();
    }
    try {
      if (Files.size(file) > MAX_STATE_FILE_BYTES) {
        log.warn("server discovery: ignoring {}: larger than {} bytes", file, MAX_STATE_FILE_BYTES);
        return List.of();
      }
      List<Multiaddr> servers = new ArrayList<>();
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        String text = line.strip();
        if (text.isEmpty() || text.startsWith("#")) {
          continue;
        }
        if (servers.size() == settings.targetServers()) {
          break;
        }
        try {
          Multiaddr address = Multiaddr.fromString(text);
          if (address.peerId().isPresent() && address.toIpSocketAddress().isPresent()) {
            servers.add(address);
            continue;
          }
        } catch (MultiaddrException e) {
          // reported below
        }
        log.warn("server discovery: ignoring a line of {} that is no server address", file);
      }
      return servers;
    } catch (IOException e) {
      log.warn("server discovery: cannot read {}: {}", file, e.toString());
      return List.of();
    }
  }

  /** Rewrites the state file with the discovered servers now (atomically: a temp file, moved). */
  void remember() {
    Path file = settings.stateFile();
    if (file == null) {
      return;
    }
    List<String> lines = new ArrayList<>();
    lines.add(STATE_FILE_HEADER);
    pool.discovered().forEach(server -> lines.add(server.address().toString()));
    try {
      Path directory = file.toAbsolutePath().getParent();
      if (directory != null) {
        Files.createDirectories(directory);
      }
      Path temp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.write(temp, lines, StandardCharsets.UTF_8);
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      log.warn("server discovery: cannot write {}: {}", file, e.toString());
    }
  }

  /** Drops discovered servers that keep failing or do not serve AutoNAT v2. */
  void replaceFailing() {
    for (PoolServer server : pool.discovered()) {
      boolean failing = server.failuresInARow() >= settings.maxFailuresInARow();
      if ((failing || Boolean.FALSE.equals(server.speaksAutonatV2()))
          && pool.removeDiscovered(server.peerId())) {
        replaced.incrementAndGet();
        seen.remove(server.peerId()); // it may come back later, vetted again
        log.info(
            "server discovery: dropped {} ({})",
            server.address(),
            failing ? server.failuresInARow() + " failures in a row" : "does not speak AutoNAT v2");
      }
    }
  }

  private void askTheDht() {
    if (dhtNodes.isEmpty()) {
      for (Multiaddr peer : settings.bootstrap()) {
        dhtNodes.put(peer.peerId().orElseThrow(), peer);
      }
    }
    if (dhtNodes.isEmpty() || !takeContact()) {
      return;
    }
    List<Map.Entry<PeerId, Multiaddr>> nodes = new ArrayList<>(dhtNodes.entrySet());
    Map.Entry<PeerId, Multiaddr> node = nodes.get(nextNode++ % nodes.size());
    queries.incrementAndGet();
    List<KadPeer> found;
    try {
      found =
          host.dial(node.getValue())
              .thenCompose(
                  connection -> KadClient.findNode(connection, KadMessages.randomKey(random)))
              .get(QUERY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    } catch (Exception e) {
      log.debug("server discovery: asking {} failed: {}", node.getValue(), e.toString());
      if (!isBootstrap(node.getKey())) {
        dhtNodes.remove(node.getKey());
      }
      return;
    }
    int fresh = 0;
    for (KadPeer peer : found) {
      if (peer.id().equals(host.peerId())
          || seen.containsKey(peer.id())
          || pool.find(peer.id()).isPresent()) {
        continue;
      }
      seen.put(peer.id(), Boolean.TRUE);
      if (candidates.size() < settings.maxKnownPeers()) {
        candidates.add(new Candidate(peer, node.getKey()));
        fresh++;
      }
    }
    log.debug("server discovery: {} named {} peers, {} new", node.getValue(), found.size(), fresh);
  }

  private boolean isBootstrap(PeerId peer) {
    return settings.bootstrap().stream().anyMatch(b -> b.peerId().orElseThrow().equals(peer));
  }

  private void vet() {
    List<CompletableFuture<Void>> running = new ArrayList<>();
    ConcurrentLinkedQueue<Vetting> done = new ConcurrentLinkedQueue<>();
    int wanted = settings.targetServers() - pool.discovered().size();
    int budget = Math.max(1, wanted * VETTED_PER_MISSING_SERVER);
    while (!candidates.isEmpty() && running.size() < budget) {
      Candidate candidate = candidates.poll();
      Optional<Multiaddr> address = dialable(candidate.peer());
      if (address.isEmpty()) {
        continue;
      }
      if (!takeContact()) {
        candidates.addFirst(candidate);
        break;
      }
      vetted.incrementAndGet();
      Multiaddr target = address.get().withPeerId(candidate.peer().id());
      running.add(
          host.dial(target)
              .thenCompose(host::identify)
              .orTimeout(CONTACT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
              .handle(
                  (identified, error) -> {
                    done.add(new Vetting(candidate, target, error == null ? identified : null));
                    return null;
                  }));
    }
    if (running.isEmpty()) {
      return;
    }
    try {
      CompletableFuture.allOf(running.toArray(CompletableFuture[]::new))
          .get(VETTING_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    } catch (Exception e) {
      // each vetting has its own timeout; those not done by now are dropped below
    }
    for (Vetting vetting : done) {
      judge(vetting);
    }
  }

  private void judge(Vetting vetting) {
    IdentifyResult identify = vetting.identify();
    PeerId id = vetting.candidate().peer().id();
    if (identify == null) {
      return;
    }
    if (identify.supports(Kad.PROTOCOL_ID)
        && (dhtNodes.size() < MAX_DHT_NODES || dhtNodes.containsKey(id))) {
      dhtNodes.put(id, vetting.address());
    }
    boolean kept = false;
    if (identify.supports(AutonatV2.DIAL_REQUEST_PROTOCOL)
        && pool.discovered().size() < settings.targetServers()
        && !networkTaken(vetting.address())) {
      PoolServer server =
          PoolServer.discovered(vetting.address(), vetting.candidate().via().toString());
      server.speaksAutonatV2(true);
      server.answeredLastContact(true);
      if (pool.add(server)) {
        kept = true;
        admitted.incrementAndGet();
        log.info(
            "server discovery: added {} (named by {})",
            vetting.address(),
            vetting.candidate().via());
      }
    }
    if (!kept && !dhtNodes.containsKey(id)) {
      // nothing to keep it for: do not hold the connection
      host.connections(id).forEach(Connection::close);
    }
  }

  /** A TCP address first, else QUIC, that is public (unless private ones are allowed). */
  private Optional<Multiaddr> dialable(KadPeer peer) {
    Optional<Multiaddr> quic = Optional.empty();
    for (Multiaddr address : peer.addresses()) {
      Optional<InetSocketAddress> socket = address.toIpSocketAddress();
      if (socket.isEmpty() || !host.canDial(address)) {
        continue;
      }
      if (!settings.allowPrivateAddresses() && !AddressClass.isPublic(address)) {
        continue;
      }
      if (!address.isQuic()) {
        return Optional.of(address);
      }
      if (quic.isEmpty()) {
        quic = Optional.of(address);
      }
    }
    return quic;
  }

  /**
   * Whether a discovered server is on {@code address}'s network already (/24, /48): the pool should
   * not be one operator's machines. On private addresses (labs) every server may share one.
   */
  private boolean networkTaken(Multiaddr address) {
    if (settings.allowPrivateAddresses()) {
      return false;
    }
    byte[] network = network(address);
    return network != null
        && pool.discovered().stream()
            .anyMatch(server -> Arrays.equals(network, network(server.address())));
  }

  private static byte @Nullable [] network(Multiaddr address) {
    Optional<InetSocketAddress> socket = address.toIpSocketAddress();
    if (socket.isEmpty()) {
      return null;
    }
    byte[] ip = socket.get().getAddress().getAddress();
    return IpLiterals.prefix(ip, ip.length == 4 ? IPV4_NETWORK_BITS : IPV6_NETWORK_BITS);
  }

  /** One dial out of this minute's budget; false when it is spent. */
  private boolean takeContact() {
    Instant now = clock.instant();
    if (!now.isBefore(window.plus(Duration.ofMinutes(1)))) {
      window = now;
      contactsInWindow = 0;
    }
    if (contactsInWindow >= settings.contactsPerMinute()) {
      return false;
    }
    contactsInWindow++;
    contacts.incrementAndGet();
    return true;
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
