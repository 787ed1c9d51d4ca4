package io.reachability.libp2p.core;

import io.reachability.libp2p.Libp2pException;

/**
 * A multiaddr that cannot be parsed or is not valid; the message names the address and the problem.
 */
public class MultiaddrException extends Libp2pException {

  private static final long serialVersionUID = 1L;

  public MultiaddrException(String message) {
    super(message);
  }

  public MultiaddrException(String message, Throwable cause) {
    super(message, cause);
  }
}
