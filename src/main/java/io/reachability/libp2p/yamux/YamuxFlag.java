package io.reachability.libp2p.yamux;

/**
 * Header flags; a frame carries a bit mask of them.
 *
 * @see <a href="https://github.com/hashicorp/yamux/blob/master/spec.md#flag-field">Flag field</a>
 */
public enum YamuxFlag {
  /** Opens a stream; on PING marks a request. */
  SYN(0x1),
  /** Acknowledges a stream; on PING marks the answer. */
  ACK(0x2),
  /** Half-close: the sender sends no more data on the stream. */
  FIN(0x4),
  /** Resets the stream immediately. */
  RST(0x8);

  /** Every bit the spec defines; any other bit in a header is a protocol error. */
  public static final int KNOWN_BITS = 0xF;

  private final int bit;

  YamuxFlag(int bit) {
    this.bit = bit;
  }

  public int bit() {
    return bit;
  }

  /** Whether this flag is set in {@code flags}. */
  public boolean isSet(int flags) {
    return (flags & bit) != 0;
  }

  /** The bit mask of the given flags. */
  public static int mask(YamuxFlag... flags) {
    int mask = 0;
    for (YamuxFlag flag : flags) {
      mask |= flag.bit;
    }
    return mask;
  }

  /** Throws {@link YamuxException} for a bit value that is not exactly one known flag. */
  public static YamuxFlag fromBit(int bit) {
    for (YamuxFlag flag : values()) {
      if (flag.bit == bit) {
        return flag;
      }
    }
    throw new YamuxException("unknown yamux flag 0x" + Integer.toHexString(bit));
  }
}
