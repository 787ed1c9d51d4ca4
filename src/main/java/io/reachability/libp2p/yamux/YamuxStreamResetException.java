package io.reachability.libp2p.yamux;

/** Fired into a stream's pipeline when the peer resets the stream (RST flag). */
public final class YamuxStreamResetException extends YamuxException {

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
