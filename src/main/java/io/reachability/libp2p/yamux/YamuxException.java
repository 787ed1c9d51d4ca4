package io.reachability.libp2p.yamux;

import io.reachability.libp2p.Libp2pException;

/** A yamux protocol violation or a failed session/stream operation. */
public class YamuxException extends Libp2pException {

  private static final long serialVersionUID = 1L;

  public YamuxException(String message) {
    super(message);
  }

  public YamuxException(String message, Throwable cause) {
    super(message, cause);
  }
}
