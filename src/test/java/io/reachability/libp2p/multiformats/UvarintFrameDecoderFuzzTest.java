package io.reachability.libp2p.multiformats;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import io.reachability.testing.ChunkedFeed;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The length-prefixed framing of identify and AutoNAT, fed arbitrary bytes. Input: one byte
 * choosing the chunk size the stream arrives in (0 = all at once), then the stream.
 */
class UvarintFrameDecoderFuzzTest {

  private static final int MAX_FRAME = 64;

  @FuzzTest(maxDuration = "10s")
  void frames(byte[] data) {
    if (data.length == 0) {
      return;
    }
    ChunkedFeed feed = ChunkedFeed.of(data);
    byte[] stream = feed.stream();
    EmbeddedChannel channel = new EmbeddedChannel(new UvarintFrameDecoder(MAX_FRAME));
    ByteArrayOutputStream reframed = new ByteArrayOutputStream();
    AtomicBoolean failed = new AtomicBoolean();
    try {
      feed.feed(
          in -> {
            // frames that precede the error in the chunk that fails are still handed on; none
            // after it
            boolean failedBefore = failed.get();
            try {
              channel.writeInbound(in);
            } catch (CorruptedFrameException | TooLongFrameException e) {
              failed.set(true); // the two typed framing errors; anything else is a finding
            }
            for (ByteBuf frame; (frame = channel.readInbound()) != null; ) {
              try {
                assertThat(failedBefore).as("a frame after a framing error").isFalse();
                assertThat(frame.readableBytes()).isLessThanOrEqualTo(MAX_FRAME);
                reframed.writeBytes(Varint.encode(frame.readableBytes()));
                reframed.writeBytes(ByteBufUtil.getBytes(frame));
              } finally {
                frame.release();
              }
            }
          });
      // every frame is exactly the bytes of the stream, in order: nothing skipped, nothing invented
      byte[] out = reframed.toByteArray();
      assertThat(out).isEqualTo(Arrays.copyOf(stream, out.length));
    } finally {
      channel.finishAndReleaseAll();
    }
    feed.assertAllReleased();
  }
}
