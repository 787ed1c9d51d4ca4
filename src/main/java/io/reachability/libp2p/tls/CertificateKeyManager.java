package io.reachability.libp2p.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import org.jspecify.annotations.Nullable;

/**
 * Offers a host's one libp2p certificate in every handshake, in both roles. Handed to the TLS
 * context builders instead of the key and certificate: given those, they first store the key in a
 * password-protected PKCS#12 key store, whose key derivation took about 30 ms per context (JFR of
 * the service's start: 0.46 s of the main thread for the fourteen QUIC contexts of seven hosts).
 */
public final class CertificateKeyManager extends X509ExtendedKeyManager {

  /** The one alias: there is nothing to choose between. */
  static final String ALIAS = "libp2p";

  private final PrivateKey key;
  private final X509Certificate[] chain;

  public CertificateKeyManager(CertificateAuthentication.SelfSigned certificate) {
    this.key = certificate.certificateKey();
    this.chain = new X509Certificate[] {certificate.certificate()};
  }

  @Override
  public String[] getClientAliases(String keyType, Principal @Nullable [] issuers) {
    return new String[] {ALIAS};
  }

  @Override
  public String chooseClientAlias(
      String[] keyTypes, Principal @Nullable [] issuers, @Nullable Socket socket) {
    return ALIAS;
  }

  @Override
  public String chooseEngineClientAlias(
      String[] keyTypes, Principal @Nullable [] issuers, @Nullable SSLEngine engine) {
    return ALIAS;
  }

  @Override
  public String[] getServerAliases(String keyType, Principal @Nullable [] issuers) {
    return new String[] {ALIAS};
  }

  @Override
  public String chooseServerAlias(
      String keyType, Principal @Nullable [] issuers, @Nullable Socket socket) {
    return ALIAS;
  }

  @Override
  public String chooseEngineServerAlias(
      String keyType, Principal @Nullable [] issuers, @Nullable SSLEngine engine) {
    return ALIAS;
  }

  @Override
  public X509Certificate @Nullable [] getCertificateChain(String alias) {
    return ALIAS.equals(alias) ? chain.clone() : null;
  }

  @Override
  public @Nullable PrivateKey getPrivateKey(String alias) {
    return ALIAS.equals(alias) ? key : null;
  }
}
