package io.reachability.autonat;

import io.reachability.libp2p.core.Multiaddr;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What one understood {@code DialResponse}, together with what the dial-back handler saw, says
 * about the tested address. A pure function, so every rule is tested without a network.
 *
 * <p>Rules (after go-libp2p's client where it is sound):
 *
 * <ul>
 *   <li>{@code OK} + dial status {@code OK} + the nonce arrived on a connection whose transport
 *       matches the tested address ({@link AddressConsistency}) → REACHABLE. Without the nonce, or
 *       over another transport → UNKNOWN: a server's word alone proves nothing.
 *   <li>{@code OK} + {@code E_DIAL_ERROR} → UNREACHABLE. If our nonce arrived anyway the server
 *       contradicts itself → UNKNOWN (go-libp2p would say unreachable).
 *   <li>{@code OK} + {@code E_DIAL_BACK_ERROR}: the server connected but thinks the nonce was not
 *       delivered. If it did arrive over the right transport the address was dialed → REACHABLE, as
 *       go-libp2p decides (the server most likely only missed our DialBackResponse); else UNKNOWN.
 *   <li>{@code OK} + {@code OK} or {@code E_DIAL_BACK_ERROR}, but the nonce arrived exactly on
 *       <em>another</em> address of the request than the one the server names → UNKNOWN: the server
 *       dialed one address and reported another (rust-libp2p 0.56 dials the last address and always
 *       reports index 0).
 *   <li>{@code OK} + {@code UNUSED}, or an address index outside the list → UNKNOWN.
 *   <li>{@code E_DIAL_REFUSED}, {@code E_REQUEST_REJECTED}, {@code E_INTERNAL_ERROR} → UNKNOWN.
 * </ul>
 *
 * Codes we do not understand never get here: such responses are discarded, as the spec requires.
 */
record Classification(
    Reachability reachability,
    String reason,
    @Nullable Integer testedIndex,
    @Nullable Multiaddr testedAddress,
    @Nullable DialStatus dialStatus) {

  static Classification classify(
      ResponseStatus status,
      DialStatus dialStatus,
      long addrIdx,
      List<Multiaddr> addresses,
      @Nullable Multiaddr dialBackLocal) {
    switch (status) {
      case E_DIAL_REFUSED:
        return unknown("server refused to dial any address", null);
      case E_REQUEST_REJECTED:
        return unknown(
            "server rejected the request (E_REQUEST_REJECTED: rate or resource limit)", null);
      case E_INTERNAL_ERROR:
        return unknown("server reported an internal error (E_INTERNAL_ERROR)", null);
      case OK:
      default:
        break;
    }
    if (addrIdx < 0 || addrIdx >= addresses.size()) {
      return unknown(
          "server reported address index "
              + addrIdx
              + ", but only "
              + count(addresses.size())
              + " sent",
          dialStatus);
    }
    int index = (int) addrIdx;
    Multiaddr tested = addresses.get(index);
    boolean arrived = dialBackLocal != null;
    boolean consistent =
        dialBackLocal != null && AddressConsistency.areConsistent(tested, dialBackLocal);
    switch (dialStatus) {
      case E_DIAL_ERROR:
        if (arrived) {
          return new Classification(
              Reachability.UNKNOWN,
              "server reported E_DIAL_ERROR, yet the nonce arrived on " + dialBackLocal,
              index,
              tested,
              dialStatus);
        }
        return new Classification(
            Reachability.UNREACHABLE,
            "server could not connect to the address (E_DIAL_ERROR)",
            index,
            tested,
            dialStatus);
      case OK:
      case E_DIAL_BACK_ERROR:
        int dialed = otherAddressDialed(addresses, index, dialBackLocal);
        if (dialed >= 0) {
          return new Classification(
              Reachability.UNKNOWN,
              "server named address "
                  + index
                  + " ("
                  + tested
                  + ") but the nonce arrived on "
                  + dialBackLocal
                  + ", address "
                  + dialed
                  + " of the request",
              index,
              tested,
              dialStatus);
        }
        if (consistent) {
          String reason = "the nonce arrived on " + dialBackLocal;
          if (dialStatus == DialStatus.E_DIAL_BACK_ERROR) {
            reason += " although the server reported E_DIAL_BACK_ERROR";
          }
          return new Classification(Reachability.REACHABLE, reason, index, tested, dialStatus);
        }
        if (arrived) {
          return new Classification(
              Reachability.UNKNOWN,
              "dial-back arrived over a different transport ("
                  + dialBackLocal
                  + ") than the tested address",
              index,
              tested,
              dialStatus);
        }
        return new Classification(
            Reachability.UNKNOWN,
            dialStatus == DialStatus.OK
                ? "OK without a verified nonce: the server reported a dial-back, but the nonce"
                    + " never arrived"
                : "server connected but could not deliver the nonce (E_DIAL_BACK_ERROR)",
            index,
            tested,
            dialStatus);
      case UNUSED:
      default:
        return new Classification(
            Reachability.UNKNOWN,
            "server answered OK with dial status UNUSED",
            index,
            tested,
            dialStatus);
    }
  }

  /**
   * The index of another address of the request that the nonce arrived on exactly (the server
   * dialed it but named {@code index}), or -1. Arriving on an address the request does not carry is
   * normal behind a NAT or a port mapping; arriving on another one it carries is not.
   */
  private static int otherAddressDialed(
      List<Multiaddr> addresses, int index, @Nullable Multiaddr dialBackLocal) {
    if (dialBackLocal == null) {
      return -1;
    }
    Multiaddr local = dialBackLocal.withoutPeerId();
    if (addresses.get(index).withoutPeerId().equals(local)) {
      return -1;
    }
    for (int i = 0; i < addresses.size(); i++) {
      if (i != index && addresses.get(i).withoutPeerId().equals(local)) {
        return i;
      }
    }
    return -1;
  }

  private static Classification unknown(String reason, @Nullable DialStatus dialStatus) {
    return new Classification(Reachability.UNKNOWN, reason, null, null, dialStatus);
  }

  private static String count(int n) {
    return n == 1 ? "1 address was" : n + " addresses were";
  }
}
