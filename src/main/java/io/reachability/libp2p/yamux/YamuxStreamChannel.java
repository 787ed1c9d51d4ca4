package io.reachability.libp2p.yamux;

import io.netty.buffer.ByteBuf;
import io.netty.channel.AbstractChannel;
import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.channel.socket.ChannelOutputShutdownEvent;
import io.netty.channel.socket.ChannelOutputShutdownException;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.internal.StringUtil;
import java.net.SocketAddress;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;
import org.jspecify.annotations.Nullable;

/**
 * One yamux stream as a Netty child channel of the connection ({@link #parent()}), running on the
 * connection's event loop with its own pipeline and {@link ChannelConfig} (auto-read, write-buffer
 * water marks). It reads and writes {@link ByteBuf}s.
 *
 * <ul>
 *   <li>Writes are cut into DATA frames of at most {@link YamuxSettings#maxFramePayload()} bytes
 *       and never exceed the peer's window; the rest waits in the channel's outbound buffer (so
 *       {@link #isWritable()} follows the water marks) until a WINDOW_UPDATE arrives. A write's
 *       promise completes when its last byte has been handed to the connection.
 *   <li>Received data is delivered when the pipeline reads (auto-read or {@link #read()}); the peer
 *       gets WINDOW_UPDATE credit for delivered bytes once half a window has been consumed.
 *   <li>{@link #shutdownOutput()} sends FIN after everything written so far; {@link #close()} sends
 *       FIN unless it was sent already (or RST if written data is still waiting for window, so the
 *       peer cannot mistake the truncated stream for a complete one) and makes the channel
 *       inactive.
 *   <li>The peer's FIN fires {@link ChannelInputShutdownEvent#INSTANCE} then {@link
 *       ChannelInputShutdownReadComplete#INSTANCE} after the buffered data; once both directions
 *       are finished the channel closes by itself.
 *   <li>{@link #reset()} sends RST and closes; the peer's RST fires {@link
 *       YamuxStreamResetException} and closes.
 *   <li>When the connection closes every stream channel closes.
 * </ul>
 *
 * @see <a href="https://github.com/hashicorp/yamux/blob/master/spec.md#message-flow">Message
 *     flow</a>
 */
public final class YamuxStreamChannel extends AbstractChannel implements DuplexChannel {

  /** Messages read per read() call before yielding, as Netty's own channels default to. */
  private static final int MAX_MESSAGES_PER_READ = 16;

  private static final ChannelMetadata METADATA = new ChannelMetadata(false, MAX_MESSAGES_PER_READ);

  /**
   * Window is granted back once at least this fraction (1/n) of the initial window was consumed.
   */
  private static final int CREDIT_THRESHOLD_DIVISOR = 2;

  private final YamuxHandler session;
  private final YamuxSettings settings;
  private final int streamId;
  private final boolean outbound;
  private final StreamConfig config;
  private final ArrayDeque<ByteBuf> inbound = new ArrayDeque<>();

  private volatile boolean open = true;
  private volatile boolean inputShutdown;
  private volatile boolean outputShutdown;

  // Everything below is touched on the event loop only.
  private long sendWindow = Yamux.INITIAL_WINDOW_SIZE;
  private long recvWindow = Yamux.INITIAL_WINDOW_SIZE;
  private long buffered;
  private boolean acknowledged;
  private boolean finSent;
  private boolean remoteFin;
  private boolean resetDone;
  private boolean removed;
  private boolean readPending;
  private boolean inReadLoop;
  private boolean stalled;
  private @Nullable ChannelPromise finPromise;
  private @Nullable ScheduledFuture<?> closeTimeout;

  YamuxStreamChannel(Channel parent, YamuxHandler session, int streamId, boolean outbound) {
    super(parent);
    this.session = session;
    this.settings = session.settings();
    this.streamId = streamId;
    this.outbound = outbound;
    this.acknowledged = !outbound;
    this.config = new StreamConfig(this);
  }

  /** The yamux stream id (odd when the client opened it, even for the server). */
  public int streamId() {
    return streamId;
  }

  /** Whether this side opened the stream. */
  public boolean isOutbound() {
    return outbound;
  }

  /**
   * Resets the stream (RST): pending writes fail, the peer sees an error, the channel closes. Any
   * thread.
   */
  public void reset() {
    runOnEventLoop(this::reset0);
  }

  // ---- Channel
  // -------------------------------------------------------------------------------------------------

  @Override
  public ChannelConfig config() {
    return config;
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  @Override
  public boolean isActive() {
    return open && isRegistered();
  }

  @Override
  public ChannelMetadata metadata() {
    return METADATA;
  }

  @Override
  protected AbstractUnsafe newUnsafe() {
    return new StreamUnsafe();
  }

  @Override
  protected boolean isCompatible(EventLoop loop) {
    return true; // registration needs no I/O resources; the session registers us on the parent's
    // loop
  }

  @Override
  protected @Nullable SocketAddress localAddress0() {
    return parent().localAddress();
  }

  @Override
  protected @Nullable SocketAddress remoteAddress0() {
    return parent().remoteAddress();
  }

  @Override
  protected void doBind(SocketAddress localAddress) {
    throw new UnsupportedOperationException("a yamux stream cannot be bound");
  }

  @Override
  protected void doDisconnect() {
    doClose();
  }

  @Override
  protected void doBeginRead() {
    if (!open) {
      return;
    }
    readPending = true;
    readLoop();
  }

  @Override
  protected Object filterOutboundMessage(Object msg) throws ChannelOutputShutdownException {
    if (!(msg instanceof ByteBuf)) {
      throw new UnsupportedOperationException(
          "unsupported message type: " + StringUtil.simpleClassName(msg) + " (expected ByteBuf)");
    }
    if (outputShutdown) {
      throw new ChannelOutputShutdownException(
          "yamux stream " + Integer.toUnsignedString(streamId) + " output is shut down");
    }
    return msg;
  }

  @Override
  protected void doWrite(ChannelOutboundBuffer in) {
    boolean wrote = false;
    stalled = false;
    for (; ; ) {
      Object msg = in.current();
      if (msg == null) {
        break;
      }
      ByteBuf buf = (ByteBuf) msg;
      int readable = buf.readableBytes();
      if (readable == 0) {
        in.remove();
        continue;
      }
      if (resetDone || finSent || !session.isSessionOpen()) {
        in.remove(new ClosedChannelException());
        continue;
      }
      if (sendWindow <= 0) {
        stalled = true; // resumed by the peer's WINDOW_UPDATE
        break;
      }
      int n = (int) Math.min(Math.min(readable, sendWindow), settings.maxFramePayload());
      session.writeFrame(YamuxFrame.data(streamId, 0, buf.retainedSlice(buf.readerIndex(), n)));
      sendWindow -= n;
      wrote = true;
      in.removeBytes(n);
    }
    if (wrote) {
      session.flush();
    }
    maybeSendFin();
  }

  @Override
  protected void doClose() {
    if (!open) {
      return;
    }
    open = false;
    session.streamChannelClosed();
    releaseInbound();
    ChannelPromise pendingFin = finPromise;
    finPromise = null;
    if (pendingFin != null) {
      pendingFin.tryFailure(new ClosedChannelException());
    }
    if (!resetDone && !removed && session.isSessionOpen()) {
      if (stalled) {
        sendRst(); // written data will never arrive: a FIN would make the truncation look like a
        // clean end
      } else if (!finSent) {
        finSent = true;
        session.writeFrame(YamuxFrame.windowUpdate(streamId, YamuxFlag.FIN.bit(), 0));
        session.flush();
      }
    }
    if (resetDone || remoteFin || !session.isSessionOpen()) {
      session.removeStream(this);
    } else if (!removed) {
      // Keep the id until the peer's FIN (late frames must not look like a new stream), but not
      // forever.
      closeTimeout = session.schedule(this::closeTimedOut, settings.streamCloseTimeout());
    }
  }

  // ---- DuplexChannel
  // ------------------------------------------------------------------------------------------

  @Override
  public boolean isInputShutdown() {
    return inputShutdown;
  }

  /** Not supported: yamux has no way to stop the peer's half but {@link #reset()}. */
  @Override
  public ChannelFuture shutdownInput() {
    return shutdownInput(newPromise());
  }

  /** Not supported: yamux has no way to stop the peer's half but {@link #reset()}. */
  @Override
  public ChannelFuture shutdownInput(ChannelPromise promise) {
    return promise.setFailure(
        new UnsupportedOperationException("yamux streams cannot shut down input; use reset()"));
  }

  @Override
  public boolean isOutputShutdown() {
    return outputShutdown;
  }

  /** Sends FIN once everything written so far has been sent; later writes fail. */
  @Override
  public ChannelFuture shutdownOutput() {
    return shutdownOutput(newPromise());
  }

  /** Sends FIN once everything written so far has been sent; later writes fail. */
  @Override
  public ChannelFuture shutdownOutput(ChannelPromise promise) {
    runOnEventLoop(() -> shutdownOutput0(promise));
    return promise;
  }

  @Override
  public boolean isShutdown() {
    return inputShutdown && outputShutdown;
  }

  /**
   * Not supported (see {@link #shutdownInput()}); use {@link #shutdownOutput()} or {@link
   * #close()}.
   */
  @Override
  public ChannelFuture shutdown() {
    return shutdown(newPromise());
  }

  /**
   * Not supported (see {@link #shutdownInput()}); use {@link #shutdownOutput()} or {@link
   * #close()}.
   */
  @Override
  public ChannelFuture shutdown(ChannelPromise promise) {
    return shutdownInput(promise);
  }

  @Override
  public String toString() {
    return "YamuxStreamChannel("
        + Integer.toUnsignedString(streamId)
        + (outbound ? " out" : " in")
        + ", "
        + parent()
        + ')';
  }

  // ---- called by the session on the event loop
  // ------------------------------------------------------------------

  /**
   * Sends the frame that opens (SYN) or accepts (ACK) the stream, announcing a window above the
   * spec's default.
   */
  void sendOpenFrame(YamuxFlag flag) {
    int extra = settings.initialWindow() - Yamux.INITIAL_WINDOW_SIZE;
    recvWindow = settings.initialWindow();
    session.writeFrame(YamuxFrame.windowUpdate(streamId, flag.bit(), extra));
  }

  boolean isAcknowledged() {
    return acknowledged;
  }

  boolean isRemoved() {
    return removed;
  }

  void markRemoved() {
    removed = true;
    ScheduledFuture<?> timeout = closeTimeout;
    closeTimeout = null;
    if (timeout != null) {
      timeout.cancel(false);
    }
  }

  /**
   * Applies a DATA or WINDOW_UPDATE frame addressed to this stream. The caller keeps ownership of
   * the frame.
   *
   * @throws YamuxException when the peer overruns the receive window (a session-level protocol
   *     error)
   */
  void onFrame(YamuxFrame frame) {
    int flags = frame.flags();
    if (YamuxFlag.ACK.isSet(flags) && !acknowledged) {
      acknowledged = true;
      session.streamAcknowledged();
    }
    if (frame.type() == YamuxType.WINDOW_UPDATE) {
      onWindowUpdate(Integer.toUnsignedLong(frame.length()));
    } else {
      onData(frame.content(), YamuxFlag.FIN.isSet(flags));
    }
    if (YamuxFlag.FIN.isSet(flags)) {
      onRemoteFin();
    }
    if (YamuxFlag.RST.isSet(flags)) {
      onRemoteReset();
    }
  }

  /** The connection is gone: close without sending anything. */
  void onSessionClosed() {
    removed = true;
    resetDone = true;
    ScheduledFuture<?> timeout = closeTimeout;
    if (timeout != null) {
      timeout.cancel(false);
    }
    releaseInbound();
    ChannelPromise pendingFin = finPromise;
    finPromise = null;
    if (pendingFin != null) {
      pendingFin.tryFailure(new ClosedChannelException());
    }
    if (open) {
      unsafe().close(unsafe().voidPromise());
    }
  }

  // ---- internals
  // ----------------------------------------------------------------------------------------------

  private void onWindowUpdate(long delta) {
    if (delta == 0) {
      return;
    }
    sendWindow += delta;
    if (stalled && open) {
      ((StreamUnsafe) unsafe()).resumeWrites();
    }
  }

  private void onData(ByteBuf data, boolean fin) {
    int length = data.readableBytes();
    if (length > recvWindow) {
      throw new YamuxException(
          "stream "
              + Integer.toUnsignedString(streamId)
              + " received "
              + length
              + " bytes with only "
              + recvWindow
              + " bytes of window left");
    }
    recvWindow -= length;
    if (length == 0 || remoteFin || resetDone) {
      return; // data after FIN or RST is dropped
    }
    if (!open) {
      // Closed locally: nobody will read this. Tell the peer to stop, like TCP does, unless it
      // finished anyway.
      if (!fin) {
        sendRst();
        session.removeStream(this);
      }
      return;
    }
    inbound.add(data.retain());
    buffered += length;
    maybeSendCredit();
    readLoop();
  }

  private void onRemoteFin() {
    if (remoteFin) {
      return;
    }
    remoteFin = true;
    if (!open) {
      session.removeStream(this); // both directions are done
      return;
    }
    maybeFireInputShutdown();
  }

  private void onRemoteReset() {
    if (resetDone) {
      return;
    }
    resetDone = true;
    releaseInbound();
    session.removeStream(this);
    if (open) {
      pipeline().fireExceptionCaught(new YamuxStreamResetException(streamId));
      close();
    }
  }

  private void reset0() {
    if (resetDone) {
      return;
    }
    if (!removed && session.isSessionOpen()) {
      sendRst();
    }
    resetDone = true;
    releaseInbound();
    session.removeStream(this);
    if (open) {
      closeChannel();
    }
  }

  /** Closes through the pipeline once registered; before that (an initializer failed) directly. */
  private void closeChannel() {
    if (isRegistered()) {
      close();
    } else {
      unsafe().close(unsafe().voidPromise());
    }
  }

  private void sendRst() {
    resetDone = true;
    session.writeFrame(YamuxFrame.windowUpdate(streamId, YamuxFlag.RST.bit(), 0));
    session.flush();
  }

  private void closeTimedOut() {
    closeTimeout = null;
    if (!removed) {
      if (session.isSessionOpen()) {
        sendRst();
      }
      session.removeStream(this);
    }
  }

  private void shutdownOutput0(ChannelPromise promise) {
    if (!open) {
      promise.tryFailure(new ClosedChannelException());
      return;
    }
    if (outputShutdown) {
      if (finSent) {
        promise.trySuccess();
      } else if (finPromise != null) {
        finPromise.addListener(
            f -> {
              if (f.isSuccess()) {
                promise.trySuccess();
              } else {
                promise.tryFailure(f.cause());
              }
            });
      }
      return;
    }
    outputShutdown = true;
    finPromise = promise;
    unsafe().flush(); // everything written so far goes first; FIN follows once it is all out
    maybeSendFin();
  }

  private void maybeSendFin() {
    if (!outputShutdown || finSent || resetDone || !open) {
      return;
    }
    ChannelOutboundBuffer buffer = unsafe().outboundBuffer();
    if (buffer != null && buffer.current() != null) {
      return; // still waiting for window
    }
    finSent = true;
    session.writeFrame(YamuxFrame.windowUpdate(streamId, YamuxFlag.FIN.bit(), 0));
    session.flush();
    ChannelPromise promise = finPromise;
    finPromise = null;
    if (promise != null) {
      promise.trySuccess();
    }
    pipeline().fireUserEventTriggered(ChannelOutputShutdownEvent.INSTANCE);
    if (inputShutdown && open) {
      close(); // both directions are done
    }
  }

  private void readLoop() {
    if (inReadLoop || !readPending || !open) {
      return;
    }
    inReadLoop = true;
    try {
      if (!inbound.isEmpty()) {
        readPending = false; // auto-read asks again from channelReadComplete
        ByteBuf buf;
        while ((buf = inbound.poll()) != null) {
          buffered -= buf.readableBytes();
          pipeline().fireChannelRead(buf);
        }
        maybeSendCredit();
        pipeline().fireChannelReadComplete();
      }
      maybeFireInputShutdown();
    } finally {
      inReadLoop = false;
    }
  }

  /**
   * Grants the peer window so that buffered bytes plus its window stay within the configured
   * bounds.
   */
  private void maybeSendCredit() {
    if (remoteFin || resetDone || !open) {
      return;
    }
    long target =
        Math.min(settings.initialWindow(), settings.maxBufferedBytesPerStream() - buffered);
    long delta = target - recvWindow;
    if (delta >= settings.initialWindow() / CREDIT_THRESHOLD_DIVISOR) {
      recvWindow += delta;
      session.writeFrame(YamuxFrame.windowUpdate(streamId, 0, (int) delta));
      session.flush();
    }
  }

  private void maybeFireInputShutdown() {
    if (!remoteFin || inputShutdown || !open || !inbound.isEmpty()) {
      return;
    }
    inputShutdown = true;
    pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
    pipeline().fireUserEventTriggered(ChannelInputShutdownReadComplete.INSTANCE);
    if (finSent && open) {
      close(); // both directions are done
    }
  }

  private void releaseInbound() {
    ByteBuf buf;
    while ((buf = inbound.poll()) != null) {
      buf.release();
    }
    buffered = 0;
  }

  private void runOnEventLoop(Runnable task) {
    EventLoop loop = parent().eventLoop();
    if (loop.inEventLoop()) {
      task.run();
    } else {
      loop.execute(task);
    }
  }

  private final class StreamUnsafe extends AbstractUnsafe {
    @Override
    public void connect(
        SocketAddress remoteAddress, @Nullable SocketAddress localAddress, ChannelPromise promise) {
      promise.setFailure(
          new UnsupportedOperationException("a yamux stream is connected when it is opened"));
    }

    void resumeWrites() {
      flush0();
    }
  }

  /** Clears a pending read when auto-read is switched off, like Netty's socket channels. */
  private static final class StreamConfig extends DefaultChannelConfig {
    StreamConfig(YamuxStreamChannel channel) {
      super(channel);
    }

    @Override
    protected void autoReadCleared() {
      YamuxStreamChannel stream = (YamuxStreamChannel) channel;
      stream.runOnEventLoop(() -> stream.readPending = false);
    }
  }
}
