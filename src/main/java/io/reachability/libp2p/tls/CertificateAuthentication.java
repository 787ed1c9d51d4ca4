package io.reachability.libp2p.tls;

import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.crypto.CryptoException;
import io.reachability.libp2p.crypto.Keys;
import io.reachability.libp2p.crypto.PrivateKey;
import io.reachability.libp2p.crypto.PublicKey;
import io.reachability.libp2p.tls.TlsAuthenticationException.Reason;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
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
    return verify(List.of(parse(der)), now);
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
    X509Certificate certificate = chain.get(0);
    try {
      certificate.checkValidity(Date.from(now));
    } catch (CertificateExpiredException e) {
      throw new TlsAuthenticationException(
          Reason.EXPIRED, "certificate expired at " + certificate.getNotAfter().toInstant());
    } catch (CertificateNotYetValidException e) {
      throw new TlsAuthenticationException(
          Reason.NOT_YET_VALID,
          "certificate not valid before " + certificate.getNotBefore().toInstant());
    }
    try {
      certificate.verify(certificate.getPublicKey());
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new TlsAuthenticationException(
          Reason.BAD_SELF_SIGNATURE, "certificate's self-signature does not verify", e);
    }
    if (certificate.getIssuerUniqueID() != null || certificate.getSubjectUniqueID() != null) {
      throw new TlsAuthenticationException(
          Reason.UNIQUE_ID, "certificate carries the deprecated issuer or subject unique id");
    }
    Set<String> critical = certificate.getCriticalExtensionOIDs();
    if (critical != null) {
      Set<String> unknown = new HashSet<>(critical);
      unknown.remove(Tls.EXTENSION_OID);
      if (!unknown.isEmpty()) {
        throw new TlsAuthenticationException(
            Reason.UNKNOWN_CRITICAL_EXTENSION, "unknown critical extension(s) " + unknown);
      }
    }
    byte[] extension = certificate.getExtensionValue(Tls.EXTENSION_OID);
    if (extension == null) {
      throw new TlsAuthenticationException(
          Reason.NO_EXTENSION, "no libp2p public key extension (" + Tls.EXTENSION_OID + ")");
    }
    byte[][] fields = signedKeyFields(extension);
    PublicKey hostKey;
    try {
      hostKey = Keys.unmarshalPublicKey(fields[0]);
    } catch (CryptoException e) {
      throw new TlsAuthenticationException(
          Reason.BAD_EXTENSION, "extension's public key: " + e.getMessage(), e);
    }
    byte[] spki = certificate.getPublicKey().getEncoded();
    if (!hostKey.verify(Arrays.concatenate(PREFIX, spki), fields[1])) {
      throw new TlsAuthenticationException(
          Reason.BAD_SIGNATURE,
          "the "
              + hostKey.type()
              + " host key's signature over the certificate key does not verify");
    }
    return hostKey;
  }

  /** {@link #verify(List, Instant)}, and the host key must be {@code expected}'s. */
  public static PublicKey verify(List<X509Certificate> chain, Instant now, PeerId expected) {
    PublicKey hostKey = verify(chain, now);
    PeerId actual = PeerId.fromPublicKey(hostKey);
    if (!actual.equals(expected)) {
      throw new TlsAuthenticationException(
          Reason.WRONG_PEER, "certificate authenticates " + actual + ", expected " + expected);
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
