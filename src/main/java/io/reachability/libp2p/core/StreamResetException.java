package io.reachability.libp2p.core;

import io.reachability.libp2p.Libp2pException;

/**
 * Fired into a stream's pipeline when the remote resets the stream: the exchange on it ended
 * abruptly, not by a protocol error of ours. Each muxer reports its resets as a subtype, so
 * protocols above tell a reset from other failures without knowing which muxer carries them.
 */
public class StreamResetException extends Libp2pException {

  private static final long serialVersionUID = 1L;

  public StreamResetException(String message) {
    super(message);
  }
}
