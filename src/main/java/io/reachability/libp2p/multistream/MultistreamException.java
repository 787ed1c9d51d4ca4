package io.reachability.libp2p.multistream;

import io.reachability.libp2p.Libp2pException;

/**
 * A multistream-select negotiation failed: malformed or oversized message, no common protocol,
 * timeout.
 */
public class MultistreamException extends Libp2pException {

  private static final long serialVersionUID = 1L;

  public MultistreamException(String message) {
    super(message);
  }

  public MultistreamException(String message, Throwable cause) {
    super(message, cause);
  }
}
