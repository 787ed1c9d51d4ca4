package io.reachability.libp2p.noise;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.function.Supplier;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * The Noise {@code CipherState}: a ChaCha20-Poly1305 key and a 64-bit nonce counter.
 *
 * <ul>
 *   <li>The 96-bit AEAD nonce is 32 zero bits followed by the counter in little-endian.
 *   <li>The counter is an unsigned 64-bit value; 2<sup>64</sup>−1 is reserved, so the state refuses
 *       to encrypt or decrypt once it gets there (after which the connection must be closed).
 *   <li>A failed decryption does not advance the nonce.
 *   <li>One {@link Cipher} per state ({@link ChaChaPoly}: BoringSSL's or the JDK's), re-initialised
 *       per message (each message has a fresh nonce, so the JDK's key+nonce reuse check never
 *       fires).
 * </ul>
 *
 * <p>Not thread-safe: one state per direction, used from the channel's event loop.
 *
 * @see <a href="https://noiseprotocol.org/noise.html#the-cipherstate-object">Noise: the CipherState
 *     object</a>
 * @see <a href="https://noiseprotocol.org/noise.html#the-chachapoly-cipher-functions">Noise: the
 *     ChaChaPoly cipher functions</a>
 */
final class CipherState {

  static final int KEY_LENGTH = 32;

  /** 2^64 − 1 as an unsigned long: reserved by the spec, never used as a nonce. */
  private static final long RESERVED_NONCE = -1L;

  /** Where this state's cipher comes from ({@link ChaChaPoly}; tests pick one). */
  private final Supplier<Cipher> ciphers;

  private @Nullable SecretKeySpec key;
  private @Nullable Cipher cipher;
  private long nonce;
  private final byte[] iv = new byte[12];

  /** A state without a key: encryption is the identity, as during the first handshake message. */
  CipherState() {
    this(ChaChaPoly::newCipher);
  }

  /** For tests: a state whose cipher comes from {@code ciphers}. */
  CipherState(Supplier<Cipher> ciphers) {
    this.ciphers = ciphers;
  }

  /** InitializeKey(k): sets the key and resets the nonce to 0. */
  void initializeKey(byte[] k) {
    if (k.length != KEY_LENGTH) {
      throw new IllegalArgumentException("ChaCha20-Poly1305 key must be 32 bytes, got " + k.length);
    }
    key = new SecretKeySpec(k, "ChaCha20");
    nonce = 0;
    if (cipher == null) {
      cipher = newCipher();
    }
  }

  boolean hasKey() {
    return key != null;
  }

  /** The next nonce, as an unsigned 64-bit value. */
  long nonce() {
    return nonce;
  }

  /** Test hook for the nonce-exhaustion rule (SetNonce in the spec). */
  void setNonce(long value) {
    nonce = value;
  }

  /**
   * EncryptWithAd(ad, plaintext): the ciphertext with its tag, or the plaintext itself when there
   * is no key.
   */
  byte[] encryptWithAd(byte[] ad, byte[] plaintext) {
    if (key == null) {
      return plaintext.clone();
    }
    byte[] out = new byte[plaintext.length + Noise.TAG_LENGTH];
    Cipher c = init(Cipher.ENCRYPT_MODE, ad);
    try {
      c.doFinal(plaintext, 0, plaintext.length, out, 0);
    } catch (GeneralSecurityException e) {
      throw new NoiseException("ChaCha20-Poly1305 encryption failed", e);
    }
    nonce++;
    return out;
  }

  /**
   * DecryptWithAd(ad, ciphertext): the plaintext; a bad tag throws and leaves the nonce unchanged.
   */
  byte[] decryptWithAd(byte[] ad, byte[] ciphertext) {
    if (key == null) {
      return ciphertext.clone();
    }
    if (ciphertext.length < Noise.TAG_LENGTH) {
      throw new NoiseException(
          "ciphertext of " + ciphertext.length + " bytes is shorter than its tag");
    }
    Cipher c = init(Cipher.DECRYPT_MODE, ad);
    byte[] out;
    try {
      out = c.doFinal(ciphertext);
    } catch (AEADBadTagException e) {
      throw new NoiseException("message failed authentication (bad ChaCha20-Poly1305 tag)", e);
    } catch (GeneralSecurityException e) {
      throw new NoiseException("ChaCha20-Poly1305 decryption failed", e);
    }
    nonce++;
    return out;
  }

  /**
   * Transport encryption with empty associated data, buffer to buffer: reads {@code in.remaining()}
   * bytes and writes them plus the tag to {@code out} (which must have room for both).
   */
  void encrypt(ByteBuffer in, ByteBuffer out) {
    Cipher c = init(Cipher.ENCRYPT_MODE, null);
    try {
      if (isNative(c)) {
        // through this thread's own arrays (ChaChaPoly: JNI copies whole arrays back)
        int length = in.remaining();
        byte[] plain = ChaChaPoly.nativeIn();
        byte[] sealed = ChaChaPoly.nativeOut();
        in.get(plain, 0, length);
        out.put(sealed, 0, c.doFinal(plain, 0, length, sealed, 0));
      } else {
        c.doFinal(in, out);
      }
    } catch (GeneralSecurityException e) {
      throw new NoiseException("ChaCha20-Poly1305 encryption failed", e);
    }
    nonce++;
  }

  /**
   * Transport decryption with empty associated data, array to array: {@code length} bytes of
   * ciphertext and tag at {@code in[inOffset]}, the plaintext to {@code out[outOffset]}. The JDK's
   * ChaCha20-Poly1305 decrypts arrays in place of its own; given buffers that are not arrays it
   * first gathers the whole ciphertext in a growing buffer of its own.
   */
  void decrypt(byte[] in, int inOffset, int length, byte[] out, int outOffset) {
    if (length < Noise.TAG_LENGTH) {
      throw new NoiseException("ciphertext of " + length + " bytes is shorter than its tag");
    }
    Cipher c = init(Cipher.DECRYPT_MODE, null);
    try {
      if (isNative(c)) {
        // through this thread's own arrays (ChaChaPoly: JNI copies whole arrays back)
        byte[] sealed = ChaChaPoly.nativeIn();
        byte[] plain = ChaChaPoly.nativeOut();
        System.arraycopy(in, inOffset, sealed, 0, length);
        int opened = c.doFinal(sealed, 0, length, plain, 0);
        System.arraycopy(plain, 0, out, outOffset, opened);
      } else {
        c.doFinal(in, inOffset, length, out, outOffset);
      }
    } catch (AEADBadTagException e) {
      throw new NoiseException("message failed authentication (bad ChaCha20-Poly1305 tag)", e);
    } catch (GeneralSecurityException e) {
      throw new NoiseException("ChaCha20-Poly1305 decryption failed", e);
    }
    nonce++;
  }

  /** Overwrites the key material we hold (the JDK key spec keeps its own copy until collected). */
  void destroy() {
    key = null;
    cipher = null;
    Arrays.fill(iv, (byte) 0);
  }

  private Cipher init(int mode, byte @Nullable [] ad) {
    SecretKeySpec k = key;
    Cipher c = cipher;
    if (k == null || c == null) {
      throw new IllegalStateException("cipher state has no key");
    }
    if (nonce == RESERVED_NONCE) {
      throw new NoiseException(
          "nonce exhausted after 2^64-1 messages; the connection must be closed");
    }
    // 4 zero bytes, then the 64-bit counter little-endian
    long n = nonce;
    for (int i = 0; i < 8; i++) {
      iv[4 + i] = (byte) (n >>> (8 * i));
    }
    try {
      c.init(mode, k, new IvParameterSpec(iv));
      if (ad != null && ad.length > 0) {
        c.updateAAD(ad);
      }
    } catch (GeneralSecurityException e) {
      throw new NoiseException("cannot initialise ChaCha20-Poly1305", e);
    }
    return c;
  }

  private Cipher newCipher() {
    return ciphers.get();
  }

  private static boolean isNative(Cipher c) {
    return ChaChaPoly.isNative(c);
  }
}
