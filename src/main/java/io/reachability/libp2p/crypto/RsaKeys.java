package io.reachability.libp2p.crypto;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPrivateCrtKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Arrays;
import java.util.HexFormat;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * RSA keys: public {@code Data} is a DER PKIX SubjectPublicKeyInfo, private {@code Data} a DER
 * PKCS#1 RSAPrivateKey; signatures are RSASSA-PKCS1-v1_5 with SHA-256 (the JDK's {@code
 * SHA256withRSA}).
 *
 * @see <a href="https://github.com/libp2p/specs/blob/master/peer-ids/peer-ids.md#rsa">peer-ids
 *     spec: RSA</a>
 */
final class RsaKeys {

  private static final String SIGNATURE_ALGORITHM = "SHA256withRSA";

  /**
   * Largest public exponent accepted, as go's crypto/rsa (larger ones only slow verification down).
   */
  private static final BigInteger MAX_PUBLIC_EXPONENT = BigInteger.valueOf(Integer.MAX_VALUE);

  private RsaKeys() {}

  static PublicKey publicKey(byte[] data) {
    org.bouncycastle.asn1.pkcs.RSAPublicKey rsa =
        Der.read(
            data,
            "RSA public key",
            sequence -> {
              SubjectPublicKeyInfo info = SubjectPublicKeyInfo.getInstance(sequence);
              if (!PKCSObjectIdentifiers.rsaEncryption.equals(info.getAlgorithm().getAlgorithm())) {
                throw new CryptoException(
                    "RSA public key has algorithm "
                        + info.getAlgorithm().getAlgorithm()
                        + ", not rsaEncryption");
              }
              return org.bouncycastle.asn1.pkcs.RSAPublicKey.getInstance(info.parsePublicKey());
            });
    return new Public(checkedPublic(rsa.getModulus(), rsa.getPublicExponent()));
  }

  static PrivateKey privateKey(byte[] data) {
    org.bouncycastle.asn1.pkcs.RSAPrivateKey pkcs1 =
        Der.read(
            data,
            "RSA private key (PKCS#1)",
            org.bouncycastle.asn1.pkcs.RSAPrivateKey::getInstance);
    RSAPublicKey publicKey = checkedPublic(pkcs1.getModulus(), pkcs1.getPublicExponent());
    if (pkcs1.getPrime1().signum() <= 0
        || pkcs1.getPrime2().signum() <= 0
        || pkcs1.getPrivateExponent().signum() <= 0
        || !pkcs1.getPrime1().multiply(pkcs1.getPrime2()).equals(pkcs1.getModulus())) {
      throw new CryptoException("RSA private key: the primes do not match the modulus");
    }
    try {
      RSAPrivateCrtKey key =
          (RSAPrivateCrtKey)
              KeyFactory.getInstance("RSA")
                  .generatePrivate(
                      new RSAPrivateCrtKeySpec(
                          pkcs1.getModulus(),
                          pkcs1.getPublicExponent(),
                          pkcs1.getPrivateExponent(),
                          pkcs1.getPrime1(),
                          pkcs1.getPrime2(),
                          pkcs1.getExponent1(),
                          pkcs1.getExponent2(),
                          pkcs1.getCoefficient()));
      return new Private(key, new Public(publicKey));
    } catch (GeneralSecurityException e) {
      throw new CryptoException("RSA private key rejected: " + e.getMessage(), e);
    }
  }

  private static RSAPublicKey checkedPublic(BigInteger modulus, BigInteger exponent) {
    int bits = modulus.bitLength();
    if (bits < Keys.MIN_RSA_KEY_BITS) {
      throw new CryptoException(
          "RSA key of "
              + bits
              + " bits is below the minimum of "
              + Keys.MIN_RSA_KEY_BITS
              + " bits");
    }
    if (bits > Keys.MAX_RSA_KEY_BITS) {
      throw new CryptoException(
          "RSA key of " + bits + " bits is over the maximum of " + Keys.MAX_RSA_KEY_BITS + " bits");
    }
    if (!modulus.testBit(0)) {
      throw new CryptoException("RSA modulus is even");
    }
    if (exponent.compareTo(BigInteger.valueOf(3)) < 0
        || !exponent.testBit(0)
        || exponent.compareTo(MAX_PUBLIC_EXPONENT) > 0) {
      throw new CryptoException(
          "RSA public exponent " + exponent + " is not an odd number in 3..2^31-1");
    }
    try {
      return (RSAPublicKey)
          KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(modulus, exponent));
    } catch (GeneralSecurityException e) {
      throw new CryptoException("RSA public key rejected: " + e.getMessage(), e);
    }
  }

  static final class Public implements PublicKey {

    private final RSAPublicKey key;
    private final byte[] raw;
    private final byte[] marshalled;

    Public(RSAPublicKey key) {
      this.key = key;
      try {
        // the canonical form go's x509.MarshalPKIXPublicKey writes: rsaEncryption with NULL
        // parameters
        this.raw =
            new SubjectPublicKeyInfo(
                    new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE),
                    new org.bouncycastle.asn1.pkcs.RSAPublicKey(
                        key.getModulus(), key.getPublicExponent()))
                .getEncoded(ASN1Encoding.DER);
      } catch (IOException e) {
        throw new CryptoException("cannot encode an RSA public key", e);
      }
      this.marshalled = KeyEnvelope.marshalPublic(KeyType.RSA, raw);
    }

    @Override
    public KeyType type() {
      return KeyType.RSA;
    }

    @Override
    public byte[] raw() {
      return raw.clone();
    }

    @Override
    public byte[] marshal() {
      return marshalled.clone();
    }

    @Override
    public boolean verify(byte[] data, byte[] signature) {
      // a PKCS#1 v1.5 signature is exactly the modulus length; checked here, before the JDK is
      // asked
      if (signature == null || signature.length != (key.getModulus().bitLength() + 7) / 8) {
        return false;
      }
      try {
        Signature verifier = Signature.getInstance(SIGNATURE_ALGORITHM);
        verifier.initVerify(key);
        verifier.update(data);
        return verifier.verify(signature);
      } catch (GeneralSecurityException | RuntimeException e) {
        // the JDK reports malformed signatures (value ≥ modulus, bad padding) as exceptions
        return false;
      }
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Public p && Arrays.equals(raw, p.raw);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(raw);
    }

    @Override
    public String toString() {
      return "RsaPublicKey["
          + key.getModulus().bitLength()
          + " bits, "
          + HexFormat.of().formatHex(EcCurves.sha256(raw), 0, 8)
          + "…]";
    }
  }

  static final class Private implements PrivateKey {

    private final RSAPrivateCrtKey key;
    private final Public publicKey;

    Private(RSAPrivateCrtKey key, Public publicKey) {
      this.key = key;
      this.publicKey = publicKey;
    }

    @Override
    public KeyType type() {
      return KeyType.RSA;
    }

    @Override
    public PublicKey publicKey() {
      return publicKey;
    }

    @Override
    public byte[] sign(byte[] data) {
      try {
        Signature signer = Signature.getInstance(SIGNATURE_ALGORITHM);
        signer.initSign(key);
        signer.update(data);
        return signer.sign();
      } catch (GeneralSecurityException e) {
        throw new CryptoException("RSA signing failed: " + e.getMessage(), e);
      }
    }

    @Override
    public byte[] marshal() {
      try {
        byte[] pkcs1 =
            new org.bouncycastle.asn1.pkcs.RSAPrivateKey(
                    key.getModulus(),
                    key.getPublicExponent(),
                    key.getPrivateExponent(),
                    key.getPrimeP(),
                    key.getPrimeQ(),
                    key.getPrimeExponentP(),
                    key.getPrimeExponentQ(),
                    key.getCrtCoefficient())
                .getEncoded(ASN1Encoding.DER);
        byte[] marshalled = KeyEnvelope.marshalPrivate(KeyType.RSA, pkcs1);
        Arrays.fill(pkcs1, (byte) 0);
        return marshalled;
      } catch (IOException e) {
        throw new CryptoException("cannot encode an RSA private key", e);
      }
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Private p && key.equals(p.key);
    }

    @Override
    public int hashCode() {
      return publicKey.hashCode();
    }

    @Override
    public String toString() {
      return "RsaPrivateKey[public=" + publicKey + "]";
    }
  }
}
