package io.reachability.libp2p.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.crypto.KeyType;
import io.reachability.libp2p.crypto.Keys;
import io.reachability.libp2p.crypto.PrivateKey;
import io.reachability.libp2p.crypto.PublicKey;
import io.reachability.libp2p.tls.TlsAuthenticationException.Reason;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x509.Time;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.junit.jupiter.api.Test;

class CertificateAuthenticationTest {

  private static final Instant NOW = Instant.parse("2026-12-05T12:00:00Z");
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final HexFormat HEX = HexFormat.of();
  private static final ASN1ObjectIdentifier LIBP2P = new ASN1ObjectIdentifier(Tls.EXTENSION_OID);

  // ---- the spec's test vectors (tls.md, "Test vectors"); valid from 1975 to 4096

  private static final String ED25519_VECTOR =
      "308201ae30820156a0030201020204499602d2300a06082a8648ce3d040302302031123010060355040a13096c69627032702e696f310a300806035504051301313020170d3735303130313133303030305a180f34303936303130313133303030305a302031123010060355040a13096c69627032702e696f310a300806035504051301313059301306072a8648ce3d020106082a8648ce3d030107034200040c901d423c831ca85e27c73c263ba132721bb9d7a84c4f0380b2a6756fd601331c8870234dec878504c174144fa4b14b66a651691606d8173e55bd37e381569ea37c307a3078060a2b0601040183a25a0101046a3068042408011220a77f1d92fedb59dddaea5a1c4abd1ac2fbde7d7b879ed364501809923d7c11b90440d90d2769db992d5e6195dbb08e706b6651e024fda6cfb8846694a435519941cac215a8207792e42849cccc6cd8136c6e4bde92a58c5e08cfd4206eb5fe0bf909300a06082a8648ce3d0403020346003043021f50f6b6c52711a881778718238f650c9fb48943ae6ee6d28427dc6071ae55e702203625f116a7a454db9c56986c82a25682f7248ea1cb764d322ea983ed36a31b77";
  private static final String ECDSA_VECTOR =
      "308201f63082019da0030201020204499602d2300a06082a8648ce3d040302302031123010060355040a13096c69627032702e696f310a300806035504051301313020170d3735303130313133303030305a180f34303936303130313133303030305a302031123010060355040a13096c69627032702e696f310a300806035504051301313059301306072a8648ce3d020106082a8648ce3d030107034200040c901d423c831ca85e27c73c263ba132721bb9d7a84c4f0380b2a6756fd601331c8870234dec878504c174144fa4b14b66a651691606d8173e55bd37e381569ea381c23081bf3081bc060a2b0601040183a25a01010481ad3081aa045f0803125b3059301306072a8648ce3d020106082a8648ce3d03010703420004bf30511f909414ebdd3242178fd290f093a551cf75c973155de0bb5a96fedf6cb5d52da7563e794b512f66e60c7f55ba8a3acf3dd72a801980d205e8a1ad29f2044730450220064ea8124774caf8f50e57f436aa62350ce652418c019df5d98a3ac666c9386a022100aa59d704a931b5f72fb9222cb6cc51f954d04a4e2e5450f8805fe8918f71eaae300a06082a8648ce3d04030203470030440220799395b0b6c1e940a7e4484705f610ab51ed376f19ff9d7c16757cfbf61b8d4302206205c03fbb0f95205c779be86581d3e31c01871ad5d1f3435bcf375cb0e5088a";
  private static final String SECP256K1_VECTOR =
      "308201ba3082015fa0030201020204499602d2300a06082a8648ce3d040302302031123010060355040a13096c69627032702e696f310a300806035504051301313020170d3735303130313133303030305a180f34303936303130313133303030305a302031123010060355040a13096c69627032702e696f310a300806035504051301313059301306072a8648ce3d020106082a8648ce3d030107034200040c901d423c831ca85e27c73c263ba132721bb9d7a84c4f0380b2a6756fd601331c8870234dec878504c174144fa4b14b66a651691606d8173e55bd37e381569ea38184308181307f060a2b0601040183a25a01010471306f0425080212210206dc6968726765b820f050263ececf7f71e4955892776c0970542efd689d2382044630440220145e15a991961f0d08cd15425bb95ec93f6ffa03c5a385eedc34ecf464c7a8ab022026b3109b8a3f40ef833169777eb2aa337cfb6282f188de0666d1bcec2a4690dd300a06082a8648ce3d0403020349003046022100e1a217eeef9ec9204b3f774a08b70849646b6a1e6b8b27f93dc00ed58545d9fe022100b00dafa549d0f03547878338c7b15e7502888f6d45db387e5ae6b5d46899cef0";
  private static final String INVALID_VECTOR =
      "308201f73082019da0030201020204499602d2300a06082a8648ce3d040302302031123010060355040a13096c69627032702e696f310a300806035504051301313020170d3735303130313133303030305a180f34303936303130313133303030305a302031123010060355040a13096c69627032702e696f310a300806035504051301313059301306072a8648ce3d020106082a8648ce3d030107034200040c901d423c831ca85e27c73c263ba132721bb9d7a84c4f0380b2a6756fd601331c8870234dec878504c174144fa4b14b66a651691606d8173e55bd37e381569ea381c23081bf3081bc060a2b0601040183a25a01010481ad3081aa045f0803125b3059301306072a8648ce3d020106082a8648ce3d03010703420004bf30511f909414ebdd3242178fd290f093a551cf75c973155de0bb5a96fedf6cb5d52da7563e794b512f66e60c7f55ba8a3acf3dd72a801980d205e8a1ad29f204473045022100bb6e03577b7cc7a3cd1558df0da2b117dfdcc0399bc2504ebe7de6f65cade72802206de96e2a5be9b6202adba24ee0362e490641ac45c240db71fe955f2c5cf8df6e300a06082a8648ce3d0403020348003045022100e847f267f43717358f850355bdcabbefb2cfbf8a3c043b203a14788a092fe8db022027c1d04a2d41fd6b57a7e8b3989e470325de4406e52e084e34a3fd56eef0d0df";

  private static PeerId peerOf(String vector) {
    return PeerId.fromPublicKey(CertificateAuthentication.verify(HEX.parseHex(vector), NOW));
  }

  @Test
  void theSpecsValidVectorsAuthenticateTheirPeerIds() {
    assertThat(peerOf(ED25519_VECTOR).toString())
        .isEqualTo("12D3KooWM6CgA9iBFZmcYAHA6A2qvbAxqfkmrYiRQuz3XEsk4Ksv");
    assertThat(peerOf(ECDSA_VECTOR).toString())
        .isEqualTo("QmfXbAwNjJLXfesgztEHe8HwgVDCMMpZ9Eax1HYq6hn9uE");
    assertThat(peerOf(SECP256K1_VECTOR).toString())
        .isEqualTo("16Uiu2HAkutTMoTzDw1tCvSRtu6YoixJwS46S1ZFxW8hSx9fWHiPs");
  }

  @Test
  void theSpecsInvalidVectorHasABadSignature() {
    assertReason(() -> peerOf(INVALID_VECTOR), Reason.BAD_SIGNATURE);
  }

  @Test
  void ourCertificateAuthenticatesOurHostKey() throws Exception {
    PrivateKey host = Keys.generateEd25519(RANDOM);
    CertificateAuthentication.SelfSigned ours = CertificateAuthentication.create(host, NOW, RANDOM);
    X509Certificate certificate = ours.certificate();

    PublicKey authenticated =
        CertificateAuthentication.verify(
            List.of(certificate), NOW, PeerId.fromPublicKey(host.publicKey()));
    assertThat(authenticated.marshal()).isEqualTo(host.publicKey().marshal());
    // a fresh P-256 key, unrelated to the host key, and the extension marked critical as go does
    assertThat(certificate.getPublicKey().getAlgorithm()).isEqualTo("EC");
    assertThat(certificate.getSigAlgName()).isEqualTo("SHA256withECDSA");
    assertThat(certificate.getCriticalExtensionOIDs()).containsExactly(Tls.EXTENSION_OID);
    assertThat(certificate.getNotBefore().toInstant()).isEqualTo(NOW.minus(Tls.CLOCK_SKEW));
    assertThat(certificate.getNotAfter().toInstant()).isEqualTo(NOW.plus(Tls.CERTIFICATE_VALIDITY));
    assertThat(ours.certificateKey().getAlgorithm()).isEqualTo("EC");
    // and it round-trips through its bytes, as a peer receives it
    assertThat(CertificateAuthentication.verify(certificate.getEncoded(), NOW).type())
        .isEqualTo(KeyType.ED25519);
  }

  @Test
  void aCertificateForAnotherPeerIsRefused() {
    X509Certificate certificate =
        CertificateAuthentication.create(Keys.generateEd25519(RANDOM), NOW, RANDOM).certificate();
    PeerId dialed = PeerId.fromPublicKey(Keys.generateEd25519(RANDOM).publicKey());
    assertReason(
        () -> CertificateAuthentication.verify(List.of(certificate), NOW, dialed),
        Reason.WRONG_PEER);
  }

  @Test
  void validityIsCheckedAtBothEnds() {
    X509Certificate certificate =
        CertificateAuthentication.create(Keys.generateEd25519(RANDOM), NOW, RANDOM).certificate();
    assertReason(
        () ->
            CertificateAuthentication.verify(
                List.of(certificate), NOW.minus(Tls.CLOCK_SKEW).minusSeconds(1)),
        Reason.NOT_YET_VALID);
    assertReason(
        () ->
            CertificateAuthentication.verify(
                List.of(certificate), NOW.plus(Tls.CERTIFICATE_VALIDITY).plusSeconds(1)),
        Reason.EXPIRED);
  }

  @Test
  void exactlyOneCertificateIsAccepted() {
    X509Certificate certificate =
        CertificateAuthentication.create(Keys.generateEd25519(RANDOM), NOW, RANDOM).certificate();
    assertReason(() -> CertificateAuthentication.verify(List.of(), NOW), Reason.CHAIN_LENGTH);
    assertReason(
        () -> CertificateAuthentication.verify(List.of(certificate, certificate), NOW),
        Reason.CHAIN_LENGTH);
  }

  @Test
  void aCertificateWithoutTheExtensionIsRefused() {
    Extension other =
        new Extension(new ASN1ObjectIdentifier("1.2.3.4"), false, new DEROctetString(new byte[1]));
    X509Certificate certificate = selfSigned(new Extensions(other));
    assertReason(
        () -> CertificateAuthentication.verify(List.of(certificate), NOW), Reason.NO_EXTENSION);
  }

  @Test
  void anUnknownCriticalExtensionIsRefused() {
    KeyPair key = CertificateAuthentication.newCertificateKey(RANDOM);
    PrivateKey host = Keys.generateEd25519(RANDOM);
    Extension ours =
        new Extension(
            LIBP2P,
            true,
            new DEROctetString(
                CertificateAuthentication.signedKey(host, key.getPublic().getEncoded())));
    Extension unknown =
        new Extension(new ASN1ObjectIdentifier("1.2.3.4"), true, new DEROctetString(new byte[1]));
    X509Certificate certificate =
        CertificateAuthentication.selfSign(
            key,
            NOW.minus(Duration.ofHours(1)),
            NOW.plus(Duration.ofHours(1)),
            new Extensions(new Extension[] {ours, unknown}),
            RANDOM);
    assertReason(
        () -> CertificateAuthentication.verify(List.of(certificate), NOW),
        Reason.UNKNOWN_CRITICAL_EXTENSION);
  }

  @Test
  void anExtensionThatIsNotASignedKeyIsRefused() {
    X509Certificate garbage =
        selfSigned(new Extensions(new Extension(LIBP2P, true, new DEROctetString(new byte[] {5}))));
    assertReason(
        () -> CertificateAuthentication.verify(List.of(garbage), NOW), Reason.BAD_EXTENSION);
  }

  @Test
  void aSignatureOverAnotherCertificateKeyIsRefused() {
    // the host key signed some other key: the certificate's own key is not vouched for
    PrivateKey host = Keys.generateEd25519(RANDOM);
    KeyPair other = CertificateAuthentication.newCertificateKey(RANDOM);
    byte[] signedOther = CertificateAuthentication.signedKey(host, other.getPublic().getEncoded());
    X509Certificate certificate =
        selfSigned(new Extensions(new Extension(LIBP2P, true, new DEROctetString(signedOther))));
    assertReason(
        () -> CertificateAuthentication.verify(List.of(certificate), NOW), Reason.BAD_SIGNATURE);
  }

  @Test
  void aBrokenSelfSignatureIsRefused() throws Exception {
    byte[] der =
        CertificateAuthentication.create(Keys.generateEd25519(RANDOM), NOW, RANDOM)
            .certificate()
            .getEncoded()
            .clone();
    der[der.length - 3] ^= 0x01; // inside the ECDSA signature's last integer
    assertReason(() -> CertificateAuthentication.verify(der, NOW), Reason.BAD_SELF_SIGNATURE);
  }

  @Test
  void oversizedOrMalformedBytesAreRefusedBeforeParsing() {
    assertReason(
        () -> CertificateAuthentication.verify(new byte[Tls.MAX_CERTIFICATE_BYTES + 1], NOW),
        Reason.MALFORMED);
    assertReason(
        () -> CertificateAuthentication.verify(new byte[] {0x30, 0x03, 0x02, 0x01}, NOW),
        Reason.MALFORMED);
  }

  /**
   * rust-libp2p's certificates (rcgen) carry an empty issuer and subject: RFC 5280 wants names, the
   * libp2p spec gives them no meaning, and both the JDK's and BouncyCastle's X.509 parsers refuse
   * them. Built here field by field, as rcgen does, and accepted.
   */
  @Test
  void anEmptyIssuerAndSubjectAreAccepted() throws Exception {
    PrivateKey host = Keys.generateEd25519(RANDOM);
    KeyPair key = CertificateAuthentication.newCertificateKey(RANDOM);
    Extension extension =
        new Extension(
            LIBP2P,
            true,
            new DEROctetString(
                CertificateAuthentication.signedKey(host, key.getPublic().getEncoded())));
    AlgorithmIdentifier ecdsaSha256 =
        new AlgorithmIdentifier(X9ObjectIdentifiers.ecdsa_with_SHA256);
    DERSequence noName = new DERSequence();
    DERSequence tbs =
        new DERSequence(
            new ASN1Encodable[] {
              new DERTaggedObject(true, 0, new ASN1Integer(2)),
              new ASN1Integer(1),
              ecdsaSha256,
              noName,
              new DERSequence(
                  new ASN1Encodable[] {
                    new Time(Date.from(NOW.minus(Duration.ofHours(1)))),
                    new Time(Date.from(NOW.plus(Duration.ofHours(1))))
                  }),
              noName,
              SubjectPublicKeyInfo.getInstance(key.getPublic().getEncoded()),
              new DERTaggedObject(true, 3, new Extensions(extension))
            });
    Signature signer = Signature.getInstance("SHA256withECDSA");
    signer.initSign(key.getPrivate(), RANDOM);
    signer.update(tbs.getEncoded(ASN1Encoding.DER));
    byte[] der =
        new DERSequence(new ASN1Encodable[] {tbs, ecdsaSha256, new DERBitString(signer.sign())})
            .getEncoded(ASN1Encoding.DER);

    assertThat(CertificateAuthentication.verify(der, NOW)).isEqualTo(host.publicKey());

    // and a byte flipped in its signed part still breaks it
    byte[] tampered = der.clone();
    tampered[tampered.length / 2] ^= 1;
    assertThatThrownBy(() -> CertificateAuthentication.verify(tampered, NOW))
        .isInstanceOf(TlsAuthenticationException.class);
  }

  private static X509Certificate selfSigned(Extensions extensions) {
    return CertificateAuthentication.selfSign(
        CertificateAuthentication.newCertificateKey(RANDOM),
        NOW.minus(Duration.ofHours(1)),
        NOW.plus(Duration.ofHours(1)),
        extensions,
        RANDOM);
  }

  private static void assertReason(Runnable verification, Reason reason) {
    assertThatThrownBy(verification::run)
        .isInstanceOf(TlsAuthenticationException.class)
        .satisfies(e -> assertThat(((TlsAuthenticationException) e).reason()).isEqualTo(reason));
  }
}
