package io.reachability.libp2p.host;

import io.reachability.libp2p.multiformats.IpLiterals;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Counts a host's inbound connections (from TCP accept, so upgrading ones too) in all, per IP and
 * per subnet, and turns away one that would exceed a bound. Thread-safe: connections are accepted
 * on every event loop.
 */
final class InboundLimits {

  /** IPv4 addresses in one /24 share a subnet bound (a typical smallest allocation). */
  static final int IPV4_SUBNET_BITS = 24;

  /** IPv6 addresses in one /64 share a subnet bound: a /64 is one end network, often one host. */
  static final int IPV6_SUBNET_BITS = 64;

  /** The network an address belongs to, for {@link #subnet}: the masked prefix and its length. */
  record Subnet(InetAddress prefix, int bits) {
    @Override
    public String toString() {
      return prefix.getHostAddress() + "/" + bits;
    }
  }

  private final int maxInbound;
  private final int maxPerIp;
  private final int maxPerSubnet;

  // guarded by this
  private int inbound;
  private final Map<InetAddress, Integer> perIp = new HashMap<>();
  private final Map<Subnet, Integer> perSubnet = new HashMap<>();

  InboundLimits(int maxInbound, int maxPerIp, int maxPerSubnet) {
    this.maxInbound = maxInbound;
    this.maxPerIp = maxPerIp;
    this.maxPerSubnet = maxPerSubnet;
  }

  /**
   * Counts one more inbound connection from {@code ip} when every bound allows it: null then (call
   * {@link #release} exactly once when it closes), otherwise why not.
   */
  synchronized @Nullable String tryAdmit(InetAddress ip) {
    InetAddress key = normalize(ip);
    Subnet subnet = subnet(key);
    if (inbound >= maxInbound) {
      return maxInbound + " inbound connections open";
    }
    if (perIp.getOrDefault(key, 0) >= maxPerIp) {
      return maxPerIp + " open from that address";
    }
    if (perSubnet.getOrDefault(subnet, 0) >= maxPerSubnet) {
      return maxPerSubnet + " open from " + subnet;
    }
    inbound++;
    perIp.merge(key, 1, Integer::sum);
    perSubnet.merge(subnet, 1, Integer::sum);
    return null;
  }

  /**
   * One connection {@link #tryAdmit admitted} from {@code ip} closed; counters at zero are dropped.
   */
  synchronized void release(InetAddress ip) {
    InetAddress key = normalize(ip);
    inbound--;
    perIp.computeIfPresent(key, (k, n) -> n > 1 ? n - 1 : null);
    perSubnet.computeIfPresent(subnet(key), (k, n) -> n > 1 ? n - 1 : null);
  }

  synchronized int inbound() {
    return inbound;
  }

  synchronized int fromIp(InetAddress ip) {
    return perIp.getOrDefault(normalize(ip), 0);
  }

  synchronized int fromSubnet(InetAddress ip) {
    return perSubnet.getOrDefault(subnet(ip), 0);
  }

  /** The subnet whose bound {@code ip} counts against: its /24 (IPv4) or /64 (IPv6). */
  static Subnet subnet(InetAddress ip) {
    InetAddress address = normalize(ip);
    byte[] bytes = address.getAddress();
    int bits = bytes.length == 4 ? IPV4_SUBNET_BITS : IPV6_SUBNET_BITS;
    return new Subnet(byAddress(IpLiterals.prefix(bytes, bits)), bits);
  }

  /**
   * {@code ip} as the key it counts under: an IPv4-mapped IPv6 address (an IPv4 peer on a
   * dual-stack socket) is that IPv4 address, and an IPv6 scope is dropped.
   */
  static InetAddress normalize(InetAddress ip) {
    if (ip instanceof Inet4Address) {
      return ip;
    }
    byte[] bytes = ip.getAddress();
    if (IpLiterals.isIp4Mapped(bytes)) {
      return byAddress(Arrays.copyOfRange(bytes, 12, 16));
    }
    return ip instanceof Inet6Address inet6Address && inet6Address.getScopeId() == 0
        ? ip
        : byAddress(bytes);
  }

  private static InetAddress byAddress(byte[] bytes) {
    try {
      return bytes.length == 16
          ? Inet6Address.getByAddress(null, bytes, -1)
          : InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an IP address: " + Arrays.toString(bytes), e);
    }
  }
}
