package io.reachability.libp2p.crypto;

import io.reachability.libp2p.Libp2pException;

/**
 * A key could not be read, written or used; the message names the key type or file and the problem.
 */
public class CryptoException extends Libp2pException {

  private static final long serialVersionUID = 1L;

  public CryptoException(String message) {
    super(message);
  }

  public CryptoException(String message, Throwable cause) {
    super(message, cause);
  }
}
