package io.reachability.api;

/** Peer checks are switched off in this deployment. */
final class PeerChecksDisabledException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  PeerChecksDisabledException() {
    super("peer checks are off (reach.peer-checks.enabled=false)");
  }
}
