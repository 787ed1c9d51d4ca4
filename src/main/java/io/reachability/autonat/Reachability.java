package io.reachability.autonat;

/** What one check says about one address. */
public enum Reachability {
  /** A server dialed the address and the nonce really arrived on it. */
  REACHABLE,
  /** A server tried to dial the address and could not connect. */
  UNREACHABLE,
  /** No conclusion (refused, rejected, failed, or unverifiable); the result says why. */
  UNKNOWN
}
