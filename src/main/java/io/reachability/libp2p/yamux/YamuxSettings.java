package io.reachability.libp2p.yamux;

import java.time.Duration;
import java.util.Objects;

/**
 * Tunables of one yamux session.
 *
 * @param initialWindow receive window we grant every stream, in bytes: at least the spec's {@value
 *     Yamux#INITIAL_WINDOW_SIZE} (both sides assume it; a larger value is announced with the
 *     SYN/ACK), at most {@value Yamux#MAX_WINDOW_SIZE}; the codec must accept DATA frames of this
 *     size
 * @param maxInboundStreams peer-opened streams that may be open at once; a SYN beyond it is
 *     answered with RST
 * @param maxBufferedBytesPerStream most bytes a stream keeps that its pipeline has not read yet;
 *     credit is sent so that buffered bytes plus the peer's window never exceed it (equal to {@code
 *     initialWindow}: credit only for bytes handed to the pipeline; larger: read-ahead)
 * @param maxFramePayload largest DATA payload we send in one frame
 * @param pingTimeout how long {@link YamuxHandler#ping()} waits for the answer
 * @param streamCloseTimeout how long a locally closed stream waits for the peer's FIN before it is
 *     reset
 * @see <a href="https://github.com/hashicorp/yamux/blob/master/spec.md#flow-control">Flow
 *     control</a>
 */
public record YamuxSettings(
    int initialWindow,
    int maxInboundStreams,
    int maxBufferedBytesPerStream,
    int maxFramePayload,
    Duration pingTimeout,
    Duration streamCloseTimeout) {

  public YamuxSettings {
    if (initialWindow < Yamux.INITIAL_WINDOW_SIZE || initialWindow > Yamux.MAX_WINDOW_SIZE) {
      throw new IllegalArgumentException(
          "initialWindow must be in ["
              + Yamux.INITIAL_WINDOW_SIZE
              + ", "
              + Yamux.MAX_WINDOW_SIZE
              + "]: "
              + initialWindow);
    }
    if (maxInboundStreams < 0) {
      throw new IllegalArgumentException(
          "maxInboundStreams must not be negative: " + maxInboundStreams);
    }
    if (maxBufferedBytesPerStream < initialWindow) {
      throw new IllegalArgumentException(
          "maxBufferedBytesPerStream must be at least initialWindow: " + maxBufferedBytesPerStream);
    }
    if (maxFramePayload < 1 || maxFramePayload > Yamux.MAX_WINDOW_SIZE) {
      throw new IllegalArgumentException("maxFramePayload out of range: " + maxFramePayload);
    }
    Objects.requireNonNull(pingTimeout, "pingTimeout");
    Objects.requireNonNull(streamCloseTimeout, "streamCloseTimeout");
    if (pingTimeout.isNegative()
        || pingTimeout.isZero()
        || streamCloseTimeout.isNegative()
        || streamCloseTimeout.isZero()) {
      throw new IllegalArgumentException("timeouts must be positive");
    }
  }

  /**
   * The spec's window, {@value Yamux#DEFAULT_MAX_INBOUND_STREAMS} inbound streams and the timeouts
   * of {@link Yamux}.
   */
  public static YamuxSettings defaults() {
    return new YamuxSettings(
        Yamux.INITIAL_WINDOW_SIZE,
        Yamux.DEFAULT_MAX_INBOUND_STREAMS,
        Yamux.INITIAL_WINDOW_SIZE,
        Yamux.MAX_OUTBOUND_FRAME_PAYLOAD,
        Yamux.PING_TIMEOUT,
        Yamux.STREAM_CLOSE_TIMEOUT);
  }

  public YamuxSettings withInitialWindow(int window) {
    return new YamuxSettings(
        window,
        maxInboundStreams,
        Math.max(window, maxBufferedBytesPerStream),
        maxFramePayload,
        pingTimeout,
        streamCloseTimeout);
  }

  public YamuxSettings withMaxInboundStreams(int max) {
    return new YamuxSettings(
        initialWindow,
        max,
        maxBufferedBytesPerStream,
        maxFramePayload,
        pingTimeout,
        streamCloseTimeout);
  }

  public YamuxSettings withPingTimeout(Duration timeout) {
    return new YamuxSettings(
        initialWindow,
        maxInboundStreams,
        maxBufferedBytesPerStream,
        maxFramePayload,
        timeout,
        streamCloseTimeout);
  }

  public YamuxSettings withStreamCloseTimeout(Duration timeout) {
    return new YamuxSettings(
        initialWindow,
        maxInboundStreams,
        maxBufferedBytesPerStream,
        maxFramePayload,
        pingTimeout,
        timeout);
  }
}
