package io.reachability.job;

import java.time.Duration;

/**
 * A submission the service cannot take now (REST: 503 with {@code Retry-After}); nothing was
 * stored.
 */
public class JobRejectedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final Duration retryAfter;

  public JobRejectedException(String message, Duration retryAfter) {
    super(message);
    this.retryAfter = retryAfter;
  }

  /** How long the client should wait before trying again. */
  public Duration retryAfter() {
    return retryAfter;
  }
}
