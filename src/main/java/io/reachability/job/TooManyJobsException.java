package io.reachability.job;

import java.time.Duration;

/**
 * One client already has {@code reach.jobs.max-unfinished-per-client} jobs queued or running (REST:
 * 429 with {@code Retry-After}); nothing was stored. Other clients' submissions are unaffected.
 */
public final class TooManyJobsException extends JobRejectedException {

  private static final long serialVersionUID = 1L;

  /** Another kind of job's words for the same limit. */
  public TooManyJobsException(String message, Duration retryAfter) {
    super(message, retryAfter);
  }

  public TooManyJobsException(int limit, Duration retryAfter) {
    super(
        "you have "
            + limit
            + " unfinished jobs, the most one client may have; wait for one to finish",
        retryAfter);
  }
}
