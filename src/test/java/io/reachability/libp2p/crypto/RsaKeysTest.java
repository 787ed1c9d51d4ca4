package io.reachability.libp2p.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.Arrays;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * RSA keys made by the JDK: PKIX public keys, PKCS#1 private keys, SHA256withRSA signatures, size
 * limits.
 */
class RsaKeysTest {

  private static final byte[] DATA = "noise-libp2p-static-key:abc".getBytes(StandardCharsets.UTF_8);

  private static KeyPair pair;

  @BeforeAll
  static void generate() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(Keys.MIN_RSA_KEY_BITS);
    pair = generator.generateKeyPair();
  }

  @Test
  void jdkSignatureVerifiesAndPkixIsKeptByteExact() throws Exception {
    Signature signer = Signature.getInstance("SHA256withRSA");
    signer.initSign(pair.getPrivate());
    signer.update(DATA);
    byte[] signature = signer.sign();

    PublicKey key = Keys.publicKeyFromRaw(KeyType.RSA, pair.getPublic().getEncoded());

    assertThat(key.raw()).isEqualTo(pair.getPublic().getEncoded());
    assertThat(key.marshal())
        .startsWith(
            0x08, 0x00, // field 1 (Type): RSA
            0x12, 0xa6, 0x02); // field 2 (Data): 294 bytes (varint a6 02)
    assertThat(key.verify(DATA, signature)).isTrue();
    assertThat(key.verify(EcdsaKeysTest.tampered(DATA), signature)).isFalse();
    assertThat(key.verify(DATA, EcdsaKeysTest.tampered(signature))).isFalse();
  }

  @Test
  void malformedSignaturesAreFalse() {
    PublicKey key = Keys.publicKeyFromRaw(KeyType.RSA, pair.getPublic().getEncoded());
    byte[] aboveModulus = new byte[256];
    Arrays.fill(aboveModulus, (byte) 0xff);

    assertThat(key.verify(DATA, new byte[0])).isFalse();
    assertThat(key.verify(DATA, new byte[255])).isFalse();
    assertThat(key.verify(DATA, new byte[256])).isFalse();
    assertThat(key.verify(DATA, new byte[257])).isFalse();
    assertThat(key.verify(DATA, aboveModulus)).isFalse();
  }

  @Test
  void pkcs1PrivateKeySignsForTheJdk() throws Exception {
    byte[] pkcs1 =
        PrivateKeyInfo.getInstance(pair.getPrivate().getEncoded())
            .parsePrivateKey()
            .toASN1Primitive()
            .getEncoded(ASN1Encoding.DER);
    byte[] envelope = KeysTest.envelope(KeyType.RSA, pkcs1);

    PrivateKey key = Keys.unmarshalPrivateKey(envelope);
    Signature verifier = Signature.getInstance("SHA256withRSA");
    verifier.initVerify(pair.getPublic());
    verifier.update(DATA);

    assertThat(key.marshal()).isEqualTo(envelope);
    assertThat(key.publicKey().raw()).isEqualTo(pair.getPublic().getEncoded());
    assertThat(verifier.verify(key.sign(DATA))).isTrue();
  }

  @Test
  void rsa1024IsRejected() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(1024);
    byte[] weak = generator.generateKeyPair().getPublic().getEncoded();

    assertThatThrownBy(() -> Keys.publicKeyFromRaw(KeyType.RSA, weak))
        .isInstanceOf(CryptoException.class)
        .hasMessage("RSA key of 1024 bits is below the minimum of 2048 bits");
  }

  @Test
  void absurdlyLargeRsaIsRejectedBeforeAnyMath() throws Exception {
    // 8200 bits, odd: only the size check can reject it (it is not a real key)
    BigInteger modulus = BigInteger.ONE.shiftLeft(8199).setBit(0);

    assertThatThrownBy(
            () -> Keys.publicKeyFromRaw(KeyType.RSA, pkix(modulus, BigInteger.valueOf(65537))))
        .isInstanceOf(CryptoException.class)
        .hasMessage("RSA key of 8200 bits is over the maximum of 8192 bits");
  }

  @Test
  void badExponentsAndAlgorithmsAreRejected() throws Exception {
    BigInteger modulus = ((java.security.interfaces.RSAPublicKey) pair.getPublic()).getModulus();
    byte[] wrongAlgorithm =
        new SubjectPublicKeyInfo(
                new AlgorithmIdentifier(PKCSObjectIdentifiers.id_RSASSA_PSS),
                new org.bouncycastle.asn1.pkcs.RSAPublicKey(modulus, BigInteger.valueOf(65537)))
            .getEncoded(ASN1Encoding.DER);

    assertThatThrownBy(() -> Keys.publicKeyFromRaw(KeyType.RSA, pkix(modulus, BigInteger.ONE)))
        .isInstanceOf(CryptoException.class)
        .hasMessageContaining("exponent");
    assertThatThrownBy(
            () -> Keys.publicKeyFromRaw(KeyType.RSA, pkix(modulus, BigInteger.valueOf(65536))))
        .isInstanceOf(CryptoException.class)
        .hasMessageContaining("exponent");
    assertThatThrownBy(() -> Keys.publicKeyFromRaw(KeyType.RSA, wrongAlgorithm))
        .isInstanceOf(CryptoException.class)
        .hasMessageContaining("not rsaEncryption");
    assertThatThrownBy(
            () -> Keys.publicKeyFromRaw(KeyType.RSA, new byte[] {0x30, 0x03, 0x02, 0x01, 0x01}))
        .isInstanceOf(CryptoException.class);
  }

  private static byte[] pkix(BigInteger modulus, BigInteger exponent) throws Exception {
    return new SubjectPublicKeyInfo(
            new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE),
            new org.bouncycastle.asn1.pkcs.RSAPublicKey(modulus, exponent))
        .getEncoded(ASN1Encoding.DER);
  }
}
