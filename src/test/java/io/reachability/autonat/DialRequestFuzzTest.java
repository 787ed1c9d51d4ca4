package io.reachability.autonat;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import io.reachability.autonat.pb.AutonatV2Protos;
import io.reachability.libp2p.core.Connection;
import io.reachability.libp2p.core.Direction;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.core.ProtocolHandler;
import io.reachability.libp2p.core.Stream;
import io.reachability.libp2p.crypto.Keys;
import io.reachability.libp2p.crypto.PrivateKey;
import io.reachability.libp2p.crypto.PublicKey;
import io.reachability.libp2p.multiformats.UvarintFrameDecoder;
import io.reachability.testing.ChunkedFeed;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The server's request decoding and dial-data reading, fed arbitrary bytes on a dial-request stream
 * (an {@link EmbeddedChannel}; the dial-back is a stub that succeeds). Input: one byte choosing the
 * chunk size (0 = all at once), then the stream from the client. Whatever arrives: no exception
 * escapes, only DialDataRequest/DialResponse go out, at most one dial-back, never before all
 * requested dial data arrived, exactly one outcome, nothing leaks.
 */
class DialRequestFuzzTest {

  /** The client as the server sees it; addresses on 1.2.3.4 cost no dial data, others do. */
  static final Multiaddr CLIENT = Multiaddr.fromString("/ip4/1.2.3.4/tcp/4001");

  private static final PrivateKey CLIENT_KEY = Keys.generateEd25519();

  @FuzzTest(maxDuration = "10s")
  void serverReadsArbitraryRequests(byte[] data) {
    if (data.length == 0) {
      return;
    }
    ChunkedFeed feed = ChunkedFeed.of(data);

    EmbeddedChannel channel = new EmbeddedChannel();
    List<DialRequestOutcome> outcomes = new ArrayList<>();
    AtomicInteger dials = new AtomicInteger();
    long[] dataAtDial = {-1};
    AutonatServerSettings settings =
        new AutonatServerSettings.Builder()
            .allowPrivateAddresses(true)
            .maxDialDataJitter(Duration.ZERO)
            .build();
    DialRequestHandler.Context context =
        new DialRequestHandler.Context(
            settings,
            new RateLimiter(AutonatServerSettings.DEFAULT_RATE_LIMIT, Clock.systemUTC()),
            new AddressSelector(true, List::of, ip -> true),
            new SplittableRandom(feed.stream().length),
            (address, nonce, timers) -> {
              dials.incrementAndGet();
              return CompletableFuture.completedFuture(DialBacker.Result.ok());
            },
            outcome -> {
              outcomes.add(outcome);
            });
    DialRequestHandler.serve(new StubStream(channel), context);

    try {
      feed.feed(
          channel::isOpen,
          in -> {
            channel.writeInbound(in);
            channel.runPendingTasks();
          });
      channel.runPendingTasks();
      channel.checkException();
      checkOutbound(channel);
    } finally {
      channel.close();
      channel.runPendingTasks();
      channel.finishAndReleaseAll();
    }
    feed.assertAllReleased();
    assertThat(outcomes).as("one outcome per request").hasSize(1);
    assertThat(dials.get()).as("dial-backs").isLessThanOrEqualTo(1);
    DialRequestOutcome outcome = outcomes.get(0);
    if (dials.get() == 1) {
      // all the dial data asked for arrived before the one dial
      assertThat(outcome.dialDataReceived()).isGreaterThanOrEqualTo(outcome.dialDataRequested());
      assertThat(outcome.selectedAddress()).isNotNull();
    }
    if (outcome.dialDataRequested() > 0) {
      assertThat(outcome.dialDataRequested())
          .isBetween(
              (long) AutonatV2.MIN_DIAL_DATA_BYTES, (long) AutonatV2.MAX_DIAL_DATA_BYTES - 1);
    }
  }

  /** Everything the server wrote is a well-framed DialDataRequest or DialResponse. */
  private static void checkOutbound(EmbeddedChannel channel) {
    EmbeddedChannel decoder =
        new EmbeddedChannel(new UvarintFrameDecoder(AutonatV2.MAX_MESSAGE_SIZE));
    try {
      for (Object out; (out = channel.readOutbound()) != null; ) {
        decoder.writeInbound(out);
      }
      for (ByteBuf frame; (frame = decoder.readInbound()) != null; ) {
        try {
          AutonatV2Protos.Message message = AutonatMessages.parseMessage(frame);
          assertThat(message.getMsgCase())
              .isIn(
                  AutonatV2Protos.Message.MsgCase.DIALDATAREQUEST,
                  AutonatV2Protos.Message.MsgCase.DIALRESPONSE);
        } finally {
          frame.release();
        }
      }
    } finally {
      decoder.finishAndReleaseAll();
    }
  }

  /** A dial-request stream from {@link #CLIENT} over an embedded channel. */
  private static final class StubStream implements Stream, Connection {
    private final EmbeddedChannel channel;

    StubStream(EmbeddedChannel channel) {
      this.channel = channel;
    }

    @Override
    public Channel channel() {
      return channel;
    }

    @Override
    public Connection connection() {
      return this;
    }

    @Override
    public String protocol() {
      return AutonatV2.DIAL_REQUEST_PROTOCOL;
    }

    @Override
    public long openedAtNanos() {
      return 0;
    }

    @Override
    public Direction direction() {
      return Direction.INBOUND;
    }

    @Override
    public String securityProtocol() {
      return "/noise";
    }

    @Override
    public String muxerProtocol() {
      return "/yamux/1.0.0";
    }

    @Override
    public void reset() {
      channel.close();
    }

    @Override
    public PeerId remotePeer() {
      return PeerId.fromPublicKey(CLIENT_KEY.publicKey());
    }

    @Override
    public PublicKey remotePublicKey() {
      return CLIENT_KEY.publicKey();
    }

    @Override
    public Multiaddr localAddress() {
      return Multiaddr.fromString("/ip4/5.6.7.8/tcp/4001");
    }

    @Override
    public Multiaddr remoteAddress() {
      return CLIENT;
    }

    @Override
    public boolean isOpen() {
      return channel.isOpen();
    }

    @Override
    public CompletableFuture<Stream> newStream(List<String> protocols, ProtocolHandler handler) {
      return CompletableFuture.failedFuture(new UnsupportedOperationException("stub"));
    }

    @Override
    public CompletableFuture<Void> close() {
      channel.close();
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> closeFuture() {
      return new CompletableFuture<>();
    }
  }
}
