package io.reachability.libp2p;

/**
 * Base of every error the embedded libp2p stack reports; unchecked, with a message that names the
 * problem.
 */
public class Libp2pException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public Libp2pException(String message) {
    super(message);
  }

  public Libp2pException(String message, Throwable cause) {
    super(message, cause);
  }
}
