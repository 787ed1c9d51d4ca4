package io.reachability.job;

import java.time.Duration;
import java.util.Objects;

/**
 * How {@link JobService} runs jobs.
 *
 * @param workers jobs running at the same time
 * @param queueCapacity jobs waiting for a worker; a submission beyond it is turned away
 * @param defaultTimeout bound on a job that does not name its own
 * @param shutdownGrace on shutdown, how long queued and running jobs get to finish before the
 *     rest is cancelled
 */
public record JobSettings(int workers, int queueCapacity, Duration defaultTimeout, Duration shutdownGrace) {

  /** Distinct servers asked per address when a request does not say (the reference's confidence). */
  public static final int DEFAULT_CONFIRMATIONS = 3;

  /** Most confirmations a request may ask for: beyond a handful more servers add load, not certainty. */
  public static final int MAX_CONFIRMATIONS = 10;

  /**
   * Default job timeout: room for an address whose servers answer slowly plus a replacement round
   * (one check is bounded by the 15 s AutoNAT v2 exchange timeout).
   */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

  /** Longest timeout a request may ask for, in seconds (the API documents it as a number). */
  public static final int MAX_TIMEOUT_SECONDS = 600;

  /** Longest timeout a request may ask for. */
  public static final Duration MAX_TIMEOUT = Duration.ofSeconds(MAX_TIMEOUT_SECONDS);

  /** Default of {@link #shutdownGrace()}: long enough for jobs already at their last check. */
  public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(10);

  /** What a turned-away client is told to wait (Retry-After): about one check's time. */
  public static final Duration RETRY_AFTER = Duration.ofSeconds(5);

  public JobSettings {
    Objects.requireNonNull(defaultTimeout, "defaultTimeout");
    Objects.requireNonNull(shutdownGrace, "shutdownGrace");
    if (workers < 1 || queueCapacity < 1) {
      throw new IllegalArgumentException("workers and queueCapacity must be at least 1, were " + workers + ", " + queueCapacity);
    }
    if (defaultTimeout.isNegative() || defaultTimeout.isZero() || shutdownGrace.isNegative()) {
      throw new IllegalArgumentException("timeouts must be positive");
    }
  }

  public static JobSettings of(int workers, int queueCapacity) {
    return new JobSettings(workers, queueCapacity, DEFAULT_TIMEOUT, DEFAULT_SHUTDOWN_GRACE);
  }

  public JobSettings withShutdownGrace(Duration value) {
    return new JobSettings(workers, queueCapacity, defaultTimeout, value);
  }

  public JobSettings withDefaultTimeout(Duration value) {
    return new JobSettings(workers, queueCapacity, value, shutdownGrace);
  }
}
