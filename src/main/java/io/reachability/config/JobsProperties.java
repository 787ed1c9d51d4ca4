package io.reachability.config;

import static io.reachability.config.ConfiguredSettings.build;
import static io.reachability.config.ConfiguredSettings.ifSet;

import io.reachability.job.JobSettings;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Check jobs ({@code reach.jobs.*}). No job holds a thread: these bound memory and the load sent to
 * servers. A job service value left unset is {@link JobSettings}' default.
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
@ConfigurationProperties(JobsProperties.PREFIX)
public record JobsProperties(
    @Nullable Integer maxRunning,
    @Nullable Integer queueCapacity,
    @Nullable Integer maxChecksInFlight,
    @Nullable Integer maxUnfinishedPerClient,
    @DefaultValue("1h") Duration retention,
    @DefaultValue("10000") int maxStored,
    @Nullable Duration defaultTimeout,
    @Nullable Duration shutdownGrace) {

  static final String PREFIX = "reach.jobs";

  /** What the job store keeps (the store's own settings, so checked here). */
  public JobsProperties {
    if (retention == null || retention.isNegative() || retention.isZero()) {
      throw new IllegalArgumentException(PREFIX + ".retention must be positive, was " + retention);
    }
    if (maxStored < 1) {
      throw new IllegalArgumentException(
          PREFIX + ".max-stored must be at least 1, was " + maxStored);
    }
  }

  /**
   * The job service's settings: {@link JobSettings}' defaults with what is configured, checked by
   * {@link JobSettings}; an error names the {@code reach.jobs.*} key. {@code SettingsConfiguration}
   * asks for them at start.
   */
  JobSettings toSettings() {
    return build(
        PREFIX,
        () -> {
          JobSettings.Builder settings = new JobSettings.Builder();
          ifSet(maxRunning, settings::maxRunning);
          ifSet(queueCapacity, settings::queueCapacity);
          ifSet(maxChecksInFlight, settings::maxChecksInFlight);
          ifSet(maxUnfinishedPerClient, settings::maxUnfinishedPerClient);
          ifSet(defaultTimeout, settings::defaultTimeout);
          ifSet(shutdownGrace, settings::shutdownGrace);
          return settings.build();
        });
  }
}
