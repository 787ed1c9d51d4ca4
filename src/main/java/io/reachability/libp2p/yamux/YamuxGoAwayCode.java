package io.reachability.libp2p.yamux;

/**
 * Error codes carried in the length field of a GO_AWAY frame.
 *
 * @see <a href="https://github.com/hashicorp/yamux/blob/master/spec.md#session-termination">Session
 *     termination</a>
 */
public enum YamuxGoAwayCode {
  NORMAL(0),
  PROTOCOL_ERROR(1),
  INTERNAL_ERROR(2);

  private static final YamuxGoAwayCode[] BY_CODE = values();

  private final int code;

  YamuxGoAwayCode(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  /** Throws {@link YamuxException} for a code the spec does not define. */
  public static YamuxGoAwayCode fromCode(int code) {
    if (code < 0 || code >= BY_CODE.length) {
      throw new YamuxException("unknown yamux go-away code " + Integer.toUnsignedString(code));
    }
    return BY_CODE[code];
  }
}
