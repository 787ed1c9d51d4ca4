package io.reachability.autonat;

import com.google.protobuf.ByteString;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.multiformats.Protocol;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Picks the one address of a DialRequest the server will dial: the <em>first</em> of the first
 * {@link AutonatV2#MAX_ADDRESSES_INSPECTED} that it is willing and able to dial ("The server SHOULD
 * use the first address it is willing to dial. The server MUST NOT dial any address other than this
 * one."). Willing and able means: it parses, it is plain TCP over ip4/ip6 (our only transport; DNS
 * is never resolved here, so it is not dialable either), a real unicast host address (not
 * unspecified, multicast, link-local or zoned, port not 0), public per {@link AddressClass} unless
 * private addresses are allowed, not one of our own addresses, and of an IP family we can reach.
 */
final class AddressSelector {

  /**
   * The chosen address: its index in the request, the address without {@code /p2p}, and where to
   * connect.
   */
  record Selection(int index, Multiaddr address, InetSocketAddress target) {}

  private final boolean allowPrivate;
  private final Supplier<? extends Collection<Multiaddr>> ownAddresses;
  private final Predicate<InetAddress> canReach;

  AddressSelector(
      boolean allowPrivate,
      Supplier<? extends Collection<Multiaddr>> ownAddresses,
      Predicate<InetAddress> canReach) {
    this.allowPrivate = allowPrivate;
    this.ownAddresses = ownAddresses;
    this.canReach = canReach;
  }

  Optional<Selection> select(List<ByteString> addresses) {
    Set<InetSocketAddress> own = null; // worked out only when a candidate gets that far
    int inspected = Math.min(addresses.size(), AutonatV2.MAX_ADDRESSES_INSPECTED);
    for (int i = 0; i < inspected; i++) {
      Optional<InetSocketAddress> candidate = dialableTcp(addresses.get(i));
      if (candidate.isEmpty()) {
        continue;
      }
      InetSocketAddress target = candidate.get();
      InetAddress ip = target.getAddress();
      if (!allowPrivate && !AddressClass.isPublic(ip)) {
        continue;
      }
      if (own == null) {
        own = ownSocketAddresses();
      }
      if (own.contains(normalize(target))) {
        continue;
      }
      if (!canReach.test(ip)) {
        continue;
      }
      return Optional.of(new Selection(i, Multiaddr.fromSocketAddress(target), target));
    }
    return Optional.empty();
  }

  /**
   * The socket address of a plain, dialable TCP address; empty for everything we cannot or will not
   * dial.
   */
  private static Optional<InetSocketAddress> dialableTcp(ByteString bytes) {
    Multiaddr address;
    try {
      address = Multiaddr.fromBytes(bytes.toByteArray());
    } catch (RuntimeException e) {
      return Optional.empty(); // an unknown protocol code or garbage: not an address we can dial
    }
    if (address.has(Protocol.IP6ZONE)) {
      return Optional.empty(); // link-scoped, and the zone names the client's interface, not ours
    }
    Optional<InetSocketAddress> socket = address.toTcpSocketAddress();
    if (socket.isEmpty()) {
      return Optional.empty();
    }
    InetAddress ip = socket.get().getAddress();
    if (socket.get().getPort() == 0
        || ip.isAnyLocalAddress()
        || ip.isLinkLocalAddress()
        || ip.isMulticastAddress()) {
      return Optional.empty();
    }
    return socket;
  }

  private Set<InetSocketAddress> ownSocketAddresses() {
    Set<InetSocketAddress> result = new HashSet<>();
    for (Multiaddr address : ownAddresses.get()) {
      address.toTcpSocketAddress().ifPresent(s -> result.add(normalize(s)));
    }
    return result;
  }

  private static InetSocketAddress normalize(InetSocketAddress socket) {
    return new InetSocketAddress(normalize(socket.getAddress()), socket.getPort());
  }

  /** Drops IPv6 scope ids and turns IPv4-mapped IPv6 into IPv4, so equal hosts compare equal. */
  static InetAddress normalize(InetAddress ip) {
    try {
      return InetAddress.getByAddress(ip.getAddress()); // getByAddress maps ::ffff:a.b.c.d to IPv4
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e); // cannot happen for 4- or 16-byte arrays
    }
  }

  /** Same host: the test for whether dial data is needed (port and transport do not matter). */
  static boolean sameIp(InetAddress a, InetAddress b) {
    return Arrays.equals(normalize(a).getAddress(), normalize(b).getAddress());
  }
}
