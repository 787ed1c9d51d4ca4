package io.reachability.libp2p.kad;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.reachability.libp2p.Libp2pException;
import java.util.List;

/**
 * A DHT node's FIND_NODE answer, read as the client does: within the bounds, or a typed refusal; a
 * bad peer id or address is skipped, never an exception of another kind. (Framing:
 * UvarintFrameDecoderFuzzTest.)
 */
class KadAnswerFuzzTest {

  @FuzzTest(maxDuration = "10s")
  void answer(byte[] data) {
    if (data.length > Kad.MAX_MESSAGE_SIZE) {
      return; // the framing refuses it before it is parsed
    }
    ByteBuf frame = Unpooled.wrappedBuffer(data);
    try {
      List<KadPeer> peers = KadMessages.closerPeers(frame);
      assertThat(peers).hasSizeLessThanOrEqualTo(Kad.K);
      assertThat(peers)
          .allSatisfy(
              p -> assertThat(p.addresses()).hasSizeLessThanOrEqualTo(Kad.MAX_ADDRESSES_PER_PEER));
    } catch (Libp2pException e) {
      // a typed refusal: malformed, or not a FIND_NODE answer
    } finally {
      frame.release();
    }
  }
}
