package io.reachability.libp2p.multiformats;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import io.reachability.testing.LeakRecorder;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

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
    int chunk = (data[0] & 0xFF) == 0 ? Integer.MAX_VALUE : data[0] & 0xFF;
    byte[] stream = Arrays.copyOfRange(data, 1, data.length);
    EmbeddedChannel channel = new EmbeddedChannel(new UvarintFrameDecoder(MAX_FRAME));
    List<ByteBuf> fed = new ArrayList<>();
    ByteArrayOutputStream reframed = new ByteArrayOutputStream();
    boolean failed = false;
    try {
      for (int pos = 0; pos < stream.length; pos += chunk) {
        // frames that precede the error in the chunk that fails are still handed on; none after it
        boolean failedBefore = failed;
        ByteBuf in =
            LeakRecorder.buffer(
                Arrays.copyOfRange(stream, pos, Math.min(stream.length, pos + chunk)));
        fed.add(in);
        try {
          channel.writeInbound(in);
        } catch (CorruptedFrameException | TooLongFrameException e) {
          failed = true; // the two typed framing errors; anything else is a finding
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
      }
      // every frame is exactly the bytes of the stream, in order: nothing skipped, nothing invented
      byte[] out = reframed.toByteArray();
      assertThat(out).isEqualTo(Arrays.copyOf(stream, out.length));
    } finally {
      channel.finishAndReleaseAll();
    }
    for (ByteBuf in : fed) {
      assertThat(in.refCnt()).as("input buffer released").isZero();
    }
  }
}
