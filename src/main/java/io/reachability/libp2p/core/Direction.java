package io.reachability.libp2p.core;

/** Which side opened a connection or stream. */
public enum Direction {
  /** The remote side opened it. */
  INBOUND,
  /** This node opened it. */
  OUTBOUND
}
