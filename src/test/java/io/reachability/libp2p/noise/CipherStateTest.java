package io.reachability.libp2p.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class CipherStateTest {

  private static final byte[] KEY = new byte[32];

  static {
    for (int i = 0; i < KEY.length; i++) {
      KEY[i] = (byte) (0x80 + i);
    }
  }

  private static CipherState keyed() {
    CipherState state = new CipherState();
    state.initializeKey(KEY.clone());
    return state;
  }

  /** ChaCha20-Poly1305 straight from the JDK with a nonce spelled out byte by byte. */
  private static byte[] reference(byte[] nonce, byte[] ad, byte[] plaintext) throws Exception {
    Cipher cipher = Cipher.getInstance("ChaCha20-Poly1305");
    cipher.init(
        Cipher.ENCRYPT_MODE, new SecretKeySpec(KEY, "ChaCha20"), new IvParameterSpec(nonce));
    cipher.updateAAD(ad);
    return cipher.doFinal(plaintext);
  }

  @Test
  void nonceIsFourZeroBytesThenTheCounterLittleEndian() throws Exception {
    CipherState state = keyed();
    state.setNonce(0x0102030405060708L);
    byte[] ad = "ad".getBytes(StandardCharsets.US_ASCII);
    byte[] plaintext = "noise".getBytes(StandardCharsets.US_ASCII);

    byte[] nonce = {
      0x00, 0x00, 0x00, 0x00, // 32 zero bits
      0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, // counter 0x0102030405060708, little-endian
    };
    assertThat(state.encryptWithAd(ad, plaintext)).isEqualTo(reference(nonce, ad, plaintext));
    assertThat(state.nonce()).isEqualTo(0x0102030405060709L);
  }

  @Test
  void firstMessageUsesNonceZero() throws Exception {
    byte[] plaintext = {1, 2, 3};
    byte[] nonce = new byte[12]; // 4 zero bytes ‖ counter 0
    assertThat(keyed().encryptWithAd(new byte[0], plaintext))
        .isEqualTo(reference(nonce, new byte[0], plaintext));
  }

  @Test
  void bufferApiMatchesArrayApi() {
    byte[] plaintext = new byte[1000];
    Arrays.fill(plaintext, (byte) 7);
    byte[] viaArrays = keyed().encryptWithAd(new byte[0], plaintext);
    ByteBuffer out = ByteBuffer.allocateDirect(plaintext.length + Noise.TAG_LENGTH);
    keyed().encrypt(ByteBuffer.wrap(plaintext), out);
    out.flip();
    byte[] viaBuffers = new byte[out.remaining()];
    out.get(viaBuffers);
    assertThat(viaBuffers).isEqualTo(viaArrays);

    // the transport path decrypts between arrays at offsets (a frame inside a larger buffer)
    byte[] in = new byte[3 + viaBuffers.length];
    System.arraycopy(viaBuffers, 0, in, 3, viaBuffers.length);
    byte[] decrypted = new byte[5 + plaintext.length];
    keyed().decrypt(in, 3, viaBuffers.length, decrypted, 5);
    assertThat(Arrays.copyOfRange(decrypted, 5, decrypted.length)).isEqualTo(plaintext);
  }

  @Test
  void transportDecryptionRefusesABadTagAndKeepsItsNonce() {
    byte[] ciphertext = keyed().encryptWithAd(new byte[0], new byte[] {1, 2, 3});
    ciphertext[ciphertext.length - 1] ^= 1;
    CipherState receiver = keyed();
    byte[] out = new byte[3];
    assertThatThrownBy(() -> receiver.decrypt(ciphertext, 0, ciphertext.length, out, 0))
        .isInstanceOf(NoiseException.class)
        .hasMessageContaining("bad ChaCha20-Poly1305 tag");
    assertThat(receiver.nonce()).isZero();
  }

  @Test
  void roundTripAndNonceAdvancesOnBothSides() {
    CipherState sender = keyed();
    CipherState receiver = keyed();
    for (int i = 0; i < 3; i++) {
      byte[] message = {(byte) i};
      assertThat(receiver.decryptWithAd(new byte[0], sender.encryptWithAd(new byte[0], message)))
          .isEqualTo(message);
    }
    assertThat(sender.nonce()).isEqualTo(3);
    assertThat(receiver.nonce()).isEqualTo(3);
  }

  @Test
  void failedDecryptionKeepsTheNonce() {
    byte[] ciphertext = keyed().encryptWithAd(new byte[0], new byte[] {42});
    ciphertext[0] ^= 1;
    CipherState receiver = keyed();
    assertThatThrownBy(() -> receiver.decryptWithAd(new byte[0], ciphertext))
        .isInstanceOf(NoiseException.class)
        .hasMessageContaining("authentication");
    assertThat(receiver.nonce()).isZero();
  }

  @Test
  void wrongAssociatedDataFails() {
    byte[] ciphertext = keyed().encryptWithAd(new byte[] {1}, new byte[] {42});
    assertThatThrownBy(() -> keyed().decryptWithAd(new byte[] {2}, ciphertext))
        .isInstanceOf(NoiseException.class);
  }

  @Test
  void shortCiphertextIsRejected() {
    assertThatThrownBy(() -> keyed().decryptWithAd(new byte[0], new byte[Noise.TAG_LENGTH - 1]))
        .isInstanceOf(NoiseException.class)
        .hasMessageContaining("shorter than its tag");
  }

  @Test
  void reservedNonceIsNeverUsed() {
    CipherState state = keyed();
    state.setNonce(-2L); // 2^64 - 2: the last usable nonce
    state.encryptWithAd(new byte[0], new byte[] {1});
    assertThat(state.nonce()).isEqualTo(-1L);
    assertThatThrownBy(() -> state.encryptWithAd(new byte[0], new byte[] {1}))
        .isInstanceOf(NoiseException.class)
        .hasMessageContaining("nonce exhausted");
  }

  @Test
  void withoutKeyEncryptionIsTheIdentity() {
    CipherState state = new CipherState();
    assertThat(state.hasKey()).isFalse();
    assertThat(state.encryptWithAd(new byte[] {9}, new byte[] {1, 2})).containsExactly(1, 2);
    assertThat(state.decryptWithAd(new byte[] {9}, new byte[] {3})).containsExactly(3);
    assertThat(state.nonce()).isZero();
  }
}
