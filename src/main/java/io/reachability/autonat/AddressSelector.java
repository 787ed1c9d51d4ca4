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
import org.jspecify.annotations.Nullable;

/**
 * Picks the one address of a DialRequest the server will dial: the <em>first</em> of the first
 * {@link AutonatV2#MAX_ADDRESSES_INSPECTED} that it is willing and able to dial ("The server SHOULD
 * use the first address it is willing to dial. The server MUST NOT dial any address other than this
 * one."). Willing and able means: it parses, it is plain TCP or QUIC-v1 over ip4/ip6 and the
 * dial-back host has that transport, a real unicast host address (not unspecified, multicast,
 * link-local or zoned, port not 0), public per {@link AddressClass} unless private addresses are
 * allowed, not one of our own addresses (same transport, IP and port), and of an IP family we can
 * reach. A {@code /dns}, {@code /dns4} or {@code /dns6} name of the same shapes is selected as it
 * is (a <em>named</em> selection) and judged by those rules once resolved ({@link #resolved});
 * {@code /dnsaddr} is not (a client's own address is never a record list).
 */
final class AddressSelector {

  /**
   * The chosen address: its index in the request, the address without {@code /p2p}, and where to
   * connect.
   */
  record Selection(int index, Multiaddr address, @Nullable InetSocketAddress target) {

    /** A DNS name, to be resolved (and judged again) before the dial. */
    boolean named() {
      return target == null;
    }
  }

  private final boolean allowPrivate;
  private final Supplier<? extends Collection<Multiaddr>> ownAddresses;
  private final Predicate<InetAddress> canReach;
  private final Predicate<Multiaddr> canDial;

  /** A selector whose dial-back host speaks TCP and QUIC. */
  AddressSelector(
      boolean allowPrivate,
      Supplier<? extends Collection<Multiaddr>> ownAddresses,
      Predicate<InetAddress> canReach) {
    this(allowPrivate, ownAddresses, canReach, address -> true);
  }

  /**
   * @param canDial whether the dial-back host has a transport for a (TCP or QUIC) address
   */
  AddressSelector(
      boolean allowPrivate,
      Supplier<? extends Collection<Multiaddr>> ownAddresses,
      Predicate<InetAddress> canReach,
      Predicate<Multiaddr> canDial) {
    this.allowPrivate = allowPrivate;
    this.ownAddresses = ownAddresses;
    this.canReach = canReach;
    this.canDial = canDial;
  }

  Optional<Selection> select(List<ByteString> addresses) {
    Set<Multiaddr> own = null; // worked out only when a candidate gets that far
    int inspected = Math.min(addresses.size(), AutonatV2.MAX_ADDRESSES_INSPECTED);
    for (int i = 0; i < inspected; i++) {
      Multiaddr parsed = parse(addresses.get(i));
      if (parsed == null) {
        continue;
      }
      Multiaddr named = named(parsed);
      if (named != null) {
        if (canDial.test(named)) {
          return Optional.of(new Selection(i, named, null));
        }
        continue;
      }
      Optional<Multiaddr> candidate = dialable(parsed);
      if (candidate.isEmpty()) {
        continue;
      }
      if (own == null) {
        own = ownSocketAddresses();
      }
      Optional<Selection> selection = admit(i, candidate.get(), own);
      if (selection.isPresent()) {
        return selection;
      }
    }
    return Optional.empty();
  }

  /**
   * The first of the addresses a named selection resolved to that passes every rule an address
   * given as an IP must pass; empty when none does.
   */
  Optional<Selection> resolved(Selection named, List<Multiaddr> addresses) {
    Set<Multiaddr> own = ownSocketAddresses();
    for (Multiaddr address : addresses) {
      Optional<Multiaddr> candidate = dialable(address);
      if (candidate.isPresent()) {
        Optional<Selection> selection = admit(named.index(), candidate.get(), own);
        if (selection.isPresent()) {
          return selection;
        }
      }
    }
    return Optional.empty();
  }

  private Optional<Selection> admit(int index, Multiaddr address, Set<Multiaddr> own) {
    InetSocketAddress target = address.toIpSocketAddress().orElseThrow();
    InetAddress ip = target.getAddress();
    if (!allowPrivate && !AddressClass.isPublic(ip)) {
      return Optional.empty();
    }
    if (own.contains(address) || !canReach.test(ip) || !canDial.test(address)) {
      return Optional.empty();
    }
    return Optional.of(new Selection(index, address, target));
  }

  private static @Nullable Multiaddr parse(ByteString bytes) {
    try {
      return Multiaddr.fromBytes(bytes.toByteArray());
    } catch (RuntimeException e) {
      return null; // an unknown protocol code or garbage: not an address we can dial
    }
  }

  /**
   * A {@code /dns|dns4|dns6} TCP or QUIC-v1 address, without {@code /p2p}; null for anything else.
   */
  private static @Nullable Multiaddr named(Multiaddr address) {
    Multiaddr plain = address.withoutPeerId();
    if (!plain.isDns()
        || plain.components().get(0).protocol() == Protocol.DNSADDR
        || !plain.hasDialableShape()) {
      return null;
    }
    return plain;
  }

  /**
   * A plain, dialable TCP or QUIC-v1 address, rebuilt from its socket address (IP normalized, no
   * {@code /p2p}); empty for everything we cannot or will not dial.
   */
  private static Optional<Multiaddr> dialable(Multiaddr address) {
    if (address.has(Protocol.IP6ZONE)) {
      return Optional.empty(); // link-scoped, and the zone names the client's interface, not ours
    }
    Optional<InetSocketAddress> socket = address.toIpSocketAddress();
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
    return Optional.of(rebuild(address, socket.get()));
  }

  /** {@code address}'s transport on {@code socket}, normalized. */
  private static Multiaddr rebuild(Multiaddr address, InetSocketAddress socket) {
    InetSocketAddress normal = normalize(socket);
    return address.isQuic()
        ? Multiaddr.fromQuicSocketAddress(normal)
        : Multiaddr.fromSocketAddress(normal);
  }

  private Set<Multiaddr> ownSocketAddresses() {
    Set<Multiaddr> result = new HashSet<>();
    for (Multiaddr address : ownAddresses.get()) {
      Multiaddr plain = address.withoutPeerId();
      plain.toIpSocketAddress().ifPresent(s -> result.add(rebuild(plain, s)));
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
