package io.reachability.autonat;

import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.multiformats.Protocol;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether a dial-back really tested the address it claims to: the local address of the connection
 * the nonce arrived on must use the same transport stack as the tested address. The spec leaves the
 * rule to the client ("the client can verify the server did successfully dial an address of the
 * same transport … by checking the local address of the connection on which the nonce was
 * received"); this is go-libp2p's {@code areAddrsConsistent}:
 *
 * <ul>
 *   <li>both addresses are normalised: a trailing {@code /p2p} and every {@code /certhash} are
 *       dropped (they name keys, not transports), {@code /sni} is dropped (the dialer picks it),
 *       and {@code /wss} is read as its equivalent {@code /tls/ws};
 *   <li>then the sequences of protocols must be equal, except that a DNS first component of the
 *       <em>tested</em> address matches the IP the name resolved to: {@code /dns} and {@code
 *       /dnsaddr} match {@code /ip4} or {@code /ip6}, {@code /dns4} only {@code /ip4}, {@code
 *       /dns6} only {@code /ip6}. A DNS name on the local side never matches (a socket has an IP).
 * </ul>
 *
 * IPs and ports are deliberately not compared: behind a NAT, or with a port mapping, the local
 * socket address differs from the public one that was dialed.
 *
 * @see <a
 *     href="https://github.com/libp2p/specs/blob/master/autonat/autonat-v2.md#autonat-v2-protocol">spec</a>
 */
public final class AddressConsistency {

  private AddressConsistency() {}

  /** True when a nonce arriving on {@code dialBackLocal} proves {@code tested} was dialed. */
  public static boolean areConsistent(Multiaddr tested, Multiaddr dialBackLocal) {
    List<Protocol> expected = normalize(tested);
    List<Protocol> actual = normalize(dialBackLocal);
    if (expected.isEmpty() || expected.size() != actual.size()) {
      return false;
    }
    for (int i = 0; i < expected.size(); i++) {
      Protocol want = expected.get(i);
      Protocol got = actual.get(i);
      if (i == 0 && isDns(want)) {
        if (!dnsMatches(want, got)) {
          return false;
        }
      } else if (want != got) {
        return false;
      }
    }
    return true;
  }

  /** The protocols of {@code address} after normalisation (see the class comment). */
  static List<Protocol> normalize(Multiaddr address) {
    List<Multiaddr.Component> components = address.components();
    int end = components.size();
    while (end > 0 && components.get(end - 1).protocol() == Protocol.P2P) {
      end--;
    }
    List<Protocol> result = new ArrayList<>(end + 1);
    for (int i = 0; i < end; i++) {
      Protocol protocol = components.get(i).protocol();
      switch (protocol) {
        case CERTHASH, SNI -> {}
        case WSS -> {
          result.add(Protocol.TLS);
          result.add(Protocol.WS);
        }
        default -> result.add(protocol);
      }
    }
    return result;
  }

  private static boolean isDns(Protocol protocol) {
    return protocol == Protocol.DNS
        || protocol == Protocol.DNS4
        || protocol == Protocol.DNS6
        || protocol == Protocol.DNSADDR;
  }

  private static boolean dnsMatches(Protocol dns, Protocol local) {
    return switch (dns) {
      case DNS4 -> local == Protocol.IP4;
      case DNS6 -> local == Protocol.IP6;
      default ->
          // dns, dnsaddr: whichever family the name resolved to
          local == Protocol.IP4 || local == Protocol.IP6;
    };
  }
}
