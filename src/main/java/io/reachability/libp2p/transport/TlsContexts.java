package io.reachability.libp2p.transport;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.reachability.libp2p.crypto.CryptoException;
import io.reachability.libp2p.crypto.PrivateKey;
import io.reachability.libp2p.tls.CertificateAuthentication;
import io.reachability.libp2p.tls.CertificateKeyManager;
import io.reachability.libp2p.tls.Tls;
import io.reachability.libp2p.tls.TlsTrustManager;
import java.security.SecureRandom;
import java.time.Clock;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;

/**
 * The TLS 1.3 contexts of {@code /tls/1.0.0} over TCP: one certificate per host (the spec allows
 * reusing it), made on first use, for the client and the server side. Mutual authentication, ALPN
 * {@code libp2p} only, no hostname check (the peer id is checked after the handshake).
 */
final class TlsContexts {

  private static final String TLS_1_3 = "TLSv1.3";

  private final PrivateKey identity;
  private final TlsTrustManager trust = new TlsTrustManager(Clock.systemUTC());
  private @Nullable SslContext client;
  private @Nullable SslContext server;

  TlsContexts(PrivateKey identity) {
    this.identity = identity;
  }

  /** The context for the dialing ({@code initiator}) or the accepting side. */
  synchronized SslContext get(boolean initiator) {
    if (client == null || server == null) {
      build();
    }
    SslContext context = initiator ? client : server;
    if (context == null) {
      throw new IllegalStateException("TLS contexts not built");
    }
    return context;
  }

  /** The trust manager of both contexts, which remembers what the handshakes verified. */
  TlsTrustManager trust() {
    return trust;
  }

  private void build() {
    Clock clock = Clock.systemUTC();
    CertificateAuthentication.SelfSigned certificate =
        CertificateAuthentication.create(identity, clock.instant(), new SecureRandom());
    // the server refuses a client that offers no protocol it speaks, as the spec requires
    ApplicationProtocolConfig alpn =
        new ApplicationProtocolConfig(
            ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.FATAL_ALERT,
            Tls.ALPN);
    CertificateKeyManager keys = new CertificateKeyManager(certificate);
    try {
      client =
          SslContextBuilder.forClient()
              .sslProvider(SslProvider.JDK)
              .protocols(TLS_1_3)
              .keyManager(keys)
              .trustManager(trust)
              .endpointIdentificationAlgorithm(null)
              .applicationProtocolConfig(alpn)
              .build();
      server =
          SslContextBuilder.forServer(keys)
              .sslProvider(SslProvider.JDK)
              .protocols(TLS_1_3)
              .clientAuth(ClientAuth.REQUIRE)
              .trustManager(trust)
              .applicationProtocolConfig(alpn)
              .build();
    } catch (SSLException e) {
      throw new CryptoException("cannot build the TLS contexts: " + e.getMessage(), e);
    }
  }
}
