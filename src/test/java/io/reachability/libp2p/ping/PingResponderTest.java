package io.reachability.libp2p.ping;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import io.reachability.libp2p.core.Connection;
import io.reachability.libp2p.core.Direction;
import io.reachability.libp2p.core.Stream;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The ping responder's silence bound, on a channel whose clock the test moves. */
class PingResponderTest {

  /** A stream over {@code channel}; the responder needs nothing else. */
  private static Stream streamOver(EmbeddedChannel channel) {
    return new Stream() {
      @Override
      public Channel channel() {
        return channel;
      }

      @Override
      public Connection connection() {
        throw new UnsupportedOperationException();
      }

      @Override
      public String protocol() {
        return Ping.PROTOCOL_ID;
      }

      @Override
      public Direction direction() {
        return Direction.INBOUND;
      }

      @Override
      public void reset() {
        channel.close();
      }
    };
  }

  private static EmbeddedChannel responder() {
    EmbeddedChannel channel = new EmbeddedChannel();
    channel.freezeTime();
    new PingService().responder().initStream(streamOver(channel));
    return channel;
  }

  private static void advance(EmbeddedChannel channel, Duration by) {
    channel.advanceTimeBy(by.toNanos(), TimeUnit.NANOSECONDS);
    channel.runScheduledPendingTasks();
  }

  private static void releaseAll(EmbeddedChannel channel) {
    for (Object out; (out = channel.readOutbound()) != null; ) {
      ((ByteBuf) out).release();
    }
  }

  @Test
  void pingsKeepTheStreamAndAreEchoed() {
    EmbeddedChannel channel = responder();
    Duration almost = Ping.RESPONDER_IDLE_TIMEOUT.minusSeconds(1);
    for (int i = 0; i < 3; i++) {
      advance(channel, almost);
      channel.writeInbound(Unpooled.buffer(Ping.PAYLOAD_SIZE).writeZero(Ping.PAYLOAD_SIZE));
      ByteBuf echo = channel.readOutbound();
      assertThat(echo.readableBytes()).isEqualTo(Ping.PAYLOAD_SIZE);
      echo.release();
    }
    assertThat(channel.isOpen()).isTrue();
    channel.finishAndReleaseAll();
  }

  @Test
  void aPeerDribblingBytesWithoutACompletePingIsCutOffAfterTheSilenceBound() {
    EmbeddedChannel channel = responder();
    Duration step = Ping.RESPONDER_IDLE_TIMEOUT.dividedBy(4);
    for (int i = 0; i < Ping.PAYLOAD_SIZE - 1 && channel.isOpen(); i++) {
      channel.writeInbound(Unpooled.buffer(1).writeByte(i)); // never the 32nd byte
      advance(channel, step);
    }
    assertThat(channel.isOpen()).isFalse();
    releaseAll(channel);
    try {
      channel.checkException(); // the timeout, which a stream's guard turns into a reset
    } catch (Exception expected) {
      assertThat(expected).isInstanceOf(io.netty.handler.timeout.ReadTimeoutException.class);
    }
  }
}
