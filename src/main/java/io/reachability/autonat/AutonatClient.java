package io.reachability.autonat;

import com.google.protobuf.ByteString;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.DecoderException;
import io.reachability.autonat.pb.AutonatV2Protos;
import io.reachability.libp2p.Libp2pException;
import io.reachability.libp2p.core.Direction;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.core.Stream;
import io.reachability.libp2p.host.Host;
import io.reachability.libp2p.host.InboundReservation;
import io.reachability.libp2p.multiformats.UvarintFrameDecoder;
import io.reachability.libp2p.yamux.YamuxStreamResetException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
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

  /**
   * After answering a dial-back we close its connection this much later, giving the server time to
   * read our response and close first, as go and js servers do.
   */
  static final Duration DIAL_BACK_CONNECTION_LINGER = Duration.ofSeconds(2);

  /**
   * Inbound slots the host keeps for dial-backs while a check is pending ({@link
   * Host#reserveInboundSlots}), past its connection limits: a check waits for one dial-back, the
   * monitor has 5 probes in flight by default and each job worker one check, so this covers the
   * checks of a busy node several times over, and its members last seconds.
   */
  public static final int DIAL_BACK_RESERVED_SLOTS = 32;

  private static final Logger log = LoggerFactory.getLogger(AutonatClient.class);

  /**
   * Why a server's dial failure counts for nothing: while the check ran the node itself turned
   * inbound connections away for lack of room, maybe the dial-back among them.
   */
  static final String TURNED_AWAY_DURING_CHECK =
      "the server could not connect, but the node was turning inbound connections away meanwhile"
          + " (out of connection slots): the failure may be the node's own, not the address's";

  /** Tries to draw a nonce no pending check uses before giving up (a sane source needs one). */
  private static final int NONCE_ATTEMPTS = 16;

  private final Host host;
  private final AutonatClientSettings settings;
  private final LongSupplier nonces;
  private final Clock clock;
  private final Map<Long, Exchange> pending = new ConcurrentHashMap<>();
  private final ScheduledExecutorService timers;
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile @Nullable InboundReservation dialBackSlots;

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
    this.fullChunkMessage = dialDataMessage(settings.dialDataChunkBytes());
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
      host.setStreamHandler(AutonatV2.DIAL_BACK_PROTOCOL, this::serveDialBack);
      // a connection flood must not make the node turn away the dial-backs that prove it reachable
      // (servers dial back from another port and often another identity, but mostly from the IP
      // they were reached at: those dial-backs are never pushed out by strangers)
      dialBackSlots =
          host.reserveInboundSlots(
              AutonatV2.DIAL_BACK_PROTOCOL,
              DIAL_BACK_RESERVED_SLOTS,
              () -> !pending.isEmpty(),
              this::awaitedFrom);
    }
    return this;
  }

  /**
   * Whether a pending check's server was reached at {@code ip}: its dial-back may come from there.
   */
  private boolean awaitedFrom(InetAddress ip) {
    for (Exchange exchange : pending.values()) {
      if (ip.equals(exchange.serverIp)) {
        return true;
      }
    }
    return false;
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
    for (Exchange exchange : List.copyOf(pending.values())) {
      exchange.result.completeExceptionally(new IllegalStateException("AutoNAT client closed"));
    }
    timers.shutdownNow();
  }

  public AutonatClientSettings settings() {
    return settings;
  }

  /** Checks whose nonce is still accepted by the dial-back handler. */
  public int pendingChecks() {
    return pending.size();
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
    int size = dialRequest(sent, 0).getSerializedSize();
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
      Exchange exchange =
          new Exchange(serverId, server, sent, options, nonces.getAsLong(), clock.instant());
      if (pending.putIfAbsent(exchange.nonce, exchange) == null) {
        exchange.start();
        return exchange.result;
      }
    }
    return CompletableFuture.failedFuture(
        new IllegalStateException("nonce source keeps repeating pending nonces"));
  }

  // ---- dial-back
  // ---------------------------------------------------------------------------------

  private void serveDialBack(Stream stream) {
    ScheduledFuture<?> timer =
        stream
            .channel()
            .eventLoop()
            .schedule(
                stream::reset,
                AutonatV2.DIAL_BACK_STREAM_TIMEOUT.toMillis(),
                TimeUnit.MILLISECONDS);
    stream.channel().closeFuture().addListener(f -> timer.cancel(false));
    stream
        .channel()
        .pipeline()
        .addLast(new UvarintFrameDecoder(AutonatV2.MAX_DIAL_BACK_MESSAGE_SIZE))
        .addLast(new DialBackHandler(stream));
  }

  /** Reads one DialBack; a pending nonce is accepted once and answered, anything else is reset. */
  private final class DialBackHandler extends SimpleChannelInboundHandler<ByteBuf> {
    private final Stream stream;
    private boolean answered;

    DialBackHandler(Stream stream) {
      this.stream = stream;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
      if (answered) {
        return; // one DialBack per stream; anything after it is ignored
      }
      answered = true;
      long nonce;
      try {
        nonce = AutonatMessages.parseDialBack(frame).getNonce();
      } catch (Libp2pException e) {
        log.debug(
            "malformed DialBack from {}: {}", stream.connection().remotePeer(), e.getMessage());
        stream.reset();
        return;
      }
      Multiaddr local = stream.connection().localAddress();
      if (stream.connection().direction() != Direction.INBOUND) {
        // a nonce on a connection we dialed proves nothing about being dialable (a server could
        // send it over the request's own connection): refuse it without using the nonce up
        log.debug(
            "DialBack on an outbound connection to {}: resetting",
            stream.connection().remotePeer());
        stream.reset();
        return;
      }
      Exchange exchange = pending.get(nonce);
      if (exchange != null && stream.connection().openedAtNanos() - exchange.startNanos < 0) {
        // a connection that already existed when the check began (an earlier inbound one, or the
        // request's own) proves nothing about the address being dialable now
        log.debug(
            "DialBack on a connection older than the check, from {}: resetting",
            stream.connection().remotePeer());
        stream.reset();
        return;
      }
      if (exchange == null || !exchange.acceptDialBack(local)) {
        log.debug(
            "{} dial-back from {} on {}: resetting",
            exchange == null ? "unknown nonce in a" : "repeated",
            stream.connection().remotePeer(),
            local);
        stream.reset();
        return;
      }
      ByteBuf response =
          AutonatMessages.frame(
              ctx.alloc(),
              AutonatV2Protos.DialBackResponse.newBuilder()
                  .setStatus(AutonatV2Protos.DialBackResponse.DialBackStatus.OK)
                  .build());
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
      // the connection exists only for this dial-back; servers that never close theirs
      // (rust-libp2p)
      // must not pile them up here
      var connection = stream.connection();
      ctx.channel()
          .eventLoop()
          .schedule(
              connection::close, DIAL_BACK_CONNECTION_LINGER.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof ChannelInputShutdownEvent && !answered) {
        ctx.close(); // the server gave up before sending a nonce
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // oversized frame, bad length prefix, or the server reset the stream
      log.debug(
          "dial-back stream from {} failed: {}",
          stream.connection().remotePeer(),
          cause.toString());
      stream.reset();
    }
  }

  // ---- one check
  // ---------------------------------------------------------------------------------

  /** How a check leaves its stream. */
  private enum StreamEnd {
    /** FIN: the exchange ended as the protocol says. */
    CLOSE,
    /** RST: protocol error, timeout or abort. */
    RESET
  }

  /**
   * The state of one check. Stream events arrive on the stream's event loop, the dial-back on
   * another connection's, timers on the timer thread: all state is guarded by {@code this}, and
   * nothing outside this class runs while the lock is held.
   */
  private final class Exchange {
    final PeerId serverId;
    final Multiaddr serverAddress;
    final List<Multiaddr> addresses;
    final CheckOptions options;
    final long nonce;
    final Instant startedAt;

    /**
     * Monotonic start, compared with {@code Connection.openedAtNanos()} of the dial-back's
     * connection.
     */
    final long startNanos = System.nanoTime();

    /** The host's count of inbound connections turned away, when the check began. */
    final long turnedAwayAtStart = host.inboundTurnedAway();

    final CompletableFuture<CheckResult> result = new CompletableFuture<>();

    // guarded by this
    private boolean done;
    private @Nullable Stream stream;
    private boolean streamEnded;
    private @Nullable Multiaddr dialBackLocal;
    private long paid;
    private long owed;
    private int refusals;
    private @Nullable String discarded;
    private @Nullable Understood response;
    private @Nullable ScheduledFuture<?> timeout;
    private @Nullable ScheduledFuture<?> grace;

    /**
     * The remote address of the connection the check runs on: a reused one may not be {@code
     * serverAddress}.
     */
    private @Nullable Multiaddr reachedAt;

    /** The IP the server was reached at; null until connected. Read by the dial-back reserve. */
    volatile @Nullable InetAddress serverIp;

    Exchange(
        PeerId serverId,
        Multiaddr serverAddress,
        List<Multiaddr> addresses,
        CheckOptions options,
        long nonce,
        Instant startedAt) {
      this.serverId = serverId;
      this.serverAddress = serverAddress;
      this.addresses = addresses;
      this.options = options;
      this.nonce = nonce;
      this.startedAt = startedAt;
    }

    void start() {
      // completed from outside (the caller cancelled, the client closed): stop everything
      result.whenComplete(
          (value, error) -> {
            if (error != null) {
              synchronized (this) {
                done = true;
                cancelTimers();
              }
              endStream(StreamEnd.RESET);
            }
            pending.remove(nonce, this);
          });
      try {
        synchronized (this) {
          timeout =
              timers.schedule(this::onTimeout, options.timeout().toMillis(), TimeUnit.MILLISECONDS);
        }
      } catch (RuntimeException e) { // the client closed meanwhile
        result.completeExceptionally(new IllegalStateException("AutoNAT client closed", e));
        return;
      }
      host.dialOutbound(serverAddress)
          .whenComplete(
              (connection, error) -> {
                if (error != null) {
                  finish(
                      unknown("cannot connect to the server: " + AutonatMessages.errorText(error)),
                      StreamEnd.RESET);
                  return;
                }
                if (result.isDone()) {
                  return; // timed out or cancelled while connecting
                }
                synchronized (this) {
                  reachedAt = connection.remoteAddress().withPeerId(serverId);
                }
                serverIp =
                    connection
                        .remoteAddress()
                        .toTcpSocketAddress()
                        .map(InetSocketAddress::getAddress)
                        .orElse(null);
                connection
                    .newStream(List.of(AutonatV2.DIAL_REQUEST_PROTOCOL), this::initStream)
                    .whenComplete(
                        (stream, streamError) -> {
                          if (streamError != null) {
                            finish(
                                unknown(
                                    "cannot open a "
                                        + AutonatV2.DIAL_REQUEST_PROTOCOL
                                        + " stream: "
                                        + AutonatMessages.errorText(streamError)),
                                StreamEnd.RESET);
                          }
                        });
              });
    }

    /** On the stream's event loop, once the protocol is agreed and before any byte arrives. */
    void initStream(Stream opened) {
      boolean live;
      synchronized (this) {
        live = !done;
        if (live) {
          stream = opened;
        }
      }
      if (!live) {
        opened.reset(); // the check already ended (timeout, cancel)
        return;
      }
      opened
          .channel()
          .pipeline()
          .addLast(new UvarintFrameDecoder(AutonatV2.MAX_MESSAGE_SIZE))
          .addLast(new RequestHandler(this));
      opened
          .channel()
          .writeAndFlush(
              AutonatMessages.frame(opened.channel().alloc(), dialRequest(addresses, nonce)))
          .addListener(
              f -> {
                if (!f.isSuccess()) {
                  finish(
                      unknown("cannot send the request: " + AutonatMessages.errorText(f.cause())),
                      StreamEnd.RESET);
                }
              });
    }

    /** The dial-back handler found our nonce; false when it was delivered before. */
    boolean acceptDialBack(Multiaddr local) {
      synchronized (this) {
        if (dialBackLocal != null || done) {
          return false;
        }
        dialBackLocal = local;
        if (response == null) {
          return true; // the normal order: the response follows the dial-back
        }
      }
      concludeIfAnswered();
      return true;
    }

    // ---- request stream events (stream event loop) ----

    void onMessage(ChannelHandlerContext ctx, AutonatV2Protos.Message message) {
      synchronized (this) {
        if (done || response != null) {
          return; // the verdict is in; js servers may keep talking
        }
      }
      switch (message.getMsgCase()) {
        case DIALDATAREQUEST -> onDialDataRequest(ctx, message.getDialDataRequest());
        case DIALRESPONSE -> onDialResponse(message.getDialResponse());
        case MSG_NOT_SET -> protocolError("server sent an empty message");
        default ->
            protocolError("server sent an unexpected " + message.getMsgCase().name() + " message");
      }
    }

    private void onDialDataRequest(
        ChannelHandlerContext ctx, AutonatV2Protos.DialDataRequest request) {
      long index = Integer.toUnsignedLong(request.getAddrIdx());
      long numBytes = request.getNumBytes(); // uint64: compared unsigned
      String refusal = null;
      synchronized (this) {
        long allowance = options.maxDialDataBytes() - paid;
        if (owed > 0) {
          refusal = "server asked for more dial data before the last request was paid";
        } else if (index >= addresses.size()) {
          refusal =
              "server asked for dial data for address index "
                  + index
                  + ", but only "
                  + addresses.size()
                  + " addresses were sent";
        } else if (Long.compareUnsigned(numBytes, allowance) > 0) {
          refusal =
              "server asked for "
                  + Long.toUnsignedString(numBytes)
                  + " bytes of dial data, over the cap of "
                  + options.maxDialDataBytes()
                  + (paid > 0 ? " (" + paid + " already paid)" : "");
        } else {
          owed = numBytes;
        }
      }
      if (refusal != null) {
        protocolError(refusal); // the spec's way to decline the cost: reset the stream
        return;
      }
      sendDialData(ctx);
    }

    /** Writes owed dial data while the stream is writable; resumes on writability changes. */
    void sendDialData(ChannelHandlerContext ctx) {
      boolean wrote = false;
      while (ctx.channel().isWritable()) {
        int chunk;
        synchronized (this) {
          if (done || owed == 0) {
            break;
          }
          chunk = (int) Math.min(owed, settings.dialDataChunkBytes());
          owed -= chunk;
          paid += chunk;
        }
        byte[] message =
            chunk == settings.dialDataChunkBytes() ? fullChunkMessage : dialDataMessage(chunk);
        ctx.write(AutonatMessages.frame(ctx.alloc(), message));
        wrote = true;
      }
      if (wrote) {
        ctx.flush();
      }
    }

    private void onDialResponse(AutonatV2Protos.DialResponse message) {
      Optional<ResponseStatus> status = ResponseStatus.fromCode(message.getStatusValue());
      Optional<DialStatus> dialStatus = DialStatus.fromCode(message.getDialStatusValue());
      long index = Integer.toUnsignedLong(message.getAddrIdx());
      if (status.isEmpty()) {
        discard(
            "server sent a response with unknown status code "
                + message.getStatusValue()
                + " (discarded)");
        return;
      }
      switch (status.get()) {
        case E_DIAL_REFUSED -> {
          boolean allRefused;
          synchronized (this) {
            refusals++;
            owed = 0;
            allRefused = refusals >= addresses.size();
          }
          // js-libp2p answers every address: a refusal of one may be followed by an answer for
          // another
          if (allRefused) {
            finish(refused(), StreamEnd.CLOSE);
          }
          return;
        }
        case OK -> {
          if (dialStatus.isEmpty()) {
            discard(
                "server sent a response with unknown dial status code "
                    + message.getDialStatusValue()
                    + " (discarded)");
            return;
          }
        }
        default -> {
          // rejected, internal error: final, the dial status means nothing
          finish(
              classified(
                  Classification.classify(status.get(), DialStatus.UNUSED, index, addresses, null),
                  status.get(),
                  null),
              StreamEnd.CLOSE);
          return;
        }
      }
      boolean waitForNonce;
      synchronized (this) {
        if (done) {
          return;
        }
        response = new Understood(dialStatus.get(), index);
        owed = 0;
        waitForNonce =
            dialBackLocal == null
                && index < addresses.size()
                && (dialStatus.get() == DialStatus.OK
                    || dialStatus.get() == DialStatus.E_DIAL_BACK_ERROR)
                && !settings.nonceGracePeriod().isZero();
        if (waitForNonce) {
          try {
            grace =
                timers.schedule(
                    this::concludeIfAnswered,
                    settings.nonceGracePeriod().toMillis(),
                    TimeUnit.MILLISECONDS);
          } catch (RuntimeException e) {
            waitForNonce = false; // closing: conclude with what we have
          }
        }
      }
      // the exchange itself is over: FIN now, even while a late nonce may still come
      endStream(StreamEnd.CLOSE);
      if (!waitForNonce) {
        concludeIfAnswered();
      }
    }

    private void discard(String reason) {
      synchronized (this) {
        discarded = reason;
      }
    }

    /** FIN, reset or plain close of the stream before any final response. */
    void onStreamEnded(String reason) {
      CheckResult outcome;
      synchronized (this) {
        if (done || response != null) {
          return;
        }
        outcome = refusals > 0 ? refused() : unknown(discarded != null ? discarded : reason);
      }
      finish(outcome, StreamEnd.CLOSE); // the server is done with it; nothing to abort
    }

    void protocolError(String reason) {
      finish(unknown(reason), StreamEnd.RESET);
    }

    // ---- endings ----

    private void onTimeout() {
      CheckResult outcome;
      synchronized (this) {
        if (done) {
          return;
        }
        if (response != null) {
          outcome = null;
        } else if (refusals > 0) {
          outcome = refused();
        } else {
          String waiting =
              stream == null
                  ? " connecting to the server"
                  : owed > 0 ? " sending dial data" : " waiting for a response";
          outcome = unknown("timed out after " + human(options.timeout()) + waiting);
        }
      }
      if (outcome == null) {
        concludeIfAnswered();
      } else {
        finish(outcome, StreamEnd.RESET);
      }
    }

    /** Turns the understood OK response and what the dial-back handler saw into the verdict. */
    private void concludeIfAnswered() {
      CheckResult outcome;
      synchronized (this) {
        if (done || response == null) {
          return;
        }
        outcome =
            classified(
                Classification.classify(
                    ResponseStatus.OK,
                    response.dialStatus(),
                    response.index(),
                    addresses,
                    dialBackLocal),
                ResponseStatus.OK,
                null);
      }
      finish(outcome, StreamEnd.CLOSE);
    }

    private void finish(CheckResult outcome, StreamEnd end) {
      synchronized (this) {
        if (done) {
          return;
        }
        done = true;
        cancelTimers();
      }
      endStream(end);
      pending.remove(nonce, this);
      log.debug(
          "check of {} by {}: {} ({})",
          addresses,
          serverId,
          outcome.reachability(),
          outcome.reason());
      // callers' non-async callbacks must never run on an event loop or the timer thread
      result.completeAsync(() -> outcome, ForkJoinPool.commonPool());
    }

    private void endStream(StreamEnd end) {
      Stream s;
      synchronized (this) {
        if (stream == null || streamEnded) {
          return;
        }
        streamEnded = true;
        s = stream;
      }
      if (end == StreamEnd.RESET) {
        s.reset();
      } else {
        s.channel().close();
      }
    }

    private void cancelTimers() {
      if (timeout != null) {
        timeout.cancel(false);
      }
      if (grace != null) {
        grace.cancel(false);
      }
    }

    // ---- results (call with the lock held or with immutable inputs) ----

    private CheckResult refused() {
      return result(
          null,
          null,
          ResponseStatus.E_DIAL_REFUSED,
          null,
          Reachability.UNKNOWN,
          "server refused to dial any address");
    }

    private CheckResult unknown(String reason) {
      return result(null, null, null, null, Reachability.UNKNOWN, reason);
    }

    private CheckResult classified(
        Classification c, ResponseStatus status, @Nullable DialStatus dialStatus) {
      if (c.reachability() == Reachability.UNREACHABLE
          && host.inboundTurnedAway() > turnedAwayAtStart) {
        // the server could not connect while we were turning connections away: its failure may be
        // our own doing (a flood filling our slots), not the address's
        return result(
            c.testedIndex(),
            c.testedAddress(),
            status,
            dialStatus != null ? dialStatus : c.dialStatus(),
            Reachability.UNKNOWN,
            TURNED_AWAY_DURING_CHECK);
      }
      return result(
          c.testedIndex(),
          c.testedAddress(),
          status,
          dialStatus != null ? dialStatus : status == ResponseStatus.OK ? c.dialStatus() : null,
          c.reachability(),
          c.reason());
    }

    private synchronized CheckResult result(
        @Nullable Integer index,
        @Nullable Multiaddr tested,
        @Nullable ResponseStatus status,
        @Nullable DialStatus dialStatus,
        Reachability reachability,
        String reason) {
      return new CheckResult(
          serverId,
          reachedAt != null ? reachedAt : serverAddress,
          index,
          tested,
          status,
          dialStatus,
          reachability,
          reason,
          dialBackLocal != null,
          dialBackLocal,
          paid,
          Duration.between(startedAt, clock.instant()));
    }
  }

  /** An OK response with a dial status we understand. */
  private record Understood(DialStatus dialStatus, long index) {}

  /**
   * The request stream's handler: frames in, events to the exchange; never lets anything escape.
   */
  private static final class RequestHandler extends SimpleChannelInboundHandler<ByteBuf> {
    private final Exchange exchange;

    RequestHandler(Exchange exchange) {
      this.exchange = exchange;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
      AutonatV2Protos.Message message;
      try {
        message = AutonatMessages.parseMessage(frame);
      } catch (Libp2pException e) {
        exchange.protocolError("malformed message from the server: " + e.getMessage());
        return;
      }
      exchange.onMessage(ctx, message);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (ctx.channel().isWritable()) {
        exchange.sendDialData(ctx);
      }
      ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof ChannelInputShutdownEvent) {
        exchange.onStreamEnded("server closed the stream without a response");
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      exchange.onStreamEnded("the stream closed without a response");
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (cause instanceof YamuxStreamResetException) {
        exchange.onStreamEnded("server reset the stream");
      } else if (cause instanceof DecoderException) {
        exchange.protocolError("bad frame from the server: " + cause.getMessage());
      } else {
        exchange.protocolError("stream failed: " + cause);
      }
    }
  }

  // ---- helpers
  // -------------------------------------------------------------------------------------

  /** {@code Message{dialRequest{addrs, nonce}}}: the addresses as given, in order, as bytes. */
  static AutonatV2Protos.Message dialRequest(List<Multiaddr> addresses, long nonce) {
    AutonatV2Protos.DialRequest.Builder request =
        AutonatV2Protos.DialRequest.newBuilder().setNonce(nonce);
    for (Multiaddr address : addresses) {
      request.addAddrs(ByteString.copyFrom(address.toBytes()));
    }
    return AutonatV2Protos.Message.newBuilder().setDialRequest(request).build();
  }

  /** {@code Message{dialDataResponse{data: size zero bytes}}}, serialised. */
  static byte[] dialDataMessage(int size) {
    return AutonatV2Protos.Message.newBuilder()
        .setDialDataResponse(
            AutonatV2Protos.DialDataResponse.newBuilder()
                .setData(ByteString.copyFrom(new byte[size])))
        .build()
        .toByteArray();
  }

  static String human(Duration duration) {
    long millis = duration.toMillis();
    return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
  }
}
