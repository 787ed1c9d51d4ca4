package io.reachability.libp2p.yamux;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import io.netty.buffer.Unpooled;
import org.jspecify.annotations.Nullable;

/**
 * One yamux frame. A DATA frame owns its payload ({@link #content()}): whoever holds the frame
 * releases it ({@code ReferenceCountUtil.release(frame)}). Header-only frames (WINDOW_UPDATE, PING,
 * GO_AWAY) carry an empty buffer, so releasing them is harmless; their {@link #length()} is the
 * delta, opaque value or error code.
 *
 * @see <a href="https://github.com/hashicorp/yamux/blob/master/spec.md#framing">Framing</a>
 */
public final class YamuxFrame extends DefaultByteBufHolder {

  private final YamuxType type;
  private final int flags;
  private final int streamId;
  private final int length;

  private YamuxFrame(YamuxType type, int flags, int streamId, int length, ByteBuf content) {
    super(content);
    if ((flags & ~YamuxFlag.KNOWN_BITS) != 0) {
      throw new IllegalArgumentException("unknown flag bits 0x" + Integer.toHexString(flags));
    }
    this.type = type;
    this.flags = flags;
    this.streamId = streamId;
    this.length = length;
  }

  /** A DATA frame; takes ownership of {@code data}. */
  public static YamuxFrame data(int streamId, int flags, ByteBuf data) {
    return new YamuxFrame(YamuxType.DATA, flags, streamId, data.readableBytes(), data);
  }

  /**
   * A WINDOW_UPDATE frame; {@code delta} is unsigned 32 bits (0 to open, acknowledge or close a
   * stream).
   */
  public static YamuxFrame windowUpdate(int streamId, int flags, int delta) {
    return new YamuxFrame(YamuxType.WINDOW_UPDATE, flags, streamId, delta, Unpooled.EMPTY_BUFFER);
  }

  /** A PING frame on the session id; {@code flags} is SYN for a request, ACK for the answer. */
  public static YamuxFrame ping(int flags, int opaque) {
    return new YamuxFrame(
        YamuxType.PING, flags, Yamux.SESSION_STREAM_ID, opaque, Unpooled.EMPTY_BUFFER);
  }

  /** A GO_AWAY frame on the session id. */
  public static YamuxFrame goAway(YamuxGoAwayCode code) {
    return goAway(code.code());
  }

  static YamuxFrame goAway(int code) {
    return new YamuxFrame(
        YamuxType.GO_AWAY, 0, Yamux.SESSION_STREAM_ID, code, Unpooled.EMPTY_BUFFER);
  }

  /** A header-only frame of any type but DATA, as decoded from the wire. */
  static YamuxFrame header(YamuxType type, int flags, int streamId, int length) {
    if (type == YamuxType.DATA) {
      throw new IllegalArgumentException("DATA frames carry a payload");
    }
    return new YamuxFrame(type, flags, streamId, length, Unpooled.EMPTY_BUFFER);
  }

  public YamuxType type() {
    return type;
  }

  /** The flag bit mask. */
  public int flags() {
    return flags;
  }

  public boolean hasFlag(YamuxFlag flag) {
    return flag.isSet(flags);
  }

  /** The stream id (unsigned 32 bits; 0 is the session). */
  public int streamId() {
    return streamId;
  }

  /**
   * The header's length field (unsigned 32 bits): payload length for DATA, delta for WINDOW_UPDATE,
   * opaque value for PING, error code for GO_AWAY.
   */
  public int length() {
    return length;
  }

  @Override
  public YamuxFrame replace(ByteBuf content) {
    if (type != YamuxType.DATA) {
      return new YamuxFrame(type, flags, streamId, length, content);
    }
    return new YamuxFrame(type, flags, streamId, content.readableBytes(), content);
  }

  @Override
  public YamuxFrame copy() {
    return replace(content().copy());
  }

  @Override
  public YamuxFrame duplicate() {
    return replace(content().duplicate());
  }

  @Override
  public YamuxFrame retainedDuplicate() {
    return replace(content().retainedDuplicate());
  }

  @Override
  public YamuxFrame retain() {
    super.retain();
    return this;
  }

  @Override
  public YamuxFrame retain(int increment) {
    super.retain(increment);
    return this;
  }

  @Override
  public YamuxFrame touch() {
    super.touch();
    return this;
  }

  @Override
  public YamuxFrame touch(@Nullable Object hint) {
    super.touch(hint);
    return this;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof YamuxFrame other)) {
      return false;
    }

    return type == other.type
        && flags == other.flags
        && streamId == other.streamId
        && length == other.length
        && super.equals(other);
  }

  @Override
  public int hashCode() {
    return ((type.hashCode() * 31 + flags) * 31 + streamId) * 31 + length;
  }

  @Override
  public String toString() {
    StringBuilder sb =
        new StringBuilder("YamuxFrame(")
            .append(type)
            .append(", stream ")
            .append(Integer.toUnsignedString(streamId))
            .append(", flags [");
    String sep = "";
    for (YamuxFlag flag : YamuxFlag.values()) {
      if (flag.isSet(flags)) {
        sb.append(sep).append(flag);
        sep = " ";
      }
    }
    return sb.append("], length ").append(Integer.toUnsignedString(length)).append(')').toString();
  }
}
