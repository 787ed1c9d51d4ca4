package io.reachability.libp2p.noise;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Noise {@code SymmetricState}: the chaining key {@code ck}, the handshake hash {@code h} and
 * the handshake's {@link CipherState}, with SHA-256 and HKDF over HMAC-SHA256. One {@link
 * MessageDigest} and one {@link Mac} per handshake.
 *
 * @see <a href="https://noiseprotocol.org/noise.html#the-symmetricstate-object">Noise: the
 *     SymmetricState object</a>
 * @see <a href="https://noiseprotocol.org/noise.html#hash-functions">Noise: hash functions
 *     (HKDF)</a>
 */
final class SymmetricState {

  static final int HASH_LENGTH = 32;
  private static final String HMAC = "HmacSHA256";
  private static final int NO_SUFFIX = -1;

  private final MessageDigest sha256;
  private final Mac hmac;
  private final CipherState cipherState = new CipherState();
  private byte[] ck;
  private byte[] h;

  /** InitializeSymmetric(protocolName). */
  SymmetricState(String protocolName) {
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
      hmac = Mac.getInstance(HMAC);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no SHA-256 / HmacSHA256", e);
    }
    byte[] name = protocolName.getBytes(StandardCharsets.US_ASCII);
    // names up to HASHLEN bytes are zero-padded, longer ones hashed
    h = name.length <= HASH_LENGTH ? Arrays.copyOf(name, HASH_LENGTH) : sha256.digest(name);
    ck = h.clone();
  }

  void mixHash(byte[] data) {
    sha256.update(h);
    sha256.update(data);
    h = sha256.digest();
  }

  void mixKey(byte[] inputKeyMaterial) {
    byte[][] out = hkdf(ck, inputKeyMaterial, 2);
    Arrays.fill(ck, (byte) 0);
    ck = out[0];
    // HASHLEN is 32 for SHA-256, so temp_k needs no truncation
    cipherState.initializeKey(out[1]);
    Arrays.fill(out[1], (byte) 0);
  }

  byte[] encryptAndHash(byte[] plaintext) {
    byte[] ciphertext = cipherState.encryptWithAd(h, plaintext);
    mixHash(ciphertext);
    return ciphertext;
  }

  byte[] decryptAndHash(byte[] ciphertext) {
    byte[] plaintext = cipherState.decryptWithAd(h, ciphertext);
    mixHash(ciphertext);
    return plaintext;
  }

  boolean hasKey() {
    return cipherState.hasKey();
  }

  /** The handshake hash {@code h} (a copy), usable for channel binding. */
  byte[] handshakeHash() {
    return h.clone();
  }

  /**
   * Split(): the initiator-to-responder and responder-to-initiator cipher states; wipes {@code ck}.
   */
  CipherState[] split() {
    byte[][] out = hkdf(ck, new byte[0], 2);
    CipherState c1 = new CipherState();
    CipherState c2 = new CipherState();
    c1.initializeKey(out[0]);
    c2.initializeKey(out[1]);
    Arrays.fill(out[0], (byte) 0);
    Arrays.fill(out[1], (byte) 0);
    Arrays.fill(ck, (byte) 0);
    cipherState.destroy();
    return new CipherState[] {c1, c2};
  }

  /**
   * HKDF(chaining_key, input_key_material, num_outputs) as the Noise spec defines it (RFC 5869 with
   * an empty info and the chaining key as salt): two or three 32-byte outputs.
   */
  byte[][] hkdf(byte[] chainingKey, byte[] inputKeyMaterial, int outputs) {
    if (outputs < 2 || outputs > 3) {
      throw new IllegalArgumentException("HKDF produces 2 or 3 outputs, not " + outputs);
    }
    byte[] tempKey = hmac(chainingKey, inputKeyMaterial, NO_SUFFIX);
    byte[][] out = new byte[outputs][];
    byte[] previous = new byte[0];
    for (int i = 0; i < outputs; i++) {
      previous = hmac(tempKey, previous, i + 1);
      out[i] = previous;
    }
    Arrays.fill(tempKey, (byte) 0);
    return out;
  }

  private byte[] hmac(byte[] key, byte[] data, int suffix) {
    try {
      hmac.init(new SecretKeySpec(key, HMAC));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot initialise HMAC-SHA256", e);
    }
    hmac.update(data);
    if (suffix != NO_SUFFIX) {
      hmac.update((byte) suffix);
    }
    return hmac.doFinal();
  }
}
