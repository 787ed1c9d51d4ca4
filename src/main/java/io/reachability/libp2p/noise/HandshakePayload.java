package io.reachability.libp2p.noise;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.reachability.libp2p.core.Libp2pException;
import io.reachability.libp2p.crypto.Keys;
import io.reachability.libp2p.crypto.PrivateKey;
import io.reachability.libp2p.crypto.PublicKey;
import io.reachability.libp2p.noise.pb.NoiseProtos.NoiseHandshakePayload;

/**
 * The libp2p handshake payload: {@code NoiseHandshakePayload{identity_key, identity_sig}} where the
 * signature covers {@code "noise-libp2p-static-key:" ‖ static X25519 public key}. Extensions are neither
 * sent nor interpreted.
 *
 * @see <a href="https://github.com/libp2p/specs/blob/master/noise/README.md#the-libp2p-handshake-payload">noise-libp2p: the libp2p handshake payload</a>
 */
final class HandshakePayload {

  private HandshakePayload() {}

  /** The encoded payload vouching for {@code staticPublicKey}: one signature. */
  static byte[] create(PrivateKey identity, byte[] staticPublicKey) {
    byte[] signature = identity.sign(signedData(staticPublicKey));
    byte[] payload = NoiseHandshakePayload.newBuilder()
        .setIdentityKey(ByteString.copyFrom(identity.publicKey().marshal()))
        .setIdentitySig(ByteString.copyFrom(signature))
        .build()
        .toByteArray();
    if (payload.length > Noise.MAX_HANDSHAKE_PAYLOAD_LENGTH) {
      throw new NoiseException("handshake payload of " + payload.length + " bytes exceeds "
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
      throw new NoiseException("handshake payload of " + payload.length + " bytes exceeds "
          + Noise.MAX_HANDSHAKE_PAYLOAD_LENGTH);
    }
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
