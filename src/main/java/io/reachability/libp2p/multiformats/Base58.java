package io.reachability.libp2p.multiformats;

/**
 * Base58 with the Bitcoin alphabet ("base58btc"), the text form of peer ids.
 *
 * @see <a href="https://datatracker.ietf.org/doc/html/draft-msporny-base58-03">Base58 encoding</a>
 */
public final class Base58 {

  /** The Bitcoin alphabet: no 0, O, I or l. */
  public static final String ALPHABET =
      "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

  /** Longest text (and input in bytes) accepted; the conversion is quadratic in the length. */
  public static final int MAX_LENGTH = 4096;

  private static final BaseX CODEC = new BaseX("base58btc", ALPHABET, MAX_LENGTH);

  private Base58() {}

  public static String encode(byte[] data) {
    return CODEC.encode(data);
  }

  /** Decodes base58btc text; {@link MultiformatsException} on a character outside the alphabet. */
  public static byte[] decode(CharSequence text) {
    return CODEC.decode(text);
  }
}
