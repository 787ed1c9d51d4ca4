package io.reachability.libp2p.multiformats;

/**
 * RFC 4648 base32, lower case, without padding (multibase prefix 'b'), the text form of CIDv1.
 *
 * <p>Decoding ignores case (as the multibase spec asks for base32) but is otherwise strict: no
 * padding, no impossible lengths, and the unused trailing bits must be zero.
 *
 * @see <a href="https://datatracker.ietf.org/doc/html/rfc4648#section-6">RFC 4648 §6</a>
 */
public final class Base32 {

  /** The RFC 4648 alphabet in lower case. */
  public static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";

  private static final char[] CHARS = ALPHABET.toCharArray();
  private static final byte[] VALUES = new byte[128];

  static {
    java.util.Arrays.fill(VALUES, (byte) -1);
    for (int i = 0; i < CHARS.length; i++) {
      VALUES[CHARS[i]] = (byte) i;
      VALUES[Character.toUpperCase(CHARS[i])] = (byte) i;
    }
  }

  private Base32() {}

  /** Lower-case base32 without padding. */
  public static String encode(byte[] data) {
    StringBuilder out = new StringBuilder((data.length * 8 + 4) / 5);
    int buffer = 0;
    int bits = 0;
    for (byte b : data) {
      buffer = (buffer << 8) | (b & 0xFF);
      bits += 8;
      while (bits >= 5) {
        bits -= 5;
        out.append(CHARS[(buffer >>> bits) & 0x1F]);
      }
    }
    if (bits > 0) {
      out.append(CHARS[(buffer << (5 - bits)) & 0x1F]);
    }
    return out.toString();
  }

  /** Decodes unpadded base32 in either case. */
  public static byte[] decode(CharSequence text) {
    int length = text.length();
    // 8 characters carry 5 bytes; a final group of 1, 3 or 6 characters cannot end on a byte
    // boundary.
    int rest = length % 8;
    if (rest == 1 || rest == 3 || rest == 6) {
      throw new MultiformatsException("invalid base32 length " + length);
    }
    byte[] out = new byte[length * 5 / 8];
    int buffer = 0;
    int bits = 0;
    int pos = 0;
    for (int i = 0; i < length; i++) {
      char c = text.charAt(i);
      int value = c < 128 ? VALUES[c] : -1;
      if (value < 0) {
        throw new MultiformatsException("invalid base32 character '" + c + "' at index " + i);
      }
      buffer = (buffer << 5) | value;
      bits += 5;
      if (bits >= 8) {
        bits -= 8;
        out[pos++] = (byte) (buffer >>> bits);
      }
    }
    if ((buffer & ((1 << bits) - 1)) != 0) {
      throw new MultiformatsException("base32 text has non-zero trailing bits");
    }
    return out;
  }
}
