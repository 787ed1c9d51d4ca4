package io.reachability.autonat;

import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.multiformats.Protocol;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;

/**
 * The one table that says which IP addresses are <em>public</em>, i.e. worth a reachability check
 * and safe for a server to dial. Everything below is not public; everything else is.
 *
 * <table>
 *   <caption>Non-public ranges</caption>
 *   <tr><th>range</th><th>what</th></tr>
 *   <tr><td>0.0.0.0/8</td><td>"this network", unspecified (RFC 1122)</td></tr>
 *   <tr><td>10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16</td><td>private (RFC 1918)</td></tr>
 *   <tr><td>100.64.0.0/10</td><td>carrier-grade NAT (RFC 6598)</td></tr>
 *   <tr><td>127.0.0.0/8</td><td>loopback</td></tr>
 *   <tr><td>169.254.0.0/16</td><td>link-local (RFC 3927)</td></tr>
 *   <tr><td>192.0.0.0/24</td><td>IETF protocol assignments (RFC 6890)</td></tr>
 *   <tr><td>192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24</td><td>documentation TEST-NETs (RFC 5737)</td></tr>
 *   <tr><td>198.18.0.0/15</td><td>benchmarking (RFC 2544)</td></tr>
 *   <tr><td>224.0.0.0/4, 240.0.0.0/4</td><td>multicast, reserved (incl. broadcast)</td></tr>
 *   <tr><td>::/96</td><td>unspecified, loopback, deprecated IPv4-compatible</td></tr>
 *   <tr><td>::ffff:0:0/96</td><td>IPv4-mapped: classified by the embedded IPv4 address</td></tr>
 *   <tr><td>64:ff9b::/96, 2002::/16</td><td>NAT64 and 6to4: classified by the embedded IPv4
 *       address (a gateway would forward a dial to it)</td></tr>
 *   <tr><td>64:ff9b:1::/48</td><td>local-use NAT64 (RFC 8215)</td></tr>
 *   <tr><td>100::/64</td><td>discard-only (RFC 6666)</td></tr>
 *   <tr><td>2001:db8::/32</td><td>documentation (RFC 3849)</td></tr>
 *   <tr><td>fc00::/7</td><td>unique local (RFC 4193)</td></tr>
 *   <tr><td>fe80::/10</td><td>link-local; any address with a zone is link-scoped too</td></tr>
 *   <tr><td>ff00::/8</td><td>multicast</td></tr>
 * </table>
 *
 * <p>The newer IPv6 documentation prefix 3fff::/20 (RFC 9637) counts as <em>public</em>, as
 * js-libp2p does: the network-namespace tests use it for addresses that every implementation treats
 * as public but that never leave the machine. DNS names are neither: they have no IP until
 * resolved.
 */
public final class AddressClass {

  // never compared or hashed, so array identity in equals() does not matter
  @SuppressWarnings("ArrayRecordComponent")
  private record Range(byte[] prefix, int bits, String name) {}

  /** The name of 100.64.0.0/10: an ISP's NAT shared by its customers. */
  public static final String CARRIER_GRADE_NAT = "carrier-grade NAT (100.64.0.0/10, RFC 6598)";

  private static final String UNIQUE_LOCAL = "unique local (fc00::/7, RFC 4193)";

  /** How the names of the RFC 1918 ranges start. */
  private static final String PRIVATE = "private (";

  private static final List<Range> NON_PUBLIC_V4 =
      List.of(
          v4("0.0.0.0", 8, "this network (0.0.0.0/8)"),
          v4("10.0.0.0", 8, "private (10.0.0.0/8, RFC 1918)"),
          v4("100.64.0.0", 10, CARRIER_GRADE_NAT),
          v4("127.0.0.0", 8, "loopback (127.0.0.0/8)"),
          v4("169.254.0.0", 16, "link-local (169.254.0.0/16)"),
          v4("172.16.0.0", 12, "private (172.16.0.0/12, RFC 1918)"),
          v4("192.0.0.0", 24, "IETF protocol assignments (192.0.0.0/24)"),
          v4("192.0.2.0", 24, "documentation (192.0.2.0/24, RFC 5737)"),
          v4("192.168.0.0", 16, "private (192.168.0.0/16, RFC 1918)"),
          v4("198.18.0.0", 15, "benchmarking (198.18.0.0/15, RFC 2544)"),
          v4("198.51.100.0", 24, "documentation (198.51.100.0/24, RFC 5737)"),
          v4("203.0.113.0", 24, "documentation (203.0.113.0/24, RFC 5737)"),
          v4("224.0.0.0", 4, "multicast (224.0.0.0/4)"),
          v4("240.0.0.0", 4, "reserved (240.0.0.0/4, broadcast included)"));

  private static final List<Range> NON_PUBLIC_V6 =
      List.of(
          v6("::", 96, "unspecified, loopback or IPv4-compatible (::/96)"),
          v6("64:ff9b:1::", 48, "local-use NAT64 (64:ff9b:1::/48, RFC 8215)"),
          v6("100::", 64, "discard-only (100::/64, RFC 6666)"),
          v6("2001:db8::", 32, "documentation (2001:db8::/32, RFC 3849)"),
          v6("fc00::", 7, UNIQUE_LOCAL),
          v6("fe80::", 10, "link-local (fe80::/10)"),
          v6("ff00::", 8, "multicast (ff00::/8)"));

  /** The NAT64 well-known prefix 64:ff9b::/96 (RFC 6052); the IPv4 address is the last 32 bits. */
  private static final byte[] NAT64_WELL_KNOWN = literal("64:ff9b::");

  private static final int NAT64_PREFIX_BITS = 96;

  /** 6to4 (RFC 3056): 2002:AABB:CCDD::/48 carries the IPv4 address AA.BB.CC.DD. */
  private static final byte[] SIX_TO_FOUR = literal("2002::");

  private static final int SIX_TO_FOUR_PREFIX_BITS = 16;

  private AddressClass() {}

  /** True when {@code ip} is in none of the non-public ranges. */
  public static boolean isPublic(InetAddress ip) {
    return nonPublicRange(ip).isEmpty();
  }

  /**
   * The non-public range {@code ip} is in, by name (e.g. {@code loopback (127.0.0.0/8)}); empty
   * when it is public. IPv4 inside IPv6 (mapped, NAT64, 6to4) is named by its IPv4 range.
   */
  public static Optional<String> nonPublicRange(InetAddress ip) {
    byte[] bytes = ip.getAddress();
    if (ip instanceof Inet6Address inet6Address) {
      if (inet6Address.getScopeId() != 0 || inet6Address.getScopedInterface() != null) {
        return Optional.of("link-scoped (an IPv6 address with a zone)");
      }
      if (isIpv4Mapped(bytes) || prefixMatches(bytes, NAT64_WELL_KNOWN, NAT64_PREFIX_BITS)) {
        return range(NON_PUBLIC_V4, java.util.Arrays.copyOfRange(bytes, 12, 16));
      }
      if (prefixMatches(bytes, SIX_TO_FOUR, SIX_TO_FOUR_PREFIX_BITS)) {
        return range(NON_PUBLIC_V4, java.util.Arrays.copyOfRange(bytes, 2, 6));
      }
      return range(NON_PUBLIC_V6, bytes);
    }
    return range(NON_PUBLIC_V4, bytes);
  }

  /** In 100.64.0.0/10 (RFC 6598), the range of carrier-grade NATs. */
  public static boolean isCarrierGradeNat(InetAddress ip) {
    return nonPublicRange(ip).filter(CARRIER_GRADE_NAT::equals).isPresent();
  }

  /**
   * In a range NATs hand out to the networks behind them: RFC 1918, carrier-grade NAT, IPv6 unique
   * local. Not loopback or link-local: no NAT stands between those and their peers.
   */
  public static boolean isBehindNatRange(InetAddress ip) {
    return nonPublicRange(ip)
        .filter(
            name ->
                name.startsWith(PRIVATE)
                    || name.equals(CARRIER_GRADE_NAT)
                    || name.equals(UNIQUE_LOCAL))
        .isPresent();
  }

  /** {@link #transport} of a {@code /tcp} address. */
  public static final String TCP = "tcp";

  /** {@link #transport} of a {@code /udp/…/quic-v1} address. */
  public static final String QUIC_V1 = "quic-v1";

  /** {@link #transport} of any other address (none the node can check). */
  public static final String OTHER = "other";

  /**
   * The transport an address is checked over, for REST views and metric tags: {@value #TCP},
   * {@value #QUIC_V1} or {@value #OTHER}. One IP and port can have a verdict per transport.
   */
  public static String transport(Multiaddr address) {
    Multiaddr plain = address.withoutPeerId();
    if (plain.toTcpSocketAddress().isPresent()) {
      return TCP;
    }
    return plain.isQuic() ? QUIC_V1 : OTHER;
  }

  /** True when the address starts with a public {@code /ip4} or {@code /ip6} (no zone). */
  public static boolean isPublic(Multiaddr address) {
    if (address.has(Protocol.IP6ZONE)) {
      return false;
    }
    return ip(address).map(AddressClass::isPublic).orElse(false);
  }

  /**
   * The IP of an address whose first component is {@code /ip4} or {@code /ip6}; empty for DNS and
   * others.
   */
  public static Optional<InetAddress> ip(Multiaddr address) {
    List<Multiaddr.Component> components = address.components();
    int first = 0;
    if (!components.isEmpty() && components.get(0).protocol() == Protocol.IP6ZONE) {
      first = 1;
    }
    if (components.size() <= first) {
      return Optional.empty();
    }
    Multiaddr.Component c = components.get(first);
    if (c.protocol() != Protocol.IP4 && c.protocol() != Protocol.IP6) {
      return Optional.empty();
    }
    try {
      return Optional.of(InetAddress.getByAddress(c.protocol().valueToBytes(c.value())));
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  /** True for an IPv4 address, or an IPv4-mapped IPv6 one. */
  public static boolean isIpv4(InetAddress ip) {
    return ip instanceof Inet4Address || isIpv4Mapped(ip.getAddress());
  }

  private static boolean isIpv4Mapped(byte[] bytes) {
    if (bytes.length != 16) {
      return false;
    }
    for (int i = 0; i < 10; i++) {
      if (bytes[i] != 0) {
        return false;
      }
    }
    return bytes[10] == (byte) 0xff && bytes[11] == (byte) 0xff;
  }

  private static Optional<String> range(List<Range> ranges, byte[] address) {
    for (Range range : ranges) {
      if (range.prefix().length == address.length
          && prefixMatches(range.prefix(), address, range.bits())) {
        return Optional.of(range.name());
      }
    }
    return Optional.empty();
  }

  /** True when the first {@code bits} bits of {@code a} and {@code b} are equal. */
  static boolean prefixMatches(byte[] a, byte[] b, int bits) {
    int full = bits / 8;
    for (int i = 0; i < full; i++) {
      if (a[i] != b[i]) {
        return false;
      }
    }
    int rest = bits % 8;
    if (rest == 0) {
      return true;
    }
    int mask = 0xff << (8 - rest) & 0xff;
    return (a[full] & mask) == (b[full] & mask);
  }

  private static Range v4(String text, int bits, String name) {
    return new Range(literal(text), bits, name);
  }

  private static Range v6(String text, int bits, String name) {
    return new Range(literal(text), bits, name);
  }

  private static byte[] literal(String text) {
    try {
      // literals only: InetAddress does not resolve them
      return InetAddress.getByName(text).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
