package io.reachability.libp2p.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class Ed25519Test {

  private static final byte[] MESSAGE =
      "noise-libp2p-static-key:0123456789".getBytes(StandardCharsets.UTF_8);

  /**
   * DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410): SEQUENCE{SEQUENCE{OID 1.3.101.112},
   * BIT STRING}.
   */
  private static final byte[] X509_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

  /** DER prefix of an Ed25519 PKCS#8 PrivateKeyInfo (RFC 8410) wrapping the 32-byte seed. */
  private static final byte[] PKCS8_PREFIX =
      HexFormat.of().parseHex("302e020100300506032b657004220420");

  @Test
  void signThenVerify() {
    PrivateKey key = Keys.generateEd25519();
    byte[] signature = key.sign(MESSAGE);

    assertThat(signature).hasSize(64);
    assertThat(key.publicKey().verify(MESSAGE, signature)).isTrue();
  }

  @Test
  void signatureIsDeterministic() {
    PrivateKey key = Keys.generateEd25519();
    assertThat(key.sign(MESSAGE)).isEqualTo(key.sign(MESSAGE));
  }

  @Test
  void wrongSignatureOrTamperedDataDoesNotVerify() {
    PrivateKey key = Keys.generateEd25519();
    PrivateKey other = Keys.generateEd25519();
    byte[] signature = key.sign(MESSAGE);
    byte[] tampered = MESSAGE.clone();
    tampered[3] ^= 0x01;
    byte[] flipped = signature.clone();
    flipped[10] ^= 0x40;

    assertThat(key.publicKey().verify(tampered, signature)).isFalse();
    assertThat(key.publicKey().verify(MESSAGE, flipped)).isFalse();
    assertThat(other.publicKey().verify(MESSAGE, signature)).isFalse();
  }

  @Test
  void malformedSignatureBytesAreFalseNotAnException() {
    PublicKey key = Keys.generateEd25519().publicKey();
    byte[] allOnes = new byte[64];
    Arrays.fill(allOnes, (byte) 0xff); // S ≥ group order, R not a point

    assertThat(key.verify(MESSAGE, new byte[0])).isFalse();
    assertThat(key.verify(MESSAGE, new byte[63])).isFalse();
    assertThat(key.verify(MESSAGE, new byte[65])).isFalse();
    assertThat(key.verify(MESSAGE, new byte[64])).isFalse();
    assertThat(key.verify(MESSAGE, allOnes)).isFalse();
  }

  @Test
  void publicKeyEnvelopeIsByteExact() {
    PrivateKey key = Keys.generateEd25519();
    byte[] raw = key.publicKey().raw();

    byte[] expected = new byte[36];
    expected[0] = 0x08; // field 1 (Type), varint
    expected[1] = 0x01; // Ed25519
    expected[2] = 0x12; // field 2 (Data), length-delimited
    expected[3] = 0x20; // 32 bytes
    System.arraycopy(raw, 0, expected, 4, 32);

    assertThat(raw).hasSize(32);
    assertThat(key.publicKey().marshal()).isEqualTo(expected);
    assertThat(Keys.unmarshalPublicKey(expected)).isEqualTo(key.publicKey());
  }

  @Test
  void privateKeyEnvelopeIsSeedThenPublicKey() {
    byte[] seed = new byte[32];
    Arrays.fill(seed, (byte) 7);
    PrivateKey key = Keys.ed25519FromSeed(seed);
    byte[] marshalled = key.marshal();

    assertThat(marshalled).hasSize(68);
    assertThat(Arrays.copyOfRange(marshalled, 0, 4))
        .containsExactly(
            0x08, // field 1 (Type), varint
            0x01, // Ed25519
            0x12, // field 2 (Data), length-delimited
            0x40); // 64 bytes: seed ‖ public key
    assertThat(Arrays.copyOfRange(marshalled, 4, 36)).isEqualTo(seed);
    assertThat(Arrays.copyOfRange(marshalled, 36, 68)).isEqualTo(key.publicKey().raw());
    assertThat(Keys.unmarshalPrivateKey(marshalled)).isEqualTo(key);
  }

  @Test
  void bouncyCastleSignatureVerifiesWithTheJdk() throws Exception {
    PrivateKey key = Keys.generateEd25519();
    byte[] signature = key.sign(MESSAGE);

    java.security.PublicKey jdkKey =
        KeyFactory.getInstance("Ed25519")
            .generatePublic(new X509EncodedKeySpec(concat(X509_PREFIX, key.publicKey().raw())));
    Signature verifier = Signature.getInstance("Ed25519");
    verifier.initVerify(jdkKey);
    verifier.update(MESSAGE);

    assertThat(verifier.verify(signature)).isTrue();
  }

  @Test
  void jdkSignatureVerifiesWithBouncyCastle() throws Exception {
    KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    byte[] encoded = pair.getPublic().getEncoded();
    byte[] raw = Arrays.copyOfRange(encoded, X509_PREFIX.length, encoded.length);
    Signature signer = Signature.getInstance("Ed25519");
    signer.initSign(pair.getPrivate());
    signer.update(MESSAGE);
    byte[] signature = signer.sign();

    PublicKey key = Keys.publicKeyFromRaw(KeyType.ED25519, raw);

    assertThat(key.verify(MESSAGE, signature)).isTrue();
  }

  @Test
  void sameSeedGivesTheJdkPublicKeyAndSignature() throws Exception {
    byte[] seed =
        HexFormat.of().parseHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    java.security.PrivateKey jdkKey =
        KeyFactory.getInstance("Ed25519")
            .generatePrivate(new PKCS8EncodedKeySpec(concat(PKCS8_PREFIX, seed)));
    Signature signer = Signature.getInstance("Ed25519");
    signer.initSign(jdkKey);
    signer.update(MESSAGE);

    assertThat(Keys.ed25519FromSeed(seed).sign(MESSAGE)).isEqualTo(signer.sign());
  }

  @Test
  void rfc8032TestVector1() {
    // RFC 8032 section 7.1, TEST 1 (empty message)
    HexFormat hex = HexFormat.of();
    PrivateKey key =
        Keys.ed25519FromSeed(
            hex.parseHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));

    assertThat(hex.formatHex(key.publicKey().raw()))
        .isEqualTo("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    assertThat(hex.formatHex(key.sign(new byte[0])))
        .isEqualTo(
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
                + "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
  }

  @Test
  void wrongLengthsAreRejected() {
    assertThatThrownBy(() -> Keys.publicKeyFromRaw(KeyType.ED25519, new byte[31]))
        .isInstanceOf(CryptoException.class)
        .hasMessageContaining("32 bytes, got 31");
    assertThatThrownBy(() -> Keys.ed25519FromSeed(new byte[33]))
        .isInstanceOf(CryptoException.class);
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
