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
  /** There was no address to try: the DHT does not know the peer, or its record is empty. */
  NOT_FOUND,
  /**
   * Addresses were found, but none could be dialed from here (relayed, another transport, a
   * non-public range, or over a rate): each says why it was skipped.
   */
  NO_DIALABLE_ADDRESS;

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
