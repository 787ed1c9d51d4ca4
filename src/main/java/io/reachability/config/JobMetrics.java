package io.reachability.config;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.reachability.autonat.AddressClass;
import io.reachability.autonat.ResponseStatus;
import io.reachability.job.AddressResult;
import io.reachability.job.Attempt;
import io.reachability.job.CheckJob;
import io.reachability.job.JobService;
import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * Micrometer meters of check jobs: jobs waiting and running, finished jobs by state and their
 * duration, verdicts per address, AutoNAT client results by response status. The server role's
 * meters are {@link AutonatServerMetrics}. Scraped at {@code /actuator/prometheus}, where {@code
 * reach.jobs.finished} reads {@code reach_jobs_finished_total} and a timer gives {@code
 * _seconds_count}, {@code _seconds_sum} and {@code _seconds_max}.
 */
@Component
class JobMetrics {

  static final String JOBS_QUEUED = "reach.jobs.queued";
  static final String JOBS_RUNNING = "reach.jobs.running";
  static final String JOBS_FINISHED = "reach.jobs.finished";
  static final String JOB_DURATION = "reach.jobs.duration";
  static final String VERDICTS = "reach.checks.verdicts";
  static final String CLIENT_RESULTS = "reach.autonat.client.results";

  /**
   * Tag naming the transport of the address a meter counts for ({@link AddressClass#transport}).
   */
  static final String TRANSPORT_TAG = "transport";

  /** Tag value of a check that got no response status. */
  static final String NO_RESPONSE = "NONE";

  private final MeterRegistry registry;

  JobMetrics(MeterRegistry registry, JobService jobs) {
    this.registry = registry;
    Gauge.builder(JOBS_QUEUED, jobs, JobService::queued)
        .description("check jobs waiting to run")
        .register(registry);
    Gauge.builder(JOBS_RUNNING, jobs, JobService::running)
        .description("check jobs running")
        .register(registry);
    jobs.addFinishedListener(this::finished);
  }

  private void finished(CheckJob job) {
    registry.counter(JOBS_FINISHED, "state", job.state().name()).increment();
    Instant started = job.startedAt();
    Instant finishedAt = job.finishedAt();
    if (started != null && finishedAt != null) {
      Timer.builder(JOB_DURATION)
          .tag("state", job.state().name())
          .description("from a job's start to its end")
          .register(registry)
          .record(Duration.between(started, finishedAt));
    }
    for (AddressResult result : job.results()) {
      String transport = AddressClass.transport(result.address());
      registry
          .counter(VERDICTS, "verdict", result.verdict().name(), TRANSPORT_TAG, transport)
          .increment();
      for (Attempt attempt : result.attempts()) {
        registry
            .counter(
                CLIENT_RESULTS,
                "status",
                status(attempt.responseStatus()),
                "reachability",
                attempt.reachability().name(),
                TRANSPORT_TAG,
                transport)
            .increment();
      }
    }
  }

  private static String status(@Nullable ResponseStatus status) {
    return status == null ? NO_RESPONSE : status.name();
  }
}
