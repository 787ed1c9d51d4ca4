package io.reachability.job;

/**
 * Where a {@link CheckJob} is in its life. Every accepted job ends in one of the terminal states.
 */
public enum JobState {
  /** Accepted, waiting to run. */
  QUEUED,
  /** Its addresses are being checked. */
  RUNNING,
  /** Every address got a verdict (which may be UNKNOWN). */
  SUCCEEDED,
  /** The job could not finish: its timeout passed, no server could be asked, or an error. */
  FAILED,
  /** Cancelled by a user, or by the service shutting down before it could finish. */
  CANCELLED;

  public boolean isTerminal() {
    return this == SUCCEEDED || this == FAILED || this == CANCELLED;
  }
}
