package io.reachability.libp2p.multiformats;

import io.reachability.libp2p.Libp2pException;

/**
 * Malformed multiformats input: a bad varint, base-encoded text, multihash, multibase string or
 * CID.
 */
public class MultiformatsException extends Libp2pException {

  private static final long serialVersionUID = 1L;

  public MultiformatsException(String message) {
    super(message);
  }

  public MultiformatsException(String message, Throwable cause) {
    super(message, cause);
  }
}
