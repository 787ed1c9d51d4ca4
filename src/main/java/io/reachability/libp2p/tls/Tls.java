package io.reachability.libp2p.tls;

import java.time.Duration;

/**
 * The libp2p TLS handshake's protocol id and named limits.
 *
 * @see <a href="https://github.com/libp2p/specs/blob/master/tls/tls.md">libp2p TLS spec</a>
 */
public final class Tls {

  /** The multistream-select protocol id, when TLS secures a TCP connection. */
  public static final String PROTOCOL_ID = "/tls/1.0.0";

  /** The ALPN protocol both sides offer (the only one). */
  public static final String ALPN = "libp2p";

  /** The libp2p Public Key Extension's OID (IANA enterprise number of Protocol Labs). */
  public static final String EXTENSION_OID = "1.3.6.1.4.1.53594.1.1";

  /** What the host key signs, followed by the certificate's SubjectPublicKeyInfo. */
  public static final String SIGNATURE_PREFIX = "libp2p-tls-handshake:";

  /**
   * The largest certificate we parse. A libp2p certificate is a P-256 key plus the extension: an
   * RSA 8192 host key makes it about 2.3 KB; 16 KiB leaves room for other implementations' extras.
   */
  public static final int MAX_CERTIFICATE_BYTES = 16 * 1024;

  /** Our certificates are valid from this long before they are made (peers' clocks differ). */
  public static final Duration CLOCK_SKEW = Duration.ofHours(1);

  /**
   * How long our certificates stay valid. Their key is fresh and unrelated to the host key, so a
   * long validity costs nothing; go-libp2p uses 100 years too.
   */
  public static final Duration CERTIFICATE_VALIDITY = Duration.ofDays(100L * 365);

  private Tls() {}
}
