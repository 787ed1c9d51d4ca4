package io.reachability.access;

import java.time.Duration;

/**
 * A client submitted more checks than {@code reach.access.submissions-per-minute} allows (REST:
 * 429).
 */
public final class SubmissionsLimitedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final Duration retryAfter;

  public SubmissionsLimitedException(int perMinute, Duration retryAfter) {
    super(
        "at most "
            + perMinute
            + " check submissions per minute per client (reach.access.submissions-per-minute); try"
            + " again later");
    this.retryAfter = retryAfter;
  }

  public Duration retryAfter() {
    return retryAfter;
  }
}
