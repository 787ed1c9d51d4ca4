package io.reachability.libp2p.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.crypto.Keys;
import io.reachability.libp2p.crypto.PrivateKey;
import io.reachability.testing.MutableClock;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The trust manager checks a certificate once, in the handshake, and answers the peer-id check
 * after it from that result, never trusting what it has not verified itself.
 */
class TlsTrustManagerTest {

  private static final Instant NOW = Instant.parse("2026-12-05T12:00:00Z");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final PrivateKey host = Keys.generateEd25519(RANDOM);
  private final X509Certificate certificate =
      CertificateAuthentication.create(host, NOW, RANDOM).certificate();
  private final PeerId peer = PeerId.fromPublicKey(host.publicKey());

  private static TlsTrustManager at(Instant now) {
    return new TlsTrustManager(Clock.fixed(now, ZoneOffset.UTC));
  }

  @Test
  void theHandshakesCheckAnswersThePeerIdCheck() throws Exception {
    TlsTrustManager trust = at(NOW);
    trust.checkClientTrusted(new X509Certificate[] {certificate}, "EC");
    assertThat(trust.hostKey(List.of(certificate), peer)).isEqualTo(host.publicKey());
    assertThat(trust.hostKey(List.of(certificate), null)).isEqualTo(host.publicKey());
  }

  @Test
  void anotherPeerIdIsRefusedEvenForAVerifiedCertificate() throws Exception {
    TlsTrustManager trust = at(NOW);
    trust.checkServerTrusted(new X509Certificate[] {certificate}, "EC");
    PeerId someoneElse = PeerId.fromPublicKey(Keys.generateEd25519(RANDOM).publicKey());
    assertThatThrownBy(() -> trust.hostKey(List.of(certificate), someoneElse))
        .isInstanceOf(TlsAuthenticationException.class)
        .satisfies(
            e ->
                assertThat(((TlsAuthenticationException) e).reason())
                    .isEqualTo(TlsAuthenticationException.Reason.WRONG_PEER));
  }

  @Test
  void aCertificateItNeverSawIsVerifiedInFull() {
    assertThat(at(NOW).hostKey(List.of(certificate), peer)).isEqualTo(host.publicKey());
    assertThatThrownBy(
            () ->
                at(NOW.plus(Tls.CERTIFICATE_VALIDITY.plusDays(1)))
                    .hostKey(List.of(certificate), peer))
        .isInstanceOf(TlsAuthenticationException.class);
  }

  @Test
  void aRefusedCertificateIsNeverRemembered() {
    TlsTrustManager trust = at(NOW.plus(Tls.CERTIFICATE_VALIDITY.plusDays(1)));
    assertThatThrownBy(() -> trust.checkClientTrusted(new X509Certificate[] {certificate}, "EC"))
        .isInstanceOf(CertificateException.class);
    assertThatThrownBy(() -> trust.hostKey(List.of(certificate), peer))
        .isInstanceOf(TlsAuthenticationException.class);
  }

  @Test
  void aRememberedCertificateIsStillRefusedOnceExpired() throws Exception {
    MutableClock clock = new MutableClock(NOW);
    TlsTrustManager trust = new TlsTrustManager(clock);
    X509Certificate[] chain = {certificate};
    trust.checkServerTrusted(chain, "EC");
    trust.checkServerTrusted(chain, "EC"); // remembered: the next connection of that peer
    clock.advance(Tls.CERTIFICATE_VALIDITY.plusDays(1));
    assertThatThrownBy(() -> trust.checkServerTrusted(chain, "EC"))
        .isInstanceOf(CertificateException.class);
  }

  @Test
  void aTamperedCopyOfARememberedCertificateIsVerifiedAndRefused() throws Exception {
    TlsTrustManager trust = at(NOW);
    trust.checkServerTrusted(new X509Certificate[] {certificate}, "EC");
    byte[] der = certificate.getEncoded();
    // flip a bit of the signature at the end: other bytes, so nothing remembered applies
    der[der.length - 1] ^= 1;
    X509Certificate tampered =
        (X509Certificate)
            java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCertificate(new java.io.ByteArrayInputStream(der));
    assertThatThrownBy(() -> trust.checkServerTrusted(new X509Certificate[] {tampered}, "EC"))
        .isInstanceOf(CertificateException.class);
  }
}
