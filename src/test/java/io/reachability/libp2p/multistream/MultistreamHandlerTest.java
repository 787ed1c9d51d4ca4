package io.reachability.libp2p.multistream;

import static io.reachability.libp2p.multistream.MultistreamCodecTest.wire;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MultistreamHandlerTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final List<EmbeddedChannel> channels = new ArrayList<>();
  private final List<String> selected = new ArrayList<>();

  /** Receives the application bytes the handler passes on after the negotiation. */
  private final Collector collector = new Collector();

  /** Every buffer handed to a channel; each must be released by the end of the test. */
  private static final List<ByteBuf> FED = new ArrayList<>();

  @AfterEach
  void releaseEverything() {
    for (EmbeddedChannel channel : channels) {
      channel.finishAndReleaseAll();
    }
    collector.release();
    try {
      for (ByteBuf buf : FED) {
        assertThat(buf.refCnt()).as("inbound buffer released").isZero();
      }
    } finally {
      FED.clear();
    }
  }

  private static ByteBuf track(ByteBuf buf) {
    FED.add(buf);
    return buf;
  }

  private static void feed(EmbeddedChannel channel, ByteBuf... bufs) {
    for (ByteBuf buf : bufs) {
      if (buf != Unpooled.EMPTY_BUFFER) { // shared, its refCnt never drops
        track(buf);
      }
    }
    channel.writeInbound((Object[]) bufs);
  }

  // ---- helpers ----

  /**
   * Adds the collector after the handler, as the upgrader would add the next protocol's handlers.
   */
  private final ProtocolSelectedListener installCollector =
      (ctx, protocol) -> {
        selected.add(protocol);
        ctx.pipeline().addAfter(ctx.name(), "app", collector);
      };

  private EmbeddedChannel channel(MultistreamHandler handler) {
    EmbeddedChannel channel = new EmbeddedChannel(handler);
    channels.add(channel);
    return channel;
  }

  private MultistreamHandler initiator(String... protocols) {
    return MultistreamHandler.initiator(List.of(protocols), TIMEOUT, installCollector);
  }

  private MultistreamHandler responder(Supplier<? extends Collection<String>> supported) {
    return MultistreamHandler.responder(supported, TIMEOUT, installCollector);
  }

  /** Everything written so far, one element per write. */
  private static List<byte[]> outboundWrites(EmbeddedChannel channel) {
    List<byte[]> writes = new ArrayList<>();
    for (ByteBuf buf; (buf = channel.readOutbound()) != null; ) {
      try {
        writes.add(ByteBufUtil.getBytes(buf));
      } finally {
        buf.release();
      }
    }
    return writes;
  }

  private static byte[] outbound(EmbeddedChannel channel) {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (byte[] write : outboundWrites(channel)) {
      all.writeBytes(write);
    }
    return all.toByteArray();
  }

  private static byte[] bytes(ByteBuf buf) {
    try {
      return ByteBufUtil.getBytes(buf);
    } finally {
      buf.release();
    }
  }

  private static ByteBuf messages(String... texts) {
    return MultistreamCodec.encode(UnpooledByteBufAllocator.DEFAULT, texts);
  }

  private static byte[] messageBytes(String... texts) {
    return bytes(messages(texts));
  }

  private static Throwable failure(CompletableFuture<String> result) {
    assertThat(result).isCompletedExceptionally();
    return result.handle((value, error) -> error).join();
  }

  private static void assertFailed(
      MultistreamHandler handler, EmbeddedChannel channel, String text) {
    assertThat(failure(handler.result()))
        .isInstanceOf(MultistreamException.class)
        .hasMessageContaining(text);
    assertThat(channel.isOpen()).isFalse();
    channel.checkException(); // nothing escaped into the pipeline
  }

  private void assertSelected(
      MultistreamHandler handler, EmbeddedChannel channel, String protocol) {
    assertThat(handler.result()).isCompletedWithValue(protocol);
    assertThat(selected).containsExactly(protocol);
    assertThat(channel.pipeline().get(MultistreamHandler.class)).isNull();
    assertThat(channel.pipeline().get("app")).isSameAs(collector);
    assertThat(channel.isOpen()).isTrue();
    channel.checkException();
  }

  // ---- initiator ----

  @Test
  void initiatorWritesHeaderAndFirstProposalInOneFlush() {
    EmbeddedChannel channel = channel(initiator("/noise", "/tls/1.0.0"));

    List<byte[]> writes = outboundWrites(channel);
    assertThat(writes).hasSize(1);
    assertThat(writes.get(0))
        .isEqualTo(
            bytes(
                wire(
                    0x13, // length 19
                    "/multistream/1.0.0\n",
                    0x07, // length 7
                    "/noise\n")));
  }

  @Test
  void initiatorSelectsTheEchoedProtocol() {
    MultistreamHandler handler = initiator("/noise");
    EmbeddedChannel channel = channel(handler);
    outbound(channel);

    feed(
        channel,
        wire(
            0x13, // length 19
            "/multistream/1.0.0\n",
            0x07, // length 7
            "/noise\n"));

    assertSelected(handler, channel, "/noise");
    assertThat(outbound(channel)).isEmpty();
  }

  @Test
  void initiatorAcceptsAnswersSplitAcrossReads() {
    MultistreamHandler handler = initiator("/noise");
    EmbeddedChannel channel = channel(handler);
    outbound(channel);

    byte[] answer = messageBytes(Multistream.PROTOCOL_ID, "/noise");
    for (byte b : answer) {
      assertThat(handler.result()).isNotDone();
      feed(channel, Unpooled.wrappedBuffer(new byte[] {b}));
    }

    assertSelected(handler, channel, "/noise");
  }

  @Test
  void initiatorMovesToTheNextProposalOnNa() {
    MultistreamHandler handler = initiator("/tls/1.0.0", "/noise");
    EmbeddedChannel channel = channel(handler);
    outbound(channel);

    feed(
        channel,
        wire(
            0x13, // length 19
            "/multistream/1.0.0\n",
            0x03, // length 3
            "na\n"));
    assertThat(outbound(channel))
        .isEqualTo(
            bytes(
                wire(
                    0x07, // length 7
                    "/noise\n")));
    assertThat(handler.result()).isNotDone();

    feed(channel, messages("/noise"));
    assertSelected(handler, channel, "/noise");
  }

  @Test
  void initiatorFailsWhenEveryProposalIsRefused() {
    MultistreamHandler handler = initiator("/a", "/b");
    EmbeddedChannel channel = channel(handler);
    outbound(channel);

    feed(channel, messages(Multistream.PROTOCOL_ID, "na", "na"));

    assertFailed(handler, channel, "no common protocol: proposed [/a, /b]");
    assertThat(selected).isEmpty();
  }

  @Test
  void initiatorFailsOnAWrongHeader() {
    MultistreamHandler handler = initiator("/a");
    EmbeddedChannel channel = channel(handler);
    outbound(channel);

    feed(channel, messages("/multistream/2.0.0", "/a"));

    assertFailed(handler, channel, "expected header /multistream/1.0.0, got '/multistream/2.0.0'");
  }

  @Test
  void initiatorFailsOnAnAnswerThatIsNeitherTheProposalNorNa() {
    MultistreamHandler handler = initiator("/a");
    EmbeddedChannel channel = channel(handler);
    outbound(channel);

    feed(channel, messages(Multistream.PROTOCOL_ID, "/b"));

    assertFailed(handler, channel, "unexpected answer to proposal /a: '/b'");
  }

  @Test
  void initiatorRejectsInvalidArguments() {
    ProtocolSelectedListener ignore = (ctx, protocol) -> {};
    org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
        .isThrownBy(() -> MultistreamHandler.initiator(List.of(), TIMEOUT, ignore));
    org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
        .isThrownBy(() -> MultistreamHandler.initiator(List.of("na"), TIMEOUT, ignore));
    org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
        .isThrownBy(() -> MultistreamHandler.initiator(List.of("/a\n"), TIMEOUT, ignore));
    org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
        .isThrownBy(() -> MultistreamHandler.initiator(List.of("/a"), Duration.ZERO, ignore));
  }

  // ---- responder ----

  @Test
  void responderSendsHeaderAndEchoInOneFlush() {
    MultistreamHandler handler = responder(() -> Set.of("/noise"));
    EmbeddedChannel channel = channel(handler);
    assertThat(outbound(channel)).isEmpty(); // nothing before the peer's header

    feed(
        channel,
        wire(
            0x13, // length 19
            "/multistream/1.0.0\n",
            0x07, // length 7
            "/noise\n"));

    List<byte[]> writes = outboundWrites(channel);
    assertThat(writes).hasSize(2); // two writes ...
    assertThat(writes.get(0)).isEqualTo(messageBytes(Multistream.PROTOCOL_ID));
    assertThat(writes.get(1)).isEqualTo(messageBytes("/noise")); // ... flushed together
    assertSelected(handler, channel, "/noise");
  }

  @Test
  void responderAnswersNaThenAcceptsASecondProposal() {
    MultistreamHandler handler = responder(() -> List.of("/yamux/1.0.0"));
    EmbeddedChannel channel = channel(handler);

    feed(channel, messages(Multistream.PROTOCOL_ID, "/mplex/6.7.0"));
    assertThat(outbound(channel))
        .isEqualTo(
            bytes(
                wire(
                    0x13, // length 19
                    "/multistream/1.0.0\n",
                    0x03, // length 3
                    "na\n")));
    assertThat(handler.result()).isNotDone();

    feed(channel, messages("/yamux/1.0.0"));
    assertThat(outbound(channel))
        .isEqualTo(
            bytes(
                wire(
                    0x0d, // length 13
                    "/yamux/1.0.0\n")));
    assertSelected(handler, channel, "/yamux/1.0.0");
  }

  @Test
  void responderReadsTheSupportedSetForEveryProposal() {
    Set<String> supported = new CopyOnWriteArraySet<>();
    MultistreamHandler handler = responder(() -> supported);
    EmbeddedChannel channel = channel(handler);

    feed(channel, messages(Multistream.PROTOCOL_ID, "/late/1"));
    assertThat(outbound(channel)).endsWith(messageBytes("na"));

    supported.add("/late/1"); // registered while the negotiation runs
    feed(channel, messages("/late/1"));
    assertSelected(handler, channel, "/late/1");
  }

  @Test
  void responderNeverSelectsReservedMessages() {
    MultistreamHandler handler = responder(() -> List.of("na", Multistream.PROTOCOL_ID, "/a"));
    EmbeddedChannel channel = channel(handler);

    feed(channel, messages(Multistream.PROTOCOL_ID, "na", Multistream.PROTOCOL_ID));

    assertThat(outbound(channel)).isEqualTo(messageBytes(Multistream.PROTOCOL_ID, "na", "na"));
    assertThat(handler.result()).isNotDone();
  }

  @Test
  void responderFailsOnAMissingHeader() {
    MultistreamHandler handler = responder(() -> List.of("/a"));
    EmbeddedChannel channel = channel(handler);

    feed(channel, messages("/a"));

    assertFailed(handler, channel, "expected header");
    assertThat(outbound(channel)).isEmpty();
  }

  @Test
  void responderGivesUpAfterMaxProposals() {
    MultistreamHandler handler = responder(() -> List.of("/a"));
    EmbeddedChannel channel = channel(handler);
    feed(channel, messages(Multistream.PROTOCOL_ID));
    outbound(channel);

    for (int i = 1; i < Multistream.MAX_PROPOSALS; i++) {
      feed(channel, messages("/nope/" + i));
      assertThat(outbound(channel)).isEqualTo(messageBytes("na"));
    }
    assertThat(channel.isOpen()).isTrue();

    feed(channel, messages("/nope/last"));

    assertThat(outbound(channel)).isEqualTo(messageBytes("na")); // the last answer is still sent
    assertFailed(handler, channel, "no common protocol after 32 proposals, last '/nope/last'");
  }

  @Test
  void responderAnswersLsWithTheSupportedList() {
    MultistreamHandler handler = responder(() -> List.of("/a", "/bc"));
    EmbeddedChannel channel = channel(handler);

    feed(
        channel,
        wire(
            0x13, // length 19
            "/multistream/1.0.0\n",
            0x03, // length 3
            "ls\n"));

    assertThat(outbound(channel))
        .isEqualTo(
            bytes(
                wire(
                    0x13, // length 19
                    "/multistream/1.0.0\n",
                    0x0a, // ls answer, length 10
                    0x03, // length 3
                    "/a\n",
                    0x04, // length 4
                    "/bc\n",
                    "\n"))); // end of list

    feed(channel, messages("/bc"));
    assertSelected(handler, channel, "/bc");
  }

  @Test
  void responderAnswersLsWithNaWhenTheListIsTooLong() {
    List<String> many = new ArrayList<>();
    for (int i = 0; many.size() * 1000 <= Multistream.MAX_LS_RESPONSE_LENGTH; i++) {
      many.add("/" + i + "/" + "x".repeat(990));
    }
    MultistreamHandler handler = responder(() -> many);
    EmbeddedChannel channel = channel(handler);

    feed(channel, messages(Multistream.PROTOCOL_ID, "ls"));

    assertThat(outbound(channel)).isEqualTo(messageBytes(Multistream.PROTOCOL_ID, "na"));
    assertThat(handler.result()).isNotDone();
  }

  @Test
  void responderFailsWhenTheSupplierThrows() {
    MultistreamHandler handler =
        responder(
            () -> {
              throw new IllegalStateException("registry closed");
            });
    EmbeddedChannel channel = channel(handler);

    feed(channel, messages(Multistream.PROTOCOL_ID, "/a"));

    assertFailed(handler, channel, "registry closed");
  }

  // ---- limits and malformed input ----

  @Test
  void acceptsAProposalOfExactlyTheMaxLength() {
    String longest = "/" + "a".repeat(Multistream.MAX_PROTOCOL_ID_LENGTH - 1);
    MultistreamHandler handler = responder(() -> List.of(longest));
    EmbeddedChannel channel = channel(handler);

    feed(
        channel,
        messages(Multistream.PROTOCOL_ID),
        wire(
            0x80, 0x08, // length 1024
            longest, // 1023 bytes
            "\n"));

    assertSelected(handler, channel, longest);
  }

  @Test
  void rejectsAMessageOneOverTheMaxLength() {
    MultistreamHandler handler = responder(() -> List.of("/a"));
    EmbeddedChannel channel = channel(handler);

    feed(
        channel,
        messages(Multistream.PROTOCOL_ID),
        wire(
            0x81,
            0x08, // length 1025
            "/" + "a".repeat(1023),
            "\n"));

    assertFailed(handler, channel, "too large");
  }

  @Test
  void rejectsAHugeLengthPrefixBeforeAllocating() {
    MultistreamHandler handler = initiator("/a");
    EmbeddedChannel channel = channel(handler);
    outbound(channel);

    feed(channel, wire(0xff, 0xff, 0xff, 0x7f)); // 268435455, and no body

    assertFailed(handler, channel, "length prefix too large");
  }

  @Test
  void rejectsAMissingNewline() {
    MultistreamHandler handler = initiator("/a");
    EmbeddedChannel channel = channel(handler);
    outbound(channel);

    feed(
        channel,
        wire(
            0x13, // length 19
            "/multistream/1.0.0 ")); // ' ' where '\n' belongs

    assertFailed(handler, channel, "does not end with");
  }

  @Test
  void rejectsAMalformedVarint() {
    MultistreamHandler handler = responder(() -> List.of("/a"));
    EmbeddedChannel channel = channel(handler);

    feed(channel, wire(0x93, 0x00, "/multistream/1.0.0\n")); // 19 in two bytes

    assertFailed(handler, channel, "not minimally encoded");
  }

  // ---- timeout and lifecycle ----

  @Test
  void failsAfterTheTimeout() {
    MultistreamHandler handler = initiator("/a");
    EmbeddedChannel channel = channel(handler);
    outbound(channel);

    // The embedded clock also moves in real time, hence the one-second margin.
    channel.advanceTimeBy(TIMEOUT.toMillis() - 1000, TimeUnit.MILLISECONDS);
    channel.runScheduledPendingTasks();
    assertThat(handler.result()).isNotDone();
    assertThat(channel.isOpen()).isTrue();

    channel.advanceTimeBy(1000, TimeUnit.MILLISECONDS);
    channel.runScheduledPendingTasks();

    assertFailed(handler, channel, "negotiation timed out after PT10S");
  }

  @Test
  void timeoutIsCancelledOnSuccess() {
    MultistreamHandler handler = initiator("/a");
    EmbeddedChannel channel = channel(handler);
    outbound(channel);
    feed(channel, messages(Multistream.PROTOCOL_ID, "/a"));

    channel.advanceTimeBy(TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS);
    channel.runScheduledPendingTasks();

    assertSelected(handler, channel, "/a");
  }

  @Test
  void failsWhenTheConnectionCloses() {
    MultistreamHandler handler = initiator("/a");
    EmbeddedChannel channel = channel(handler);
    outbound(channel);
    feed(channel, wire(0x13, "/multi")); // part of the header

    channel.close();

    assertFailed(handler, channel, "connection closed during negotiation");
  }

  @Test
  void failsWhenThePeerShutsItsOutputDown() {
    MultistreamHandler handler = responder(() -> List.of("/a"));
    EmbeddedChannel channel = channel(handler);
    feed(channel, messages(Multistream.PROTOCOL_ID));

    channel.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);

    assertFailed(handler, channel, "peer closed its output");
  }

  @Test
  void anUpstreamExceptionFailsTheNegotiationWithoutEscaping() {
    MultistreamHandler handler = initiator("/a");
    EmbeddedChannel channel = channel(handler);
    outbound(channel);

    channel.pipeline().fireExceptionCaught(new IOException("connection reset"));

    assertFailed(handler, channel, "connection reset");
  }

  @Test
  void aFailedWriteFailsTheNegotiation() {
    MultistreamHandler handler = initiator("/a");
    ChannelOutboundHandlerAdapter brokenPipe =
        new ChannelOutboundHandlerAdapter() {
          @Override
          public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            ReferenceCountUtil.release(msg);
            promise.setFailure(new IOException("broken pipe"));
          }
        };
    EmbeddedChannel channel = new EmbeddedChannel(brokenPipe, handler);
    channels.add(channel);

    assertFailed(handler, channel, "write failed");
    assertThat(failure(handler.result())).hasRootCauseMessage("broken pipe");
  }

  @Test
  void aThrowingListenerFailsAndClosesAndForwardsNothing() {
    MultistreamHandler handler =
        MultistreamHandler.initiator(
            List.of("/a"),
            TIMEOUT,
            (ctx, protocol) -> {
              ctx.pipeline().addAfter(ctx.name(), "app", collector);
              throw new IllegalStateException("no handler for " + protocol);
            });
    EmbeddedChannel channel = channel(handler);
    outbound(channel);

    feed(channel, messages(Multistream.PROTOCOL_ID, "/a"), wire("app data"));

    assertFailed(handler, channel, "listener failed for protocol /a");
    assertThat(failure(handler.result())).hasRootCauseMessage("no handler for /a");
    assertThat(collector.received()).isEmpty();
  }

  @Test
  void startsOnChannelActiveWhenAddedToAnInactiveChannel() throws Exception {
    MultistreamHandler handler = initiator("/a");
    EmbeddedChannel channel =
        new EmbeddedChannel(false, false, handler); // not registered: inactive
    channels.add(channel);
    assertThat(outbound(channel)).isEmpty();

    channel.register();

    assertThat(outbound(channel)).isEqualTo(messageBytes(Multistream.PROTOCOL_ID, "/a"));
  }

  // ---- hand-off to the next handler ----

  @Test
  void initiatorForwardsBytesThatFollowTheFinalAnswerInTheSameRead() {
    MultistreamHandler handler = initiator("/noise");
    EmbeddedChannel channel = channel(handler);
    outbound(channel);

    feed(
        channel,
        wire(
            0x13, // length 19
            "/multistream/1.0.0\n",
            0x07, // length 7
            "/noise\n",
            0x00,
            0x20,
            0x01,
            0x02)); // the peer's first Noise frame begins

    assertSelected(handler, channel, "/noise");
    assertThat(collector.received()).containsExactly(0x00, 0x20, 0x01, 0x02);
  }

  @Test
  void responderForwardsBytesThatFollowTheAcceptedProposalInTheSameRead() {
    MultistreamHandler handler = responder(() -> List.of("/ipfs/ping/1.0.0"));
    EmbeddedChannel channel = channel(handler);

    feed(
        channel,
        wire(
            0x13, // length 19
            "/multistream/1.0.0\n",
            0x11, // length 17
            "/ipfs/ping/1.0.0\n",
            "ping payload"));

    assertSelected(handler, channel, "/ipfs/ping/1.0.0");
    assertThat(new String(collector.received(), StandardCharsets.UTF_8)).isEqualTo("ping payload");

    feed(channel, wire(" more"));
    assertThat(new String(collector.received(), StandardCharsets.UTF_8))
        .isEqualTo("ping payload more");
  }

  // ---- both roles together ----

  @Test
  void initiatorAndResponderAgreeWithEachOther() {
    List<String> clientSelected = new ArrayList<>();
    MultistreamHandler client =
        MultistreamHandler.initiator(
            List.of("/tls/1.0.0", "/noise"),
            TIMEOUT,
            (ctx, protocol) -> {
              clientSelected.add(protocol);
              ctx.pipeline().addAfter(ctx.name(), "app", new Collector());
            });
    MultistreamHandler server = responder(() -> List.of("/noise", "/plaintext/2.0.0"));
    EmbeddedChannel clientChannel = channel(client);
    EmbeddedChannel serverChannel = channel(server);

    int rounds = pump(clientChannel, serverChannel);

    assertThat(client.result()).isCompletedWithValue("/noise");
    assertThat(server.result()).isCompletedWithValue("/noise");
    assertThat(clientSelected).containsExactly("/noise");
    assertThat(rounds).isEqualTo(2); // header+/tls, then /noise: one extra round trip for the na
    assertThat(clientChannel.pipeline().get(MultistreamHandler.class)).isNull();
    assertThat(serverChannel.pipeline().get(MultistreamHandler.class)).isNull();

    // Application data now flows straight to the next handlers.
    clientChannel.writeOutbound(track(wire("hello")));
    pump(clientChannel, serverChannel);
    assertThat(new String(collector.received(), StandardCharsets.UTF_8)).isEqualTo("hello");
    ((Collector) clientChannel.pipeline().get("app")).release();
  }

  @Test
  void initiatorAndResponderFailCleanlyWithoutACommonProtocol() {
    MultistreamHandler client = initiator("/a", "/b");
    MultistreamHandler server = responder(() -> List.of("/c"));
    EmbeddedChannel clientChannel = channel(client);
    EmbeddedChannel serverChannel = channel(server);

    pump(clientChannel, serverChannel);

    assertFailed(client, clientChannel, "no common protocol: proposed [/a, /b]");
    assertThat(server.result()).isNotDone(); // the responder only learns from the closed connection
    serverChannel.close();
    assertFailed(server, serverChannel, "connection closed during negotiation");
  }

  /**
   * Moves client→server and server→client bytes until neither side writes; returns the client's
   * flushes.
   */
  private static int pump(EmbeddedChannel client, EmbeddedChannel server) {
    int clientFlushes = 0;
    boolean moved = true;
    while (moved) {
      moved = false;
      byte[] toServer = outbound(client);
      if (toServer.length > 0) {
        clientFlushes++;
        moved = true;
        feed(server, Unpooled.wrappedBuffer(toServer));
      }
      byte[] toClient = outbound(server);
      if (toClient.length > 0) {
        moved = true;
        feed(client, Unpooled.wrappedBuffer(toClient));
      }
    }
    return clientFlushes;
  }

  // ---- robustness ----

  @Test
  void randomGarbageNeverEscapesThePipeline() {
    Random random = new Random(42);
    for (int i = 0; i < 2000; i++) {
      boolean asInitiator = random.nextBoolean();
      MultistreamHandler handler =
          asInitiator
              ? MultistreamHandler.initiator(List.of("/a", "/b"), TIMEOUT, (ctx, p) -> {})
              : MultistreamHandler.responder(() -> List.of("/a"), TIMEOUT, (ctx, p) -> {});
      EmbeddedChannel channel = new EmbeddedChannel(handler);
      try {
        // Sometimes a valid start, so the garbage also reaches the later states.
        if (random.nextBoolean()) {
          feed(channel, messages(Multistream.PROTOCOL_ID));
        }
        for (int chunk = 0; chunk < 4 && channel.isOpen(); chunk++) {
          byte[] garbage = new byte[random.nextInt(40)];
          random.nextBytes(garbage);
          feed(channel, Unpooled.wrappedBuffer(garbage));
        }
        channel.checkException();
        if (handler.result().isCompletedExceptionally()) {
          assertThat(failure(handler.result())).isInstanceOf(MultistreamException.class);
          assertThat(channel.isOpen()).isFalse();
        }
      } finally {
        channel.finishAndReleaseAll();
      }
    }
  }

  /** Collects inbound bytes, releasing every buffer it receives. */
  private static final class Collector extends ChannelInboundHandlerAdapter {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        bytes.writeBytes(ByteBufUtil.getBytes((ByteBuf) msg));
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    byte[] received() {
      return bytes.toByteArray();
    }

    void release() {
      bytes.reset();
    }
  }
}
