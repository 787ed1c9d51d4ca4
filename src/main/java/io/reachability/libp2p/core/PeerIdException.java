package io.reachability.libp2p.core;

import io.reachability.libp2p.Libp2pException;

/**
 * A peer id that is not valid: bad text, a multihash other than identity or SHA2-256, a CID of the
 * wrong codec.
 */
public class PeerIdException extends Libp2pException {

  private static final long serialVersionUID = 1L;

  public PeerIdException(String message) {
    super(message);
  }

  public PeerIdException(String message, Throwable cause) {
    super(message, cause);
  }
}
