package io.reachability.libp2p.tls;

import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.crypto.CryptoException;
import io.reachability.libp2p.crypto.KeyType;
import io.reachability.libp2p.crypto.Keys;
import io.reachability.libp2p.crypto.PrivateKey;
import io.reachability.libp2p.crypto.PublicKey;
import io.reachability.libp2p.tls.TlsAuthenticationException.Reason;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bouncycastle.asn1.ASN1BitString;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1TaggedObject;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x509.TBSCertificate;
import org.bouncycastle.asn1.x509.Time;
import org.bouncycastle.asn1.x509.V3TBSCertificateGenerator;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Peer authentication of the libp2p TLS handshake: our self-signed certificate on a fresh ECDSA
 * P-256 key, carrying the host key and its signature in the libp2p Public Key Extension, and the
 * checks a peer's certificate must pass before its host key (and so its peer id) is believed.
 *
 * @see <a href="https://github.com/libp2p/specs/blob/master/tls/tls.md#peer-authentication">spec:
 *     Peer Authentication</a>
 */
public final class CertificateAuthentication {

  /** P-256: every TLS stack takes it (BoringSSL refuses Ed25519 certificate keys). */
  private static final String CERTIFICATE_CURVE = "secp256r1";

  private static final String CERTIFICATE_SIGNATURE = "SHA256withECDSA";

  /** Serial numbers are random and positive: 63 bits. */
  private static final int SERIAL_BITS = 63;

  private static final ASN1ObjectIdentifier EXTENSION = new ASN1ObjectIdentifier(Tls.EXTENSION_OID);

  /** id-Ed25519 (RFC 8410), for a certificate key and for its signature alike. */
  private static final String ED25519_OID = "1.3.101.112";

  /** JCA key algorithms by the certificate key's algorithm OID. */
  private static final Map<String, String> KEY_ALGORITHMS =
      Map.of(
          X9ObjectIdentifiers.id_ecPublicKey.getId(),
          "EC",
          PKCSObjectIdentifiers.rsaEncryption.getId(),
          "RSA",
          ED25519_OID,
          "Ed25519");

  /** JCA signature algorithms by the certificate signature's algorithm OID. */
  private static final Map<String, String> SIGNATURE_ALGORITHMS =
      Map.of(
          X9ObjectIdentifiers.ecdsa_with_SHA256.getId(),
          "SHA256withECDSA",
          X9ObjectIdentifiers.ecdsa_with_SHA384.getId(),
          "SHA384withECDSA",
          X9ObjectIdentifiers.ecdsa_with_SHA512.getId(),
          "SHA512withECDSA",
          PKCSObjectIdentifiers.sha256WithRSAEncryption.getId(),
          "SHA256withRSA",
          PKCSObjectIdentifiers.sha384WithRSAEncryption.getId(),
          "SHA384withRSA",
          PKCSObjectIdentifiers.sha512WithRSAEncryption.getId(),
          "SHA512withRSA",
          ED25519_OID,
          "Ed25519");

  private static final byte[] PREFIX = Tls.SIGNATURE_PREFIX.getBytes(StandardCharsets.US_ASCII);

  /** A certificate of ours and the private key it was made for (the TLS stack signs with it). */
  public record SelfSigned(java.security.PrivateKey certificateKey, X509Certificate certificate) {}

  private CertificateAuthentication() {}

  /** A new certificate for {@code hostKey}, valid from {@code now} minus {@link Tls#CLOCK_SKEW}. */
  public static SelfSigned create(PrivateKey hostKey, Instant now, SecureRandom random) {
    KeyPair certificateKey = newCertificateKey(random);
    byte[] signedKey = signedKey(hostKey, certificateKey.getPublic().getEncoded());
    Extension extension = new Extension(EXTENSION, true, new DEROctetString(signedKey));
    X509Certificate certificate =
        selfSign(
            certificateKey,
            now.minus(Tls.CLOCK_SKEW),
            now.plus(Tls.CERTIFICATE_VALIDITY),
            new Extensions(extension),
            random);
    return new SelfSigned(certificateKey.getPrivate(), certificate);
  }

  /**
   * The host key {@code der} (one certificate, as received) authenticates, checked as the spec
   * requires at {@code now}.
   *
   * @throws TlsAuthenticationException naming the rule the certificate breaks
   */
  public static PublicKey verify(byte[] der, Instant now) {
    return verifyEncoded(der, now);
  }

  /**
   * The host key {@code chain} authenticates: exactly one certificate, valid at {@code now},
   * correctly self-signed, no deprecated unique ids, no critical extension but ours, and ours a
   * SignedKey whose host key signed the certificate's key.
   *
   * @throws TlsAuthenticationException naming the rule the chain breaks
   */
  public static PublicKey verify(List<X509Certificate> chain, Instant now) {
    if (chain.size() != 1) {
      throw new TlsAuthenticationException(
          Reason.CHAIN_LENGTH, "expected exactly one certificate, got " + chain.size());
    }
    try {
      return verifyEncoded(chain.get(0).getEncoded(), now);
    } catch (CertificateEncodingException e) {
      throw new TlsAuthenticationException(Reason.MALFORMED, "certificate has no encoding", e);
    }
  }

  /**
   * The checks on the certificate's own bytes, read as ASN.1 rather than by an X.509 parser: the
   * JDK's and BouncyCastle's both refuse the empty issuer and subject of rust-libp2p's
   * certificates, which the libp2p spec does not ask for.
   */
  private static PublicKey verifyEncoded(byte[] der, Instant now) {
    if (der.length > Tls.MAX_CERTIFICATE_BYTES) {
      throw new TlsAuthenticationException(
          Reason.MALFORMED,
          "certificate of " + der.length + " bytes > " + Tls.MAX_CERTIFICATE_BYTES);
    }
    Parsed certificate = Parsed.of(der);
    if (now.isAfter(certificate.notAfter())) {
      throw new TlsAuthenticationException(
          Reason.EXPIRED, "certificate expired at " + certificate.notAfter());
    }
    if (now.isBefore(certificate.notBefore())) {
      throw new TlsAuthenticationException(
          Reason.NOT_YET_VALID, "certificate not valid before " + certificate.notBefore());
    }
    byte[] spki = der(certificate.subjectPublicKeyInfo());
    verifySelfSignature(certificate, spki);
    if (certificate.uniqueIds()) {
      throw new TlsAuthenticationException(
          Reason.UNIQUE_ID, "certificate carries the deprecated issuer or subject unique id");
    }
    Extensions extensions = certificate.extensions();
    Set<String> unknown = new HashSet<>();
    if (extensions != null) {
      for (ASN1ObjectIdentifier oid : extensions.getCriticalExtensionOIDs()) {
        unknown.add(oid.getId());
      }
    }
    unknown.remove(Tls.EXTENSION_OID);
    if (!unknown.isEmpty()) {
      throw new TlsAuthenticationException(
          Reason.UNKNOWN_CRITICAL_EXTENSION, "unknown critical extension(s) " + unknown);
    }
    Extension ours = extensions == null ? null : extensions.getExtension(EXTENSION);
    if (ours == null) {
      throw new TlsAuthenticationException(
          Reason.NO_EXTENSION, "no libp2p public key extension (" + Tls.EXTENSION_OID + ")");
    }
    byte[][] fields = signedKeyFields(der(ours.getExtnValue()));
    PublicKey hostKey;
    try {
      hostKey = Keys.unmarshalPublicKey(fields[0]);
    } catch (CryptoException e) {
      throw new TlsAuthenticationException(
          Reason.BAD_EXTENSION, "extension's public key: " + e.getMessage(), e);
    }
    if (!hostKey.verify(Arrays.concatenate(PREFIX, spki), fields[1])) {
      throw new TlsAuthenticationException(
          Reason.BAD_SIGNATURE,
          "the "
              + hostKey.type()
              + " host key's signature over the certificate key does not verify");
    }
    return hostKey;
  }

  /** The certificate's signature, by the key it certifies, over its TBS part. */
  private static void verifySelfSignature(Parsed certificate, byte[] spki) {
    ASN1ObjectIdentifier keyOid = certificate.subjectPublicKeyInfo().getAlgorithm().getAlgorithm();
    ASN1ObjectIdentifier signatureOid = certificate.signatureAlgorithm().getAlgorithm();
    String keyAlgorithm = KEY_ALGORITHMS.get(keyOid.getId());
    String signatureAlgorithm = SIGNATURE_ALGORITHMS.get(signatureOid.getId());
    if (keyAlgorithm == null || signatureAlgorithm == null) {
      throw new TlsAuthenticationException(
          Reason.BAD_SELF_SIGNATURE,
          "certificate key or signature algorithm not supported ("
              + keyOid
              + ", "
              + signatureOid
              + ")");
    }
    if (X9ObjectIdentifiers.id_ecPublicKey.equals(keyOid)
        && X9ObjectIdentifiers.ecdsa_with_SHA256.equals(signatureOid)) {
      // every libp2p implementation's certificate: BouncyCastle's P-256 verifies several times
      // faster than the JDK's, and the signatures are most of a QUIC handshake's CPU
      boolean valid;
      try {
        valid =
            Keys.publicKeyFromRaw(KeyType.ECDSA, spki)
                .verify(certificate.tbs(), certificate.signature());
      } catch (RuntimeException e) {
        throw new TlsAuthenticationException(
            Reason.BAD_SELF_SIGNATURE, "certificate's self-signature does not verify", e);
      }
      if (!valid) {
        throw new TlsAuthenticationException(
            Reason.BAD_SELF_SIGNATURE, "certificate's self-signature does not verify");
      }
      return;
    }
    try {
      java.security.PublicKey key =
          KeyFactory.getInstance(keyAlgorithm).generatePublic(new X509EncodedKeySpec(spki));
      Signature verifier = Signature.getInstance(signatureAlgorithm);
      verifier.initVerify(key);
      verifier.update(certificate.tbs());
      if (verifier.verify(certificate.signature())) {
        return;
      }
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new TlsAuthenticationException(
          Reason.BAD_SELF_SIGNATURE, "certificate's self-signature does not verify", e);
    }
    throw new TlsAuthenticationException(
        Reason.BAD_SELF_SIGNATURE, "certificate's self-signature does not verify");
  }

  /**
   * The fields of a certificate the checks need, read from its ASN.1 structure (RFC 5280 4.1).
   * BouncyCastle's own {@code TBSCertificate} refuses an empty issuer, so the TBS sequence is
   * walked here; the names are skipped, as the spec gives them no meaning.
   */
  private static final class Parsed {
    private final byte[] tbs;
    private final AlgorithmIdentifier signatureAlgorithm;
    private final byte[] signature;
    private final Instant notBefore;
    private final Instant notAfter;
    private final SubjectPublicKeyInfo subjectPublicKeyInfo;
    private final boolean uniqueIds;
    private final @Nullable Extensions extensions;

    private Parsed(
        byte[] tbs,
        AlgorithmIdentifier signatureAlgorithm,
        byte[] signature,
        Instant notBefore,
        Instant notAfter,
        SubjectPublicKeyInfo subjectPublicKeyInfo,
        boolean uniqueIds,
        @Nullable Extensions extensions) {
      this.tbs = tbs;
      this.signatureAlgorithm = signatureAlgorithm;
      this.signature = signature;
      this.notBefore = notBefore;
      this.notAfter = notAfter;
      this.subjectPublicKeyInfo = subjectPublicKeyInfo;
      this.uniqueIds = uniqueIds;
      this.extensions = extensions;
    }

    byte[] tbs() {
      return tbs;
    }

    AlgorithmIdentifier signatureAlgorithm() {
      return signatureAlgorithm;
    }

    byte[] signature() {
      return signature;
    }

    Instant notBefore() {
      return notBefore;
    }

    Instant notAfter() {
      return notAfter;
    }

    SubjectPublicKeyInfo subjectPublicKeyInfo() {
      return subjectPublicKeyInfo;
    }

    boolean uniqueIds() {
      return uniqueIds;
    }

    @Nullable Extensions extensions() {
      return extensions;
    }

    /** Tag of the explicit version field. */
    private static final int VERSION_TAG = 0;

    private static final int ISSUER_UNIQUE_ID_TAG = 1;
    private static final int SUBJECT_UNIQUE_ID_TAG = 2;
    private static final int EXTENSIONS_TAG = 3;

    /** serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo. */
    private static final int REQUIRED_TBS_FIELDS = 6;

    /** tbsCertificate, signatureAlgorithm, signatureValue. */
    private static final int CERTIFICATE_FIELDS = 3;

    static Parsed of(byte[] der) {
      try {
        ASN1Sequence certificate = ASN1Sequence.getInstance(ASN1Primitive.fromByteArray(der));
        if (certificate.size() != CERTIFICATE_FIELDS) {
          throw new IllegalArgumentException("certificate has " + certificate.size() + " fields");
        }
        ASN1Sequence tbs = ASN1Sequence.getInstance(certificate.getObjectAt(0));
        AlgorithmIdentifier algorithm = AlgorithmIdentifier.getInstance(certificate.getObjectAt(1));
        byte[] signature = ASN1BitString.getInstance(certificate.getObjectAt(2)).getOctets();
        int i = 0;
        if (tbs.size() > 0
            && tbs.getObjectAt(0) instanceof ASN1TaggedObject version
            && version.getTagNo() == VERSION_TAG) {
          i++;
        }
        if (tbs.size() < i + REQUIRED_TBS_FIELDS) {
          throw new IllegalArgumentException("TBSCertificate has " + tbs.size() + " fields");
        }
        AlgorithmIdentifier inner = AlgorithmIdentifier.getInstance(tbs.getObjectAt(i + 1));
        if (!inner.equals(algorithm)) {
          throw new IllegalArgumentException("the two signature algorithms differ");
        }
        ASN1Sequence validity = ASN1Sequence.getInstance(tbs.getObjectAt(i + 3));
        if (validity.size() != 2) {
          throw new IllegalArgumentException("validity has " + validity.size() + " fields");
        }
        Instant notBefore = Time.getInstance(validity.getObjectAt(0)).getDate().toInstant();
        Instant notAfter = Time.getInstance(validity.getObjectAt(1)).getDate().toInstant();
        SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(tbs.getObjectAt(i + 5));
        boolean uniqueIds = false;
        Extensions extensions = null;
        for (int j = i + REQUIRED_TBS_FIELDS; j < tbs.size(); j++) {
          ASN1TaggedObject optional = ASN1TaggedObject.getInstance(tbs.getObjectAt(j));
          switch (optional.getTagNo()) {
            case ISSUER_UNIQUE_ID_TAG, SUBJECT_UNIQUE_ID_TAG -> uniqueIds = true;
            case EXTENSIONS_TAG -> extensions = Extensions.getInstance(optional, true);
            default ->
                throw new IllegalArgumentException("unknown TBSCertificate field " + optional);
          }
        }
        return new Parsed(
            der(tbs), algorithm, signature, notBefore, notAfter, spki, uniqueIds, extensions);
      } catch (IOException | RuntimeException e) {
        throw new TlsAuthenticationException(Reason.MALFORMED, "not an X.509 certificate", e);
      }
    }
  }

  /** {@link #verify(List, Instant)}, and the host key must be {@code expected}'s. */
  public static PublicKey verify(List<X509Certificate> chain, Instant now, PeerId expected) {
    PublicKey hostKey = verify(chain, now);
    PeerId actual = PeerId.fromPublicKey(hostKey);
    if (!actual.equals(expected)) {
      throw new TlsAuthenticationException(
          Reason.WRONG_PEER,
          "certificate authenticates peer id " + actual + ", expected " + expected);
    }
    return hostKey;
  }

  /** An X.509 certificate from DER, at most {@link Tls#MAX_CERTIFICATE_BYTES}. */
  public static X509Certificate parse(byte[] der) {
    if (der.length > Tls.MAX_CERTIFICATE_BYTES) {
      throw new TlsAuthenticationException(
          Reason.MALFORMED,
          "certificate of " + der.length + " bytes > " + Tls.MAX_CERTIFICATE_BYTES);
    }
    try {
      return (X509Certificate)
          CertificateFactory.getInstance("X.509")
              .generateCertificate(new ByteArrayInputStream(der));
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new TlsAuthenticationException(Reason.MALFORMED, "not an X.509 certificate", e);
    }
  }

  // ---------------------------------------------------------------- building

  static KeyPair newCertificateKey(SecureRandom random) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec(CERTIFICATE_CURVE), random);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new CryptoException("cannot generate a P-256 certificate key", e);
    }
  }

  /** SignedKey ::= SEQUENCE { publicKey OCTET STRING, signature OCTET STRING } */
  static byte[] signedKey(PrivateKey hostKey, byte[] certificateSpki) {
    byte[] signature = hostKey.sign(Arrays.concatenate(PREFIX, certificateSpki));
    return der(
        new DERSequence(
            new ASN1Encodable[] {
              new DEROctetString(hostKey.publicKey().marshal()), new DEROctetString(signature)
            }));
  }

  /** A certificate over {@code key} signed by itself, with the given validity and extensions. */
  static X509Certificate selfSign(
      KeyPair key,
      Instant notBefore,
      Instant notAfter,
      Extensions extensions,
      SecureRandom random) {
    AlgorithmIdentifier algorithm = new AlgorithmIdentifier(X9ObjectIdentifiers.ecdsa_with_SHA256);
    // no meaning: the peer id is in the extension, not in the names
    X500Name name = new X500Name("CN=libp2p");
    V3TBSCertificateGenerator generator = new V3TBSCertificateGenerator();
    generator.setSerialNumber(new ASN1Integer(new BigInteger(SERIAL_BITS, random)));
    generator.setIssuer(name);
    generator.setSubject(name);
    generator.setStartDate(new Time(Date.from(notBefore)));
    generator.setEndDate(new Time(Date.from(notAfter)));
    generator.setSignature(algorithm);
    generator.setSubjectPublicKeyInfo(
        SubjectPublicKeyInfo.getInstance(key.getPublic().getEncoded()));
    generator.setExtensions(extensions);
    TBSCertificate tbs = generator.generateTBSCertificate();
    try {
      Signature signer = Signature.getInstance(CERTIFICATE_SIGNATURE);
      signer.initSign(key.getPrivate(), random);
      signer.update(der(tbs));
      byte[] certificate =
          der(
              new DERSequence(
                  new ASN1Encodable[] {tbs, algorithm, new DERBitString(signer.sign())}));
      return parse(certificate);
    } catch (GeneralSecurityException e) {
      throw new CryptoException("cannot sign the TLS certificate", e);
    }
  }

  // ---------------------------------------------------------------- reading

  /** The extension value (a DER OCTET STRING holding a SignedKey) as its two octet strings. */
  private static byte[][] signedKeyFields(byte[] extensionValue) {
    try {
      byte[] signedKey = ASN1OctetString.getInstance(extensionValue).getOctets();
      ASN1Sequence sequence = ASN1Sequence.getInstance(ASN1Primitive.fromByteArray(signedKey));
      if (sequence.size() != 2) {
        throw new IllegalArgumentException("SignedKey has " + sequence.size() + " fields, not 2");
      }
      return new byte[][] {
        ASN1OctetString.getInstance(sequence.getObjectAt(0)).getOctets(),
        ASN1OctetString.getInstance(sequence.getObjectAt(1)).getOctets()
      };
    } catch (IOException | RuntimeException e) {
      throw new TlsAuthenticationException(
          Reason.BAD_EXTENSION, "libp2p public key extension is not a SignedKey", e);
    }
  }

  private static byte[] der(ASN1Encodable value) {
    try {
      return value.toASN1Primitive().getEncoded(ASN1Encoding.DER);
    } catch (IOException e) {
      throw new CryptoException("cannot DER-encode " + value.getClass().getSimpleName(), e);
    }
  }
}
