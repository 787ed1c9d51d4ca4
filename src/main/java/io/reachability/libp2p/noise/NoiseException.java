package io.reachability.libp2p.noise;

import io.reachability.libp2p.Libp2pException;

/**
 * A Noise handshake or transport failure: malformed or unauthenticated input, a bad identity, a
 * timeout.
 */
public class NoiseException extends Libp2pException {

  private static final long serialVersionUID = 1L;

  public NoiseException(String message) {
    super(message);
  }

  public NoiseException(String message, Throwable cause) {
    super(message, cause);
  }
}
