package io.reachability.libp2p.noise;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.reachability.libp2p.Libp2pException;
import io.reachability.libp2p.crypto.Keys;
import io.reachability.libp2p.crypto.PrivateKey;
import io.reachability.libp2p.crypto.PublicKey;
import io.reachability.libp2p.noise.pb.NoiseProtos.NoiseHandshakePayload;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The libp2p handshake payload: {@code NoiseHandshakePayload{identity_key, identity_sig}} where the
 * signature covers {@code "noise-libp2p-static-key:" ‖ static X25519 public key}. Extensions are
 * neither sent nor interpreted.
 *
 * @see <a
 *     href="https://github.com/libp2p/specs/blob/master/noise/README.md#the-libp2p-handshake-payload">noise-libp2p:
 *     the libp2p handshake payload</a>
 */
final class HandshakePayload {

  private HandshakePayload() {}

  /** The encoded payload vouching for {@code staticPublicKey}: one signature. */
  static byte[] create(PrivateKey identity, byte[] staticPublicKey) {
    byte[] signature = identity.sign(signedData(staticPublicKey));
    byte[] payload =
        NoiseHandshakePayload.newBuilder()
            .setIdentityKey(ByteString.copyFrom(identity.publicKey().marshal()))
            .setIdentitySig(ByteString.copyFrom(signature))
            .build()
            .toByteArray();
    if (payload.length > Noise.MAX_HANDSHAKE_PAYLOAD_LENGTH) {
      throw new NoiseException(
          "handshake payload of "
              + payload.length
              + " bytes exceeds "
              + Noise.MAX_HANDSHAKE_PAYLOAD_LENGTH);
    }
    return payload;
  }

  /**
   * The remote identity key, after checking that it signed {@code remoteStaticKey}: one signature
   * verification. Anything malformed or unverifiable is a {@link NoiseException}.
   */
  static PublicKey verify(byte[] payload, byte[] remoteStaticKey) {
    if (payload.length > Noise.MAX_HANDSHAKE_PAYLOAD_LENGTH) {
      throw new NoiseException(
          "handshake payload of "
              + payload.length
              + " bytes exceeds "
              + Noise.MAX_HANDSHAKE_PAYLOAD_LENGTH);
    }
    // peers reuse their static key across sessions (we do too), so the same payload for the same
    // static key comes back again and again; a byte-exact match of one that verified needs no
    // second signature check
    String key = cacheKey(payload, remoteStaticKey);
    PublicKey known = VERIFIED.get(key);
    if (known != null) {
      return known;
    }
    PublicKey identity = verifyUncached(payload, remoteStaticKey);
    VERIFIED.put(key, identity);
    return identity;
  }

  /**
   * Verified (payload, static key) pairs remembered; a few thousand peers' worth of ~100-byte
   * entries.
   */
  static final int VERIFIED_CACHE_SIZE = 4096;

  private static final Map<String, PublicKey> VERIFIED =
      Collections.synchronizedMap(
          new LinkedHashMap<>(VERIFIED_CACHE_SIZE, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, PublicKey> eldest) {
              return size() > VERIFIED_CACHE_SIZE;
            }
          });

  private static String cacheKey(byte[] payload, byte[] remoteStaticKey) {
    // ISO-8859-1 maps bytes 1:1 to chars: an exact, compact key
    return new String(remoteStaticKey, StandardCharsets.ISO_8859_1)
        + new String(payload, StandardCharsets.ISO_8859_1);
  }

  private static PublicKey verifyUncached(byte[] payload, byte[] remoteStaticKey) {
    NoiseHandshakePayload message;
    try {
      message = NoiseHandshakePayload.parseFrom(payload);
    } catch (InvalidProtocolBufferException e) {
      throw new NoiseException("malformed handshake payload: " + e.getMessage(), e);
    }
    if (!message.hasIdentityKey() || !message.hasIdentitySig()) {
      throw new NoiseException("handshake payload lacks the identity key or its signature");
    }
    PublicKey identity;
    try {
      identity = Keys.unmarshalPublicKey(message.getIdentityKey().toByteArray());
    } catch (Libp2pException e) {
      throw new NoiseException("invalid identity key in handshake payload: " + e.getMessage(), e);
    }
    if (!identity.verify(signedData(remoteStaticKey), message.getIdentitySig().toByteArray())) {
      throw new NoiseException("identity signature over the static Noise key does not verify");
    }
    return identity;
  }

  static byte[] signedData(byte[] staticPublicKey) {
    byte[] prefix = Noise.STATIC_KEY_SIGNATURE_PREFIX_BYTES;
    byte[] data = new byte[prefix.length + staticPublicKey.length];
    System.arraycopy(prefix, 0, data, 0, prefix.length);
    System.arraycopy(staticPublicKey, 0, data, prefix.length, staticPublicKey.length);
    return data;
  }
}
