package io.reachability.autonat;

import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.host.Host;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves AutoNAT v2 to other peers on a {@link Host}: registers {@value
 * AutonatV2#DIAL_REQUEST_PROTOCOL} (so identify announces it) and dials clients back from a
 * separate dial-back host with its own identity and no listeners. Admission control comes first
 * ({@link RateLimiter}), then address selection, the dial-data cost when the address is on another
 * host, a random jitter, the dial-back, and the answer; see {@link DialRequestHandler} for the
 * state machine.
 *
 * <p>Every request ends in one {@link DialRequestOutcome}: logged once, counted, and handed to the
 * {@linkplain #addOutcomeListener listeners}. Outcomes are logged at debug level only, rejections
 * and resets included: any peer can cause those at will, so they must not be able to fill the log
 * (the counters are for watching them). Only an internal error is a warning.
 *
 * @see <a href="https://github.com/libp2p/specs/blob/master/autonat/autonat-v2.md">AutoNAT v2
 *     spec</a>
 */
public final class AutonatServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(AutonatServer.class);

  /** Thread name prefix of the dial-back host. */
  public static final String DIAL_BACK_THREAD_NAME = "autonat-dialback";

  /** Event loop threads of the dial-back host: it only makes short outbound connections. */
  static final int DIAL_BACK_IO_THREADS = 1;

  private final Host host;
  private final AutonatServerSettings settings;
  private final RandomGenerator random;
  private final RateLimiter limiter;
  private final AddressSelector selector;
  private final List<Consumer<DialRequestOutcome>> listeners = new CopyOnWriteArrayList<>();

  /** The transport {@link #dials(DialStatus, String)} counts requests with no address under. */
  public static final String NO_DIAL = "none";

  private final Map<ResponseStatus, LongAdder> responses = new EnumMap<>(ResponseStatus.class);
  private final Map<DialStatus, LongAdder> dials = new EnumMap<>(DialStatus.class);

  /**
   * {@link #dials} by the transport of the address dialed ({@link #NO_DIAL} without one): a few
   * keys only, the transports {@link AddressSelector} picks.
   */
  private final Map<String, Map<DialStatus, LongAdder>> dialsByTransport =
      new ConcurrentHashMap<>();

  private final LongAdder resets = new LongAdder();
  private final LongAdder dialDataBytes = new LongAdder();
  private volatile @Nullable Host dialBackHost;
  private @Nullable DialBacker dialBacker;
  private boolean closed;

  /** A server with the system clock, a {@link SecureRandom} and this machine's IP families. */
  public AutonatServer(Host host, AutonatServerSettings settings) {
    this(host, settings, Clock.systemUTC(), new SecureRandom(), null);
  }

  /**
   * For tests: the clock drives the rate limiter (and the interface re-read), the random generator
   * the dial-data amounts and the jitter (it is used from several event loops, so it must be
   * thread-safe, as {@link java.util.Random} and {@link SecureRandom} are), {@code canReach}
   * decides which IP families we can dial (null: judged from this machine's interfaces, see {@link
   * LocalNetworks}).
   */
  AutonatServer(
      Host host,
      AutonatServerSettings settings,
      Clock clock,
      RandomGenerator random,
      @Nullable Predicate<InetAddress> canReach) {
    this.host = Objects.requireNonNull(host, "host");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.random = Objects.requireNonNull(random, "random");
    this.limiter = new RateLimiter(settings.rateLimit(), clock);
    Predicate<InetAddress> reach = canReach != null ? canReach : LocalNetworks.ofThisMachine(clock);
    this.selector =
        new AddressSelector(
            settings.allowPrivateAddresses(), this::ownAddresses, reach, this::canDialBack);
    for (ResponseStatus status : ResponseStatus.values()) {
      responses.put(status, new LongAdder());
    }
    for (DialStatus status : DialStatus.values()) {
      dials.put(status, new LongAdder());
    }
  }

  /** Whether the dial-back host has a transport for {@code address} (QUIC needs its native). */
  private boolean canDialBack(Multiaddr address) {
    Host dialer = dialBackHost; // read on event loops: no lock
    return dialer != null && dialer.canDial(address);
  }

  /** Starts the dial-back host and registers the protocol on the host. */
  public synchronized AutonatServer start() {
    if (closed) {
      throw new IllegalStateException("server is closed");
    }
    if (dialBackHost != null) {
      throw new IllegalStateException("server already started");
    }
    // a fresh identity and no listeners: every dial-back is a new connection from a new ephemeral
    // port (with no listen port there is none to reuse; reusePort(false) says so all the same)
    Host dialer =
        Host.builder()
            .threadName(DIAL_BACK_THREAD_NAME)
            .reusePort(false)
            .ioThreads(DIAL_BACK_IO_THREADS)
            .dialTimeout(settings.dialBackConnectTimeout())
            .identifyOnConnect(false)
            .build()
            .start();
    dialBackHost = dialer;
    DialBacker backer =
        new DialBacker(dialer, settings.dialBackConnectTimeout(), settings.dialBackStreamTimeout());
    dialBacker = backer;
    DialRequestHandler.Context context =
        new DialRequestHandler.Context(
            settings, limiter, selector, random, backer::dialBack, this::record, host::resolve);
    host.setStreamHandler(
        AutonatV2.DIAL_REQUEST_PROTOCOL, stream -> DialRequestHandler.serve(stream, context));
    log.info(
        "AutoNAT v2 server on {} (dial-backs from {}, private addresses {})",
        host.peerId(),
        dialer.peerId(),
        settings.allowPrivateAddresses() ? "allowed" : "refused");
    return this;
  }

  /**
   * Unregisters the protocol and closes the dial-back host (requests in flight end with their
   * streams). Must not be called from one of the hosts' event loops.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    host.removeStreamHandler(AutonatV2.DIAL_REQUEST_PROTOCOL);
    DialBacker backer = dialBacker;
    if (backer != null) {
      backer.closing(); // requests in flight answer E_INTERNAL_ERROR, not a false dial error
    }
    Host dialer = dialBackHost;
    if (dialer != null) {
      dialer.close();
    }
  }

  public AutonatServerSettings settings() {
    return settings;
  }

  /** The peer id dial-backs come from (not the host's). */
  public synchronized PeerId dialBackPeerId() {
    Host dialer = dialBackHost;
    if (dialer == null) {
      throw new IllegalStateException("server not started");
    }
    return dialer.peerId();
  }

  /** Called once per request, on an event loop: keep it quick, hand heavy work elsewhere. */
  public void addOutcomeListener(Consumer<DialRequestOutcome> listener) {
    listeners.add(Objects.requireNonNull(listener));
  }

  /** Requests answered with {@code status} since start. */
  public long responses(ResponseStatus status) {
    return counter(responses, status).sum();
  }

  /**
   * Answered requests whose dial-back ended with {@code status} ({@link DialStatus#UNUSED}: no
   * dial).
   */
  public long dials(DialStatus status) {
    return counter(dials, status).sum();
  }

  /**
   * Answered requests whose dial-back over {@code transport} ({@link AddressClass#transport}, or
   * {@link #NO_DIAL} for requests with no address selected) ended with {@code status}.
   */
  public long dials(DialStatus status, String transport) {
    Map<DialStatus, LongAdder> counts = dialsByTransport.get(transport);
    return counts == null ? 0 : counter(counts, status).sum();
  }

  /** Requests that ended in a reset (by us or the client) instead of an answer. */
  public long resets() {
    return resets.sum();
  }

  /** Dial-data bytes received in total. */
  public long dialDataBytesReceived() {
    return dialDataBytes.sum();
  }

  private List<Multiaddr> ownAddresses() {
    List<Multiaddr> own = new ArrayList<>(host.listenAddresses());
    own.addAll(host.interfaceListenAddresses());
    // and whatever the node announces besides (say confirmed public addresses): never dial
    // ourselves
    own.addAll(host.advertisedAddresses());
    return own;
  }

  /** The one place an outcome is counted, logged and published. */
  private void record(DialRequestOutcome outcome) {
    ResponseStatus status = outcome.responseStatus();
    if (status == null) {
      resets.increment();
    } else {
      counter(responses, status).increment();
      counter(dials, outcome.dialStatus()).increment();
      Multiaddr dialed = outcome.selectedAddress();
      String transport = dialed == null ? NO_DIAL : AddressClass.transport(dialed);
      counter(
              dialsByTransport.computeIfAbsent(transport, t -> dialCounters()),
              outcome.dialStatus())
          .increment();
    }
    dialDataBytes.add(outcome.dialDataReceived());
    if (status == ResponseStatus.E_INTERNAL_ERROR) {
      log.warn("dial request from {}: {}", outcome.peer(), outcome);
    } else if (log.isDebugEnabled()) {
      log.debug(
          "dial request from {} at {}: {} {} addr {} of {} ({}) data {}/{} in {} ms{}",
          outcome.peer(),
          outcome.remoteAddress(),
          status == null ? "RESET" : status,
          outcome.dialStatus(),
          outcome.selectedIndex(),
          outcome.addressCount(),
          outcome.selectedAddress(),
          outcome.dialDataReceived(),
          outcome.dialDataRequested(),
          outcome.duration().toMillis(),
          outcome.reason() == null ? "" : ": " + outcome.reason());
    }
    for (Consumer<DialRequestOutcome> listener : listeners) {
      try {
        listener.accept(outcome);
      } catch (RuntimeException e) {
        log.warn("AutoNAT outcome listener failed", e);
      }
    }
  }

  /** A counter for every dial status, made at once (the map is read without a lock). */
  private static Map<DialStatus, LongAdder> dialCounters() {
    Map<DialStatus, LongAdder> counters = new EnumMap<>(DialStatus.class);
    for (DialStatus status : DialStatus.values()) {
      counters.put(status, new LongAdder());
    }
    return counters;
  }

  /** The counter of {@code key}; the constructor made one for every constant. */
  private static <K extends Enum<K>> LongAdder counter(Map<K, LongAdder> counters, K key) {
    return Objects.requireNonNull(counters.get(key));
  }
}
