package io.reachability.libp2p.multistream;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.reachability.libp2p.Libp2pException;
import io.reachability.testing.ChunkedFeed;
import java.nio.charset.CharacterCodingException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Both sides of a negotiation fed arbitrary bytes in an EmbeddedChannel: nothing may be thrown into
 * the pipeline, the result is either pending or settled (a MultistreamException, or a protocol we
 * offered), and every buffer is released. Input: one byte choosing the chunk size the peer's bytes
 * arrive in (0 = all at once), then the peer's bytes.
 */
class MultistreamHandlerFuzzTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final Set<String> SUPPORTED = Set.of("/noise", "/yamux/1.0.0", "/ipfs/id/1.0.0");
  private static final List<String> PROPOSALS = List.of("/yamux/1.0.0", "/mplex/6.7.0");

  @FuzzTest(maxDuration = "10s")
  void responder(byte[] data) {
    negotiate(
        data,
        listener -> MultistreamHandler.responder(() -> SUPPORTED, TIMEOUT, listener),
        SUPPORTED);
  }

  @FuzzTest(maxDuration = "10s")
  void initiator(byte[] data) {
    negotiate(
        data,
        listener -> MultistreamHandler.initiator(PROPOSALS, TIMEOUT, listener),
        Set.copyOf(PROPOSALS));
  }

  private interface Factory {
    MultistreamHandler create(ProtocolSelectedListener listener);
  }

  private static void negotiate(byte[] data, Factory factory, Set<String> acceptable) {
    if (data.length == 0) {
      return;
    }
    ChunkedFeed feed = ChunkedFeed.of(data);
    // after the selection the rest of the bytes go to the next protocol: swallow them
    ProtocolSelectedListener listener =
        (ctx, protocol) -> ctx.pipeline().addAfter(ctx.name(), "app", new Sink());
    MultistreamHandler handler = factory.create(listener);
    CompletableFuture<String> result = handler.result();
    EmbeddedChannel channel = new EmbeddedChannel(handler);
    try {
      feed.feed(
          channel::isOpen,
          in -> {
            channel.writeInbound(in); // throws whatever reached the end of the pipeline
            channel.runPendingTasks();
            releaseOutbound(channel);
          });
      channel.checkException();
      if (result.isDone()) {
        String selected =
            result
                .handle(
                    (value, error) -> {
                      if (error != null) {
                        assertThat(error).isInstanceOf(MultistreamException.class);
                        // the handler wraps any RuntimeException of its own in a
                        // MultistreamException: an untyped
                        // one right inside is a bug (a typed one may carry any cause of its own)
                        if (error.getCause() != null) {
                          assertThat(error.getCause())
                              .as("cause of the failure")
                              .isInstanceOfAny(
                                  Libp2pException.class, CharacterCodingException.class);
                        }
                        assertThat(channel.isOpen())
                            .as("channel open after a failed negotiation")
                            .isFalse();
                        return null;
                      }
                      return value;
                    })
                .join();
        if (selected != null) {
          assertThat(acceptable).contains(selected);
          assertThat(channel.pipeline().get(MultistreamHandler.class)).isNull();
        }
      } else {
        assertThat(channel.isOpen()).as("channel closed with the negotiation pending").isTrue();
      }
    } finally {
      channel.finishAndReleaseAll();
    }
    assertThat(result).as("closing settles the negotiation").isDone();
    feed.assertAllReleased();
  }

  private static void releaseOutbound(EmbeddedChannel channel) {
    for (Object out; (out = channel.readOutbound()) != null; ) {
      ReferenceCountUtil.release(out);
    }
  }

  /** The next protocol's handler: releases what the negotiation hands on. */
  private static final class Sink extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ReferenceCountUtil.release(msg);
    }
  }
}
