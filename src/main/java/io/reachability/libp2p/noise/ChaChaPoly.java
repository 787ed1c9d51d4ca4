package io.reachability.libp2p.noise;

import io.netty.util.concurrent.FastThreadLocal;
import java.security.GeneralSecurityException;
import java.security.Provider;
import javax.crypto.Cipher;
import org.conscrypt.Conscrypt;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where Noise's ChaCha20-Poly1305 comes from, chosen once per process. The JDK's has intrinsics
 * from JDK 20 on; before that it runs at about 450 MB/s on one core (0.22 ms per 100 kB, measured),
 * which makes AutoNAT dial data, the one bulk transfer the node receives, cost more than its
 * handshakes. There BoringSSL's (through Conscrypt, whose jar carries the native library) is about
 * five times faster; where it cannot load, the JDK's is used. Both are the same AEAD (RFC 8439),
 * tested against each other and the Noise vectors.
 */
final class ChaChaPoly {

  private static final Logger log = LoggerFactory.getLogger(ChaChaPoly.class);

  /** The first JDK whose ChaCha20 and Poly1305 have intrinsics (JDK-8247645, JDK-8288047). */
  static final int FIRST_JDK_WITH_INTRINSICS = 20;

  /** The JDK's name of the AEAD. */
  static final String JDK_TRANSFORMATION = "ChaCha20-Poly1305";

  /** Conscrypt's provider name. */
  static final String CONSCRYPT_NAME = "Conscrypt";

  /** Conscrypt's name of the same AEAD. */
  static final String CONSCRYPT_TRANSFORMATION = "ChaCha20/Poly1305/NoPadding";

  /** Conscrypt's provider when it is the one used; null = the JDK's. */
  private static final @Nullable Provider NATIVE =
      Runtime.version().feature() < FIRST_JDK_WITH_INTRINSICS ? loadConscrypt() : null;

  /**
   * Arrays Conscrypt reads and writes, one pair per thread. Conscrypt's native code takes a Java
   * array through JNI by copying the whole array in and (for output) the whole array back: given a
   * slice of one of Netty's pooled arrays it copied megabytes per frame and, writing the copy back,
   * undid what other threads had written to other slices of that array meanwhile (whole frames of a
   * 1 MiB echo came back stale in {@code NoiseLoopbackTest}). So it only ever sees arrays of its
   * own thread, of one frame's size.
   */
  private static final FastThreadLocal<byte[]> NATIVE_IN =
      new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
          return new byte[Noise.MAX_FRAME_LENGTH];
        }
      };

  private static final FastThreadLocal<byte[]> NATIVE_OUT =
      new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
          return new byte[Noise.MAX_FRAME_LENGTH];
        }
      };

  private ChaChaPoly() {}

  /** Whether {@code cipher} is Conscrypt's, which must see thread-private arrays only. */
  static boolean isNative(Cipher cipher) {
    return CONSCRYPT_NAME.equals(cipher.getProvider().getName());
  }

  /** This thread's input array for the native cipher (one frame's size). */
  static byte[] nativeIn() {
    return NATIVE_IN.get();
  }

  /** This thread's output array for the native cipher (one frame's size). */
  static byte[] nativeOut() {
    return NATIVE_OUT.get();
  }

  /** A new cipher of the implementation chosen. */
  static Cipher newCipher() {
    return NATIVE != null ? newConscryptCipher(NATIVE) : newJdkCipher();
  }

  /** Which implementation {@link #newCipher()} gives, for the log and tests. */
  static String implementation() {
    return NATIVE != null ? "BoringSSL (Conscrypt)" : "the JDK's";
  }

  static Cipher newJdkCipher() {
    try {
      return Cipher.getInstance(JDK_TRANSFORMATION);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no " + JDK_TRANSFORMATION, e);
    }
  }

  static Cipher newConscryptCipher(Provider conscrypt) {
    try {
      return Cipher.getInstance(CONSCRYPT_TRANSFORMATION, conscrypt);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Conscrypt has no " + CONSCRYPT_TRANSFORMATION, e);
    }
  }

  /** Conscrypt's provider, or null when its native library cannot load here. */
  static @Nullable Provider loadConscrypt() {
    try {
      if (!Conscrypt.isAvailable()) {
        log.info(
            "Noise uses the JDK's ChaCha20-Poly1305: Conscrypt's native library is not available"
                + " here");
        return null;
      }
      Provider provider = Conscrypt.newProvider();
      newConscryptCipher(provider); // fails here, not in a handshake
      log.debug(
          "Noise uses BoringSSL's ChaCha20-Poly1305 (Conscrypt) on JDK {}",
          Runtime.version().feature());
      return provider;
    } catch (RuntimeException | LinkageError e) {
      log.info("Noise uses the JDK's ChaCha20-Poly1305: Conscrypt cannot load ({})", e.toString());
      return null;
    }
  }
}
