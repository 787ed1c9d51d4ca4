package io.reachability.libp2p.multiformats;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The multiaddr protocol table: code, name, value size and value codec of every protocol this stack
 * understands. Codes outside this table are rejected (an unknown code also means an unknown value
 * length, so the rest of the address could not be read anyway). Left out: the deprecated
 * p2p-webrtc-star, p2p-webrtc-direct, p2p-stardust and p2p-websocket-star, and the rarely used
 * garlic32, garlic64, http-path, thread, shs, plaintextv2, silverpine and scion.
 *
 * @see <a href="https://github.com/multiformats/multiaddr/blob/master/protocols.csv">multiaddr
 *     protocols</a>
 * @see <a href="https://github.com/multiformats/multicodec/blob/master/table.csv">multicodec
 *     table</a>
 */
public enum Protocol {
  IP4(0x04, "ip4", 32, ValueCodec.IP4),
  TCP(0x06, "tcp", 16, ValueCodec.PORT),
  DCCP(0x21, "dccp", 16, ValueCodec.PORT),
  IP6(0x29, "ip6", 128, ValueCodec.IP6),
  /** IPv6 zone (scope), placed before the {@code /ip6} it qualifies. */
  IP6ZONE(0x2a, "ip6zone", Protocol.LENGTH_PREFIXED, ValueCodec.NAME),
  /** CIDR prefix length for the preceding IP address. */
  IPCIDR(0x2b, "ipcidr", 8, ValueCodec.UINT8),
  DNS(0x35, "dns", Protocol.LENGTH_PREFIXED, ValueCodec.NAME),
  DNS4(0x36, "dns4", Protocol.LENGTH_PREFIXED, ValueCodec.NAME),
  DNS6(0x37, "dns6", Protocol.LENGTH_PREFIXED, ValueCodec.NAME),
  DNSADDR(0x38, "dnsaddr", Protocol.LENGTH_PREFIXED, ValueCodec.NAME),
  SCTP(0x84, "sctp", 16, ValueCodec.PORT),
  UDP(0x0111, "udp", 16, ValueCodec.PORT),
  WEBRTC_DIRECT(0x0118, "webrtc-direct", 0, ValueCodec.NONE),
  WEBRTC(0x0119, "webrtc", 0, ValueCodec.NONE),
  P2P_CIRCUIT(0x0122, "p2p-circuit", 0, ValueCodec.NONE),
  UDT(0x012d, "udt", 0, ValueCodec.NONE),
  UTP(0x012e, "utp", 0, ValueCodec.NONE),
  /** Unix domain socket; the value is the rest of the address, a path starting with '/'. */
  UNIX(0x0190, "unix", Protocol.LENGTH_PREFIXED, ValueCodec.PATH),
  /**
   * Peer id: base58btc multihash in text (a libp2p-key CID is accepted on input; "ipfs" is an
   * alias).
   */
  P2P(0x01a5, "p2p", Protocol.LENGTH_PREFIXED, ValueCodec.PEER_ID),
  HTTPS(0x01bb, "https", 0, ValueCodec.NONE),
  ONION(0x01bc, "onion", 96, ValueCodec.ONION),
  ONION3(0x01bd, "onion3", 296, ValueCodec.ONION3),
  TLS(0x01c0, "tls", 0, ValueCodec.NONE),
  /** TLS server name indication. */
  SNI(0x01c1, "sni", Protocol.LENGTH_PREFIXED, ValueCodec.NAME),
  NOISE(0x01c6, "noise", 0, ValueCodec.NONE),
  QUIC(0x01cc, "quic", 0, ValueCodec.NONE),
  QUIC_V1(0x01cd, "quic-v1", 0, ValueCodec.NONE),
  WEBTRANSPORT(0x01d1, "webtransport", 0, ValueCodec.NONE),
  /** Certificate hash: a multihash, written as multibase (base64url on output). */
  CERTHASH(0x01d2, "certhash", Protocol.LENGTH_PREFIXED, ValueCodec.MULTIBASE_MULTIHASH),
  WS(0x01dd, "ws", 0, ValueCodec.NONE),
  WSS(0x01de, "wss", 0, ValueCodec.NONE),
  HTTP(0x01e0, "http", 0, ValueCodec.NONE),
  /** In-process transport address (a 64-bit number), used by tests of some implementations. */
  MEMORY(0x0309, "memory", 64, ValueCodec.UINT64);

  /**
   * {@link #sizeBits()} of a protocol whose value is a varint length followed by that many bytes.
   */
  public static final int LENGTH_PREFIXED = -1;

  /** Longest name-like value (DNS name, SNI, IPv6 zone) in bytes; DNS names are at most 253. */
  public static final int MAX_NAME_LENGTH = 255;

  private static final Map<String, Protocol> BY_NAME = new HashMap<>();
  private static final Map<Long, Protocol> BY_CODE = new HashMap<>();

  static {
    for (Protocol protocol : values()) {
      BY_NAME.put(protocol.protocolName, protocol);
      BY_CODE.put((long) protocol.code, protocol);
    }
    // The old name of /p2p, still accepted on input.
    BY_NAME.put("ipfs", P2P);
  }

  private final int code;
  private final String protocolName;
  private final int sizeBits;
  private final ValueCodec codec;

  Protocol(int code, String protocolName, int sizeBits, ValueCodec codec) {
    this.code = code;
    this.protocolName = protocolName;
    this.sizeBits = sizeBits;
    this.codec = codec;
  }

  /** The multicodec code. */
  public int code() {
    return code;
  }

  /** The name in the text form, e.g. "quic-v1". */
  public String protocolName() {
    return protocolName;
  }

  /** Value size in bits: a fixed size, 0 for no value, or {@link #LENGTH_PREFIXED}. */
  public int sizeBits() {
    return sizeBits;
  }

  /** True when the value is a varint length followed by that many bytes. */
  public boolean isLengthPrefixed() {
    return sizeBits == LENGTH_PREFIXED;
  }

  /** True when the protocol carries a value. */
  public boolean hasValue() {
    return sizeBits != 0;
  }

  /** True when the value is a path that takes the rest of the text form ({@code /unix}). */
  public boolean isPath() {
    return codec == ValueCodec.PATH;
  }

  /** The protocol with this name ("ipfs" gives {@link #P2P}). */
  public static Optional<Protocol> byName(String name) {
    return Optional.ofNullable(BY_NAME.get(name));
  }

  /** The protocol with this code. */
  public static Optional<Protocol> byCode(long code) {
    return Optional.ofNullable(BY_CODE.get(code));
  }

  /**
   * The binary value of text {@code value} (without any length prefix).
   *
   * @throws MultiformatsException naming the problem, e.g. {@code bad ip4 address "1.2.3"}
   */
  public byte[] valueToBytes(String value) {
    return codec.toBytes(this, value);
  }

  /**
   * The text form of binary {@code value} (without any length prefix), validating it.
   *
   * @throws MultiformatsException naming the problem
   */
  public String valueToText(byte[] value) {
    if (sizeBits >= 0 && value.length * 8 != sizeBits) {
      throw new MultiformatsException(
          protocolName + " value must be " + sizeBits / 8 + " bytes, not " + value.length);
    }
    return codec.toText(this, value);
  }

  /** The protocol name, as in the text form. */
  @Override
  public String toString() {
    return protocolName;
  }
}
