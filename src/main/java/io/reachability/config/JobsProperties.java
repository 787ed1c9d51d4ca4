package io.reachability.config;

import io.reachability.job.JobSettings;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Check jobs ({@code reach.jobs.*}).
 *
 * @param workers jobs run at the same time
 * @param queueCapacity jobs waiting for a worker; a submission beyond it is turned away (503)
 * @param retention how long a finished job stays queryable
 * @param maxStored most jobs kept; beyond it the oldest finished ones go first (queued and
 *     running jobs are never dropped)
 * @param defaultTimeout bound on a job whose request names no {@code timeoutSeconds} (default
 *     {@link JobSettings#DEFAULT_TIMEOUT}, at most {@link JobSettings#MAX_TIMEOUT})
 * @param shutdownGrace on shutdown, how long queued and running jobs get to finish before the rest
 *     is cancelled (default {@link JobSettings#DEFAULT_SHUTDOWN_GRACE}; 0 = cancel at once)
 */
@ConfigurationProperties("reach.jobs")
public record JobsProperties(
    @DefaultValue("4") int workers,
    @DefaultValue("1000") int queueCapacity,
    @DefaultValue("1h") Duration retention,
    @DefaultValue("10000") int maxStored,
    @DefaultValue("60s") Duration defaultTimeout,
    @DefaultValue("10s") Duration shutdownGrace) {

  /** Bound on {@code workers}: each holds a thread, and the pool servers limit concurrency anyway. */
  static final int MAX_WORKERS = 256;

  public JobsProperties {
    if (workers < 1 || workers > MAX_WORKERS) {
      throw new IllegalArgumentException("reach.jobs.workers must be in [1, " + MAX_WORKERS + "], was " + workers);
    }
    if (queueCapacity < 1) {
      throw new IllegalArgumentException("reach.jobs.queue-capacity must be at least 1, was " + queueCapacity);
    }
    if (retention == null || retention.isNegative() || retention.isZero()) {
      throw new IllegalArgumentException("reach.jobs.retention must be positive, was " + retention);
    }
    if (maxStored < 1) {
      throw new IllegalArgumentException("reach.jobs.max-stored must be at least 1, was " + maxStored);
    }
    if (defaultTimeout == null || defaultTimeout.isNegative() || defaultTimeout.isZero() || defaultTimeout.compareTo(JobSettings.MAX_TIMEOUT) > 0) {
      throw new IllegalArgumentException(
          "reach.jobs.default-timeout must be positive and at most " + JobSettings.MAX_TIMEOUT + " (the longest a request may ask for), was " + defaultTimeout);
    }
    if (shutdownGrace == null || shutdownGrace.isNegative()) {
      throw new IllegalArgumentException("reach.jobs.shutdown-grace must not be negative, was " + shutdownGrace);
    }
  }

  JobSettings toSettings() {
    return new JobSettings(workers, queueCapacity, defaultTimeout, shutdownGrace);
  }
}
