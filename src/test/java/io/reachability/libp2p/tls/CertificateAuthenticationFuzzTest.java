package io.reachability.libp2p.tls;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.crypto.PublicKey;
import java.time.Instant;

/**
 * A peer's certificate arrives as bytes in the TLS handshake: only TlsAuthenticationException may
 * escape its verification, and whatever passes names a host key with a peer id.
 */
class CertificateAuthenticationFuzzTest {

  private static final Instant NOW = Instant.parse("2026-12-05T12:00:00Z");

  @FuzzTest(maxDuration = "10s")
  void verify(byte[] data) {
    PublicKey hostKey;
    try {
      hostKey = CertificateAuthentication.verify(data, NOW);
    } catch (TlsAuthenticationException e) {
      return; // a typed refusal, naming its rule
    }
    assertThat(PeerId.fromPublicKey(hostKey)).isNotNull();
  }
}
