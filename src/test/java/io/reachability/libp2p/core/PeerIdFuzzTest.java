package io.reachability.libp2p.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.reachability.libp2p.multiformats.Multibase;
import java.nio.charset.StandardCharsets;

/**
 * Peer ids from peers and users: only PeerIdException may escape; every text form parses back
 * equal.
 */
class PeerIdFuzzTest {

  @FuzzTest(maxDuration = "10s")
  void fromBytes(byte[] data) {
    PeerId id;
    try {
      id = PeerId.fromBytes(data);
    } catch (PeerIdException e) {
      return;
    }
    assertThat(id.toBytes()).isEqualTo(data);
    assertRoundTrips(id);
  }

  /** The input is the text as UTF-8, so seeds are readable files. */
  @FuzzTest(maxDuration = "10s")
  void fromString(byte[] data) {
    String text = new String(data, StandardCharsets.UTF_8);
    PeerId id;
    try {
      id = PeerId.fromString(text);
    } catch (PeerIdException e) {
      return;
    }
    assertThat(PeerId.fromBytes(id.toBytes())).isEqualTo(id);
    assertRoundTrips(id);
  }

  private static void assertRoundTrips(PeerId id) {
    assertThat(PeerId.fromString(id.toBase58())).isEqualTo(id);
    assertThat(PeerId.fromString(id.toString())).isEqualTo(id);
    assertThat(PeerId.fromString(id.toCidString())).isEqualTo(id);
    assertThat(PeerId.fromString(id.toCidString(Multibase.BASE36))).isEqualTo(id);
    id.embeddedPublicKey();
  }
}
