package io.reachability.libp2p.yamux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFuture;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.channel.socket.ChannelOutputShutdownEvent;
import io.reachability.testing.LeakRecorder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class YamuxHandlerTest {

  private static final int SYN = YamuxFlag.SYN.bit();
  private static final int ACK = YamuxFlag.ACK.bit();
  private static final int FIN = YamuxFlag.FIN.bit();
  private static final int RST = YamuxFlag.RST.bit();
  private static final int WINDOW = Yamux.INITIAL_WINDOW_SIZE;

  /** A timeout the tests let pass by moving the channel's clock, not by sleeping. */
  private static final Duration SHORT_TIMEOUT = Duration.ofMillis(1);

  private final List<YamuxStreamChannel> accepted = new ArrayList<>();
  private final List<StreamRecorder> recorders = new ArrayList<>();
  private final List<ByteBuf> allocated = new ArrayList<>();
  private YamuxHandler handler;
  private EmbeddedChannel channel;

  /** A server session (it accepts odd ids) whose inbound streams get a recorder. */
  private void server(YamuxSettings settings) {
    handler =
        new YamuxHandler(
            false,
            settings,
            stream -> {
              StreamRecorder recorder = new StreamRecorder();
              stream.pipeline().addLast(recorder);
              accepted.add(stream);
              recorders.add(recorder);
            });
    channel = new EmbeddedChannel(handler);
  }

  private void server() {
    server(YamuxSettings.defaults());
  }

  private void client() {
    handler =
        new YamuxHandler(
            true,
            YamuxSettings.defaults(),
            stream -> {
              throw new AssertionError("no inbound streams expected");
            });
    channel = new EmbeddedChannel(handler);
  }

  @AfterEach
  void tearDown() {
    channel.finishAndReleaseAll();
    channel.runPendingTasks();
    for (ByteBuf buf : allocated) {
      assertThat(buf.refCnt()).as("test buffer released").isZero();
    }
  }

  private ByteBuf buf(String text) {
    return buf(text.getBytes(StandardCharsets.UTF_8));
  }

  private ByteBuf buf(byte[] bytes) {
    ByteBuf buf = LeakRecorder.buffer(bytes);
    allocated.add(buf);
    return buf;
  }

  private void inbound(YamuxFrame frame) {
    channel.writeInbound(frame);
    channel.runPendingTasks();
  }

  private YamuxFrame outbound() {
    YamuxFrame frame = channel.readOutbound();
    assertThat(frame).as("an outbound frame").isNotNull();
    return frame;
  }

  private void assertNoOutbound() {
    assertThat(channel.<Object>readOutbound()).isNull();
  }

  private static void assertFrame(
      YamuxFrame frame, YamuxType type, int flags, int streamId, int length) {
    assertThat(frame.type()).isEqualTo(type);
    assertThat(frame.flags()).as("flags of %s", frame).isEqualTo(flags);
    assertThat(frame.streamId()).isEqualTo(streamId);
    assertThat(frame.length()).isEqualTo(length);
  }

  private static String text(YamuxFrame frame) {
    try {
      return frame.content().toString(StandardCharsets.UTF_8);
    } finally {
      frame.release();
    }
  }

  /** Peer opens stream {@code id}; returns it after checking the ACK. */
  private YamuxStreamChannel acceptStream(int id) {
    inbound(YamuxFrame.windowUpdate(id, SYN, 0));
    assertFrame(outbound(), YamuxType.WINDOW_UPDATE, ACK, id, 0);
    YamuxStreamChannel stream = accepted.get(accepted.size() - 1);
    assertThat(stream.streamId()).isEqualTo(id);
    return stream;
  }

  private void assertGoAway(YamuxGoAwayCode code) {
    YamuxFrame frame;
    while ((frame = channel.readOutbound()) != null) {
      if (frame.type() == YamuxType.GO_AWAY) {
        assertFrame(frame, YamuxType.GO_AWAY, 0, 0, code.code());
        return;
      }
      frame.release();
    }
    throw new AssertionError("no GO_AWAY sent");
  }

  // ---- opening
  // -------------------------------------------------------------------------------------------------

  @Test
  void inboundSynCreatesAnActiveChildChannelAndAcks() {
    server();
    YamuxStreamChannel stream = acceptStream(1);
    assertThat(stream.parent()).isSameAs(channel);
    assertThat(stream.eventLoop()).isSameAs(channel.eventLoop());
    assertThat(stream.isActive()).isTrue();
    assertThat(stream.isOutbound()).isFalse();
    assertThat(stream.metadata().hasDisconnect()).isFalse();
    assertThat(recorders.get(0).active).isTrue();
    assertThat(handler.streamCount()).isEqualTo(1);
  }

  @Test
  void outboundOpenSendsSynWithOddIdsForTheClient() {
    client();
    YamuxStreamChannel first = handler.openStream().join();
    assertFrame(outbound(), YamuxType.WINDOW_UPDATE, SYN, 1, 0);
    YamuxStreamChannel second = handler.openStream().join();
    assertFrame(outbound(), YamuxType.WINDOW_UPDATE, SYN, 3, 0);
    assertThat(first.isActive()).isTrue();
    assertThat(first.isOutbound()).isTrue();
    assertThat(second.streamId()).isEqualTo(3);
    inbound(YamuxFrame.windowUpdate(1, ACK, 0));
    assertThat(first.isActive()).isTrue();
  }

  @Test
  void serverUsesEvenIds() {
    server();
    assertThat(handler.openStream().join().streamId()).isEqualTo(2);
    assertThat(handler.openStream().join().streamId()).isEqualTo(4);
    assertFrame(outbound(), YamuxType.WINDOW_UPDATE, SYN, 2, 0);
    assertFrame(outbound(), YamuxType.WINDOW_UPDATE, SYN, 4, 0);
  }

  @Test
  void largerWindowIsAnnouncedWithTheSyn() {
    handler =
        new YamuxHandler(true, YamuxSettings.defaults().withInitialWindow(WINDOW * 4), s -> {});
    channel = new EmbeddedChannel(handler);
    handler.openStream().join();
    assertFrame(outbound(), YamuxType.WINDOW_UPDATE, SYN, 1, WINDOW * 3);
  }

  @Test
  void openStreamInitializerRunsBeforeRegistration() {
    client();
    StreamRecorder recorder = new StreamRecorder();
    YamuxStreamChannel stream =
        handler
            .openStream(
                s -> {
                  assertThat(s.isRegistered()).isFalse();
                  s.pipeline().addLast(recorder);
                })
            .join();
    assertThat(recorder.active).isTrue();
    assertThat(stream.isRegistered()).isTrue();
  }

  // ---- data
  // ----------------------------------------------------------------------------------------------------

  @Test
  void dataFlowsBothWays() {
    server();
    inbound(YamuxFrame.data(1, SYN, buf("hello")));
    assertFrame(outbound(), YamuxType.WINDOW_UPDATE, ACK, 1, 0);
    assertThat(recorders.get(0).text()).isEqualTo("hello");

    YamuxStreamChannel stream = accepted.get(0);
    ChannelFuture write = stream.writeAndFlush(buf("world"));
    channel.runPendingTasks();
    assertThat(write.isSuccess()).isTrue();
    YamuxFrame data = outbound();
    assertFrame(data, YamuxType.DATA, 0, 1, 5);
    assertThat(text(data)).isEqualTo("world");
  }

  @Test
  void childRejectsNonBytebufWrites() {
    server();
    YamuxStreamChannel stream = acceptStream(1);
    ChannelFuture write = stream.writeAndFlush("not a buffer");
    assertThat(write.cause()).isInstanceOf(UnsupportedOperationException.class);
    assertNoOutbound();
  }

  @Test
  void consumedDataIsCreditedOnceHalfTheWindowIsUsed() {
    server();
    YamuxStreamChannel stream = acceptStream(1);
    inbound(YamuxFrame.data(1, 0, buf(new byte[WINDOW / 2 - 1])));
    assertNoOutbound(); // not yet half
    inbound(YamuxFrame.data(1, 0, buf(new byte[1])));
    assertFrame(outbound(), YamuxType.WINDOW_UPDATE, 0, 1, WINDOW / 2);
    assertThat(recorders.get(0).size()).isEqualTo(WINDOW / 2);
    assertThat(stream.isOpen()).isTrue();
  }

  @Test
  void withoutAutoReadDataWaitsForReadAndSoDoesTheCredit() {
    handler =
        new YamuxHandler(
            false,
            YamuxSettings.defaults(),
            stream -> {
              stream.config().setAutoRead(false);
              StreamRecorder recorder = new StreamRecorder();
              stream.pipeline().addLast(recorder);
              accepted.add(stream);
              recorders.add(recorder);
            });
    channel = new EmbeddedChannel(handler);
    YamuxStreamChannel stream = acceptStream(1);
    inbound(YamuxFrame.data(1, 0, buf(new byte[WINDOW])));
    assertThat(recorders.get(0).size()).isZero();
    assertNoOutbound(); // whole window buffered, no credit
    stream.read();
    channel.runPendingTasks();
    assertThat(recorders.get(0).size()).isEqualTo(WINDOW);
    assertFrame(outbound(), YamuxType.WINDOW_UPDATE, 0, 1, WINDOW);
  }

  @Test
  void bufferedDataIsReleasedWhenTheStreamClosesUnread() {
    handler =
        new YamuxHandler(
            false,
            YamuxSettings.defaults(),
            stream -> {
              stream.config().setAutoRead(false);
              accepted.add(stream);
            });
    channel = new EmbeddedChannel(handler);
    inbound(YamuxFrame.windowUpdate(1, SYN, 0));
    ByteBuf data = buf("unread");
    inbound(YamuxFrame.data(1, 0, data));
    assertThat(data.refCnt()).isEqualTo(1);
    accepted.get(0).close();
    channel.runPendingTasks();
    assertThat(data.refCnt()).isZero();
  }

  // ---- flow control on the sending side
  // ----------------------------------------------------------------------

  @Test
  void writesStopAtThePeerWindowAndResumeOnWindowUpdate() {
    client();
    StreamRecorder recorder = new StreamRecorder();
    YamuxStreamChannel stream = handler.openStream(s -> s.pipeline().addLast(recorder)).join();
    assertFrame(outbound(), YamuxType.WINDOW_UPDATE, SYN, 1, 0);

    ChannelFuture write = stream.writeAndFlush(buf(new byte[WINDOW + 100]));
    channel.runPendingTasks();
    int sent = 0;
    YamuxFrame frame;
    while ((frame = channel.readOutbound()) != null) {
      assertThat(frame.type()).isEqualTo(YamuxType.DATA);
      assertThat(frame.length()).isLessThanOrEqualTo(Yamux.MAX_OUTBOUND_FRAME_PAYLOAD);
      sent += frame.length();
      frame.release();
    }
    assertThat(sent).isEqualTo(WINDOW);
    assertThat(write.isDone()).isFalse();
    // A partly written message counts in full against the water mark until it is removed (Netty's
    // ChannelOutboundBuffer), so the stream stays unwritable until the last 100 bytes are out.
    assertThat(stream.isWritable()).isFalse();

    inbound(YamuxFrame.windowUpdate(1, ACK, 60));
    YamuxFrame rest = outbound();
    assertFrame(rest, YamuxType.DATA, 0, 1, 60);
    rest.release();
    assertThat(write.isDone()).isFalse();
    inbound(YamuxFrame.windowUpdate(1, 0, 1000));
    rest = outbound();
    assertFrame(rest, YamuxType.DATA, 0, 1, 40);
    rest.release();
    assertThat(write.isSuccess()).isTrue();
    assertThat(stream.isWritable()).isTrue();
  }

  @Test
  void writabilityFollowsTheWaterMarksWhileTheWindowIsExhausted() {
    client();
    YamuxStreamChannel stream = handler.openStream().join();
    outbound().release();
    stream.writeAndFlush(buf(new byte[WINDOW])); // uses the whole window
    channel.runPendingTasks();
    drainOutbound();
    assertThat(stream.isWritable()).isTrue();
    int high = stream.config().getWriteBufferHighWaterMark();
    stream.writeAndFlush(buf(new byte[high + 1]));
    assertThat(stream.isWritable()).isFalse();
    inbound(YamuxFrame.windowUpdate(1, 0, WINDOW));
    drainOutbound();
    assertThat(stream.isWritable()).isTrue();
  }

  private void drainOutbound() {
    Object msg;
    while ((msg = channel.readOutbound()) != null) {
      ((YamuxFrame) msg).release();
    }
  }

  @Test
  void closeWithDataWaitingForWindowResetsTheStream() {
    client();
    YamuxStreamChannel stream = handler.openStream().join();
    outbound().release();
    stream.writeAndFlush(buf(new byte[WINDOW]));
    ChannelFuture stuck = stream.writeAndFlush(buf("more"));
    drainOutbound();
    stream.close();
    channel.runPendingTasks();
    assertThat(stuck.cause()).isNotNull();
    assertFrame(outbound(), YamuxType.WINDOW_UPDATE, RST, 1, 0);
    assertThat(handler.streamCount()).isZero();
  }

  // ---- half close
  // --------------------------------------------------------------------------------------------

  @Test
  void remoteFinShutsInputDownThenLocalFinCloses() {
    server();
    YamuxStreamChannel stream = acceptStream(1);
    StreamRecorder recorder = recorders.get(0);
    inbound(YamuxFrame.data(1, FIN, buf("last words")));
    assertThat(recorder.text()).isEqualTo("last words");
    assertThat(recorder.events)
        .containsExactly(
            ChannelInputShutdownEvent.INSTANCE, ChannelInputShutdownReadComplete.INSTANCE);
    assertThat(stream.isInputShutdown()).isTrue();
    assertThat(stream.isActive()).isTrue();

    stream.writeAndFlush(buf("reply"));
    assertThat(text(outbound())).isEqualTo("reply");
    ChannelFuture shutdown = stream.shutdownOutput();
    channel.runPendingTasks();
    assertThat(shutdown.isSuccess()).isTrue();
    assertFrame(outbound(), YamuxType.WINDOW_UPDATE, FIN, 1, 0);
    assertThat(stream.isOpen()).isFalse();
    assertThat(recorder.inactive).isTrue();
    assertThat(recorder.events).contains(ChannelOutputShutdownEvent.INSTANCE);
    assertThat(handler.streamCount()).isZero();
  }

  @Test
  void shutdownOutputSendsFinAndRejectsLaterWrites() {
    server();
    YamuxStreamChannel stream = acceptStream(1);
    stream.write(buf("queued"));
    stream.shutdownOutput();
    channel.runPendingTasks();
    assertThat(text(outbound())).isEqualTo("queued");
    assertFrame(outbound(), YamuxType.WINDOW_UPDATE, FIN, 1, 0);
    assertThat(stream.isOutputShutdown()).isTrue();
    assertThat(stream.isActive()).isTrue(); // input still open
    ChannelFuture late = stream.writeAndFlush(buf("late"));
    assertThat(late.cause())
        .isInstanceOf(io.netty.channel.socket.ChannelOutputShutdownException.class);
    inbound(YamuxFrame.data(1, 0, buf("still reading")));
    assertThat(recorders.get(0).text()).isEqualTo("still reading");
    inbound(YamuxFrame.windowUpdate(1, FIN, 0));
    assertThat(stream.isOpen()).isFalse();
    assertThat(handler.streamCount()).isZero();
  }

  @Test
  void shutdownOutputWaitsForWindowBeforeFin() {
    client();
    YamuxStreamChannel stream = handler.openStream().join();
    outbound().release();
    stream.write(buf(new byte[WINDOW + 10]));
    ChannelFuture fin = stream.shutdownOutput();
    channel.runPendingTasks();
    drainOutbound();
    assertThat(fin.isDone()).isFalse();
    inbound(YamuxFrame.windowUpdate(1, ACK, 10));
    YamuxFrame last = outbound();
    assertFrame(last, YamuxType.DATA, 0, 1, 10);
    last.release();
    assertFrame(outbound(), YamuxType.WINDOW_UPDATE, FIN, 1, 0);
    assertThat(fin.isSuccess()).isTrue();
  }

  @Test
  void localCloseSendsFinAndForgetsTheStreamAfterRemoteFin() {
    server();
    YamuxStreamChannel stream = acceptStream(1);
    StreamRecorder recorder = recorders.get(0);
    stream.close();
    channel.runPendingTasks();
    assertFrame(outbound(), YamuxType.WINDOW_UPDATE, FIN, 1, 0);
    assertThat(stream.isActive()).isFalse();
    assertThat(recorder.inactive).isTrue();
    assertThat(handler.streamCount()).isEqualTo(1); // waiting for the peer's FIN
    inbound(YamuxFrame.windowUpdate(1, FIN, 0));
    assertThat(handler.streamCount()).isZero();
    assertNoOutbound();
  }

  @Test
  void dataForALocallyClosedStreamIsReleasedAndAnsweredWithRst() {
    server();
    YamuxStreamChannel stream = acceptStream(1);
    stream.close();
    channel.runPendingTasks();
    outbound().release(); // FIN
    ByteBuf late = buf("too late");
    inbound(YamuxFrame.data(1, 0, late));
    assertThat(late.refCnt()).isZero();
    assertFrame(outbound(), YamuxType.WINDOW_UPDATE, RST, 1, 0);
    assertThat(handler.streamCount()).isZero();
  }

  @Test
  void locallyClosedStreamIsResetAfterTheCloseTimeout() {
    server(YamuxSettings.defaults().withStreamCloseTimeout(SHORT_TIMEOUT));
    YamuxStreamChannel stream = acceptStream(1);
    stream.close();
    channel.runPendingTasks();
    outbound().release(); // FIN
    channel.advanceTimeBy(SHORT_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS);
    channel.runScheduledPendingTasks();
    assertFrame(outbound(), YamuxType.WINDOW_UPDATE, RST, 1, 0);
    assertThat(handler.streamCount()).isZero();
  }

  // ---- reset
  // -------------------------------------------------------------------------------------------------

  @Test
  void remoteRstFiresResetExceptionAndCloses() {
    server();
    YamuxStreamChannel stream = acceptStream(1);
    inbound(YamuxFrame.windowUpdate(1, RST, 0));
    StreamRecorder recorder = recorders.get(0);
    assertThat(recorder.errors)
        .singleElement()
        .isInstanceOfSatisfying(
            YamuxStreamResetException.class, e -> assertThat(e.streamId()).isEqualTo(1));
    assertThat(stream.isOpen()).isFalse();
    assertThat(recorder.inactive).isTrue();
    assertThat(handler.streamCount()).isZero();
    assertNoOutbound();
  }

  @Test
  void localResetSendsRstAndCloses() {
    server();
    YamuxStreamChannel stream = acceptStream(1);
    stream.reset();
    channel.runPendingTasks();
    assertFrame(outbound(), YamuxType.WINDOW_UPDATE, RST, 1, 0);
    assertThat(stream.isOpen()).isFalse();
    assertThat(recorders.get(0).inactive).isTrue();
    assertThat(handler.streamCount()).isZero();
    assertNoOutbound(); // no FIN after the RST
  }

  // ---- ping / go-away
  // ------------------------------------------------------------------------------------------

  @Test
  void pingIsAnsweredWithTheSameOpaqueValue() {
    server();
    inbound(YamuxFrame.ping(SYN, 0x0BADCAFE));
    assertFrame(outbound(), YamuxType.PING, ACK, 0, 0x0BADCAFE);
  }

  @Test
  void pingMeasuresTheRoundTrip() {
    client();
    CompletableFuture<Duration> rtt = handler.ping();
    YamuxFrame ping = outbound();
    assertFrame(ping, YamuxType.PING, SYN, 0, ping.length());
    assertThat(rtt).isNotDone();
    inbound(YamuxFrame.ping(ACK, ping.length() + 1)); // someone else's answer: ignored
    assertThat(rtt).isNotDone();
    inbound(YamuxFrame.ping(ACK, ping.length()));
    assertThat(rtt.join()).isPositive();
  }

  @Test
  void pingTimesOut() {
    handler =
        new YamuxHandler(true, YamuxSettings.defaults().withPingTimeout(SHORT_TIMEOUT), s -> {});
    channel = new EmbeddedChannel(handler);
    CompletableFuture<Duration> rtt = handler.ping();
    outbound();
    channel.advanceTimeBy(SHORT_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS);
    channel.runScheduledPendingTasks();
    assertThatThrownBy(rtt::join).hasCauseInstanceOf(YamuxException.class);
  }

  @Test
  void receivedGoAwayStopsNewStreamsButNotExistingOnes() {
    server();
    YamuxStreamChannel stream = acceptStream(1);
    inbound(YamuxFrame.goAway(YamuxGoAwayCode.NORMAL));
    assertThat(handler.isGoAwayReceived()).isTrue();
    assertThatThrownBy(() -> handler.openStream().join())
        .isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(YamuxException.class);
    inbound(YamuxFrame.data(1, 0, buf("still here")));
    assertThat(recorders.get(0).text()).isEqualTo("still here");
    stream.writeAndFlush(buf("me too"));
    assertThat(text(outbound())).isEqualTo("me too");
    assertThat(channel.isActive()).isTrue();
  }

  @Test
  void localGoAwayRefusesNewInboundStreams() {
    server();
    handler.goAway(YamuxGoAwayCode.NORMAL);
    assertFrame(outbound(), YamuxType.GO_AWAY, 0, 0, 0);
    ByteBuf data = buf("x");
    inbound(YamuxFrame.data(1, SYN, data));
    assertFrame(outbound(), YamuxType.WINDOW_UPDATE, RST, 1, 0);
    assertThat(accepted).isEmpty();
    assertThat(data.refCnt()).isZero();
  }

  @Test
  void closingTheConnectionSendsGoAwayNormalAndClosesEveryStream() {
    server();
    YamuxStreamChannel one = acceptStream(1);
    YamuxStreamChannel two = acceptStream(3);
    CompletableFuture<Duration> ping = handler.ping();
    outbound();
    channel.close();
    channel.runPendingTasks();
    assertGoAway(YamuxGoAwayCode.NORMAL);
    assertThat(one.isOpen()).isFalse();
    assertThat(two.isOpen()).isFalse();
    assertThat(recorders).allSatisfy(r -> assertThat(r.inactive).isTrue());
    assertThat(ping).isCompletedExceptionally();
    assertThatThrownBy(() -> handler.openStream().join()).hasCauseInstanceOf(YamuxException.class);
  }

  // ---- limits and protocol errors
  // --------------------------------------------------------------------------

  @Test
  void dataBeyondTheReceiveWindowIsAProtocolError() {
    server();
    YamuxStreamChannel stream = acceptStream(1);
    stream
        .config()
        .setAutoRead(false); // no credit while nothing is read: the window is exactly 256 KiB
    inbound(YamuxFrame.data(1, 0, buf(new byte[WINDOW])));
    assertNoOutbound();
    ByteBuf over = buf(new byte[1]);
    inbound(YamuxFrame.data(1, 0, over));
    assertThat(over.refCnt()).isZero();
    assertGoAway(YamuxGoAwayCode.PROTOCOL_ERROR);
    assertThat(channel.isActive()).isFalse();
    assertThat(stream.isOpen()).isFalse();
  }

  @Test
  void inboundStreamsBeyondTheLimitAreResetAndTheSessionContinues() {
    server(YamuxSettings.defaults().withMaxInboundStreams(2));
    acceptStream(1);
    acceptStream(3);
    ByteBuf data = buf("third");
    inbound(YamuxFrame.data(5, SYN, data));
    assertFrame(outbound(), YamuxType.WINDOW_UPDATE, RST, 5, 0);
    assertThat(data.refCnt()).isZero();
    assertThat(accepted).hasSize(2);
    assertThat(channel.isActive()).isTrue();
    // a slot frees up once a stream is gone
    inbound(YamuxFrame.windowUpdate(1, RST, 0));
    acceptStream(7);
  }

  @Test
  void initializerFailureResetsOnlyThatStream() {
    handler =
        new YamuxHandler(
            false,
            YamuxSettings.defaults(),
            stream -> {
              throw new IllegalStateException("boom");
            });
    channel = new EmbeddedChannel(handler);
    inbound(YamuxFrame.windowUpdate(1, SYN, 0));
    assertFrame(outbound(), YamuxType.WINDOW_UPDATE, ACK, 1, 0);
    assertFrame(outbound(), YamuxType.WINDOW_UPDATE, RST, 1, 0);
    assertThat(channel.isActive()).isTrue();
    assertThat(handler.streamCount()).isZero();
  }

  @Test
  void synForAnOpenStreamIsAProtocolError() {
    server();
    acceptStream(1);
    inbound(YamuxFrame.windowUpdate(1, SYN, 0));
    assertGoAway(YamuxGoAwayCode.PROTOCOL_ERROR);
    assertThat(channel.isActive()).isFalse();
  }

  @Test
  void synWithOurIdParityIsAProtocolError() {
    server();
    inbound(YamuxFrame.windowUpdate(2, SYN, 0));
    assertGoAway(YamuxGoAwayCode.PROTOCOL_ERROR);
    assertThat(channel.isActive()).isFalse();
    assertThat(accepted).isEmpty();
  }

  @Test
  void streamFrameOnTheSessionIdIsAProtocolError() {
    server();
    ByteBuf data = buf("x");
    inbound(YamuxFrame.data(0, 0, data));
    assertThat(data.refCnt()).isZero();
    assertGoAway(YamuxGoAwayCode.PROTOCOL_ERROR);
  }

  @Test
  void pingWithBadFlagsIsAProtocolError() {
    server();
    inbound(YamuxFrame.ping(SYN | ACK, 1));
    assertGoAway(YamuxGoAwayCode.PROTOCOL_ERROR);
  }

  @Test
  void framesForUnknownStreamsAreIgnoredAndReleased() {
    server();
    ByteBuf data = buf("stray");
    inbound(YamuxFrame.data(9, 0, data));
    inbound(YamuxFrame.windowUpdate(11, FIN, 100));
    inbound(YamuxFrame.windowUpdate(4, RST, 0));
    assertThat(data.refCnt()).isZero();
    assertNoOutbound();
    assertThat(channel.isActive()).isTrue();
  }

  @Test
  void connectionCloseClosesEveryStream() {
    server();
    YamuxStreamChannel stream = acceptStream(1);
    ByteBuf unread = buf("pending");
    stream.config().setAutoRead(false);
    inbound(YamuxFrame.data(1, 0, unread));
    channel.pipeline().fireChannelInactive(); // as if the socket died
    channel.runPendingTasks();
    assertThat(stream.isOpen()).isFalse();
    assertThat(recorders.get(0).inactive).isTrue();
    assertThat(unread.refCnt()).isZero();
  }

  @Test
  void garbageFromTheWireEndsInGoAwayWithoutEscapingExceptions() {
    handler = new YamuxHandler(false, YamuxSettings.defaults(), s -> {});
    channel = new EmbeddedChannel(new YamuxFrameCodec(), handler);
    channel.writeInbound(
        LeakRecorder.buffer(
            new byte[] {
              0x00, // version
              0x07, // type 7: unknown
              0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00
            }));
    channel.runPendingTasks();
    channel.checkException(); // nothing reached the end of the pipeline
    ByteBuf wire = channel.readOutbound();
    assertThat(ByteBufUtil.getBytes(wire))
        .containsExactly(
            0x00, // version
            0x03, // type GO_AWAY
            0x00, 0x00, // no flags
            0x00, 0x00, 0x00, 0x00, // stream id 0
            0x00, 0x00, 0x00, 0x01); // PROTOCOL_ERROR
    wire.release();
    assertThat(channel.isActive()).isFalse();
  }

  @Test
  void randomFrameSequencesNeverEscapeOrLeak() {
    java.util.Random random = new java.util.Random(2024);
    for (int round = 0; round < 400; round++) {
      List<YamuxStreamChannel> streams = new ArrayList<>();
      YamuxHandler session =
          new YamuxHandler(
              random.nextBoolean(),
              YamuxSettings.defaults(),
              stream -> {
                streams.add(stream);
                stream
                    .pipeline()
                    .addLast(
                        new io.netty.channel.ChannelInboundHandlerAdapter() {
                          @Override
                          public void channelRead(
                              io.netty.channel.ChannelHandlerContext ctx, Object msg) {
                            ctx.writeAndFlush(msg); // echo, so writes race with FIN/RST
                          }

                          @Override
                          public void exceptionCaught(
                              io.netty.channel.ChannelHandlerContext ctx, Throwable cause) {
                            assertThat(cause).isInstanceOf(YamuxStreamResetException.class);
                          }
                        });
              });
      EmbeddedChannel ch = new EmbeddedChannel(new YamuxFrameCodec(), session);
      int frames = 1 + random.nextInt(30);
      for (int i = 0; i < frames && ch.isActive(); i++) {
        int type = random.nextInt(10) == 0 ? 4 : random.nextInt(4);
        int flags = random.nextInt(16);
        int id = random.nextInt(6);
        int length =
            type == 0
                ? random.nextInt(64)
                : random.nextInt(4) == 0 ? random.nextInt() : random.nextInt(1000);
        ByteBuf wire = ch.alloc().buffer();
        wire.writeByte(random.nextInt(40) == 0 ? 1 : 0)
            .writeByte(type)
            .writeShort(flags)
            .writeInt(id)
            .writeInt(length);
        if (type == 0) {
          byte[] payload = new byte[length];
          random.nextBytes(payload);
          wire.writeBytes(payload);
        }
        ch.writeInbound(wire);
        ch.runPendingTasks();
        ch.checkException();
        if (random.nextInt(8) == 0 && !streams.isEmpty()) {
          YamuxStreamChannel stream = streams.get(random.nextInt(streams.size()));
          switch (random.nextInt(3)) {
            case 0 -> stream.close();
            case 1 -> stream.reset();
            default -> stream.shutdownOutput();
          }
          ch.runPendingTasks();
        }
      }
      ch.close();
      ch.runPendingTasks();
      ch.checkException();
      assertThat(streams).allSatisfy(stream -> assertThat(stream.isOpen()).isFalse());
      assertThat(session.streamCount()).isZero();
      ch.finishAndReleaseAll();
    }
    channel = new EmbeddedChannel(); // for tearDown
  }
}
