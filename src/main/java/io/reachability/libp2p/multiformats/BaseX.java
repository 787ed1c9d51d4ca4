package io.reachability.libp2p.multiformats;

import java.util.Arrays;

/**
 * Big-number base conversion shared by {@link Base58} and {@link Base36}: the bytes are one
 * big-endian number written in the alphabet, and each leading zero byte becomes one leading zero
 * digit. Quadratic in the input length, so callers bound the length first.
 */
final class BaseX {

  private final String name;
  private final char[] alphabet;
  private final byte[] digits = new byte[128];
  private final int base;
  private final int maxTextLength;

  BaseX(String name, String alphabet, int maxTextLength) {
    this.name = name;
    this.alphabet = alphabet.toCharArray();
    this.base = alphabet.length();
    this.maxTextLength = maxTextLength;
    Arrays.fill(digits, (byte) -1);
    for (int i = 0; i < base; i++) {
      digits[alphabet.charAt(i)] = (byte) i;
    }
  }

  String encode(byte[] data) {
    if (data.length > maxTextLength) {
      throw new MultiformatsException(name + " input of " + data.length + " bytes is too long");
    }
    int zeros = 0;
    while (zeros < data.length && data[zeros] == 0) {
      zeros++;
    }
    // log(256) / log(36) < 1.55; base 58 needs fewer digits than base 36.
    char[] out = new char[data.length * 155 / 100 + 1];
    byte[] number = Arrays.copyOfRange(data, zeros, data.length);
    int start = 0;
    int outPos = out.length;
    while (start < number.length) {
      // Divide number by base in place; the remainder is the next digit from the right.
      int remainder = 0;
      for (int i = start; i < number.length; i++) {
        int acc = (remainder << 8) | (number[i] & 0xFF);
        number[i] = (byte) (acc / base);
        remainder = acc % base;
      }
      out[--outPos] = alphabet[remainder];
      while (start < number.length && number[start] == 0) {
        start++;
      }
    }
    StringBuilder text = new StringBuilder(zeros + out.length - outPos);
    for (int i = 0; i < zeros; i++) {
      text.append(alphabet[0]);
    }
    return text.append(out, outPos, out.length - outPos).toString();
  }

  byte[] decode(CharSequence text) {
    if (text.length() > maxTextLength) {
      throw new MultiformatsException(
          name + " text of " + text.length() + " characters is too long");
    }
    int zeros = 0;
    while (zeros < text.length() && text.charAt(zeros) == alphabet[0]) {
      zeros++;
    }
    // log(58) / log(256) < 0.74; base 36 needs fewer bytes than base 58.
    byte[] number = new byte[(text.length() - zeros) * 74 / 100 + 1];
    int used = 0; // bytes of number in use, counted from the right
    for (int i = zeros; i < text.length(); i++) {
      char c = text.charAt(i);
      int digit = c < 128 ? digits[c] : -1;
      if (digit < 0) {
        throw new MultiformatsException("invalid " + name + " character '" + c + "' at index " + i);
      }
      int carry = digit;
      int j = 0;
      for (int k = number.length - 1; k >= 0 && (carry != 0 || j < used); k--, j++) {
        carry += base * (number[k] & 0xFF);
        number[k] = (byte) carry;
        carry >>>= 8;
      }
      used = j;
    }
    byte[] out = new byte[zeros + used];
    System.arraycopy(number, number.length - used, out, zeros, used);
    return out;
  }
}
