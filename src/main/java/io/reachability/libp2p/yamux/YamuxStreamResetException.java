package io.reachability.libp2p.yamux;

import io.reachability.libp2p.core.StreamResetException;

/** Fired into a stream's pipeline when the peer resets the Yamux stream (RST flag). */
public final class YamuxStreamResetException extends StreamResetException {

  private static final long serialVersionUID = 1L;

  private final int streamId;

  public YamuxStreamResetException(int streamId) {
    super("stream " + Integer.toUnsignedString(streamId) + " reset by peer");
    this.streamId = streamId;
  }

  public int streamId() {
    return streamId;
  }
}
