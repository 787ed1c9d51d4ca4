package io.reachability.libp2p.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Multiaddrs from peers (identify, AutoNAT requests) and from users (REST, configuration): only
 * MultiaddrException may escape, and whatever parses is canonical — its bytes and its text both
 * parse back to an equal address with the same text.
 */
class MultiaddrFuzzTest {

  @FuzzTest(maxDuration = "10s")
  void fromBytes(byte[] data) {
    Multiaddr addr;
    try {
      addr = Multiaddr.fromBytes(data);
    } catch (MultiaddrException e) {
      return;
    }
    // the binary form is kept as received, so it must be the canonical encoding already
    assertThat(addr.toBytes()).isEqualTo(data);
    assertCanonical(addr);
  }

  /** The input is the text as UTF-8, so seeds are readable files. */
  @FuzzTest(maxDuration = "10s")
  void fromString(byte[] data) {
    String text = new String(data, StandardCharsets.UTF_8);
    Multiaddr addr;
    try {
      addr = Multiaddr.fromString(text);
    } catch (MultiaddrException e) {
      return;
    }
    assertThat(Multiaddr.fromBytes(addr.toBytes())).isEqualTo(addr).hasToString(addr.toString());
    assertCanonical(addr);
  }

  private static void assertCanonical(Multiaddr addr) {
    String text = addr.toString();
    Multiaddr reparsed = Multiaddr.fromString(text);
    assertThat(reparsed).isEqualTo(addr);
    assertThat(reparsed.toString()).isEqualTo(text);
    // the accessors the host and AutoNAT use on peer addresses must not throw either
    addr.peerId();
    addr.withoutPeerId();
    addr.toTcpSocketAddress();
  }
}
