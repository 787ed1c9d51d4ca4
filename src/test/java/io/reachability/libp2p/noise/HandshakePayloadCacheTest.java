package io.reachability.libp2p.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reachability.libp2p.crypto.Keys;
import io.reachability.libp2p.crypto.PrivateKey;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

/** The cache of verified payloads only ever short-cuts a byte-exact repeat of a good payload. */
class HandshakePayloadCacheTest {

  @Test
  void repeatIsAnsweredAndTamperingStillFails() {
    PrivateKey identity = Keys.generateEd25519();
    byte[] staticKey = new byte[Noise.DH_LENGTH];
    new SecureRandom().nextBytes(staticKey);
    byte[] payload = HandshakePayload.create(identity, staticKey);

    assertThat(HandshakePayload.verify(payload, staticKey).marshal())
        .isEqualTo(identity.publicKey().marshal());
    assertThat(HandshakePayload.verify(payload, staticKey).marshal())
        .isEqualTo(identity.publicKey().marshal());

    // the same payload vouching for another static key: the signature does not cover it
    byte[] otherStatic = staticKey.clone();
    otherStatic[0] ^= 1;
    assertThatThrownBy(() -> HandshakePayload.verify(payload, otherStatic))
        .isInstanceOf(NoiseException.class);

    // a flipped signature byte for the cached static key
    byte[] tampered = payload.clone();
    tampered[tampered.length - 1] ^= 1;
    assertThatThrownBy(() -> HandshakePayload.verify(tampered, staticKey))
        .isInstanceOf(NoiseException.class);
  }
}
