package io.reachability.libp2p.tls;

import io.reachability.libp2p.Libp2pException;

/** A peer's certificate does not authenticate it; {@link #reason()} says which rule it broke. */
public final class TlsAuthenticationException extends Libp2pException {

  private static final long serialVersionUID = 1L;

  /** The rules of the spec's "Peer Authentication", one each. */
  public enum Reason {
    /** Not exactly one certificate. */
    CHAIN_LENGTH,
    /** Larger than {@link Tls#MAX_CERTIFICATE_BYTES}, or not an X.509 certificate. */
    MALFORMED,
    NOT_YET_VALID,
    EXPIRED,
    /** The certificate's self-signature does not verify. */
    BAD_SELF_SIGNATURE,
    /** The deprecated issuerUniqueID or subjectUniqueID is present. */
    UNIQUE_ID,
    /** A critical extension other than the libp2p one. */
    UNKNOWN_CRITICAL_EXTENSION,
    /** No libp2p Public Key Extension. */
    NO_EXTENSION,
    /** The extension is not a SignedKey, or its public key cannot be read. */
    BAD_EXTENSION,
    /** The host key's signature over the certificate key does not verify. */
    BAD_SIGNATURE,
    /** The certificate authenticates another peer than the one dialed. */
    WRONG_PEER
  }

  private final Reason reason;

  public TlsAuthenticationException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public TlsAuthenticationException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
