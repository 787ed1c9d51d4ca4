package io.reachability.peercheck;

import java.time.Duration;

/**
 * A peer check was turned away by a rate: its target was checked too often, or its requester
 * submitted too many (REST: 429 with {@code Retry-After}). Nothing was stored or dialed.
 */
public final class PeerCheckLimitedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final Duration retryAfter;

  public PeerCheckLimitedException(String message, Duration retryAfter) {
    super(message);
    this.retryAfter = retryAfter;
  }

  public Duration retryAfter() {
    return retryAfter;
  }
}
