package io.reachability.libp2p.yamux;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;
import io.reachability.testing.ChunkedFeed;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Yamux from an untrusted peer. Input: one byte (bit 7: act as the client; bits 0-6: the chunk size
 * the peer's bytes arrive in, 0 = all at once), then the peer's bytes.
 */
class YamuxFuzzTest {

  /** Bits 0-6 of the header byte: the chunk size (bit 7 picks the role). */
  private static final int CHUNK_SIZE_BITS = 0x7F;

  /** Small, so the fuzzer reaches the DATA length limit with short inputs. */
  private static final int CODEC_MAX_DATA = 64;

  /**
   * The codec alone: a bad header is a DecoderException caused by a YamuxException (as
   * YamuxFrameCodecTest expects), nothing is decoded after it, and every frame re-encodes to
   * exactly the bytes it came from.
   */
  @FuzzTest(maxDuration = "10s")
  void frameCodec(byte[] data) {
    if (data.length == 0) {
      return;
    }
    ChunkedFeed feed =
        new ChunkedFeed(data[0] & CHUNK_SIZE_BITS, Arrays.copyOfRange(data, 1, data.length));
    EmbeddedChannel channel = new EmbeddedChannel(new YamuxFrameCodec(CODEC_MAX_DATA));
    ByteArrayOutputStream reencoded = new ByteArrayOutputStream();
    AtomicBoolean failed = new AtomicBoolean();
    try {
      feed.feed(
          in -> {
            // frames that precede the error in the chunk that fails are still handed on; none
            // after it
            boolean failedBefore = failed.get();
            try {
              channel.writeInbound(in);
            } catch (DecoderException e) {
              if (!(e.getCause() instanceof YamuxException)) {
                throw e;
              }
              failed.set(true);
            }
            for (YamuxFrame frame; (frame = channel.readInbound()) != null; ) {
              try {
                assertThat(failedBefore).as("a frame after a framing error").isFalse();
                writeFrame(frame, reencoded);
              } finally {
                frame.release();
              }
            }
          });
      byte[] out = reencoded.toByteArray();
      assertThat(out).isEqualTo(Arrays.copyOf(feed.stream(), out.length));
    } finally {
      channel.finishAndReleaseAll();
    }
    feed.assertAllReleased();
  }

  /**
   * Codec and session together, with echoing streams: no exception may reach the end of the
   * pipeline (the handler answers violations with GO_AWAY and closes), streams only ever see
   * resets, closing ends every stream, and nothing leaks.
   */
  @FuzzTest(maxDuration = "10s")
  void session(byte[] data) {
    if (data.length == 0) {
      return;
    }
    boolean client = (data[0] & 0x80) != 0;
    ChunkedFeed feed =
        new ChunkedFeed(data[0] & CHUNK_SIZE_BITS, Arrays.copyOfRange(data, 1, data.length));
    List<YamuxStreamChannel> streams = new ArrayList<>();
    List<Throwable> streamErrors = new ArrayList<>();
    // few inbound streams, so the refusal path is reachable with short inputs
    YamuxSettings settings = YamuxSettings.defaults().withMaxInboundStreams(4);
    YamuxHandler session =
        new YamuxHandler(
            client,
            settings,
            s -> {
              streams.add(s);
              s.pipeline().addLast(new Echo(streamErrors));
            });
    // the session swallows every error (GO_AWAY and close), so look at what the codec hands it
    List<Throwable> codecErrors = new ArrayList<>();
    EmbeddedChannel channel =
        new EmbeddedChannel(
            new YamuxFrameCodec(settings.initialWindow()), new ErrorSpy(codecErrors), session);
    ByteArrayOutputStream sent = new ByteArrayOutputStream();
    try {
      feed.feed(
          channel::isOpen,
          in -> {
            channel.writeInbound(in); // throws whatever reached the end of the pipeline
            channel.runPendingTasks();
            channel.checkException();
            drainOutbound(channel, sent);
          });
      channel.close();
      channel.runPendingTasks();
      channel.checkException();
      drainOutbound(channel, sent);
      assertThat(codecErrors)
          .allSatisfy(
              e ->
                  assertThat(e)
                      .isInstanceOf(DecoderException.class)
                      .hasCauseInstanceOf(YamuxException.class));
      // the handler turns a RuntimeException of its own into GO_AWAY(INTERNAL_ERROR): that is a bug
      assertThat(goAwayCodes(sent.toByteArray()))
          .doesNotContain(YamuxGoAwayCode.INTERNAL_ERROR.code());
      assertThat(streamErrors)
          .allSatisfy(e -> assertThat(e).isInstanceOf(YamuxStreamResetException.class));
      assertThat(streams)
          .allSatisfy(s -> assertThat(s.isOpen()).as("stream open after close").isFalse());
      assertThat(session.streamCount()).isZero();
    } finally {
      channel.finishAndReleaseAll();
    }
    feed.assertAllReleased();
  }

  private static void writeFrame(YamuxFrame frame, ByteArrayOutputStream out) {
    ByteBuf content = frame.content();
    int length = frame.type() == YamuxType.DATA ? content.readableBytes() : frame.length();
    out.write(Yamux.VERSION);
    out.write(frame.type().code());
    out.write(frame.flags() >>> 8);
    out.write(frame.flags());
    for (int shift = 24; shift >= 0; shift -= 8) {
      out.write(frame.streamId() >>> shift);
    }
    for (int shift = 24; shift >= 0; shift -= 8) {
      out.write(length >>> shift);
    }
    if (frame.type() == YamuxType.DATA) {
      out.writeBytes(ByteBufUtil.getBytes(content));
    }
  }

  private static void drainOutbound(EmbeddedChannel channel, ByteArrayOutputStream sent) {
    for (Object out; (out = channel.readOutbound()) != null; ) {
      try {
        sent.writeBytes(ByteBufUtil.getBytes((ByteBuf) out));
      } finally {
        ReferenceCountUtil.release(out);
      }
    }
  }

  /**
   * The error codes of the GO_AWAY frames in what the session sent (well-formed: we encoded it).
   */
  private static List<Integer> goAwayCodes(byte[] sent) {
    List<Integer> codes = new ArrayList<>();
    java.nio.ByteBuffer frames = java.nio.ByteBuffer.wrap(sent);
    while (frames.remaining() >= Yamux.HEADER_LENGTH) {
      frames.get(); // version
      int type = frames.get();
      frames.getShort(); // flags
      frames.getInt(); // stream id
      int length = frames.getInt();
      if (type == YamuxType.DATA.code()) {
        frames.position(frames.position() + length);
      } else if (type == YamuxType.GO_AWAY.code()) {
        codes.add(length);
      }
    }
    return codes;
  }

  /** Records the exceptions that travel from the codec to the session, and passes them on. */
  private static final class ErrorSpy extends ChannelInboundHandlerAdapter {
    private final List<Throwable> errors;

    ErrorSpy(List<Throwable> errors) {
      this.errors = errors;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      errors.add(cause);
      ctx.fireExceptionCaught(cause);
    }
  }

  /** Echoes what a stream receives, so our writes race with the peer's FIN and RST. */
  private static final class Echo extends ChannelInboundHandlerAdapter {
    private final List<Throwable> errors;

    Echo(List<Throwable> errors) {
      this.errors = errors;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ctx.writeAndFlush(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      errors.add(cause);
    }
  }
}
