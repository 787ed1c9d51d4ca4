package io.reachability.libp2p.crypto;

import java.io.IOException;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.util.Arrays;
import org.bouncycastle.asn1.ASN1BitString;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.util.BigIntegers;
import org.jspecify.annotations.Nullable;

/**
 * A secp256k1 or ECDSA private key, read from identity files written by other implementations.
 *
 * <ul>
 *   <li>secp256k1: {@code Data} is the 32-byte big-endian scalar.
 *   <li>ECDSA: {@code Data} is a DER SEC 1 {@code ECPrivateKey} (RFC 5915) with a named curve, as
 *       go's {@code x509.MarshalECPrivateKey} writes it (the spec's test vector has this form).
 * </ul>
 */
final class EcPrivateKey implements PrivateKey {

  /** Length of a secp256k1 private key: the scalar, big-endian. */
  static final int SECP256K1_PRIVATE_BYTES = 32;

  private final ECPrivateKeyParameters key;
  private final EcPublicKey publicKey;
  private final ASN1ObjectIdentifier curve;

  private EcPrivateKey(KeyType type, ECPrivateKeyParameters key, ASN1ObjectIdentifier curve) {
    this.key = key;
    this.curve = curve;
    this.publicKey =
        new EcPublicKey(
            type, EcCurves.publicFromPrivate(key), type == KeyType.ECDSA ? curve : null);
  }

  static EcPrivateKey secp256k1(byte[] data) {
    if (data.length != SECP256K1_PRIVATE_BYTES) {
      throw new CryptoException(
          "secp256k1 private key must be "
              + SECP256K1_PRIVATE_BYTES
              + " bytes, got "
              + data.length);
    }
    return new EcPrivateKey(
        KeyType.SECP256K1,
        EcCurves.privateScalar(
            EcCurves.SECP256K1, new BigInteger(1, data), "secp256k1 private key"),
        SECObjectIdentifiers.secp256k1);
  }

  static EcPrivateKey ecdsa(byte[] data) {
    ParsedSec1 parsed =
        Der.read(
            data,
            "ECDSA private key (SEC 1)",
            sequence -> {
              // every accessor is called here: BouncyCastle decodes some fields lazily and fails
              // there
              ECPrivateKey sec1 = ECPrivateKey.getInstance(sequence);
              ASN1BitString bits = sec1.getPublicKey();
              return new ParsedSec1(
                  sec1.getParametersObject(),
                  sec1.getKey(),
                  bits == null ? null : bits.getOctets());
            });
    Object parameters = parsed.parameters();
    BigInteger d = parsed.scalar();
    byte[] embedded = parsed.publicKey();
    if (!(parameters instanceof ASN1ObjectIdentifier oid)) {
      throw new CryptoException("ECDSA private key must name its curve");
    }

    ECDomainParameters domain = EcCurves.ECDSA_CURVES.get(oid);
    if (domain == null) {
      throw new CryptoException("ECDSA private key on unsupported curve " + oid);
    }
    EcPrivateKey key =
        new EcPrivateKey(
            KeyType.ECDSA, EcCurves.privateScalar(domain, d, "ECDSA private key"), oid);
    // a mismatch means a corrupt file: signatures would not verify under the public key it claims
    if (embedded != null
        && !MessageDigest.isEqual(embedded, key.publicKey.parameters().getQ().getEncoded(false))
        && !MessageDigest.isEqual(embedded, key.publicKey.parameters().getQ().getEncoded(true))) {
      throw new CryptoException(
          "ECDSA private key: the embedded public key does not match the scalar");
    }
    return key;
  }

  /** The fields of a SEC 1 ECPrivateKey that matter here (never compared or hashed). */
  @SuppressWarnings("ArrayRecordComponent")
  private record ParsedSec1(
      @Nullable Object parameters, BigInteger scalar, byte @Nullable [] publicKey) {}

  @Override
  public KeyType type() {
    return publicKey.type();
  }

  @Override
  public PublicKey publicKey() {
    return publicKey;
  }

  @Override
  public byte[] sign(byte[] data) {
    return EcCurves.sign(key, data);
  }

  @Override
  public byte[] marshal() {
    ECDomainParameters domain = key.getParameters();
    if (publicKey.type() == KeyType.SECP256K1) {
      return KeyEnvelope.marshalPrivate(
          KeyType.SECP256K1, BigIntegers.asUnsignedByteArray(SECP256K1_PRIVATE_BYTES, key.getD()));
    }
    try {
      byte[] sec1 =
          new ECPrivateKey(
                  domain.getN().bitLength(),
                  key.getD(),
                  new DERBitString(publicKey.parameters().getQ().getEncoded(false)),
                  curve)
              .getEncoded(ASN1Encoding.DER);
      byte[] marshalled = KeyEnvelope.marshalPrivate(KeyType.ECDSA, sec1);
      Arrays.fill(sec1, (byte) 0);
      return marshalled;
    } catch (IOException e) {
      throw new CryptoException("cannot encode an ECDSA private key", e);
    }
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof EcPrivateKey ecPrivateKey
        && publicKey.equals(ecPrivateKey.publicKey)
        && key.getD().equals(ecPrivateKey.key.getD());
  }

  @Override
  public int hashCode() {
    return publicKey.hashCode();
  }

  @Override
  public String toString() {
    return "EcPrivateKey[public=" + publicKey + "]";
  }
}
