package io.reachability.libp2p.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** secp256k1 and ECDSA keys from independent generators (the JDK, BouncyCastle's JCA provider). */
class EcdsaKeysTest {

  private static final byte[] DATA = "noise-libp2p-static-key:abc".getBytes(StandardCharsets.UTF_8);

  /**
   * BouncyCastle's JCA layer, used only here as a second secp256k1 implementation; never registered
   * globally.
   */
  private static final BouncyCastleProvider BC = new BouncyCastleProvider();

  @ParameterizedTest
  @ValueSource(strings = {"secp256r1", "secp384r1", "secp521r1"})
  void jdkSignatureVerifiesAndPkixIsKeptByteExact(String curve) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec(curve));
    KeyPair pair = generator.generateKeyPair();
    Signature signer = Signature.getInstance("SHA256withECDSA");
    signer.initSign(pair.getPrivate());
    signer.update(DATA);
    byte[] signature = signer.sign();

    PublicKey key = Keys.publicKeyFromRaw(KeyType.ECDSA, pair.getPublic().getEncoded());

    assertThat(key.raw())
        .isEqualTo(pair.getPublic().getEncoded()); // named curve, uncompressed point
    assertThat(key.verify(DATA, signature)).isTrue();
    assertThat(key.verify(tampered(DATA), signature)).isFalse();
    assertThat(key.verify(DATA, tampered(signature))).isFalse();
  }

  @Test
  void ecdsaSignatureOfOurKeyVerifiesWithTheJdk() throws Exception {
    PrivateKey ours = Keys.unmarshalPrivateKey(SpecVectorsTest.Vector.ECDSA.privateKey);
    java.security.PublicKey jdkKey =
        java.security.KeyFactory.getInstance("EC")
            .generatePublic(new java.security.spec.X509EncodedKeySpec(ours.publicKey().raw()));
    Signature verifier = Signature.getInstance("SHA256withECDSA");
    verifier.initVerify(jdkKey);
    verifier.update(DATA);

    assertThat(verifier.verify(ours.sign(DATA))).isTrue();
  }

  @Test
  void secp256k1SignatureFromBouncyCastleJcaVerifies() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", BC);
    generator.initialize(new ECGenParameterSpec("secp256k1"));
    KeyPair pair = generator.generateKeyPair();
    Signature signer = Signature.getInstance("SHA256withECDSA", BC);
    signer.initSign(pair.getPrivate());
    signer.update(DATA);
    byte[] signature = signer.sign();
    byte[] point =
        SubjectPublicKeyInfo.getInstance(pair.getPublic().getEncoded())
            .getPublicKeyData()
            .getOctets();
    byte[] compressed =
        org.bouncycastle.crypto.ec.CustomNamedCurves.getByName("secp256k1")
            .getCurve()
            .decodePoint(point)
            .getEncoded(true);

    PublicKey fromCompressed = Keys.publicKeyFromRaw(KeyType.SECP256K1, compressed);
    PublicKey fromUncompressed = Keys.publicKeyFromRaw(KeyType.SECP256K1, point);

    assertThat(compressed).hasSize(33);
    assertThat(fromCompressed.verify(DATA, signature)).isTrue();
    assertThat(fromCompressed.verify(tampered(DATA), signature)).isFalse();
    assertThat(fromCompressed.verify(DATA, tampered(signature))).isFalse();
    // an uncompressed point is read, and written back compressed (as go-libp2p does)
    assertThat(fromUncompressed.raw()).isEqualTo(compressed);
    assertThat(fromUncompressed).isEqualTo(fromCompressed);
  }

  @Test
  void secp256k1SignatureOfOurKeyVerifiesWithBouncyCastleJcaAndIsLowS() throws Exception {
    PrivateKey ours = Keys.unmarshalPrivateKey(SpecVectorsTest.Vector.SECP256K1.privateKey);
    byte[] compressed = ours.publicKey().raw();
    var params = org.bouncycastle.crypto.ec.CustomNamedCurves.getByName("secp256k1");
    byte[] spki =
        new SubjectPublicKeyInfo(
                new AlgorithmIdentifier(
                    X9ObjectIdentifiers.id_ecPublicKey, SECObjectIdentifiers.secp256k1),
                new DERBitString(params.getCurve().decodePoint(compressed).getEncoded(false)))
            .getEncoded(ASN1Encoding.DER);
    java.security.PublicKey bcKey =
        java.security.KeyFactory.getInstance("EC", BC)
            .generatePublic(new java.security.spec.X509EncodedKeySpec(spki));

    for (int i = 0; i < 20; i++) {
      byte[] data = Arrays.copyOf(DATA, DATA.length + i);
      byte[] signature = ours.sign(data);
      Signature verifier = Signature.getInstance("SHA256withECDSA", BC);
      verifier.initVerify(bcKey);
      verifier.update(data);
      assertThat(verifier.verify(signature)).isTrue();
      BigInteger s = EcCurves.decodeDer(signature)[1];
      assertThat(s).isLessThanOrEqualTo(params.getN().shiftRight(1));
    }
  }

  @Test
  void highSSignatureIsStillAccepted() throws Exception {
    // go-libp2p's verifier accepts both; only signing normalises to low S
    PrivateKey key = Keys.unmarshalPrivateKey(SpecVectorsTest.Vector.SECP256K1.privateKey);
    BigInteger[] rs = EcCurves.decodeDer(key.sign(DATA));
    BigInteger highS = EcCurves.SECP256K1.getN().subtract(rs[1]);
    byte[] highSignature =
        new DERSequence(new ASN1Integer[] {new ASN1Integer(rs[0]), new ASN1Integer(highS)})
            .getEncoded(ASN1Encoding.DER);

    assertThat(key.publicKey().verify(DATA, highSignature)).isTrue();
  }

  @Test
  void nonDerOrOutOfRangeSignaturesAreFalse() throws Exception {
    PrivateKey key = Keys.unmarshalPrivateKey(SpecVectorsTest.Vector.SECP256K1.privateKey);
    PublicKey publicKey = key.publicKey();
    byte[] signature = key.sign(DATA);
    BigInteger[] rs = EcCurves.decodeDer(signature);

    byte[] trailingByte = Arrays.copyOf(signature, signature.length + 1);
    byte[] longFormLength = new byte[signature.length + 1];
    longFormLength[0] = 0x30; // SEQUENCE
    longFormLength[1] =
        (byte) 0x81; // BER long-form length: 1 byte follows (DER forbids it below 128)
    longFormLength[2] = signature[1];
    System.arraycopy(signature, 2, longFormLength, 3, signature.length - 2);
    byte[] zeroR = der(BigInteger.ZERO, rs[1]);
    byte[] rIsN = der(EcCurves.SECP256K1.getN(), rs[1]);
    byte[] negativeS = der(rs[0], rs[1].negate());
    byte[] threeIntegers =
        new DERSequence(
                new ASN1Integer[] {
                  new ASN1Integer(rs[0]), new ASN1Integer(rs[1]), new ASN1Integer(1)
                })
            .getEncoded(ASN1Encoding.DER);

    assertThat(publicKey.verify(DATA, signature)).isTrue();
    for (byte[] bad :
        new byte[][] {
          new byte[0],
          {0x30},
          {0x30, 0x00},
          {0x05, 0x00},
          {0x00, 0x00},
          new byte[64],
          new byte[200],
          trailingByte,
          longFormLength,
          zeroR,
          rIsN,
          negativeS,
          threeIntegers
        }) {
      assertThat(publicKey.verify(DATA, bad)).as(java.util.HexFormat.of().formatHex(bad)).isFalse();
    }
  }

  @Test
  void invalidPointsAndCurvesAreRejected() throws Exception {
    byte[] xTooLarge = new byte[33];
    Arrays.fill(xTooLarge, (byte) 0xff);
    xTooLarge[0] = 0x02; // compressed, even y; x ≥ p
    byte[] badPrefix = SpecVectorsTest.Vector.SECP256K1.publicKey.clone();
    badPrefix[4] = 0x05; // neither 02, 03 (compressed) nor 04 (uncompressed)
    byte[] secp256k1Pkix =
        new SubjectPublicKeyInfo(
                new AlgorithmIdentifier(
                    X9ObjectIdentifiers.id_ecPublicKey, SECObjectIdentifiers.secp256k1),
                new DERBitString(EcCurves.SECP256K1.getG().getEncoded(false)))
            .getEncoded(ASN1Encoding.DER);
    byte[] rsaOid =
        new SubjectPublicKeyInfo(
                new AlgorithmIdentifier(
                    org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers.rsaEncryption),
                new DERBitString(new byte[] {1, 2, 3}))
            .getEncoded(ASN1Encoding.DER);

    assertThatThrownBy(() -> Keys.publicKeyFromRaw(KeyType.SECP256K1, xTooLarge))
        .isInstanceOf(CryptoException.class)
        .hasMessageContaining("invalid curve point");
    assertThatThrownBy(() -> Keys.unmarshalPublicKey(badPrefix))
        .isInstanceOf(CryptoException.class)
        .hasMessageContaining("invalid curve point");
    assertThatThrownBy(() -> Keys.publicKeyFromRaw(KeyType.SECP256K1, new byte[32]))
        .isInstanceOf(CryptoException.class)
        .hasMessageContaining("33 bytes");
    assertThatThrownBy(() -> Keys.publicKeyFromRaw(KeyType.ECDSA, secp256k1Pkix))
        .isInstanceOf(CryptoException.class)
        .hasMessageContaining("unsupported curve");
    assertThatThrownBy(() -> Keys.publicKeyFromRaw(KeyType.ECDSA, rsaOid))
        .isInstanceOf(CryptoException.class)
        .hasMessageContaining("not id-ecPublicKey");
    assertThatThrownBy(() -> Keys.publicKeyFromRaw(KeyType.ECDSA, new byte[] {0x30, 0x00}))
        .isInstanceOf(CryptoException.class);
  }

  @Test
  void secp256k1PrivateScalarOutOfRangeIsRejected() {
    byte[] zero = KeysTest.envelope(KeyType.SECP256K1, new byte[32]);
    byte[] order =
        KeysTest.envelope(
            KeyType.SECP256K1,
            org.bouncycastle.util.BigIntegers.asUnsignedByteArray(32, EcCurves.SECP256K1.getN()));

    assertThatThrownBy(() -> Keys.unmarshalPrivateKey(zero))
        .isInstanceOf(CryptoException.class)
        .hasMessageContaining("out of range");
    assertThatThrownBy(() -> Keys.unmarshalPrivateKey(order))
        .isInstanceOf(CryptoException.class)
        .hasMessageContaining("out of range");
  }

  private static byte[] der(BigInteger r, BigInteger s) throws Exception {
    return new DERSequence(new ASN1Integer[] {new ASN1Integer(r), new ASN1Integer(s)})
        .getEncoded(ASN1Encoding.DER);
  }

  static byte[] tampered(byte[] bytes) {
    byte[] copy = bytes.clone();
    copy[copy.length / 2] ^= 0x01;
    return copy;
  }
}
