package io.reachability.libp2p.host;

import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.EventExecutor;
import io.reachability.libp2p.Libp2pException;
import io.reachability.libp2p.core.Connection;
import io.reachability.libp2p.core.ConnectionListener;
import io.reachability.libp2p.core.Direction;
import io.reachability.libp2p.core.Errors;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.core.ProtocolHandler;
import io.reachability.libp2p.core.Stream;
import io.reachability.libp2p.crypto.PrivateKey;
import io.reachability.libp2p.dns.MultiaddrResolver;
import io.reachability.libp2p.identify.Identify;
import io.reachability.libp2p.identify.IdentifyResult;
import io.reachability.libp2p.identify.IdentifyService;
import io.reachability.libp2p.multiformats.Protocol;
import io.reachability.libp2p.ping.Ping;
import io.reachability.libp2p.ping.PingService;
import io.reachability.libp2p.transport.ConnectionUpgrader;
import io.reachability.libp2p.transport.QuicTransport;
import io.reachability.libp2p.transport.StreamHandlerRegistry;
import io.reachability.libp2p.transport.TcpTransport;
import io.reachability.libp2p.transport.Transport;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A libp2p node: listens, dials, upgrades connections (Noise + yamux), serves registered protocols
 * on inbound streams, and runs identify and ping. Spring-free; build one with {@link #builder()}.
 *
 * <p>Inbound connections are rationed from TCP accept on (upgrading ones count): in all, per IP and
 * per subnet ({@link HostSettings}), past those only for a protocol that keeps {@linkplain
 * #reserveInboundSlots reserved slots}; and every upgraded connection, either way, is closed once
 * it has had no open stream for the idle timeout.
 */
public final class Host implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Host.class);

  /**
   * How long {@link #close()} waits for open connections to close before stopping the event loops.
   */
  public static final Duration CLOSE_CONNECTIONS_TIMEOUT = Duration.ofSeconds(5);

  /**
   * Observed addresses kept ({@link #observedAddresses()}); a new one evicts the one seen least
   * recently. A node has a handful of real ones (one per NAT mapping and IP family; go-libp2p's
   * observed-address manager keeps a few per local address), so this leaves room for noise.
   */
  public static final int MAX_OBSERVED_ADDRESSES = 16;

  /**
   * Observers remembered per observed address; a new one evicts the one that reported least
   * recently. More than a server pool, so pool servers' reports are never pushed out by each other.
   */
  public static final int MAX_OBSERVERS_PER_ADDRESS = 32;

  /**
   * An observation no longer counts this long after its peer last reported it (go-libp2p's
   * OwnObservedAddrTTL): a mapping the NAT dropped, or an address the node left, fades even when
   * that peer is never asked again. Pool servers are asked far more often than this.
   */
  public static final Duration OBSERVED_ADDRESS_TTL = Duration.ofMinutes(30);

  /**
   * The interface addresses that wildcard listen addresses expand to ({@link
   * #interfaceListenAddresses()}) are worked out anew once they are this old: a new DHCP lease or
   * IPv6 prefix shows up in identify and the monitor's candidates within this much time.
   */
  public static final Duration INTERFACE_ADDRESSES_TTL = Duration.ofMinutes(1);

  /**
   * Most addresses a filtered list announces over identify ({@link #advertisedAddresses()}): 64
   * IPv6 TCP addresses take about 1.5 KB of the 8 KiB identify message peers accept.
   */
  public static final int MAX_ADVERTISED_ADDRESSES = 64;

  /**
   * Most slots one {@link #reserveInboundSlots reservation} may keep: each is a socket beyond
   * {@link HostSettings#maxConnections()}, so the reserves stay small next to it.
   */
  public static final int MAX_RESERVED_SLOTS = 256;

  /**
   * A reserved connection is closed this long after its stream of the reserved protocol ended: time
   * for the dialer to read our last answer and hang up first (the AutoNAT client lingers as long on
   * its dial-backs).
   */
  public static final Duration RESERVED_LINGER = Duration.ofSeconds(2);

  /**
   * A reserved connection is closed this long after it opened its stream of the reserved protocol,
   * whatever the stream is doing: three times the 5 s an AutoNAT dial-back stream may take, so a
   * protocol handler that never ends its stream cannot hold a reserved slot.
   */
  public static final Duration RESERVED_USE_TIMEOUT = Duration.ofSeconds(15);

  private final PrivateKey identity;
  private final PeerId peerId;
  private final List<Multiaddr> listenConfig;
  private final HostSettings settings;
  private final String threadName;
  private final boolean identifyOnConnect;
  private final boolean nativeTransport;
  private final Registry registry = new Registry();
  private final HostAddresses addresses;
  private final ConnectionManager connections;
  private final List<Channel> servers = new CopyOnWriteArrayList<>();
  private final Map<Connection, CompletableFuture<IdentifyResult>> identified =
      new ConcurrentHashMap<>();
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final IdentifyService identify;
  private final PingService ping = new PingService();
  private volatile @Nullable MultiaddrResolver dns;

  Host(
      PrivateKey identity,
      List<Multiaddr> listenConfig,
      Map<String, ProtocolHandler> handlers,
      HostSettings settings,
      String threadName,
      boolean identifyOnConnect,
      boolean nativeTransport,
      Clock clock) {
    this.identifyOnConnect = identifyOnConnect;
    this.nativeTransport = nativeTransport;
    this.identity = identity;
    this.peerId = PeerId.fromPublicKey(identity.publicKey());
    this.listenConfig = listenConfig;
    this.settings = settings;
    this.threadName = threadName;
    this.addresses = new HostAddresses(clock);
    this.connections =
        new ConnectionManager(
            peerId,
            settings,
            new ConnectionUpgrader(identity, settings.upgrade(), registry),
            registry,
            this::connected);
    this.identify =
        new IdentifyService(
            identity.publicKey(),
            settings.agentVersion(),
            this::advertisedAddresses,
            registry::protocols);
    registry.put(Identify.PROTOCOL_ID, identify.responder());
    registry.put(Ping.PROTOCOL_ID, ping.responder());
    handlers.forEach(registry::put);
  }

  public static HostBuilder builder() {
    return new HostBuilder();
  }

  /**
   * Binds every listen address; port 0 is replaced by the real port in {@link #listenAddresses()}.
   */
  public Host start() {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("host already started");
    }
    // event loops exist only between start() and close(): a host built but never started holds no
    // threads
    TcpTransport tcp =
        new TcpTransport(settings.ioThreads(), threadName, nativeTransport, settings.reusePort());
    List<Transport> transports = new ArrayList<>(List.of(tcp));
    @Nullable String noQuic = null;
    if (!settings.quic()) {
      noQuic = "turned off";
    } else if (!QuicTransport.isAvailable()) {
      noQuic = "the QUIC native library is not available: " + QuicTransport.unavailabilityReason();
    } else {
      transports.add(
          new QuicTransport(
              identity, settings.upgrade(), tcp.ioGroup(), tcp.isNative(), settings.reusePort()));
    }
    // DNS queries run on one of TCP's event loops, over the same kind of channels
    MultiaddrResolver resolver =
        new MultiaddrResolver(
            tcp.ioGroup().next(),
            tcp.isNative() ? EpollDatagramChannel.class : NioDatagramChannel.class,
            tcp.isNative() ? EpollSocketChannel.class : NioSocketChannel.class,
            settings.dns(),
            Clock.systemUTC());
    dns = resolver;
    connections.use(transports);
    connections.resolveWith(resolver);
    try {
      for (Multiaddr address : listenConfig) {
        if (noQuic != null && address.isQuic()) {
          log.warn("not listening on {}: QUIC is {}", address, noQuic);
          continue;
        }
        Channel server = connections.listen(address).join();
        servers.add(server);
        // the configured address with the real port: a native socket bound to 0.0.0.0 may report
        // itself as the dual-stack "::", which is not what the operator asked for
        int port = ((InetSocketAddress) server.localAddress()).getPort();
        InetAddress ip = address.toIpSocketAddress().orElseThrow().getAddress();
        InetSocketAddress bound = new InetSocketAddress(ip, port);
        addresses.bound(
            address.isQuic()
                ? Multiaddr.fromQuicSocketAddress(bound)
                : Multiaddr.fromSocketAddress(bound));
      }
      addresses.boundAll();
    } catch (RuntimeException e) {
      close();
      throw new Libp2pException("cannot start host: " + Errors.rootCause(e), e);
    }
    log.info(
        "libp2p host {} listening on {} ({}{})",
        peerId,
        addresses.listen(),
        transports.stream().map(Transport::describe).toList(),
        dialsFromListenPort() ? ", dialing from the listen port" : "");
    if (noQuic != null) {
      log.info("libp2p host {} runs without QUIC: {}", peerId, noQuic);
    }
    return this;
  }

  public PeerId peerId() {
    return peerId;
  }

  public PrivateKey identity() {
    return identity;
  }

  public HostSettings settings() {
    return settings;
  }

  /**
   * Whether outbound connections leave from the listen port, so that the addresses peers observe
   * for us carry the listen port's mapping (and are worth checking) rather than an ephemeral port.
   */
  public boolean dialsFromListenPort() {
    return addresses.anyBound()
        && connections.transports().stream().anyMatch(Transport::reusesPorts);
  }

  /**
   * Whether this host has a transport for {@code address} (a {@code /p2p} suffix aside). A DNS name
   * counts as its resolved shape would ({@link Multiaddr#hasDialableShape()}); a {@code /dnsaddr}
   * can only tell once resolved, and counts as dialable.
   */
  public boolean canDial(Multiaddr address) {
    Multiaddr plain = address.withoutPeerId();
    if (!plain.isDns()) {
      return connections.transports().stream().anyMatch(t -> t.handles(plain));
    }
    if (!plain.hasDialableShape()) {
      return false;
    }
    Protocol first = plain.components().get(0).protocol();
    if (first == Protocol.DNSADDR) {
      return !connections.transports().isEmpty();
    }
    // whether a transport takes it (QUIC may be off) is judged on a stand-in of the same family
    Multiaddr standIn =
        plain.withFirstReplacedBy(first == Protocol.DNS6 ? IP6_LOOPBACK : IP4_LOOPBACK);
    return connections.transports().stream().anyMatch(t -> t.handles(standIn));
  }

  private static final InetAddress IP4_LOOPBACK = InetAddress.getLoopbackAddress();

  private static final InetAddress IP6_LOOPBACK = ip6Loopback();

  private static InetAddress ip6Loopback() {
    byte[] loopback = new byte[16];
    loopback[15] = 1;
    try {
      return InetAddress.getByAddress(loopback);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException("16 bytes are an IPv6 address", e);
    }
  }

  /**
   * What {@code address} stands for once its DNS name is resolved ({@link MultiaddrResolver}): the
   * address itself when it names no host, else the addresses found (never none: that fails).
   */
  public CompletableFuture<List<Multiaddr>> resolve(Multiaddr address) {
    MultiaddrResolver resolver = dns;
    if (resolver == null || closed.get()) {
      return CompletableFuture.failedFuture(new Libp2pException("host is not running"));
    }
    return resolver.resolve(address);
  }

  /** The bound listen addresses (wildcards as configured, real ports). */
  public List<Multiaddr> listenAddresses() {
    return addresses.listen();
  }

  /**
   * The listen addresses with wildcards (0.0.0.0, ::) replaced by this machine's interface
   * addresses; worked out anew once older than {@link #INTERFACE_ADDRESSES_TTL}. Identify announces
   * them unless a filter is set ({@link #advertisedAddresses()}).
   */
  public List<Multiaddr> interfaceListenAddresses() {
    return addresses.interfaces();
  }

  /**
   * What identify announces as our listen addresses, worked out anew for every identify request:
   * {@link #interfaceListenAddresses()}, passed through the filter when one is set ({@link
   * #setAdvertisedAddressesFilter}). A filter that throws or returns null (or a null element) is
   * logged and the unfiltered list is announced; beyond {@link #MAX_ADVERTISED_ADDRESSES} the rest
   * of a filtered list is cut off.
   */
  public List<Multiaddr> advertisedAddresses() {
    return addresses.advertised();
  }

  /**
   * Decides what identify announces from now on: {@code filter} gets {@link
   * #interfaceListenAddresses()} (an unmodifiable list) at every identify request and returns the
   * addresses to announce, in order, each without {@code /p2p} (it may drop addresses, reorder them
   * and add others, say confirmed public ones). It runs on an event loop: keep it quick and
   * non-blocking. {@code null} removes the filter.
   */
  public void setAdvertisedAddressesFilter(@Nullable UnaryOperator<List<Multiaddr>> filter) {
    addresses.setAdvertisedFilter(filter);
  }

  /**
   * This machine's usable interface addresses (of interfaces that are up, link-local ones left
   * out), without scope ids: the JDK gives every IPv6 one a scope id, which only link-local needs.
   */
  public static List<InetAddress> machineAddresses() {
    return HostAddresses.machineAddresses();
  }

  /** Registers (or replaces) the handler of a protocol served on inbound streams. */
  public void setStreamHandler(String protocolId, ProtocolHandler handler) {
    registry.put(protocolId, handler);
  }

  public void removeStreamHandler(String protocolId) {
    registry.remove(protocolId);
  }

  /** Protocol ids served on inbound streams, as identify announces them. */
  public List<String> protocols() {
    return List.copyOf(registry.protocols());
  }

  public void addConnectionListener(ConnectionListener listener) {
    connections.addListener(listener);
  }

  /**
   * Addresses peers observed for this node over identify on connections this node dialed (see
   * {@link ObservedAddress}): only {@code /ip4|ip6/…/tcp/port} of the connection's own IP family,
   * each peer's latest report per family for {@link #OBSERVED_ADDRESS_TTL}, bounded by {@link
   * #MAX_OBSERVED_ADDRESSES} and {@link #MAX_OBSERVERS_PER_ADDRESS}. Most observers first, then the
   * most recently seen.
   */
  public List<ObservedAddress> observedAddresses() {
    return addresses.observed();
  }

  /**
   * Called when an address is observed for the first time or a new peer reports it (not when a peer
   * reports the same address again), with the address's new state. Runs on the event loop of the
   * connection the report came on: keep it short. A listener that throws is logged and otherwise
   * ignored.
   */
  public void addObservedAddressListener(Consumer<ObservedAddress> listener) {
    addresses.addObservedListener(listener);
  }

  public void removeObservedAddressListener(Consumer<ObservedAddress> listener) {
    addresses.removeObservedListener(listener);
  }

  public List<Connection> connections() {
    return connections.all();
  }

  public List<Connection> connections(PeerId peer) {
    return connections.to(peer);
  }

  /**
   * Connects to {@code address}. When it carries {@code /p2p/<id>}, an open connection to that peer
   * is reused, concurrent dials to it share one attempt, and the handshake fails unless the remote
   * proves that identity.
   */
  public CompletableFuture<Connection> dial(Multiaddr address) {
    return connections.dial(address, false);
  }

  /**
   * Like {@link #dial(Multiaddr)}, but reuses only a connection this host dialed: for protocols a
   * peer serves only on connections it accepted (rust-libp2p's AutoNAT v2 server), and because a
   * connection a peer opened to us may be one it closes right away (js-libp2p dials AutoNAT
   * dial-backs from its own peer id).
   */
  public CompletableFuture<Connection> dialOutbound(Multiaddr address) {
    return connections.dial(address, true);
  }

  /**
   * A new connection to exactly {@code address} (a DNS name resolved first): no open connection is
   * reused and no dial shared, and its peer is whoever answers there, whatever {@code /p2p} the
   * address names: the caller compares (a peer check tells a wrong peer from an unreachable
   * address). The connection counts against the limits like any other; close it when done.
   */
  public CompletableFuture<Connection> dialNew(Multiaddr address) {
    return connections.dialNew(address.withoutPeerId(), null);
  }

  /**
   * {@link #dialNew(Multiaddr)}, running {@code socketConnected} on the event loop as the socket
   * connects, before the security handshake: for TCP, the remote accepted the connection (for QUIC,
   * only the local UDP socket is ready; its handshake is the connection). Keep it quick.
   */
  public CompletableFuture<Connection> dialNew(Multiaddr address, Runnable socketConnected) {
    return connections.dialNew(address.withoutPeerId(), socketConnected);
  }

  public CompletableFuture<Connection> dial(String address) {
    return dial(Multiaddr.fromString(address));
  }

  /**
   * Keeps up to {@code slots} inbound connections for {@code protocolId} past every other bound
   * (total, inbound, per IP, per subnet) while {@code wanted} says so: a connection that would be
   * turned away is admitted on probation, served that protocol once and nothing else, and closed
   * soon after; see {@link InboundReservation} for the terms. The AutoNAT client keeps slots for
   * its dial-backs this way while it has checks pending, so a connection flood cannot make the node
   * refuse the very connections that prove it reachable. {@code wanted} runs on an event loop for
   * every such connection: keep it quick.
   */
  public InboundReservation reserveInboundSlots(
      String protocolId, int slots, BooleanSupplier wanted) {
    return reserveInboundSlots(protocolId, slots, wanted, ip -> false);
  }

  /**
   * Like {@link #reserveInboundSlots(String, int, BooleanSupplier)}, with the addresses the
   * protocol's connections are expected from now (say, the servers whose dial-backs are awaited): a
   * connection from elsewhere never pushes one of those out. {@code expected} runs on an event loop
   * for every connection the reserve considers: keep it quick.
   */
  public InboundReservation reserveInboundSlots(
      String protocolId, int slots, BooleanSupplier wanted, Predicate<InetAddress> expected) {
    return connections.reserve(protocolId, slots, wanted, expected);
  }

  /**
   * Inbound connections this host turned away for lack of room so far (refused at accept, or pushed
   * out of a reserve): while it grows, a peer's failure to connect to us may be our own doing.
   */
  public long inboundTurnedAway() {
    return connections.turnedAway();
  }

  /** Inbound connections open (upgrading ones included; reserved ones not). */
  public int inboundConnections() {
    return connections.inboundLimits().inbound();
  }

  /** Inbound connections open from {@code ip} (upgrading ones included; reserved ones not). */
  public int inboundConnectionsFrom(InetAddress ip) {
    return connections.inboundLimits().fromIp(ip);
  }

  /**
   * Inbound connections open from the /24 (IPv4) or /64 (IPv6) of {@code ip} (upgrading ones
   * included; reserved ones not).
   */
  public int inboundConnectionsFromSubnet(InetAddress ip) {
    return connections.inboundLimits().fromSubnet(ip);
  }

  /** A new connection, before the listeners hear of it. */
  private void connected(Connection connection) {
    if (identifyOnConnect && connection.direction() == Direction.OUTBOUND) {
      // learn what a peer we chose to dial is and serves. Inbound connections are identified on
      // demand (identify(connection)): most are short-lived probes such as AutoNAT dial-backs,
      // and the dialer identifies us anyway
      identify(connection);
    }
  }

  /**
   * What the peer on {@code connection} said over identify (asked once, right after connecting). On
   * a connection we dialed, the address the peer observed for us is recorded ({@link
   * #observedAddresses()}) before the result completes.
   */
  public CompletableFuture<IdentifyResult> identify(Connection connection) {
    if (!connection.isOpen()) {
      return CompletableFuture.failedFuture(
          new Libp2pException("connection to " + connection.remotePeer() + " is closed"));
    }
    CompletableFuture<IdentifyResult> result = identified.get(connection);
    if (result == null) {
      CompletableFuture<IdentifyResult> mine = new CompletableFuture<>();
      result = identified.putIfAbsent(connection, mine);
      if (result == null) {
        result = mine;
        identify
            .identify(connection)
            .whenComplete(
                (answer, error) -> {
                  if (error != null) {
                    mine.completeExceptionally(error);
                    return;
                  }
                  if (connection.direction() == Direction.OUTBOUND) {
                    Listeners.safely(
                        "recording an observed address",
                        () -> addresses.learnObserved(connection, answer));
                  }
                  mine.complete(answer);
                });
      }
    }
    // runs at once if the connection closed meanwhile: the cache never outlives a connection
    connection.closeFuture().whenComplete((v, e) -> identified.remove(connection));
    return result;
  }

  /** One ping on a new stream; completes with the round-trip time. */
  public CompletableFuture<Duration> ping(Connection connection) {
    return ping.ping(connection);
  }

  /** Opens a stream on an open connection to {@code peer}. */
  public CompletableFuture<Stream> newStream(
      PeerId peer, List<String> protocols, ProtocolHandler handler) {
    List<Connection> open = connections(peer);
    if (open.isEmpty()) {
      return CompletableFuture.failedFuture(new Libp2pException("no open connection to " + peer));
    }
    return open.get(0).newStream(protocols, handler);
  }

  public CompletableFuture<Stream> newStream(
      Connection connection, List<String> protocols, ProtocolHandler handler) {
    return connection.newStream(protocols, handler);
  }

  /** Stops listening, closes every connection and stops the event loops. */
  @Override
  public void close() {
    List<Transport> transports = connections.transports();
    for (Transport transport : transports) {
      for (EventExecutor loop : transport.ioGroup()) {
        if (loop.inEventLoop()) {
          // waiting for our own event loop to stop would never end
          throw new IllegalStateException(
              "Host.close() must not be called from one of the host's event loops");
        }
      }
    }
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    connections.refuseNew();
    for (Channel server : servers) {
      server.close().awaitUninterruptibly();
    }
    connections.closeAll(CLOSE_CONNECTIONS_TIMEOUT);
    MultiaddrResolver resolver = dns;
    if (resolver != null) {
      resolver.close();
    }
    // QUIC borrows TCP's event loops: it closes first
    for (int i = transports.size() - 1; i >= 0; i--) {
      transports.get(i).close();
    }
    log.info("libp2p host {} stopped", peerId);
  }

  /** Inbound protocol handlers in registration order; read on every stream negotiation. */
  private static final class Registry implements StreamHandlerRegistry {
    private final Map<String, ProtocolHandler> handlers = new ConcurrentHashMap<>();
    private final List<String> order = new CopyOnWriteArrayList<>();

    void put(String protocolId, ProtocolHandler handler) {
      if (handlers.put(protocolId, handler) == null) {
        order.add(protocolId);
      }
    }

    void remove(String protocolId) {
      handlers.remove(protocolId);
      order.remove(protocolId);
    }

    @Override
    public Collection<String> protocols() {
      return order;
    }

    @Override
    public Optional<ProtocolHandler> handler(String protocolId) {
      return Optional.ofNullable(handlers.get(protocolId));
    }
  }
}
