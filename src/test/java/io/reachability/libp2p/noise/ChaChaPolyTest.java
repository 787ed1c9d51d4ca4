package io.reachability.libp2p.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.security.Provider;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import javax.crypto.Cipher;
import org.junit.jupiter.api.Test;

/**
 * BoringSSL's ChaCha20-Poly1305 (Conscrypt) and the JDK's are one AEAD: what one seals the other
 * opens, through every path a {@link CipherState} has (arrays with associated data, buffers, arrays
 * at offsets), and a bad tag is refused the same way.
 */
class ChaChaPolyTest {

  private static final byte[] KEY = new byte[32];

  static {
    Arrays.fill(KEY, (byte) 0x42);
  }

  private static Supplier<Cipher> conscrypt() {
    Provider provider = ChaChaPoly.loadConscrypt();
    assumeTrue(provider != null, "Conscrypt's native library does not load here");
    return () -> ChaChaPoly.newConscryptCipher(Objects.requireNonNull(provider));
  }

  private static CipherState keyed(Supplier<Cipher> ciphers) {
    CipherState state = new CipherState(ciphers);
    state.initializeKey(KEY.clone());
    return state;
  }

  @Test
  void beforeJdk20TheNativeOneIsChosenWhereItLoads() {
    assumeTrue(Runtime.version().feature() < ChaChaPoly.FIRST_JDK_WITH_INTRINSICS);
    conscrypt();
    assertThat(ChaChaPoly.implementation()).contains("Conscrypt");
  }

  @Test
  void whatOneSealsTheOtherOpens() {
    Supplier<Cipher> conscrypt = conscrypt();
    Supplier<Cipher> jdk = ChaChaPoly::newJdkCipher;
    byte[] ad = {1, 2, 3};
    byte[] plaintext = new byte[5000];
    Arrays.fill(plaintext, (byte) 9);
    for (List<Supplier<Cipher>> pair :
        List.of(List.of(conscrypt, jdk), List.of(jdk, conscrypt), List.of(conscrypt, conscrypt))) {
      CipherState sender = keyed(pair.get(0));
      CipherState receiver = keyed(pair.get(1));
      for (int i = 0; i < 3; i++) { // the nonce advances the same way on both
        byte[] sealed = sender.encryptWithAd(ad, plaintext);
        assertThat(receiver.decryptWithAd(ad, sealed)).isEqualTo(plaintext);
      }
      // the transport paths: buffer to buffer out, arrays at offsets in
      ByteBuffer out = ByteBuffer.allocateDirect(plaintext.length + Noise.TAG_LENGTH);
      sender.encrypt(ByteBuffer.wrap(plaintext), out);
      out.flip();
      byte[] in = new byte[7 + out.remaining()];
      out.get(in, 7, out.remaining());
      byte[] opened = new byte[2 + plaintext.length];
      receiver.decrypt(in, 7, in.length - 7, opened, 2);
      assertThat(Arrays.copyOfRange(opened, 2, opened.length)).isEqualTo(plaintext);
    }
  }

  @Test
  void aBadTagIsRefusedAndTheNonceKept() {
    CipherState sender = keyed(ChaChaPoly::newJdkCipher);
    CipherState receiver = keyed(conscrypt());
    byte[] sealed = sender.encryptWithAd(new byte[0], new byte[] {1, 2, 3});
    sealed[sealed.length - 1] ^= 1;
    assertThatThrownBy(() -> receiver.decrypt(sealed, 0, sealed.length, new byte[3], 0))
        .isInstanceOf(NoiseException.class)
        .hasMessageContaining("bad ChaCha20-Poly1305 tag");
    assertThatThrownBy(() -> receiver.decryptWithAd(new byte[0], sealed))
        .isInstanceOf(NoiseException.class)
        .hasMessageContaining("bad ChaCha20-Poly1305 tag");
    assertThat(receiver.nonce()).isZero();
  }
}
