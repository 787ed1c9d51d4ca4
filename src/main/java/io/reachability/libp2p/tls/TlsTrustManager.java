package io.reachability.libp2p.tls;

import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.crypto.PublicKey;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import org.jspecify.annotations.Nullable;

/**
 * Trusts exactly the certificates {@link CertificateAuthentication} accepts, in both directions
 * (the spec requires mutual authentication). There is no certificate authority: which peer a
 * certificate authenticates is checked after the handshake, against the peer id dialed ({@link
 * #hostKey}, which reuses what the handshake verified: the signatures are most of a handshake's
 * CPU).
 */
public final class TlsTrustManager extends X509ExtendedTrustManager {

  /** Certificates remembered between the handshake's check and {@link #hostKey}. */
  public static final int VERIFIED_CACHE_SIZE = 256;

  private static final X509Certificate[] NO_ISSUERS = new X509Certificate[0];

  private final Clock clock;

  /** Host keys of certificates verified lately, by their DER bytes; guarded by itself. */
  private final Map<ByteBuffer, PublicKey> verified =
      new LinkedHashMap<>(VERIFIED_CACHE_SIZE, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ByteBuffer, PublicKey> eldest) {
          return size() > VERIFIED_CACHE_SIZE;
        }
      };

  public TlsTrustManager(Clock clock) {
    this.clock = clock;
  }

  private void check(X509Certificate[] chain) throws CertificateException {
    Instant now = clock.instant();
    if (chain.length == 1 && cached(chain[0], now) != null) {
      return; // the same bytes passed before: a peer's every connection presents its one
      // certificate
    }
    try {
      PublicKey hostKey = CertificateAuthentication.verify(List.of(chain), now);
      synchronized (verified) {
        verified.put(ByteBuffer.wrap(chain[0].getEncoded()), hostKey);
      }
    } catch (TlsAuthenticationException e) {
      throw new CertificateException(e.reason() + ": " + e.getMessage(), e);
    }
  }

  /**
   * The host key {@code chain} authenticates, which must be {@code expected}'s when given: the
   * result of this trust manager's own check during the handshake when it has it (the certificate
   * byte for byte, still valid now), else {@link CertificateAuthentication#verify} in full.
   *
   * @throws TlsAuthenticationException naming the rule the chain breaks
   */
  public PublicKey hostKey(List<X509Certificate> chain, @Nullable PeerId expected) {
    Instant now = clock.instant();
    PublicKey hostKey = chain.size() == 1 ? cached(chain.get(0), now) : null;
    if (hostKey == null) {
      hostKey = CertificateAuthentication.verify(chain, now);
    }
    if (expected != null) {
      PeerId actual = PeerId.fromPublicKey(hostKey);
      if (!actual.equals(expected)) {
        throw new TlsAuthenticationException(
            TlsAuthenticationException.Reason.WRONG_PEER,
            "certificate authenticates peer id " + actual + ", expected " + expected);
      }
    }
    return hostKey;
  }

  /**
   * The host key of {@code certificate} when exactly these bytes were verified lately and it is
   * still valid at {@code now}; null otherwise (the full check then names any problem).
   */
  private @Nullable PublicKey cached(X509Certificate certificate, Instant now) {
    try {
      PublicKey hostKey;
      synchronized (verified) {
        hostKey = verified.get(ByteBuffer.wrap(certificate.getEncoded()));
      }
      if (hostKey != null
          && (now.isBefore(certificate.getNotBefore().toInstant())
              || now.isAfter(certificate.getNotAfter().toInstant()))) {
        return null; // expired since
      }
      return hostKey;
    } catch (CertificateEncodingException | RuntimeException e) {
      return null;
    }
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    check(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    check(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    check(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    check(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    check(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    check(chain);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return NO_ISSUERS.clone();
  }
}
