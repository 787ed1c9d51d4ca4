package io.reachability.libp2p.yamux;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The yamux session state machine for one connection; installed as the last handler, directly after
 * {@link YamuxFrameCodec}. Every stream is a {@link YamuxStreamChannel} child channel on the
 * connection's event loop.
 *
 * <ul>
 *   <li>Clients open odd stream ids, servers even ones. {@link #openStream()} sends SYN (a
 *       WINDOW_UPDATE) and returns the registered, active channel.
 *   <li>A peer's SYN creates a stream channel: ACK is sent, {@code inboundStreamInitializer} runs
 *       on the event loop (add handlers there), then the channel is registered and becomes active.
 *       Beyond {@link YamuxSettings#maxInboundStreams()} the stream is refused with RST; the
 *       session carries on.
 *   <li>PING with SYN is answered with ACK and the same opaque value; {@link #ping()} measures the
 *       round trip.
 *   <li>A received GO_AWAY stops {@link #openStream()}; existing streams continue. {@link #goAway}
 *       announces the same to the peer (new inbound streams are refused). Closing the connection
 *       sends GO_AWAY(NORMAL) first.
 *   <li>A protocol violation (bad header, data beyond a window, SYN for an open id, an id of the
 *       wrong parity, bad PING flags, session frames on a stream id) sends GO_AWAY(PROTOCOL_ERROR)
 *       and closes the connection. Frames for unknown or closed streams are dropped (FIN and RST
 *       race with data), their data released.
 *   <li>Errors never travel past this handler; when the connection closes, every stream channel
 *       closes.
 * </ul>
 *
 * <p>{@link #openStream()}, {@link #ping()} and {@link #goAway} may be called from any thread.
 *
 * <p>Wiring, once multistream-select chose {@link Yamux#PROTOCOL_ID} on the secured connection:
 *
 * <pre>{@code
 * YamuxSettings settings = YamuxSettings.defaults();
 * pipeline.addLast(YamuxFrameCodec.NAME, new YamuxFrameCodec(settings.initialWindow()));
 * pipeline.addLast(YamuxHandler.NAME, new YamuxHandler(dialer, settings,
 *     stream -> stream.pipeline().addLast(MultistreamHandler.responder(...))));
 * // outbound: yamux.openStream(stream -> stream.pipeline().addLast(MultistreamHandler.initiator(...)))
 * }</pre>
 *
 * <p>Initializers should only configure the stream and add handlers: the channel is not registered
 * yet, so writes belong in {@code channelActive} or later.
 *
 * @see <a href="https://github.com/hashicorp/yamux/blob/master/spec.md">hashicorp yamux spec</a>
 */
public final class YamuxHandler extends ChannelDuplexHandler {

  /** Name of this handler in a connection pipeline. */
  public static final String NAME = "yamux";

  private static final InternalLogger log = InternalLoggerFactory.getInstance(YamuxHandler.class);
  private static final long MAX_STREAM_ID = 0xFFFF_FFFFL;

  private final boolean client;
  private final YamuxSettings settings;
  private final Consumer<YamuxStreamChannel> inboundStreamInitializer;

  private volatile @Nullable ChannelHandlerContext ctx;
  private volatile boolean remoteGoAway;
  private volatile int streamCount;

  /**
   * Stream channels not yet closed on our side (a stream we closed that awaits the peer's FIN is
   * not one). Written on the event loop only; volatile so that other threads may read it.
   */
  private volatile int openChannels;

  /**
   * {@link System#nanoTime()} when {@link #openChannels} last dropped to zero (or the session
   * began).
   */
  private volatile long idleSinceNanos = System.nanoTime();

  // Everything below is touched on the event loop only.
  private final Map<Integer, YamuxStreamChannel> streams = new HashMap<>();
  private final Map<Integer, PendingPing> pings = new HashMap<>();
  private long nextStreamId;
  private int nextPingId = 1;
  private int inboundStreams;
  private int unacknowledgedOutbound;
  private boolean localGoAway;
  private boolean closed;
  private boolean inRead;
  private boolean flushPending;
  private boolean flushScheduled;

  /**
   * @param client whether this side is the client of the connection (it dialed): odd stream ids
   * @param settings windows, limits and timeouts
   * @param inboundStreamInitializer called on the event loop for every stream the peer opens,
   *     before the stream channel is registered; typically adds the stream's handlers
   */
  public YamuxHandler(
      boolean client,
      YamuxSettings settings,
      Consumer<YamuxStreamChannel> inboundStreamInitializer) {
    this.client = client;
    this.settings = Objects.requireNonNull(settings, "settings");
    this.inboundStreamInitializer =
        Objects.requireNonNull(inboundStreamInitializer, "inboundStreamInitializer");
    this.nextStreamId = client ? 1 : 2;
  }

  public YamuxSettings settings() {
    return settings;
  }

  /**
   * Number of streams the session currently tracks (open, or closed locally and awaiting the peer's
   * FIN).
   */
  public int streamCount() {
    return streamCount;
  }

  /**
   * Stream channels still open on our side: streams a handler of ours is working on. A stream we
   * closed whose FIN from the peer we are still waiting for is not counted, so a peer that never
   * finishes its streams does not make the session look busy.
   */
  public int openStreamChannels() {
    return openChannels;
  }

  /**
   * How long the session has had no stream channel open on our side ({@link
   * #openStreamChannels()}), as of {@code nowNanos} ({@link System#nanoTime()}); zero while one is
   * open.
   */
  public long idleNanos(long nowNanos) {
    return openChannels > 0 ? 0 : Math.max(0, nowNanos - idleSinceNanos);
  }

  /** Whether the peer sent GO_AWAY (no new streams can be opened). */
  public boolean isGoAwayReceived() {
    return remoteGoAway;
  }

  /**
   * Opens a stream; the future completes with the registered, active channel. Handlers added in a
   * dependent stage may miss data the peer sends very quickly when called from outside the event
   * loop; prefer {@link #openStream(Consumer)} then.
   */
  public CompletableFuture<YamuxStreamChannel> openStream() {
    return openStream(null);
  }

  /**
   * Opens a stream, calling {@code initializer} on the event loop before the channel is registered
   * (like the inbound initializer), so its handlers see everything. Fails with {@link
   * YamuxException} when the session is closed, the peer sent GO_AWAY, {@value
   * Yamux#MAX_ACK_BACKLOG} streams are unacknowledged or ids ran out.
   */
  public CompletableFuture<YamuxStreamChannel> openStream(
      @Nullable Consumer<? super YamuxStreamChannel> initializer) {
    CompletableFuture<YamuxStreamChannel> future = new CompletableFuture<>();
    runOnEventLoop(future, () -> openStream0(initializer, future));
    return future;
  }

  /**
   * Sends PING and completes with the round-trip time, or fails after {@link
   * YamuxSettings#pingTimeout()}.
   */
  public CompletableFuture<Duration> ping() {
    CompletableFuture<Duration> future = new CompletableFuture<>();
    runOnEventLoop(future, () -> ping0(future));
    return future;
  }

  /**
   * Announces GO_AWAY with {@code code}: the peer stops opening streams and we refuse new ones;
   * existing streams continue. Closing the connection channel afterwards is the caller's decision.
   */
  public void goAway(YamuxGoAwayCode code) {
    Objects.requireNonNull(code, "code");
    runOnEventLoop(
        new CompletableFuture<Void>(),
        () -> {
          if (!closed && !localGoAway) {
            localGoAway = true;
            writeFrame(YamuxFrame.goAway(code));
            flush();
          }
        });
  }

  // ---- ChannelHandler
  // ------------------------------------------------------------------------------------------

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    shutdownSession("yamux handler removed");
  }

  /**
   * A peer that does not read what we send (echoes, ping answers, resets) must not make us buffer
   * without bound: while the connection cannot take more, stop reading from that peer.
   */
  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    ctx.channel().config().setAutoRead(ctx.channel().isWritable());
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    inRead = false;
    shutdownSession("connection closed");
    ctx.fireChannelInactive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof YamuxFrame frame)) {
      ctx.fireChannelRead(msg);
      return;
    }

    inRead = true;
    try {
      if (!closed) {
        onFrame(frame);
      }
    } catch (YamuxException e) {
      terminate(YamuxGoAwayCode.PROTOCOL_ERROR, e.getMessage());
    } catch (RuntimeException e) {
      log.warn("{} internal yamux error", ctx.channel(), e);
      terminate(YamuxGoAwayCode.INTERNAL_ERROR, "internal error: " + e);
    } finally {
      frame.release();
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    inRead = false;
    flush();
    ctx.fireChannelReadComplete();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    YamuxException yamux = findYamuxException(cause);
    if (yamux != null) {
      terminate(YamuxGoAwayCode.PROTOCOL_ERROR, yamux.getMessage());
    } else {
      log.debug("{} closing yamux connection after error", ctx.channel(), cause);
      shutdownSession("connection error: " + cause);
      ctx.close();
    }
  }

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
    if (!closed && !localGoAway && ctx.channel().isActive()) {
      localGoAway = true;
      ctx.write(YamuxFrame.goAway(YamuxGoAwayCode.NORMAL), ctx.voidPromise());
      ctx.flush();
    }
    ctx.close(promise);
  }

  // ---- frames
  // --------------------------------------------------------------------------------------------------

  private void onFrame(YamuxFrame frame) {
    switch (frame.type()) {
      case DATA, WINDOW_UPDATE -> onStreamFrame(frame);
      case PING -> onPing(frame);
      case GO_AWAY -> onGoAway(frame);
      default -> throw new YamuxException("unexpected frame " + frame);
    }
  }

  private void onStreamFrame(YamuxFrame frame) {
    int id = frame.streamId();
    if (id == Yamux.SESSION_STREAM_ID) {
      throw new YamuxException(frame.type() + " frame on the session stream id 0");
    }
    YamuxStreamChannel stream = streams.get(id);
    if (frame.hasFlag(YamuxFlag.SYN)) {
      if (stream != null) {
        throw new YamuxException(
            "SYN for stream " + Integer.toUnsignedString(id) + " which is open");
      }
      if (isLocalId(id)) {
        throw new YamuxException(
            "peer opened stream " + Integer.toUnsignedString(id) + " with our id parity");
      }
      stream = acceptStream(id);
    }
    if (stream != null && !stream.isRemoved()) {
      stream.onFrame(frame);
    }
    // else: a late frame for a stream that is gone (or was refused); the caller releases its data
  }

  private @Nullable YamuxStreamChannel acceptStream(int id) {
    if (localGoAway) {
      sendReset(id);
      return null;
    }
    if (inboundStreams >= settings.maxInboundStreams()) {
      log.debug(
          "{} refusing stream {}: {} inbound streams open",
          ctx().channel(),
          Integer.toUnsignedString(id),
          inboundStreams);
      sendReset(id);
      return null;
    }
    YamuxStreamChannel stream = new YamuxStreamChannel(ctx().channel(), this, id, false);
    addStream(stream);
    stream.sendOpenFrame(YamuxFlag.ACK);
    try {
      inboundStreamInitializer.accept(stream);
    } catch (RuntimeException e) {
      log.warn("{} inbound stream initializer failed; resetting the stream", stream, e);
      stream.reset();
      return null;
    }
    if (!register(stream)) {
      return null;
    }
    flush();
    return stream;
  }

  private void onPing(YamuxFrame frame) {
    if (frame.streamId() != Yamux.SESSION_STREAM_ID) {
      throw new YamuxException("PING on stream " + Integer.toUnsignedString(frame.streamId()));
    }
    if (frame.flags() == YamuxFlag.SYN.bit()) {
      writeFrame(YamuxFrame.ping(YamuxFlag.ACK.bit(), frame.length()));
      flush();
    } else if (frame.flags() == YamuxFlag.ACK.bit()) {
      PendingPing pending = pings.remove(frame.length());
      if (pending != null) {
        pending.timeout.cancel(false);
        pending.future.complete(Duration.ofNanos(System.nanoTime() - pending.startNanos));
      }
    } else {
      throw new YamuxException("PING with flags 0x" + Integer.toHexString(frame.flags()));
    }
  }

  private void onGoAway(YamuxFrame frame) {
    if (frame.streamId() != Yamux.SESSION_STREAM_ID) {
      throw new YamuxException("GO_AWAY on stream " + Integer.toUnsignedString(frame.streamId()));
    }
    remoteGoAway = true;
    if (log.isDebugEnabled()) {
      String code;
      try {
        code = YamuxGoAwayCode.fromCode(frame.length()).toString();
      } catch (YamuxException e) {
        code = Integer.toUnsignedString(frame.length());
      }
      log.debug("{} peer sent GO_AWAY {}", ctx().channel(), code);
    }
  }

  // ---- operations on the event loop
  // ----------------------------------------------------------------------------

  private void openStream0(
      @Nullable Consumer<? super YamuxStreamChannel> initializer,
      CompletableFuture<YamuxStreamChannel> future) {
    ChannelHandlerContext ctx = ctx();
    if (closed || !ctx.channel().isActive()) {
      future.completeExceptionally(new YamuxException("yamux session is closed"));
      return;
    }
    if (remoteGoAway) {
      future.completeExceptionally(new YamuxException("peer sent GO_AWAY; no new streams"));
      return;
    }
    if (localGoAway) {
      future.completeExceptionally(new YamuxException("yamux session is going away"));
      return;
    }
    if (unacknowledgedOutbound >= Yamux.MAX_ACK_BACKLOG) {
      future.completeExceptionally(
          new YamuxException(unacknowledgedOutbound + " streams are waiting for the peer's ACK"));
      return;
    }
    if (nextStreamId > MAX_STREAM_ID) {
      future.completeExceptionally(new YamuxException("yamux stream ids exhausted"));
      return;
    }
    int id = (int) nextStreamId;
    nextStreamId += 2;
    YamuxStreamChannel stream = new YamuxStreamChannel(ctx.channel(), this, id, true);
    addStream(stream);
    stream.sendOpenFrame(YamuxFlag.SYN);
    if (initializer != null) {
      try {
        initializer.accept(stream);
      } catch (RuntimeException e) {
        stream.reset();
        future.completeExceptionally(e);
        return;
      }
    }
    if (!register(stream)) {
      future.completeExceptionally(new YamuxException("could not register stream " + stream));
      return;
    }
    flush();
    future.complete(stream);
  }

  private void ping0(CompletableFuture<Duration> future) {
    if (closed || !ctx().channel().isActive()) {
      future.completeExceptionally(new YamuxException("yamux session is closed"));
      return;
    }
    int opaque = nextPingId++;
    ScheduledFuture<?> timeout =
        schedule(
            () -> {
              PendingPing pending = pings.remove(opaque);
              if (pending != null) {
                pending.future.completeExceptionally(
                    new YamuxException("no PING answer within " + settings.pingTimeout()));
              }
            },
            settings.pingTimeout());
    pings.put(opaque, new PendingPing(future, System.nanoTime(), timeout));
    writeFrame(YamuxFrame.ping(YamuxFlag.SYN.bit(), opaque));
    flush();
  }

  private boolean register(YamuxStreamChannel stream) {
    EventLoop loop = ctx().channel().eventLoop();
    ChannelPromise promise = new DefaultChannelPromise(stream, loop);
    stream.unsafe().register(loop, promise);
    if (!promise.isSuccess()) {
      log.warn("{} could not be registered", stream, promise.cause());
      stream.reset();
      return false;
    }
    return true;
  }

  private void terminate(YamuxGoAwayCode code, @Nullable String reason) {
    if (closed) {
      return;
    }
    ChannelHandlerContext ctx = ctx();
    log.debug("{} yamux session terminated with {}: {}", ctx.channel(), code, reason);
    if (!localGoAway && ctx.channel().isActive()) {
      localGoAway = true;
      ctx.writeAndFlush(YamuxFrame.goAway(code)).addListener(ChannelFutureListener.CLOSE);
    } else {
      ctx.close();
    }
    shutdownSession(reason == null ? code.toString() : reason);
  }

  private void shutdownSession(String reason) {
    if (closed) {
      return;
    }
    closed = true;
    for (YamuxStreamChannel stream : new ArrayList<>(streams.values())) {
      stream.onSessionClosed();
    }
    streams.clear();
    streamCount = 0;
    inboundStreams = 0;
    unacknowledgedOutbound = 0;
    for (PendingPing pending : new ArrayList<>(pings.values())) {
      pending.timeout.cancel(false);
      pending.future.completeExceptionally(new YamuxException("yamux session closed: " + reason));
    }
    pings.clear();
  }

  // ---- used by YamuxStreamChannel on the event loop
  // ---------------------------------------------------------------

  boolean isSessionOpen() {
    return !closed;
  }

  void writeFrame(YamuxFrame frame) {
    ChannelHandlerContext ctx = this.ctx;
    if (closed || ctx == null) {
      frame.release();
      return;
    }
    ctx.write(frame, ctx.voidPromise());
    flushPending = true;
    if (inRead && !flushScheduled) {
      // Normally channelReadComplete flushes; this task is the safety net should a handler before
      // us forward
      // frames without a read-complete. It runs after the current read batch.
      flushScheduled = true;
      ctx.channel().eventLoop().execute(this::flushAfterRead);
    }
  }

  private void flushAfterRead() {
    flushScheduled = false;
    inRead = false;
    flush();
  }

  /**
   * Flushes now, or at the end of the current read batch when called while frames are being read.
   */
  void flush() {
    ChannelHandlerContext ctx = this.ctx;
    if (!inRead && flushPending && ctx != null) {
      flushPending = false;
      ctx.flush();
    }
  }

  void streamAcknowledged() {
    unacknowledgedOutbound--;
  }

  /**
   * The channel of a stream we added closed on our side (it may stay in the table until the peer's
   * FIN).
   */
  @SuppressWarnings("NonAtomicVolatileUpdate") // written on the event loop only
  void streamChannelClosed() {
    if (openChannels > 0 && --openChannels == 0) {
      idleSinceNanos = System.nanoTime();
    }
  }

  void removeStream(YamuxStreamChannel stream) {
    if (stream.isRemoved()) {
      return;
    }
    stream.markRemoved();
    if (streams.remove(stream.streamId(), stream)) {
      streamCount = streams.size();
      if (!stream.isOutbound()) {
        inboundStreams--;
      } else if (!stream.isAcknowledged()) {
        unacknowledgedOutbound--;
      }
    }
  }

  ScheduledFuture<?> schedule(Runnable task, Duration delay) {
    return ctx().channel().eventLoop().schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
  }

  // ---- helpers
  // -------------------------------------------------------------------------------------------------

  @SuppressWarnings("NonAtomicVolatileUpdate") // written on the event loop only
  private void addStream(YamuxStreamChannel stream) {
    streams.put(stream.streamId(), stream);
    streamCount = streams.size();
    openChannels++;
    if (stream.isOutbound()) {
      unacknowledgedOutbound++;
    } else {
      inboundStreams++;
    }
  }

  private void sendReset(int id) {
    writeFrame(YamuxFrame.windowUpdate(id, YamuxFlag.RST.bit(), 0));
    flush();
  }

  private boolean isLocalId(int id) {
    return ((id & 1) == 1) == client;
  }

  private ChannelHandlerContext ctx() {
    ChannelHandlerContext ctx = this.ctx;
    if (ctx == null) {
      throw new IllegalStateException("YamuxHandler is not in a pipeline");
    }
    return ctx;
  }

  private void runOnEventLoop(CompletableFuture<?> future, Runnable task) {
    ChannelHandlerContext ctx = this.ctx;
    if (ctx == null) {
      future.completeExceptionally(new YamuxException("YamuxHandler is not in a pipeline"));
      return;
    }
    Runnable guarded =
        () -> {
          try {
            task.run();
          } catch (RuntimeException e) {
            future.completeExceptionally(e);
          }
        };
    EventLoop loop = ctx.channel().eventLoop();
    if (loop.inEventLoop()) {
      guarded.run();
    } else {
      try {
        loop.execute(guarded);
      } catch (RuntimeException e) {
        future.completeExceptionally(new YamuxException("event loop rejected the task", e));
      }
    }
  }

  private static @Nullable YamuxException findYamuxException(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof YamuxException) {
        return (YamuxException) t;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }

  private static final class PendingPing {
    final CompletableFuture<Duration> future;
    final long startNanos;
    final ScheduledFuture<?> timeout;

    PendingPing(CompletableFuture<Duration> future, long startNanos, ScheduledFuture<?> timeout) {
      this.future = future;
      this.startNanos = startNanos;
      this.timeout = timeout;
    }
  }
}
