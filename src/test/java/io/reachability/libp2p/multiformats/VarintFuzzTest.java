package io.reachability.libp2p.multiformats;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.reachability.testing.LeakRecorder;
import java.util.Arrays;

/**
 * Fuzzes both varint decoders against each other and against the encoder. Seeds and findings live
 * in {@code src/test/resources/io/reachability/libp2p/multiformats/VarintFuzzTestInputs/<method>/}.
 */
class VarintFuzzTest {

  @FuzzTest(maxDuration = "10s")
  void decodeAndRead(byte[] data) {
    Varint.Decoded decoded;
    try {
      decoded = Varint.decode(data);
    } catch (MultiformatsException e) {
      decoded = null; // malformed: read must reject it the same way
    }
    ByteBuf buf = LeakRecorder.buffer(data);
    try {
      long read;
      try {
        read = Varint.read(buf);
      } catch (MultiformatsException e) {
        assertThat(decoded).as("read rejected what decode accepted").isNull();
        assertThat(buf.readerIndex()).as("reader index after a malformed varint").isZero();
        return;
      }
      assertThat(decoded).as("decode rejected what read accepted").isNotNull();
      if (decoded.needMore()) {
        assertThat(read).isEqualTo(Varint.NEED_MORE_BYTES);
        assertThat(buf.readerIndex()).as("reader index while waiting for more").isZero();
        assertThat(data.length).isLessThan(Varint.MAX_LENGTH);
        return;
      }
      assertThat(read).isEqualTo(decoded.value()).isNotNegative();
      assertThat(buf.readerIndex()).isEqualTo(decoded.length());
      // only minimal encodings are accepted, so the value re-encodes to exactly the bytes read
      assertThat(Varint.encode(decoded.value())).isEqualTo(Arrays.copyOf(data, decoded.length()));
      assertThat(Varint.encodedLength(decoded.value())).isEqualTo(decoded.length());
    } finally {
      buf.release();
    }
  }
}
