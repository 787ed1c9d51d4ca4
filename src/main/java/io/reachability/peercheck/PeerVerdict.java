package io.reachability.peercheck;

import java.util.Collection;

/** What a peer check found for the peer as a whole. */
public enum PeerVerdict {
  /** At least one address reached the peer. */
  REACHABLE,
  /** No address reached anyone. */
  UNREACHABLE,
  /** No address reached the peer, and at least one reached another peer. */
  WRONG_PEER,
  /** There was no address to try (none given, none found). */
  NOT_FOUND;

  /** The peer's verdict from its addresses'. */
  public static PeerVerdict of(Collection<AddressVerdict> addresses) {
    if (addresses.isEmpty()) {
      return NOT_FOUND;
    }
    if (addresses.contains(AddressVerdict.REACHABLE)) {
      return REACHABLE;
    }
    return addresses.contains(AddressVerdict.WRONG_PEER) ? WRONG_PEER : UNREACHABLE;
  }
}
