package io.reachability.peercheck;

/** What dialing one address of a peer showed. */
public enum AddressVerdict {
  /** A connection was made and the handshake proved the peer asked about. */
  REACHABLE,
  /** No connection (refused, timed out, no route, failed handshake). */
  UNREACHABLE,
  /** A connection was made, but to another peer than the one asked about. */
  WRONG_PEER
}
