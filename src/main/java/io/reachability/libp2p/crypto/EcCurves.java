package io.reachability.libp2p.crypto;

import java.io.IOException;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.math.ec.ECPoint;

/**
 * The elliptic curves of the secp256k1 and ECDSA key types and ECDSA over SHA-256 with DER
 * signatures, on BouncyCastle's low-level classes (the JDK since 16 has no secp256k1, and its
 * provider is slower).
 */
final class EcCurves {

  /** secp256k1, with BouncyCastle's optimised field arithmetic. */
  static final ECDomainParameters SECP256K1 = domain(SECObjectIdentifiers.secp256k1);

  /**
   * Curves accepted for the ECDSA key type, by the OID named in the key's PKIX parameters: the NIST
   * curves go-libp2p can produce, without P-224 (too weak; no implementation generates it).
   */
  static final Map<ASN1ObjectIdentifier, ECDomainParameters> ECDSA_CURVES =
      Map.of(
          SECObjectIdentifiers.secp256r1, domain(SECObjectIdentifiers.secp256r1),
          SECObjectIdentifiers.secp384r1, domain(SECObjectIdentifiers.secp384r1),
          SECObjectIdentifiers.secp521r1, domain(SECObjectIdentifiers.secp521r1));

  /**
   * Longest DER signature read: SEQUENCE of two INTEGERs of P-521 size (66 bytes + a sign byte
   * each) with their headers is 139 bytes; anything longer is not a signature of an accepted curve.
   */
  static final int MAX_DER_SIGNATURE_BYTES = 139;

  private EcCurves() {}

  private static ECDomainParameters domain(ASN1ObjectIdentifier oid) {
    X9ECParameters x9 = CustomNamedCurves.getByOID(oid);
    return new ECDomainParameters(x9.getCurve(), x9.getG(), x9.getN(), x9.getH(), x9.getSeed());
  }

  /**
   * Decodes and checks an encoded point (SEC 1: compressed or uncompressed).
   *
   * @throws CryptoException when it is not a valid point of the group
   */
  static ECPublicKeyParameters publicPoint(ECDomainParameters domain, byte[] encoded, String what) {
    try {
      ECPoint point = domain.getCurve().decodePoint(encoded);
      // the constructor rejects infinity and points off the curve or outside the subgroup
      return new ECPublicKeyParameters(point, domain);
    } catch (IllegalArgumentException e) {
      throw new CryptoException(what + ": invalid curve point (" + e.getMessage() + ")", e);
    }
  }

  /** Checks a private scalar: 0 < d < n. */
  static ECPrivateKeyParameters privateScalar(
      ECDomainParameters domain, BigInteger d, String what) {
    if (d.signum() <= 0 || d.compareTo(domain.getN()) >= 0) {
      throw new CryptoException(what + ": private scalar out of range");
    }
    return new ECPrivateKeyParameters(d, domain);
  }

  static ECPublicKeyParameters publicFromPrivate(ECPrivateKeyParameters key) {
    ECPoint q = key.getParameters().getG().multiply(key.getD()).normalize();
    return new ECPublicKeyParameters(q, key.getParameters());
  }

  /** ECDSA verification of the SHA-256 of {@code data}; false for any malformed signature. */
  static boolean verify(ECPublicKeyParameters key, byte[] data, byte[] derSignature) {
    BigInteger[] rs = decodeDer(derSignature);
    if (rs == null) {
      return false;
    }
    ECDSASigner verifier = new ECDSASigner();
    verifier.init(false, key);
    // checks 0 < r, s < n itself
    return verifier.verifySignature(sha256(data), rs[0], rs[1]);
  }

  /**
   * A deterministic (RFC 6979) ECDSA signature of the SHA-256 of {@code data}, low-S, DER-encoded.
   */
  static byte[] sign(ECPrivateKeyParameters key, byte[] data) {
    ECDSASigner signer = new ECDSASigner(new HMacDSAKCalculator(new SHA256Digest()));
    signer.init(true, key);
    BigInteger[] rs = signer.generateSignature(sha256(data));
    BigInteger n = key.getParameters().getN();
    BigInteger s = rs[1];
    // low-S, as Bitcoin (BIP 62) and go-libp2p's secp256k1 produce; verifiers accept either
    if (s.compareTo(n.shiftRight(1)) > 0) {
      s = n.subtract(s);
    }
    try {
      return new DERSequence(new ASN1Integer[] {new ASN1Integer(rs[0]), new ASN1Integer(s)})
          .getEncoded(ASN1Encoding.DER);
    } catch (IOException e) {
      throw new CryptoException("cannot encode an ECDSA signature", e);
    }
  }

  /** {r, s} of a strictly DER-encoded ECDSA signature, or null when it is anything else. */
  static BigInteger @org.jspecify.annotations.Nullable [] decodeDer(byte[] signature) {
    if (signature == null || signature.length == 0 || signature.length > MAX_DER_SIGNATURE_BYTES) {
      return null;
    }
    try {
      ASN1Sequence sequence = ASN1Sequence.getInstance(ASN1Primitive.fromByteArray(signature));
      if (sequence.size() != 2) {
        return null;
      }
      BigInteger r = ASN1Integer.getInstance(sequence.getObjectAt(0)).getValue();
      BigInteger s = ASN1Integer.getInstance(sequence.getObjectAt(1)).getValue();
      // BER leniency (long-form lengths, indefinite lengths) would give one signature many
      // encodings
      if (!MessageDigest.isEqual(sequence.getEncoded(ASN1Encoding.DER), signature)) {
        return null;
      }
      return new BigInteger[] {r, s};
    } catch (IOException | RuntimeException e) {
      // BouncyCastle's ASN.1 parser reports malformed input with several unchecked exception types
      return null;
    }
  }

  static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
