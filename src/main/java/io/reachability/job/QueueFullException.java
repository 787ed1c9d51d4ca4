package io.reachability.job;

import java.time.Duration;

/**
 * The job queue is full: {@code max-running} jobs run and {@code queue-capacity} jobs are waiting.
 */
public final class QueueFullException extends JobRejectedException {

  private static final long serialVersionUID = 1L;

  public QueueFullException(int capacity, Duration retryAfter) {
    super("the job queue is full (" + capacity + " jobs waiting); try again later", retryAfter);
  }
}
