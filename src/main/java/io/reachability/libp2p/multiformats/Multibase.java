package io.reachability.libp2p.multiformats;

import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Multibase: text prefixed with one character naming its base. The bases libp2p meets are
 * supported; any other prefix is rejected.
 *
 * @see <a href="https://github.com/multiformats/multibase">multibase</a>
 * @see <a href="https://github.com/multiformats/multibase/blob/master/multibase.csv">multibase
 *     table</a>
 */
public enum Multibase {
  /** Lower-case hexadecimal. */
  BASE16('f'),
  /** Upper-case hexadecimal. */
  BASE16_UPPER('F'),
  /** RFC 4648 base32, lower case, no padding: the default for CIDv1. */
  BASE32('b'),
  /** RFC 4648 base32, upper case, no padding. */
  BASE32_UPPER('B'),
  /** Base36, lower case: the usual text form of IPNS / libp2p-key CIDs. */
  BASE36('k'),
  /** Base36, upper case. */
  BASE36_UPPER('K'),
  /** Base58, Bitcoin alphabet. */
  BASE58BTC('z'),
  /** RFC 4648 base64, no padding. */
  BASE64('m'),
  /** RFC 4648 base64 with padding. */
  BASE64_PAD('M'),
  /** RFC 4648 base64url, no padding: the text form of {@code /certhash}. */
  BASE64URL('u'),
  /** RFC 4648 base64url with padding. */
  BASE64URL_PAD('U');

  private final char prefix;

  Multibase(char prefix) {
    this.prefix = prefix;
  }

  /** The prefix character. */
  public char prefix() {
    return prefix;
  }

  /** The base with this prefix; {@link MultiformatsException} for an unsupported one. */
  public static Multibase forPrefix(char prefix) {
    for (Multibase base : values()) {
      if (base.prefix == prefix) {
        return base;
      }
    }
    throw new MultiformatsException("unsupported multibase prefix '" + prefix + "'");
  }

  /** The base named by the first character of {@code text}. */
  public static Multibase of(String text) {
    if (text.isEmpty()) {
      throw new MultiformatsException("empty multibase string");
    }
    return forPrefix(text.charAt(0));
  }

  /** Prefix + the data in this base. */
  public String encode(byte[] data) {
    return prefix + encodeBare(data);
  }

  /** The data in this base, without the prefix. */
  public String encodeBare(byte[] data) {
    return switch (this) {
      case BASE16 -> HexFormat.of().formatHex(data);
      case BASE16_UPPER -> HexFormat.of().withUpperCase().formatHex(data);
      case BASE32 -> Base32.encode(data);
      case BASE32_UPPER -> Base32.encode(data).toUpperCase(Locale.ROOT);
      case BASE36 -> Base36.encode(data);
      case BASE36_UPPER -> Base36.encode(data).toUpperCase(Locale.ROOT);
      case BASE58BTC -> Base58.encode(data);
      case BASE64 -> Base64.getEncoder().withoutPadding().encodeToString(data);
      case BASE64_PAD -> Base64.getEncoder().encodeToString(data);
      case BASE64URL -> Base64.getUrlEncoder().withoutPadding().encodeToString(data);
      case BASE64URL_PAD -> Base64.getUrlEncoder().encodeToString(data);
      default -> throw new AssertionError(this);
    };
  }

  /**
   * Decodes prefixed multibase text; {@link MultiformatsException} on an unknown prefix or bad
   * text.
   */
  public static byte[] decode(String text) {
    return of(text).decodeBare(text.substring(1));
  }

  /**
   * Decodes text in this base, without the prefix. Base16, base32 and base36 ignore case, as the
   * multibase spec asks.
   */
  public byte[] decodeBare(String text) {
    switch (this) {
      case BASE16, BASE16_UPPER -> {
        return decodeHex(text);
      }
      case BASE32, BASE32_UPPER -> {
        return Base32.decode(text);
      }
      case BASE36, BASE36_UPPER -> {
        return Base36.decode(text);
      }
      case BASE58BTC -> {
        return Base58.decode(text);
      }
      case BASE64, BASE64URL -> {
        if (text.indexOf('=') >= 0) {
          throw new MultiformatsException(
              name().toLowerCase(Locale.ROOT) + " text must not be padded");
        }
        return decodeBase64(text);
      }
      case BASE64_PAD, BASE64URL_PAD -> {
        if (text.length() % 4 != 0) {
          throw new MultiformatsException(name().toLowerCase(Locale.ROOT) + " text must be padded");
        }
        return decodeBase64(text);
      }
      default -> throw new AssertionError(this);
    }
  }

  private byte[] decodeBase64(String text) {
    boolean url = this == BASE64URL || this == BASE64URL_PAD;
    try {
      return (url ? Base64.getUrlDecoder() : Base64.getDecoder()).decode(text);
    } catch (IllegalArgumentException e) {
      throw new MultiformatsException(
          "invalid " + name().toLowerCase(Locale.ROOT) + " text: " + e.getMessage(), e);
    }
  }

  private static byte[] decodeHex(String text) {
    for (int i = 0; i < text.length(); i++) {
      if (Character.digit(text.charAt(i), 16) < 0 || text.charAt(i) > 'f') {
        char c = text.charAt(i);
        throw new MultiformatsException("invalid base16 character '" + c + "' at index " + i);
      }
    }
    if (text.length() % 2 != 0) {
      throw new MultiformatsException("base16 text has an odd length " + text.length());
    }
    return HexFormat.of().parseHex(text);
  }
}
