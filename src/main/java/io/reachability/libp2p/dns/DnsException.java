package io.reachability.libp2p.dns;

import io.reachability.libp2p.Libp2pException;

/** A DNS multiaddr that could not be resolved: no such name, no matching record, a bound hit. */
public final class DnsException extends Libp2pException {

  private static final long serialVersionUID = 1L;

  public DnsException(String message) {
    super(message);
  }

  public DnsException(String message, Throwable cause) {
    super(message, cause);
  }
}
