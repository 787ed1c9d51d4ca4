package io.reachability.autonat;

import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.host.Host;
import io.reachability.libp2p.host.InboundReservation;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The AutoNAT v2 client: asks a server to dial one of our addresses back and decides, from the
 * server's answer <em>and</em> from whether our nonce really arrived, whether that address is
 * reachable.
 *
 * <p>One check is one request on a new {@value AutonatV2#DIAL_REQUEST_PROTOCOL} stream with a fresh
 * 64-bit nonce from a {@link SecureRandom}. Dial data is paid only for an address we asked about
 * and only up to the cap, in chunks of at most {@link AutonatClientSettings#dialDataChunkBytes()}.
 * The {@value AutonatV2#DIAL_BACK_PROTOCOL} handler accepts each pending nonce once, and only on an
 * inbound connection (one the server dialed), answers {@code DialBackResponse{OK}}, records the
 * local address the dial-back arrived on and closes. The dialer's peer id is not checked: servers
 * may dial back from another identity, the nonce is the proof. How a response becomes a verdict is
 * {@link Classification}; whether the dial-back matches the tested address is {@link
 * AddressConsistency}.
 *
 * <p>Servers seen in the wild are tolerated: several DialResponses on one stream (js-libp2p sends
 * one per address: refusals are skipped until a response with status OK), a stream closed or reset
 * without a response, the last address tested instead of the first (the reported index is used),
 * and servers that never answer (every check ends within its timeout, the stream reset).
 *
 * <p>Every outcome that concerns the server, including not reaching it at all, completes the check
 * normally with a {@link CheckResult} (UNKNOWN and the reason). The future fails only when the
 * client itself is not running. Callbacks on it run on the common pool, never on a Netty event
 * loop.
 *
 * @see <a href="https://github.com/libp2p/specs/blob/master/autonat/autonat-v2.md">AutoNAT v2
 *     spec</a>
 */
public final class AutonatClient implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(AutonatClient.class);

  /**
   * Inbound slots the host keeps for dial-backs while a check is pending ({@link
   * Host#reserveInboundSlots}), past its connection limits: a check waits for one dial-back, the
   * monitor has 5 probes in flight by default and each job worker one check, so this covers the
   * checks of a busy node several times over, and its members last seconds.
   */
  public static final int DIAL_BACK_RESERVED_SLOTS = 32;

  /** Tries to draw a nonce no pending check uses before giving up (a sane source needs one). */
  private static final int NONCE_ATTEMPTS = 16;

  private final Host host;
  private final AutonatClientSettings settings;
  private final LongSupplier nonces;
  private final Clock clock;
  private final DialBackReceiver dialBacks = new DialBackReceiver();
  private final ScheduledExecutorService timers;
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile @Nullable InboundReservation dialBackSlots;
  private final List<CheckListener> checkListeners = new CopyOnWriteArrayList<>();

  /**
   * Hears every check that ends in a {@link CheckResult} (not those failed because the client
   * closed), with the addresses the request sent: for counters, so it must be quick.
   */
  @FunctionalInterface
  public interface CheckListener {
    void checked(List<Multiaddr> sent, CheckResult result);
  }

  /** A full-size dial-data frame: most chunks are the same, so serialise it once. */
  private final byte[] fullChunkMessage;

  public AutonatClient(Host host, AutonatClientSettings settings) {
    this(host, settings, new SecureRandom()::nextLong, Clock.systemUTC());
  }

  /** For tests: a predictable nonce source and clock. */
  AutonatClient(Host host, AutonatClientSettings settings, LongSupplier nonces, Clock clock) {
    this.host = Objects.requireNonNull(host, "host");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.nonces = Objects.requireNonNull(nonces, "nonces");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.fullChunkMessage = AutonatMessages.dialDataMessage(settings.dialDataChunkBytes());
    ScheduledThreadPoolExecutor executor =
        new ScheduledThreadPoolExecutor(
            1,
            runnable -> {
              Thread thread = new Thread(runnable, "autonat-client-timer");
              thread.setDaemon(true);
              return thread;
            });
    executor.setRemoveOnCancelPolicy(true);
    this.timers = executor;
  }

  /**
   * Serves {@value AutonatV2#DIAL_BACK_PROTOCOL} on the host, with {@link
   * #DIAL_BACK_RESERVED_SLOTS} inbound slots kept for dial-backs while checks are pending; checks
   * can run from now on.
   */
  public AutonatClient start() {
    if (closed.get()) {
      throw new IllegalStateException("AutoNAT client is closed");
    }
    if (started.compareAndSet(false, true)) {
      host.setStreamHandler(AutonatV2.DIAL_BACK_PROTOCOL, dialBacks::serve);
      // a connection flood must not make the node turn away the dial-backs that prove it reachable
      // (servers dial back from another port and often another identity, but mostly from the IP
      // they were reached at: those dial-backs are never pushed out by strangers)
      dialBackSlots =
          host.reserveInboundSlots(
              AutonatV2.DIAL_BACK_PROTOCOL,
              DIAL_BACK_RESERVED_SLOTS,
              dialBacks::isWaiting,
              dialBacks::awaitedFrom);
    }
    return this;
  }

  /**
   * Stops serving dial-backs; pending checks fail with {@link IllegalStateException} and their
   * streams are reset.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (started.get()) {
      host.removeStreamHandler(AutonatV2.DIAL_BACK_PROTOCOL);
      InboundReservation slots = dialBackSlots;
      if (slots != null) {
        slots.close();
      }
    }
    for (DialRequestExchange exchange : dialBacks.pending()) {
      exchange.result.completeExceptionally(new IllegalStateException("AutoNAT client closed"));
    }
    timers.shutdownNow();
  }

  public AutonatClientSettings settings() {
    return settings;
  }

  /** Adds a listener for every check from now on (see {@link CheckListener}). */
  public void addCheckListener(CheckListener listener) {
    checkListeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** Checks whose nonce is still accepted by the dial-back handler. */
  public int pendingChecks() {
    return dialBacks.waiting();
  }

  /** {@link #check(Multiaddr, List, CheckOptions)} with the client-wide defaults. */
  public CompletableFuture<CheckResult> check(Multiaddr server, List<Multiaddr> addresses) {
    return check(server, addresses, CheckOptions.from(settings));
  }

  /**
   * Asks {@code server} to dial one of {@code addresses} back (the server picks the first it is
   * willing to dial).
   *
   * @param server the server's address ending in {@code /p2p/<id>}; an open connection to that peer
   *     is reused (whatever its address: the result names the one used), otherwise it is dialed
   * @param addresses our addresses to test, in order of priority; sent as given
   * @throws IllegalArgumentException when {@code server} has no peer id, {@code addresses} is
   *     empty, or the request would exceed {@link AutonatV2#MAX_MESSAGE_SIZE}
   */
  public CompletableFuture<CheckResult> check(
      Multiaddr server, List<Multiaddr> addresses, CheckOptions options) {
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(addresses, "addresses");
    Objects.requireNonNull(options, "options");
    PeerId serverId =
        server
            .peerId()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "server address must end in /p2p/<peer id>: " + server));
    if (addresses.isEmpty()) {
      throw new IllegalArgumentException("no address to check");
    }
    if (!started.get() || closed.get()) {
      return CompletableFuture.failedFuture(
          new IllegalStateException(
              "AutoNAT client is " + (closed.get() ? "closed" : "not started")));
    }
    List<Multiaddr> sent = List.copyOf(addresses);
    int size = AutonatMessages.dialRequest(sent, 0).getSerializedSize();
    if (size > AutonatV2.MAX_MESSAGE_SIZE) {
      // every server resets a request over the limit: say so instead of sending it
      throw new IllegalArgumentException(
          "a request for "
              + sent.size()
              + " addresses takes "
              + size
              + " bytes, over the "
              + AutonatV2.MAX_MESSAGE_SIZE
              + "-byte limit");
    }
    for (int attempt = 0; attempt < NONCE_ATTEMPTS; attempt++) {
      DialRequestExchange exchange =
          new DialRequestExchange(
              host,
              settings,
              timers,
              clock,
              fullChunkMessage,
              dialBacks::forget,
              serverId,
              server,
              sent,
              options,
              nonces.getAsLong());
      if (dialBacks.await(exchange)) {
        exchange.result.thenAccept(result -> notifyListeners(sent, result));
        exchange.start();
        return exchange.result;
      }
    }
    return CompletableFuture.failedFuture(
        new IllegalStateException("nonce source keeps repeating pending nonces"));
  }

  private void notifyListeners(List<Multiaddr> sent, CheckResult result) {
    for (CheckListener listener : checkListeners) {
      try {
        listener.checked(sent, result);
      } catch (RuntimeException e) {
        // a broken counter must not break a check
        log.warn("AutoNAT check listener failed", e);
      }
    }
  }
}
