package io.reachability.libp2p.multiformats;

import java.util.Locale;

/**
 * Base36, lower case (multibase prefix 'k'), as IPNS and libp2p-key CIDs use it; same big-number
 * scheme as {@link Base58} with leading zero bytes written as '0'.
 *
 * @see <a href="https://github.com/multiformats/multibase/blob/master/rfcs/Base36.md">multibase
 *     Base36</a>
 */
public final class Base36 {

  /** Digits then lower-case letters. */
  public static final String ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

  /** Longest text (and input in bytes) accepted; the conversion is quadratic in the length. */
  public static final int MAX_LENGTH = 4096;

  private static final BaseX CODEC = new BaseX("base36", ALPHABET, MAX_LENGTH);

  private Base36() {}

  /** Lower-case base36. */
  public static String encode(byte[] data) {
    return CODEC.encode(data);
  }

  /** Decodes base36 text in either case (the multibase spec treats base36 as case-insensitive). */
  public static byte[] decode(String text) {
    return CODEC.decode(text.toLowerCase(Locale.ROOT));
  }
}
