package io.reachability.peercheck;

/** Where a peer check got an address from. */
public enum AddressSource {
  /** Named in the request ({@code peer} as a multiaddr, or {@code addresses}). */
  REQUEST,
  /** Found in the DHT: the peer's record, from a {@code FIND_NODE} lookup towards its id. */
  DHT
}
