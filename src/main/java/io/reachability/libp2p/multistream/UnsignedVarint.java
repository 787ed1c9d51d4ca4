package io.reachability.libp2p.multistream;

import io.netty.buffer.ByteBuf;

/**
 * The unsigned LEB128 varint of the multiformats spec, just enough for length prefixes. Kept private to
 * this package until the shared {@code multiformats.Varint} is available.
 *
 * @see <a href="https://github.com/multiformats/unsigned-varint">unsigned-varint specification</a>
 */
final class UnsignedVarint {

  /** Returned by {@link #peek} when the buffer ends inside the varint. */
  static final long NEED_MORE = -1;

  /** The multiformats spec caps a varint at 9 bytes (63 bits). */
  static final int MAX_BYTES = 9;

  private UnsignedVarint() {}

  /**
   * Reads the varint at {@code in.readerIndex()} without moving the reader index.
   *
   * <p>Rejects a value above {@code max} as soon as the bytes seen so far prove it, so a hostile prefix
   * such as {@code ff ff ff 7f} is refused after two bytes, never allocated for. Also rejects non-minimal
   * encodings (a final {@code 0x00} byte after a continuation, e.g. {@code 80 00}) and varints longer than
   * {@link #MAX_BYTES}.
   *
   * @return the value ({@link #size} gives how many bytes it occupies), or {@link #NEED_MORE}
   * @throws MultistreamException naming the problem
   */
  static long peek(ByteBuf in, long max) {
    long value = 0;
    int index = in.readerIndex();
    for (int i = 0; i < MAX_BYTES; i++) {
      if (index + i >= in.writerIndex()) {
        return NEED_MORE;
      }
      int b = in.getByte(index + i) & 0xff;
      value |= (long) (b & 0x7f) << (7 * i);
      if (value > max) {
        throw new MultistreamException(
            "length prefix too large: at least " + value + " bytes, limit " + max);
      }
      if ((b & 0x80) == 0) {
        if (b == 0 && i > 0) {
          throw new MultistreamException("malformed length prefix: non-minimal varint encoding");
        }
        return value;
      }
    }
    throw new MultistreamException("malformed length prefix: varint longer than " + MAX_BYTES + " bytes");
  }

  /** How many bytes the minimal encoding of {@code value} (≥ 0) takes. */
  static int size(long value) {
    int size = 1;
    while ((value >>>= 7) != 0) {
      size++;
    }
    return size;
  }

  /** Writes the minimal encoding of {@code value} (≥ 0). */
  static void write(ByteBuf out, long value) {
    while ((value & ~0x7fL) != 0) {
      out.writeByte((int) ((value & 0x7f) | 0x80));
      value >>>= 7;
    }
    out.writeByte((int) value);
  }
}
