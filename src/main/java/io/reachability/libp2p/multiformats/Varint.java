package io.reachability.libp2p.multiformats;

import io.netty.buffer.ByteBuf;

/**
 * Unsigned varint (LEB128) as the multiformats spec restricts it: at most {@value #MAX_LENGTH}
 * bytes, so values fit in 63 bits, and only the minimal encoding of a value is accepted.
 *
 * <p>Decoders tell "not enough bytes yet" (a prefix of a valid varint; wait for more input) apart
 * from "malformed" (a {@link MultiformatsException}): too long, over 63 bits, or not minimal.
 *
 * @see <a href="https://github.com/multiformats/unsigned-varint">multiformats unsigned-varint</a>
 */
public final class Varint {

  /**
   * Longest accepted encoding in bytes (9 bytes carry 63 bits).
   *
   * @see <a
   *     href="https://github.com/multiformats/unsigned-varint#practical-maximum-of-9-bytes-for-security">the
   *     practical maximum of 9 bytes</a>
   */
  public static final int MAX_LENGTH = 9;

  /** Largest encodable value: 2^63 − 1. */
  public static final long MAX_VALUE = Long.MAX_VALUE;

  /** Returned by {@link #read(ByteBuf)} when the buffer holds only a prefix of a varint. */
  public static final long NEED_MORE_BYTES = -1L;

  private Varint() {}

  /**
   * A decoded varint: its value and how many bytes it took; {@link #NEED_MORE} when the input ends
   * inside the varint.
   *
   * @param value the value (−1 for {@link #NEED_MORE})
   * @param length encoded length in bytes (0 for {@link #NEED_MORE})
   */
  public record Decoded(long value, int length) {

    /** The input ended before the last byte of the varint. */
    public static final Decoded NEED_MORE = new Decoded(NEED_MORE_BYTES, 0);

    /** True when more input is needed to finish the varint. */
    public boolean needMore() {
      return length == 0;
    }

    /** The value as an int, or a {@link MultiformatsException} when it does not fit in one. */
    public int intValue() {
      if (needMore()) {
        throw new MultiformatsException("truncated varint");
      }
      if (value > Integer.MAX_VALUE) {
        throw new MultiformatsException("varint " + value + " does not fit in an int");
      }
      return (int) value;
    }
  }

  /** Number of bytes {@code value} takes encoded; {@code value} must be ≥ 0. */
  public static int encodedLength(long value) {
    checkEncodable(value);
    int length = 1;
    while ((value >>>= 7) != 0) {
      length++;
    }
    return length;
  }

  /** The encoding of {@code value} (≥ 0). */
  public static byte[] encode(long value) {
    byte[] out = new byte[encodedLength(value)];
    write(value, out, 0);
    return out;
  }

  /** Writes {@code value} (≥ 0) at {@code offset}; returns the number of bytes written. */
  public static int write(long value, byte[] out, int offset) {
    checkEncodable(value);
    int i = offset;
    while ((value & ~0x7FL) != 0) {
      out[i++] = (byte) ((value & 0x7F) | 0x80);
      value >>>= 7;
    }
    out[i++] = (byte) value;
    return i - offset;
  }

  /** Writes {@code value} (≥ 0) to {@code out}. */
  public static void write(long value, ByteBuf out) {
    checkEncodable(value);
    while ((value & ~0x7FL) != 0) {
      out.writeByte((int) ((value & 0x7F) | 0x80));
      value >>>= 7;
    }
    out.writeByte((int) value);
  }

  /** Decodes the varint at the start of {@code in}. */
  public static Decoded decode(byte[] in) {
    return decode(in, 0, in.length);
  }

  /**
   * Decodes the varint starting at {@code offset}, reading no further than {@code end} (exclusive).
   *
   * @return the value and length, or {@link Decoded#NEED_MORE} when the input ends inside the
   *     varint
   * @throws MultiformatsException when the bytes can never form a valid varint
   */
  public static Decoded decode(byte[] in, int offset, int end) {
    if (offset < 0 || end > in.length || offset > end) {
      throw new IndexOutOfBoundsException(
          "offset " + offset + ", end " + end + ", length " + in.length);
    }
    long value = 0;
    for (int i = 0; i < MAX_LENGTH; i++) {
      if (offset + i >= end) {
        return Decoded.NEED_MORE;
      }
      int b = in[offset + i] & 0xFF;
      value = accumulate(value, b, i);
      if ((b & 0x80) == 0) {
        return new Decoded(value, i + 1);
      }
    }
    throw tooLong();
  }

  /**
   * Reads a varint from {@code in}, advancing the reader index past it.
   *
   * @return the value, or {@link #NEED_MORE_BYTES} with the reader index unchanged when the
   *     readable bytes end inside the varint
   * @throws MultiformatsException when the bytes can never form a valid varint (reader index
   *     unchanged)
   */
  public static long read(ByteBuf in) {
    int start = in.readerIndex();
    int readable = in.readableBytes();
    long value = 0;
    for (int i = 0; i < MAX_LENGTH; i++) {
      if (i >= readable) {
        return NEED_MORE_BYTES;
      }
      int b = in.getUnsignedByte(start + i);
      value = accumulate(value, b, i);
      if ((b & 0x80) == 0) {
        in.readerIndex(start + i + 1);
        return value;
      }
    }
    throw tooLong();
  }

  private static long accumulate(long value, int b, int index) {
    // A final 0x00 after at least one byte means the same value had a shorter encoding.
    if (index > 0 && b == 0) {
      throw new MultiformatsException("varint is not minimally encoded");
    }
    // 9 bytes × 7 bits = 63 bits: the value never reaches the sign bit.
    return value | ((long) (b & 0x7F) << (7 * index));
  }

  private static MultiformatsException tooLong() {
    return new MultiformatsException("varint longer than " + MAX_LENGTH + " bytes");
  }

  private static void checkEncodable(long value) {
    if (value < 0) {
      throw new IllegalArgumentException("varint value must not be negative: " + value);
    }
  }
}
