package io.reachability.libp2p.multistream;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.reachability.libp2p.multiformats.Varint;
import io.reachability.testing.LeakRecorder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads messages from arbitrary bytes until it needs more or fails: only MultistreamException may
 * escape.
 */
class MultistreamCodecFuzzTest {

  @FuzzTest(maxDuration = "10s")
  void readMessage(byte[] data) {
    ByteBuf in = LeakRecorder.buffer(data);
    try {
      while (in.isReadable()) {
        int start = in.readerIndex();
        String text;
        try {
          text = MultistreamCodec.readMessage(in, Multistream.MAX_MESSAGE_LENGTH);
        } catch (MultistreamException e) {
          assertThat(in.readerIndex())
              .as("reader index after a malformed message")
              .isEqualTo(start);
          return;
        }
        if (text == null) {
          assertThat(in.readerIndex()).as("reader index while waiting for more").isEqualTo(start);
          return;
        }
        // strict UTF-8 and a minimal prefix: the message re-encodes to exactly the bytes consumed
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        assertThat(utf8).isNotEmpty();
        assertThat(utf8.length).isLessThanOrEqualTo(Multistream.MAX_PROTOCOL_ID_LENGTH);
        byte[] prefix = Varint.encode(utf8.length + 1L);
        byte[] expected = Arrays.copyOf(prefix, prefix.length + utf8.length + 1);
        System.arraycopy(utf8, 0, expected, prefix.length, utf8.length);
        expected[expected.length - 1] = '\n';
        assertThat(ByteBufUtil.getBytes(in, start, in.readerIndex() - start)).isEqualTo(expected);
      }
    } finally {
      in.release();
    }
  }
}
