package io.reachability.libp2p.multiformats;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.util.Locale;

/**
 * How a multiaddr protocol's value is written as text and as bytes. Each codec validates both
 * directions, so a value read from bytes is as checked as one parsed from text. Error messages name
 * the protocol and the offending value.
 *
 * @see <a href="https://github.com/multiformats/multiaddr/blob/master/protocols.csv">multiaddr
 *     protocols</a>
 */
enum ValueCodec {
  /** No value. */
  NONE {
    @Override
    byte[] toBytes(Protocol protocol, String text) {
      return new byte[0];
    }

    @Override
    String toText(Protocol protocol, byte[] value) {
      return "";
    }
  },

  /** Dotted-quad IPv4 address. */
  IP4 {
    @Override
    byte[] toBytes(Protocol protocol, String text) {
      byte[] address = IpLiterals.parseIp4(text);
      if (address == null) {
        throw bad(protocol, "address", text);
      }
      return address;
    }

    @Override
    String toText(Protocol protocol, byte[] value) {
      return IpLiterals.formatIp4(value);
    }
  },

  /** IPv6 address, printed in RFC 5952 form. */
  IP6 {
    @Override
    byte[] toBytes(Protocol protocol, String text) {
      byte[] address = IpLiterals.parseIp6(text);
      if (address == null) {
        throw bad(protocol, "address", text);
      }
      return address;
    }

    @Override
    String toText(Protocol protocol, byte[] value) {
      return IpLiterals.formatIp6(value);
    }
  },

  /** Decimal 16-bit port, big-endian. */
  PORT {
    @Override
    byte[] toBytes(Protocol protocol, String text) {
      long port = parseDecimal(protocol, "port", text, 0xFFFF);
      return new byte[] {(byte) (port >>> 8), (byte) port};
    }

    @Override
    String toText(Protocol protocol, byte[] value) {
      return Integer.toString((value[0] & 0xFF) << 8 | (value[1] & 0xFF));
    }
  },

  /** Decimal 8-bit number (an IP prefix length). */
  UINT8 {
    @Override
    byte[] toBytes(Protocol protocol, String text) {
      return new byte[] {(byte) parseDecimal(protocol, "value", text, 0xFF)};
    }

    @Override
    String toText(Protocol protocol, byte[] value) {
      return Integer.toString(value[0] & 0xFF);
    }
  },

  /** Decimal unsigned 64-bit number, big-endian. */
  UINT64 {
    @Override
    byte[] toBytes(Protocol protocol, String text) {
      if (!isDecimal(text) || text.length() > 20) {
        throw bad(protocol, "value", text);
      }
      long value;
      try {
        value = Long.parseUnsignedLong(text);
      } catch (NumberFormatException e) {
        throw new MultiformatsException(protocol + " value " + text + " out of range");
      }
      return ByteBuffer.allocate(Long.BYTES).putLong(value).array();
    }

    @Override
    String toText(Protocol protocol, byte[] value) {
      return Long.toUnsignedString(ByteBuffer.wrap(value).getLong());
    }
  },

  /**
   * A name (DNS name, SNI, IPv6 zone): non-empty UTF-8 without '/', which would break the text
   * form.
   */
  NAME {
    @Override
    byte[] toBytes(Protocol protocol, String text) {
      byte[] value = text.getBytes(UTF_8);
      check(protocol, value, text);
      return value;
    }

    @Override
    String toText(Protocol protocol, byte[] value) {
      String text = utf8(protocol, value);
      check(protocol, value, text);
      return text;
    }

    private void check(Protocol protocol, byte[] value, String text) {
      if (value.length == 0) {
        throw new MultiformatsException("empty " + protocol + " value");
      }
      if (value.length > Protocol.MAX_NAME_LENGTH) {
        throw new MultiformatsException(
            protocol + " value of " + value.length + " bytes is too long");
      }
      if (text.indexOf('/') >= 0) {
        throw new MultiformatsException(protocol + " value \"" + text + "\" contains '/'");
      }
    }
  },

  /** A filesystem path: the rest of the multiaddr, starting with '/' and not ending with one. */
  PATH {
    @Override
    byte[] toBytes(Protocol protocol, String text) {
      byte[] value = text.getBytes(UTF_8);
      check(protocol, text);
      return value;
    }

    @Override
    String toText(Protocol protocol, byte[] value) {
      String text = utf8(protocol, value);
      check(protocol, text);
      return text;
    }

    private void check(Protocol protocol, String text) {
      if (text.length() < 2 || text.charAt(0) != '/') {
        throw new MultiformatsException("bad " + protocol + " path \"" + text + "\"");
      }
      if (text.endsWith("/")) {
        throw new MultiformatsException(protocol + " path \"" + text + "\" must not end with '/'");
      }
    }
  },

  /**
   * A peer id multihash (identity or sha2-256), written as base58btc; text input may also be a
   * CIDv1 with the libp2p-key codec.
   */
  PEER_ID {
    @Override
    byte[] toBytes(Protocol protocol, String text) {
      if (text.length() > Cid.MAX_TEXT_LENGTH) {
        throw new MultiformatsException(
            protocol + " value of " + text.length() + " characters is too long");
      }
      byte[] multihash;
      try {
        if (text.startsWith("Qm") || text.startsWith("1")) {
          multihash = Base58.decode(text);
        } else {
          Cid cid = Cid.decode(text);
          if (cid.codec() != Cid.LIBP2P_KEY) {
            throw new MultiformatsException(
                "CID codec 0x" + Long.toHexString(cid.codec()) + " is not libp2p-key");
          }
          multihash = cid.multihash().toBytes();
        }
        check(multihash);
      } catch (MultiformatsException e) {
        throw new MultiformatsException(
            "bad " + protocol + " peer id \"" + text + "\": " + e.getMessage(), e);
      }
      return multihash;
    }

    @Override
    String toText(Protocol protocol, byte[] value) {
      try {
        check(value);
      } catch (MultiformatsException e) {
        throw new MultiformatsException("bad " + protocol + " peer id: " + e.getMessage(), e);
      }
      return Base58.encode(value);
    }

    private void check(byte[] multihash) {
      Multihash hash = Multihash.decode(multihash);
      if (hash.code() != Multihash.IDENTITY && hash.code() != Multihash.SHA2_256) {
        throw new MultiformatsException(
            "multihash code 0x" + Long.toHexString(hash.code()) + " is not identity or sha2-256");
      }
    }
  },

  /** A multihash written as multibase; output is base64url, as go-multiaddr writes it. */
  MULTIBASE_MULTIHASH {
    @Override
    byte[] toBytes(Protocol protocol, String text) {
      try {
        byte[] value = Multibase.decode(text);
        Multihash.decode(value);
        return value;
      } catch (MultiformatsException e) {
        throw new MultiformatsException(
            "bad " + protocol + " \"" + text + "\": " + e.getMessage(), e);
      }
    }

    @Override
    String toText(Protocol protocol, byte[] value) {
      try {
        Multihash.decode(value);
      } catch (MultiformatsException e) {
        throw new MultiformatsException("bad " + protocol + ": " + e.getMessage(), e);
      }
      return Multibase.BASE64URL.encode(value);
    }
  },

  /** Tor v2 onion: 16 base32 characters, ':', port 1–65535 (10 + 2 bytes). */
  ONION {
    @Override
    byte[] toBytes(Protocol protocol, String text) {
      return onionToBytes(protocol, text, 16);
    }

    @Override
    String toText(Protocol protocol, byte[] value) {
      return onionToText(protocol, value);
    }
  },

  /** Tor v3 onion: 56 base32 characters, ':', port 1–65535 (35 + 2 bytes). */
  ONION3 {
    @Override
    byte[] toBytes(Protocol protocol, String text) {
      return onionToBytes(protocol, text, 56);
    }

    @Override
    String toText(Protocol protocol, byte[] value) {
      return onionToText(protocol, value);
    }
  };

  /** Text → bytes; {@link MultiformatsException} naming the problem. */
  abstract byte[] toBytes(Protocol protocol, String text);

  /**
   * Bytes → text, validating them; the caller has checked the length of fixed-size values. {@link
   * MultiformatsException} naming the problem.
   */
  abstract String toText(Protocol protocol, byte[] value);

  private static MultiformatsException bad(Protocol protocol, String what, String text) {
    return new MultiformatsException("bad " + protocol + " " + what + " \"" + text + "\"");
  }

  private static boolean isDecimal(String text) {
    if (text.isEmpty()) {
      return false;
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  private static long parseDecimal(Protocol protocol, String what, String text, long max) {
    if (!isDecimal(text)) {
      throw bad(protocol, what, text);
    }
    // Leading zeros are accepted (as go does); the digits that matter are bounded before parsing.
    int start = 0;
    while (start < text.length() - 1 && text.charAt(start) == '0') {
      start++;
    }
    String digits = text.substring(start);
    if (digits.length() > 18 || Long.parseLong(digits) > max) {
      throw new MultiformatsException(what + " " + text + " out of range");
    }
    return Long.parseLong(digits);
  }

  private static String utf8(Protocol protocol, byte[] value) {
    try {
      return UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(value))
          .toString();
    } catch (CharacterCodingException e) {
      throw new MultiformatsException(protocol + " value is not valid UTF-8", e);
    }
  }

  private static byte[] onionToBytes(Protocol protocol, String text, int hostLength) {
    int colon = text.indexOf(':');
    if (colon != hostLength || text.length() > hostLength + 6) {
      throw bad(protocol, "address", text);
    }
    byte[] host;
    try {
      host = Base32.decode(text.substring(0, colon).toLowerCase(Locale.ROOT));
    } catch (MultiformatsException e) {
      throw bad(protocol, "address", text);
    }
    long port = parseDecimal(protocol, "port", text.substring(colon + 1), 0xFFFF);
    if (port == 0) {
      throw new MultiformatsException(protocol + " port 0 out of range");
    }
    byte[] out = new byte[host.length + 2];
    System.arraycopy(host, 0, out, 0, host.length);
    out[host.length] = (byte) (port >>> 8);
    out[host.length + 1] = (byte) port;
    return out;
  }

  private static String onionToText(Protocol protocol, byte[] value) {
    int hostLength = value.length - 2;
    int port = (value[hostLength] & 0xFF) << 8 | (value[hostLength + 1] & 0xFF);
    if (port == 0) {
      throw new MultiformatsException(protocol + " port 0 out of range");
    }
    return Base32.encode(java.util.Arrays.copyOf(value, hostLength)) + ":" + port;
  }
}
