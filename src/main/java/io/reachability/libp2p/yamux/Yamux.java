package io.reachability.libp2p.yamux;

import java.time.Duration;

/**
 * The yamux protocol id, wire constants and every named limit and timeout of this implementation.
 *
 * @see <a href="https://github.com/hashicorp/yamux/blob/master/spec.md">hashicorp yamux spec</a>
 * @see <a href="https://github.com/libp2p/specs/blob/master/yamux/README.md">libp2p yamux notes</a>
 */
public final class Yamux {

  /**
   * Protocol id negotiated with multistream-select.
   *
   * @see <a href="https://github.com/libp2p/specs/blob/master/yamux/README.md#specification">libp2p
   *     yamux</a>
   */
  public static final String PROTOCOL_ID = "/yamux/1.0.0";

  /**
   * The only protocol version; any other value in a header is a protocol error.
   *
   * @see <a href="https://github.com/hashicorp/yamux/blob/master/spec.md#version-field">Version
   *     field</a>
   */
  public static final int VERSION = 0;

  /**
   * Bytes in every frame header: version (1), type (1), flags (2), stream id (4), length (4).
   *
   * @see <a href="https://github.com/hashicorp/yamux/blob/master/spec.md#framing">Framing</a>
   */
  public static final int HEADER_LENGTH = 12;

  /**
   * Stream id reserved for the session (PING and GO_AWAY frames).
   *
   * @see <a href="https://github.com/hashicorp/yamux/blob/master/spec.md#streamid-field">StreamID
   *     field</a>
   */
  public static final int SESSION_STREAM_ID = 0;

  /**
   * Window every stream starts with, in both directions, before any WINDOW_UPDATE.
   *
   * @see <a href="https://github.com/hashicorp/yamux/blob/master/spec.md#flow-control">Flow
   *     control</a>
   */
  public static final int INITIAL_WINDOW_SIZE = 256 * 1024;

  /**
   * Largest receive window we are willing to advertise per stream (go-yamux uses the same cap),
   * which is also the largest DATA frame the codec can be configured to accept.
   *
   * @see <a href="https://github.com/libp2p/go-yamux/blob/master/const.go">go-yamux
   *     maxStreamWindow</a>
   */
  public static final int MAX_WINDOW_SIZE = 16 * 1024 * 1024;

  /**
   * Largest DATA payload we put in one outbound frame, so one busy stream cannot monopolise the
   * connection.
   *
   * @see <a href="https://github.com/libp2p/go-yamux/blob/master/mux.go">go-yamux
   *     MaxMessageSize</a>
   */
  public static final int MAX_OUTBOUND_FRAME_PAYLOAD = 64 * 1024;

  /**
   * Default number of peer-opened streams open at the same time; a SYN beyond it is answered with
   * RST.
   *
   * @see <a href="https://github.com/libp2p/specs/blob/master/yamux/README.md#ack-backlog">ACK
   *     backlog</a>
   */
  public static final int DEFAULT_MAX_INBOUND_STREAMS = 256;

  /**
   * Most streams we open that the peer has not yet acknowledged; {@code openStream()} fails beyond
   * it.
   *
   * @see <a href="https://github.com/libp2p/specs/blob/master/yamux/README.md#ack-backlog">ACK
   *     backlog</a>
   */
  public static final int MAX_ACK_BACKLOG = 256;

  /**
   * How long {@code ping()} waits for the peer's PING ACK before failing.
   *
   * @see <a href="https://github.com/hashicorp/yamux/blob/master/spec.md#type-field">Ping type</a>
   */
  public static final Duration PING_TIMEOUT = Duration.ofSeconds(10);

  /**
   * How long a locally closed stream waits for the peer's FIN before it is reset and forgotten.
   *
   * @see <a href="https://github.com/libp2p/go-yamux/blob/master/mux.go">go-yamux
   *     StreamCloseTimeout</a>
   */
  public static final Duration STREAM_CLOSE_TIMEOUT = Duration.ofMinutes(5);

  private Yamux() {}
}
