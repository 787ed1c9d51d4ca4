package io.reachability.peercheck;

import io.reachability.autonat.AddressClass;
import io.reachability.job.CheckRequestValidator;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.multiformats.Protocol;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Which addresses a peer check may dial: TCP or QUIC-v1 ones this node can dial, of the peer asked
 * about, not relayed, and public unless {@code reach.peer-checks.allow-private-addresses} is set. A
 * DNS address is judged by its shape here and by what it resolves to before it is dialed.
 */
public final class TargetRules {

  static final String RELAYED =
      "a relayed (/p2p-circuit) address: dialing it would check the relay, not the peer";

  static final String NOT_DIALABLE =
      "a transport this service does not dial: only /ip4|ip6|dns|dns4|dns6/<host>/tcp/<port>,"
          + " /ip4|ip6|dns|dns4|dns6/<host>/udp/<port>/quic-v1 and /dnsaddr/<domain> are checked";

  static final String PRIVATE_SUFFIX =
      ": peer checks dial public addresses only (reach.peer-checks.allow-private-addresses lifts"
          + " this, for labs)";

  private final boolean allowPrivate;
  private final Predicate<Multiaddr> canDial;

  /**
   * @param canDial whether this node has a transport for an address ({@code Host::canDial})
   */
  public TargetRules(boolean allowPrivate, Predicate<Multiaddr> canDial) {
    this.allowPrivate = allowPrivate;
    this.canDial = canDial;
  }

  public boolean allowPrivate() {
    return allowPrivate;
  }

  /**
   * Whether {@code address} may be dialed at all, whoever it belongs to (a DHT node met during a
   * lookup, say).
   */
  public boolean mayDial(Multiaddr address) {
    Multiaddr plain = address.withoutPeerId();
    return plain.toIpSocketAddress().isPresent() && problem(plain) == null;
  }

  /**
   * Why {@code address} may not be dialed to check {@code peer}; null when it may. With no peer
   * (one that did not parse), everything but the peer id is judged.
   */
  public @Nullable String problem(Multiaddr address, @Nullable PeerId peer) {
    if (address.has(Protocol.P2P_CIRCUIT)) {
      return RELAYED;
    }
    Optional<PeerId> named = address.peerId();
    if (peer != null && named.isPresent() && !named.get().equals(peer)) {
      return "names another peer (" + named.get() + ") than the one checked (" + peer + ")";
    }
    return problem(address);
  }

  /** Why {@code address} may not be dialed, whoever it belongs to; null when it may. */
  private @Nullable String problem(Multiaddr address) {
    if (address.has(Protocol.P2P_CIRCUIT)) {
      return RELAYED;
    }
    Multiaddr plain = address.withoutPeerId();
    if (!canDial.test(plain)) {
      return NOT_DIALABLE;
    }
    if (plain.isDns()) {
      return null; // judged again once resolved
    }
    if (plain.toIpSocketAddress().isEmpty()) {
      return NOT_DIALABLE;
    }
    String undialable = CheckRequestValidator.undialable(plain);
    if (undialable != null) {
      return undialable;
    }
    if (allowPrivate) {
      return null;
    }
    if (plain.has(Protocol.IP6ZONE)) {
      return "a zoned IPv6 address (/ip6zone)" + PRIVATE_SUFFIX;
    }
    return AddressClass.ip(plain)
        .flatMap(AddressClass::nonPublicRange)
        .map(range -> "a " + range + " address" + PRIVATE_SUFFIX)
        .orElse(null);
  }

  /**
   * The key an IP is counted under, for rates per target and per requester: the IP itself, or its
   * /64 for IPv6 (one site has a /64, and can pick any address in it).
   */
  public static String ipKey(InetAddress ip) {
    if (ip instanceof Inet6Address) {
      byte[] bytes = Arrays.copyOf(ip.getAddress(), PeerChecks.IPV6_KEY_PREFIX_BITS / Byte.SIZE);
      StringBuilder key = new StringBuilder("ip6:");
      for (byte b : bytes) {
        key.append(String.format("%02x", b));
      }
      return key.append("/").append(PeerChecks.IPV6_KEY_PREFIX_BITS).toString();
    }
    return "ip4:" + ip.getHostAddress();
  }

  /** The key a peer id is counted under, for rates per target. */
  static String peerKey(PeerId peer) {
    return "peer:" + peer;
  }
}
