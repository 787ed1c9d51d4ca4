package io.reachability.config;

import io.reachability.job.JobSettings;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Check jobs ({@code reach.jobs.*}). No job holds a thread: these bound memory and the load sent to
 * servers.
 *
 * @param maxRunning jobs running at the same time; waiting jobs start one client at a time, in turn
 * @param queueCapacity jobs waiting to run; a submission beyond it is turned away (503)
 * @param maxChecksInFlight AutoNAT checks in flight over all running jobs, handed out in turn
 * @param maxUnfinishedPerClient queued and running jobs of one client (API key, or the local
 *     caller); beyond it that client is turned away (429)
 * @param retention how long a finished job stays queryable
 * @param maxStored most jobs kept; beyond it the oldest finished ones go first (queued and running
 *     jobs are never dropped)
 * @param defaultTimeout bound on a job whose request names no {@code timeoutSeconds} (default
 *     {@link JobSettings#DEFAULT_TIMEOUT}, at most {@link JobSettings#MAX_TIMEOUT})
 * @param shutdownGrace on shutdown, how long queued and running jobs get to finish before the rest
 *     is cancelled (default {@link JobSettings#DEFAULT_SHUTDOWN_GRACE}; 0 = cancel at once)
 */
@ConfigurationProperties("reach.jobs")
public record JobsProperties(
    @DefaultValue("" + JobSettings.DEFAULT_MAX_RUNNING) int maxRunning,
    @DefaultValue("" + JobSettings.DEFAULT_QUEUE_CAPACITY) int queueCapacity,
    @DefaultValue("" + JobSettings.DEFAULT_MAX_CHECKS_IN_FLIGHT) int maxChecksInFlight,
    @DefaultValue("" + JobSettings.DEFAULT_MAX_UNFINISHED_PER_OWNER) int maxUnfinishedPerClient,
    @DefaultValue("1h") Duration retention,
    @DefaultValue("10000") int maxStored,
    @DefaultValue("60s") Duration defaultTimeout,
    @DefaultValue("10s") Duration shutdownGrace) {

  public JobsProperties {
    inRange("max-running", maxRunning, JobSettings.MAX_CONCURRENCY);
    inRange("max-checks-in-flight", maxChecksInFlight, JobSettings.MAX_CONCURRENCY);
    atLeastOne("queue-capacity", queueCapacity);
    atLeastOne("max-unfinished-per-client", maxUnfinishedPerClient);
    if (retention == null || retention.isNegative() || retention.isZero()) {
      throw new IllegalArgumentException("reach.jobs.retention must be positive, was " + retention);
    }
    atLeastOne("max-stored", maxStored);
    if (defaultTimeout == null
        || defaultTimeout.isNegative()
        || defaultTimeout.isZero()
        || defaultTimeout.compareTo(JobSettings.MAX_TIMEOUT) > 0) {
      throw new IllegalArgumentException(
          "reach.jobs.default-timeout must be positive and at most "
              + JobSettings.MAX_TIMEOUT
              + " (the longest a request may ask for), was "
              + defaultTimeout);
    }
    if (shutdownGrace == null || shutdownGrace.isNegative()) {
      throw new IllegalArgumentException(
          "reach.jobs.shutdown-grace must not be negative, was " + shutdownGrace);
    }
  }

  private static void atLeastOne(String name, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(
          "reach.jobs." + name + " must be at least 1, was " + value);
    }
  }

  private static void inRange(String name, int value, int max) {
    if (value < 1 || value > max) {
      throw new IllegalArgumentException(
          "reach.jobs." + name + " must be in [1, " + max + "], was " + value);
    }
  }

  JobSettings toSettings() {
    return new JobSettings(
        maxRunning,
        queueCapacity,
        maxChecksInFlight,
        maxUnfinishedPerClient,
        defaultTimeout,
        shutdownGrace);
  }
}
