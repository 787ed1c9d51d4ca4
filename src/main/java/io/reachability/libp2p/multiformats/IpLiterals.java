package io.reachability.libp2p.multiformats;

import org.jspecify.annotations.Nullable;

/**
 * IP address literals parsed and printed without the JDK's resolver, so text can never trigger a
 * DNS lookup. IPv6 output is the RFC 5952 canonical form; IPv4-mapped addresses print as {@code
 * ::ffff:1.2.3.4}, as go-multiaddr prints them.
 *
 * @see <a href="https://datatracker.ietf.org/doc/html/rfc4291#section-2.2">RFC 4291 §2.2 (text
 *     forms)</a>
 * @see <a href="https://datatracker.ietf.org/doc/html/rfc5952#section-4">RFC 5952 §4 (canonical
 *     text)</a>
 */
public final class IpLiterals {

  /**
   * Longest IPv6 literal: eight 4-digit groups, or six groups and a dotted quad (45 characters).
   */
  private static final int MAX_IP6_LENGTH = 45;

  private IpLiterals() {}

  /**
   * Strict dotted-quad IPv4: four decimal parts 0–255 without leading zeros (which some parsers
   * read as octal).
   *
   * @return the four bytes, or null when {@code text} is not such a literal
   */
  public static byte @Nullable [] parseIp4(String text) {
    byte[] out = new byte[4];
    int part = 0;
    int pos = 0;
    int length = text.length();
    while (part < 4) {
      int start = pos;
      int value = 0;
      while (pos < length && pos - start < 4 && isDigit(text.charAt(pos))) {
        value = value * 10 + (text.charAt(pos) - '0');
        pos++;
      }
      int digits = pos - start;
      if (digits == 0 || digits > 3 || value > 255 || (digits > 1 && text.charAt(start) == '0')) {
        return null;
      }
      out[part++] = (byte) value;
      if (part < 4) {
        if (pos >= length || text.charAt(pos) != '.') {
          return null;
        }
        pos++;
      }
    }
    return pos == length ? out : null;
  }

  /**
   * IPv6 literal per RFC 4291 §2.2: hex groups with at most one "::", optionally ending in a dotted
   * quad; no zone (multiaddr carries the zone in {@code /ip6zone}).
   *
   * @return the sixteen bytes, or null when {@code text} is not such a literal
   */
  public static byte @Nullable [] parseIp6(String text) {
    if (text.length() < 2 || text.length() > MAX_IP6_LENGTH) {
      return null;
    }
    String hex = text;
    byte @Nullable [] ip4Tail = null;
    int lastColon = text.lastIndexOf(':');
    if (lastColon < 0) {
      return null;
    }
    if (text.indexOf('.', lastColon) >= 0) {
      ip4Tail = parseIp4(text.substring(lastColon + 1));
      if (ip4Tail == null) {
        return null;
      }
      // Stand two placeholder groups in for the dotted quad, then overwrite the last four bytes.
      hex = text.substring(0, lastColon + 1) + "0:0";
    }
    int[] groups = new int[8];
    int gap = hex.indexOf("::");
    if (gap >= 0) {
      if (hex.indexOf("::", gap + 1) >= 0) {
        return null;
      }
      int[] left = parseGroups(hex.substring(0, gap));
      int[] right = parseGroups(hex.substring(gap + 2));
      // "::" stands for at least one zero group.
      if (left == null || right == null || left.length + right.length > 7) {
        return null;
      }
      System.arraycopy(left, 0, groups, 0, left.length);
      System.arraycopy(right, 0, groups, 8 - right.length, right.length);
    } else {
      int[] all = parseGroups(hex);
      if (all == null || all.length != 8) {
        return null;
      }
      groups = all;
    }
    byte[] out = new byte[16];
    for (int i = 0; i < 8; i++) {
      out[2 * i] = (byte) (groups[i] >>> 8);
      out[2 * i + 1] = (byte) groups[i];
    }
    if (ip4Tail != null) {
      System.arraycopy(ip4Tail, 0, out, 12, 4);
    }
    return out;
  }

  /** Colon-separated groups of 1–4 hex digits; the empty string is zero groups. */
  private static int @Nullable [] parseGroups(String text) {
    if (text.isEmpty()) {
      return new int[0];
    }
    String[] parts = text.split(":", -1);
    if (parts.length > 8) {
      return null;
    }
    int[] groups = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      String part = parts[i];
      if (part.isEmpty() || part.length() > 4) {
        return null;
      }
      int value = 0;
      for (int j = 0; j < part.length(); j++) {
        int digit = hexDigit(part.charAt(j));
        if (digit < 0) {
          return null;
        }
        value = value << 4 | digit;
      }
      groups[i] = value;
    }
    return groups;
  }

  /** Dotted quad of four bytes. */
  public static String formatIp4(byte[] address) {
    if (address.length != 4) {
      throw new IllegalArgumentException("IPv4 address must be 4 bytes, not " + address.length);
    }
    return (address[0] & 0xFF)
        + "."
        + (address[1] & 0xFF)
        + "."
        + (address[2] & 0xFF)
        + "."
        + (address[3] & 0xFF);
  }

  /**
   * RFC 5952 text of sixteen bytes: lower-case hex, no leading zeros, the longest run (first on a
   * tie) of two or more zero groups written as "::"; IPv4-mapped addresses as {@code
   * ::ffff:a.b.c.d}.
   */
  public static String formatIp6(byte[] address) {
    if (address.length != 16) {
      throw new IllegalArgumentException("IPv6 address must be 16 bytes, not " + address.length);
    }
    if (isIp4Mapped(address)) {
      return "::ffff:" + formatIp4(java.util.Arrays.copyOfRange(address, 12, 16));
    }
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = (address[2 * i] & 0xFF) << 8 | (address[2 * i + 1] & 0xFF);
    }
    int bestStart = -1;
    int bestLength = 1; // a single zero group is not shortened (RFC 5952 §4.2.2)
    for (int i = 0; i < 8; ) {
      if (groups[i] != 0) {
        i++;
        continue;
      }
      int start = i;
      while (i < 8 && groups[i] == 0) {
        i++;
      }
      if (i - start > bestLength) {
        bestStart = start;
        bestLength = i - start;
      }
    }
    StringBuilder out = new StringBuilder(39);
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        out.append("::");
        i += bestLength - 1;
        continue;
      }
      if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
        out.append(':');
      }
      out.append(Integer.toHexString(groups[i]));
    }
    return out.toString();
  }

  /**
   * A copy of {@code address} with every bit after the first {@code bits} cleared: its network
   * prefix.
   */
  public static byte[] prefix(byte[] address, int bits) {
    byte[] prefix = java.util.Arrays.copyOf(address, address.length);
    for (int bit = bits; bit < prefix.length * 8; bit++) {
      prefix[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
    }
    return prefix;
  }

  /** True for {@code ::ffff:0:0/96}. */
  public static boolean isIp4Mapped(byte[] address) {
    if (address.length != 16) {
      return false;
    }
    for (int i = 0; i < 10; i++) {
      if (address[i] != 0) {
        return false;
      }
    }
    return address[10] == (byte) 0xFF && address[11] == (byte) 0xFF;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static int hexDigit(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }
}
