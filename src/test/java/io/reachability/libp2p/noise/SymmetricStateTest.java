package io.reachability.libp2p.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class SymmetricStateTest {

  private static final HexFormat HEX = HexFormat.of();

  /**
   * RFC 5869 test case 3 (SHA-256, IKM = 22 × 0x0b, empty salt and info, L = 42). Noise's HKDF is
   * RFC 5869 with the chaining key as salt and an empty info, so output1 ‖ output2 is the OKM; an
   * empty salt is HashLen zero bytes.
   */
  @Test
  void hkdfMatchesRfc5869TestCase3() {
    SymmetricState state = new SymmetricState(Noise.PROTOCOL_NAME);
    byte[] ikm = new byte[22];
    Arrays.fill(ikm, (byte) 0x0b);
    byte[][] out = state.hkdf(new byte[32], ikm, 2);
    byte[] okm = new byte[42];
    System.arraycopy(out[0], 0, okm, 0, 32);
    System.arraycopy(out[1], 0, okm, 32, 10);
    assertThat(HEX.formatHex(okm))
        .isEqualTo(
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
  }

  @Test
  void hkdfThirdOutputChainsOnTheSecond() throws Exception {
    SymmetricState state = new SymmetricState(Noise.PROTOCOL_NAME);
    byte[][] two = state.hkdf(new byte[32], new byte[] {1}, 2);
    byte[][] three = state.hkdf(new byte[32], new byte[] {1}, 3);
    assertThat(three[0]).isEqualTo(two[0]);
    assertThat(three[1]).isEqualTo(two[1]);
    assertThat(three[2]).hasSize(32).isNotEqualTo(three[1]);
    assertThatThrownBy(() -> state.hkdf(new byte[32], new byte[0], 4))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void protocolNameOfExactlyHashLengthIsUsedAsIsAndLongerNamesAreHashed() throws Exception {
    byte[] name = Noise.PROTOCOL_NAME.getBytes(StandardCharsets.US_ASCII);
    assertThat(name).hasSize(32);
    assertThat(new SymmetricState(Noise.PROTOCOL_NAME).handshakeHash()).isEqualTo(name);

    String longer = "Noise_XXpsk3_25519_ChaChaPoly_SHA256";
    assertThat(new SymmetricState(longer).handshakeHash())
        .isEqualTo(
            MessageDigest.getInstance("SHA-256")
                .digest(longer.getBytes(StandardCharsets.US_ASCII)));
    assertThat(new SymmetricState("Noise_NN").handshakeHash())
        .isEqualTo(Arrays.copyOf("Noise_NN".getBytes(StandardCharsets.US_ASCII), 32));
  }

  @Test
  void mixHashIsSha256OfHashThenData() throws Exception {
    SymmetricState state = new SymmetricState(Noise.PROTOCOL_NAME);
    byte[] before = state.handshakeHash();
    state.mixHash(new byte[] {1, 2, 3});
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    sha.update(before);
    assertThat(state.handshakeHash()).isEqualTo(sha.digest(new byte[] {1, 2, 3}));
  }

  @Test
  void encryptAndHashIsPlaintextUntilTheFirstMixKey() {
    SymmetricState a = new SymmetricState(Noise.PROTOCOL_NAME);
    SymmetricState b = new SymmetricState(Noise.PROTOCOL_NAME);
    assertThat(a.encryptAndHash(new byte[] {5})).containsExactly(5);
    assertThat(b.decryptAndHash(new byte[] {5})).containsExactly(5);
    a.mixKey(new byte[32]);
    b.mixKey(new byte[32]);
    byte[] ciphertext = a.encryptAndHash(new byte[] {6});
    assertThat(ciphertext).hasSize(1 + Noise.TAG_LENGTH);
    assertThat(b.decryptAndHash(ciphertext)).containsExactly(6);
    assertThat(a.handshakeHash()).isEqualTo(b.handshakeHash());
  }

  @Test
  void x25519RejectsLowOrderPoints() {
    X25519KeyPair pair = X25519KeyPair.generate(new SecureRandom());
    assertThatThrownBy(() -> pair.agree(new byte[32])) // the all-zero point
        .isInstanceOf(NoiseException.class)
        .hasMessageContaining("low-order");
    byte[] one = new byte[32];
    one[0] = 1; // u = 1, order 1
    assertThatThrownBy(() -> pair.agree(one)).isInstanceOf(NoiseException.class);
    assertThatThrownBy(() -> pair.agree(new byte[31])).isInstanceOf(NoiseException.class);
  }

  @Test
  void x25519AgreementIsSymmetric() {
    SecureRandom random = new SecureRandom();
    X25519KeyPair a = X25519KeyPair.generate(random);
    X25519KeyPair b = X25519KeyPair.generate(random);
    assertThat(a.agree(b.publicKey())).isEqualTo(b.agree(a.publicKey()));
  }
}
