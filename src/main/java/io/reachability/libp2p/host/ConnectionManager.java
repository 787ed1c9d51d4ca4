package io.reachability.libp2p.host;

import io.netty.channel.Channel;
import io.reachability.libp2p.Libp2pException;
import io.reachability.libp2p.core.Connection;
import io.reachability.libp2p.core.ConnectionListener;
import io.reachability.libp2p.core.Direction;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.dns.MultiaddrResolver;
import io.reachability.libp2p.transport.ConnectionUpgrader;
import io.reachability.libp2p.transport.StreamHandlerRegistry;
import io.reachability.libp2p.transport.Transport;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's connections: dials (one attempt per peer at a time, open connections reused), accepts
 * within the limits (in all, per IP, per subnet; upgrading connections count), the reserves kept
 * past those limits for one protocol each, and the set of open connections with its listeners. Raw
 * channels come from the {@link Transport} that handles the address and are secured and multiplexed
 * by the {@link ConnectionUpgrader}.
 */
final class ConnectionManager {

  private static final Logger log = LoggerFactory.getLogger(ConnectionManager.class);

  private final PeerId self;
  private final HostSettings settings;
  private final ConnectionUpgrader upgrader;
  private final StreamHandlerRegistry registry;
  private final Consumer<Connection> onConnected;
  private final InboundLimits inboundLimits;
  private final List<InboundReservation> reservations = new CopyOnWriteArrayList<>();
  private final List<ConnectionListener> listeners = new CopyOnWriteArrayList<>();
  private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
  private final Map<PeerId, CompletableFuture<Connection>> pendingDials = new ConcurrentHashMap<>();

  /** Sockets open, inbound and outbound, against {@link HostSettings#maxConnections()}. */
  private final AtomicInteger sockets = new AtomicInteger();

  /**
   * Inbound connections turned away for lack of room: refused at accept or pushed out of a reserve.
   */
  private final AtomicLong turnedAway = new AtomicLong();

  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile List<Transport> transports = List.of();
  private volatile @Nullable MultiaddrResolver resolver;

  /**
   * Resolved addresses of one DNS address dialed in turn at most, each within the dial timeout: a
   * name with dozens of records is not a licence to open dozens of connections.
   */
  static final int MAX_RESOLVED_DIALS = 4;

  /**
   * @param onConnected runs for every new connection, before the listeners
   */
  ConnectionManager(
      PeerId self,
      HostSettings settings,
      ConnectionUpgrader upgrader,
      StreamHandlerRegistry registry,
      Consumer<Connection> onConnected) {
    this.self = self;
    this.settings = settings;
    this.upgrader = upgrader;
    this.registry = registry;
    this.onConnected = onConnected;
    this.inboundLimits =
        new InboundLimits(
            Math.min(settings.maxInboundConnections(), settings.maxConnections()),
            settings.maxInboundConnectionsPerIp(),
            settings.maxInboundConnectionsPerSubnet());
  }

  /** The transports to listen and dial with, the first that handles an address being used. */
  void use(List<Transport> available) {
    transports = List.copyOf(available);
  }

  /** What resolves the DNS addresses dialed; without one they cannot be dialed. */
  void resolveWith(MultiaddrResolver dnsResolver) {
    resolver = dnsResolver;
  }

  List<Transport> transports() {
    return transports;
  }

  private Optional<Transport> transportFor(Multiaddr address) {
    return transports.stream().filter(t -> t.handles(address)).findFirst();
  }

  /** Listens on {@code address}; accepted channels go through the inbound limits. */
  CompletableFuture<Channel> listen(Multiaddr address) {
    Optional<Transport> transport = transportFor(address);
    if (transport.isEmpty()) {
      return CompletableFuture.failedFuture(noTransport("listen on", address));
    }
    Transport chosen = transport.get();
    return chosen.listen(address, channel -> accept(chosen, channel));
  }

  /** Names what the host can do instead, so the error stays true when transports are added. */
  private Libp2pException noTransport(String action, Multiaddr address) {
    return new Libp2pException(
        "cannot "
            + action
            + " "
            + address
            + ": no transport handles it (this host has "
            + transports.stream().map(Transport::describe).toList()
            + ")");
  }

  void addListener(ConnectionListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  List<Connection> all() {
    return List.copyOf(connections);
  }

  List<Connection> to(PeerId peer) {
    List<Connection> result = new ArrayList<>();
    for (Connection c : connections) {
      if (c.remotePeer().equals(peer) && c.isOpen()) {
        result.add(c);
      }
    }
    return result;
  }

  /** See {@link Host#dial(Multiaddr)} and {@link Host#dialOutbound(Multiaddr)}. */
  CompletableFuture<Connection> dial(Multiaddr address, boolean outboundOnly) {
    if (closed.get()) {
      return CompletableFuture.failedFuture(new Libp2pException("host is closed"));
    }
    Optional<PeerId> expected = address.peerId();
    if (expected.isEmpty()) {
      return newConnection(address, null);
    }
    PeerId peer = expected.get();
    if (peer.equals(self)) {
      return CompletableFuture.failedFuture(
          new Libp2pException("refusing to dial ourselves: " + address));
    }
    // a connection we dialed first: the peer keeps those, while one it opened may be short-lived
    List<Connection> existing = to(peer);
    Optional<Connection> outbound =
        existing.stream().filter(c -> c.direction() == Direction.OUTBOUND).findFirst();
    if (outbound.isPresent()) {
      return CompletableFuture.completedFuture(outbound.get());
    }
    if (!outboundOnly && !existing.isEmpty()) {
      return CompletableFuture.completedFuture(existing.get(0));
    }
    CompletableFuture<Connection> fresh = new CompletableFuture<>();
    CompletableFuture<Connection> pending = pendingDials.putIfAbsent(peer, fresh);
    if (pending != null) {
      return pending;
    }
    newConnection(address, peer)
        .whenComplete(
            (connection, error) -> {
              pendingDials.remove(peer, fresh);
              if (error != null) {
                fresh.completeExceptionally(error);
              } else {
                fresh.complete(connection);
              }
            });
    return fresh;
  }

  /** See {@link Host#dialNew(Multiaddr, Runnable)}. */
  CompletableFuture<Connection> dialNew(Multiaddr address, @Nullable Runnable socketConnected) {
    if (closed.get()) {
      return CompletableFuture.failedFuture(new Libp2pException("host is closed"));
    }
    // from an ephemeral port: two checks of one address in a row must not share a four-tuple
    // (loopback reuses a TIME_WAIT tuple at once, and the peer may still hold the old socket)
    return newConnection(address, null, true, socketConnected);
  }

  private CompletableFuture<Connection> newConnection(
      Multiaddr address, @Nullable PeerId expected) {
    return newConnection(address, expected, false, null);
  }

  private CompletableFuture<Connection> newConnection(
      Multiaddr address,
      @Nullable PeerId expected,
      boolean ephemeralPort,
      @Nullable Runnable socketConnected) {
    MultiaddrResolver dns = resolver;
    if (!address.isDns()) {
      return connect(address, expected, ephemeralPort, socketConnected);
    }
    if (dns == null) {
      return CompletableFuture.failedFuture(new Libp2pException("host is not started"));
    }
    return dns.resolve(address)
        .thenCompose(
            resolved -> {
              List<Multiaddr> dialable =
                  resolved.stream()
                      .filter(a -> transportFor(a.withoutPeerId()).isPresent())
                      .limit(MAX_RESOLVED_DIALS)
                      .toList();
              if (dialable.isEmpty()) {
                return CompletableFuture.failedFuture(
                    new Libp2pException(
                        address
                            + " resolves to "
                            + resolved
                            + ", none of which this host can dial ("
                            + transports.stream().map(Transport::describe).toList()
                            + ")"));
              }
              return connectInTurn(dialable, 0, expected, ephemeralPort, socketConnected);
            });
  }

  /** Dials {@code candidates[index]}, and the next one when it fails, until one succeeds. */
  private CompletableFuture<Connection> connectInTurn(
      List<Multiaddr> candidates,
      int index,
      @Nullable PeerId expected,
      boolean ephemeralPort,
      @Nullable Runnable socketConnected) {
    Multiaddr candidate = candidates.get(index);
    // a /dnsaddr without a peer id may name several peers: each record proves its own
    @Nullable PeerId proven = expected != null ? expected : candidate.peerId().orElse(null);
    CompletableFuture<Connection> attempt =
        connect(candidate, proven, ephemeralPort, socketConnected);
    if (index + 1 == candidates.size()) {
      return attempt;
    }
    return attempt.exceptionallyCompose(
        error -> {
          log.debug("dial of {} failed ({}), trying the next address", candidate, error.toString());
          return connectInTurn(candidates, index + 1, expected, ephemeralPort, socketConnected);
        });
  }

  private CompletableFuture<Connection> connect(
      Multiaddr address,
      @Nullable PeerId expected,
      boolean ephemeralPort,
      @Nullable Runnable socketConnected) {
    if (transports.isEmpty()) {
      return CompletableFuture.failedFuture(new Libp2pException("host is not started"));
    }
    Multiaddr target = address.withoutPeerId();
    Optional<Transport> transport = transportFor(target);
    if (transport.isEmpty()) {
      return CompletableFuture.failedFuture(noTransport("dial", address));
    }
    if (sockets.incrementAndGet() > settings.maxConnections()) {
      sockets.decrementAndGet();
      return CompletableFuture.failedFuture(
          new Libp2pException(
              "connection limit reached ("
                  + settings.maxConnections()
                  + "), not dialing "
                  + address));
    }
    // released exactly once: when the socket closes, or when the dial fails before there is one
    AtomicBoolean released = new AtomicBoolean();
    Runnable release =
        () -> {
          if (released.compareAndSet(false, true)) {
            sockets.decrementAndGet();
          }
        };
    CompletableFuture<Connection> result = new CompletableFuture<>();
    Transport chosen = transport.get();
    Consumer<Channel> connected =
        channel -> {
          channel.closeFuture().addListener(f -> release.run());
          if (socketConnected != null) {
            socketConnected.run();
          }
          chosen
              .upgrade(channel, Direction.OUTBOUND, expected, registry, upgrader)
              .whenComplete((connection, error) -> settle(result, connection, error));
        };
    (ephemeralPort
            ? chosen.dialFromEphemeralPort(target, settings.dialTimeout(), connected)
            : chosen.dial(target, settings.dialTimeout(), connected))
        .whenComplete(
            (channel, error) -> {
              if (error != null) {
                release.run();
                result.completeExceptionally(error);
              }
            });
    return result;
  }

  private void accept(Transport transport, Channel channel) {
    if (closed.get()) {
      channel.close();
      return;
    }
    InetAddress ip = transport.remoteSocketAddress(channel).getAddress();
    String refusal = admit(ip);
    if (refusal == null) {
      channel
          .closeFuture()
          .addListener(
              f -> {
                sockets.decrementAndGet();
                inboundLimits.release(ip);
              });
      transport
          .upgrade(channel, Direction.INBOUND, null, registry, upgrader)
          .whenComplete((connection, error) -> settle(null, connection, error));
      return;
    }
    for (InboundReservation reservation : reservations) {
      InboundReservation.Member member = reservation.admit(channel, ip);
      if (member != null) {
        log.debug(
            "inbound connection from {} over the limits ({}): admitted for {} only",
            channel.remoteAddress(),
            refusal,
            reservation.protocolId());
        transport
            .upgrade(
                channel, Direction.INBOUND, null, reservation.registry(member, registry), upgrader)
            .whenComplete(
                (connection, error) -> {
                  if (connection != null) {
                    reservation.upgraded(member);
                  }
                  settle(null, connection, error);
                });
        return;
      }
    }
    log.debug("refusing inbound connection from {}: {}", channel.remoteAddress(), refusal);
    turnedAway.incrementAndGet();
    transport.refuse(channel);
  }

  /**
   * Counts an inbound connection from {@code ip} when every bound allows it: null then, else why
   * not.
   */
  private @Nullable String admit(InetAddress ip) {
    if (sockets.incrementAndGet() > settings.maxConnections()) {
      sockets.decrementAndGet();
      return settings.maxConnections() + " connections open";
    }
    String refusal = inboundLimits.tryAdmit(ip);
    if (refusal != null) {
      sockets.decrementAndGet();
    }
    return refusal;
  }

  /** See {@link Host#reserveInboundSlots(String, int, BooleanSupplier, Predicate)}. */
  InboundReservation reserve(
      String protocolId, int slots, BooleanSupplier wanted, Predicate<InetAddress> expected) {
    Objects.requireNonNull(protocolId, "protocolId");
    Objects.requireNonNull(wanted, "wanted");
    Objects.requireNonNull(expected, "expected");
    if (slots < 1 || slots > Host.MAX_RESERVED_SLOTS) {
      throw new IllegalArgumentException(
          "slots must be in [1, " + Host.MAX_RESERVED_SLOTS + "], was " + slots);
    }
    InboundReservation reservation =
        new InboundReservation(
            protocolId,
            slots,
            wanted,
            expected,
            settings.upgrade().upgradeTimeout(),
            reservations::remove,
            turnedAway::incrementAndGet);
    reservations.add(reservation);
    return reservation;
  }

  long turnedAway() {
    return turnedAway.get();
  }

  InboundLimits inboundLimits() {
    return inboundLimits;
  }

  private void settle(
      @Nullable CompletableFuture<Connection> result,
      @Nullable Connection connection,
      @Nullable Throwable error) {
    if (error != null || connection == null) {
      if (result != null) {
        result.completeExceptionally(error != null ? error : new Libp2pException("upgrade failed"));
      }
      return;
    }
    connections.add(connection);
    connection
        .closeFuture()
        .whenComplete(
            (v, e) -> {
              connections.remove(connection);
              for (ConnectionListener listener : listeners) {
                Listeners.safely("connection listener", () -> listener.disconnected(connection));
              }
            });
    Listeners.safely("connection setup", () -> onConnected.accept(connection));
    for (ConnectionListener listener : listeners) {
      Listeners.safely("connection listener", () -> listener.connected(connection));
    }
    if (result != null && !result.complete(connection)) {
      // the dialer gave up (a timeout, a cancel) before the upgrade ended: nobody will use it
      connection.close();
    }
  }

  /** Refuses new connections, inbound and outbound, from now on. */
  void refuseNew() {
    closed.set(true);
  }

  /** Refuses new connections and closes every open one, waiting up to {@code timeout}. */
  void closeAll(Duration timeout) {
    refuseNew();
    List<CompletableFuture<Void>> closing = new ArrayList<>();
    for (Connection connection : connections) {
      closing.add(connection.close());
    }
    try {
      CompletableFuture.allOf(closing.toArray(new CompletableFuture<?>[0]))
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.debug("connections did not all close in time: {}", e.toString());
    }
  }
}
