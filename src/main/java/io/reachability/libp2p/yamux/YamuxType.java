package io.reachability.libp2p.yamux;

/**
 * Frame types.
 *
 * @see <a href="https://github.com/hashicorp/yamux/blob/master/spec.md#type-field">Type field</a>
 */
public enum YamuxType {
  /** Stream data; the length field is the payload length. */
  DATA(0),
  /** Window delta for a stream; header only. */
  WINDOW_UPDATE(1),
  /** RTT measurement / keep-alive with an opaque value; header only, stream id 0. */
  PING(2),
  /** Session termination with an error code; header only, stream id 0. */
  GO_AWAY(3);

  private static final YamuxType[] BY_CODE = values();

  private final int code;

  YamuxType(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  /** Throws {@link YamuxException} for a code the spec does not define. */
  public static YamuxType fromCode(int code) {
    if (code < 0 || code >= BY_CODE.length) {
      throw new YamuxException("unknown yamux frame type " + code);
    }
    return BY_CODE[code];
  }
}
