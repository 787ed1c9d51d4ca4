package io.reachability.config;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.reachability.autonat.AddressClass;
import io.reachability.peercheck.AddressOutcome;
import io.reachability.peercheck.PeerCheckJob;
import io.reachability.peercheck.PeerCheckService;
import io.reachability.peercheck.PeerVerdict;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Micrometer meters of peer checks ({@code reach_peer_checks_*} at {@code /actuator/prometheus}):
 * checks waiting and running, dials in flight, finished checks by state and verdict and their
 * duration, dials by verdict and transport.
 */
final class PeerCheckMetrics implements MeterBinder {

  static final String QUEUED = "reach.peer_checks.queued";
  static final String RUNNING = "reach.peer_checks.running";
  static final String DIALS_IN_FLIGHT = "reach.peer_checks.dials_in_flight";
  static final String FINISHED = "reach.peer_checks.finished";
  static final String DURATION = "reach.peer_checks.duration";
  static final String DIALS = "reach.peer_checks.dials";

  /** Tag value of a check that ended without a verdict. */
  static final String NO_VERDICT = "NONE";

  private final PeerCheckService checks;
  private @Nullable MeterRegistry registry;

  PeerCheckMetrics(PeerCheckService checks) {
    this.checks = checks;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    this.registry = registry;
    Gauge.builder(QUEUED, checks, PeerCheckService::queued)
        .description("peer checks waiting to run")
        .register(registry);
    Gauge.builder(RUNNING, checks, PeerCheckService::running)
        .description("peer checks running")
        .register(registry);
    Gauge.builder(DIALS_IN_FLIGHT, checks, PeerCheckService::dialsInFlight)
        .description("peer-check dials in flight")
        .register(registry);
    checks.addFinishedListener(this::finished);
    checks.addDialListener(this::dialed);
  }

  private void finished(PeerCheckJob job) {
    MeterRegistry registry = Objects.requireNonNull(this.registry, "bound");
    PeerVerdict verdict = job.verdict();
    registry
        .counter(
            FINISHED,
            "state",
            job.state().name(),
            "verdict",
            verdict == null ? NO_VERDICT : verdict.name())
        .increment();
    Instant started = job.startedAt();
    Instant finishedAt = job.finishedAt();
    if (started != null && finishedAt != null) {
      Timer.builder(DURATION)
          .tag("state", job.state().name())
          .description("from a peer check's start to its end")
          .register(registry)
          .record(Duration.between(started, finishedAt));
    }
  }

  private void dialed(AddressOutcome outcome) {
    Objects.requireNonNull(registry, "bound")
        .counter(
            DIALS,
            "verdict",
            outcome.verdict().name(),
            JobMetrics.TRANSPORT_TAG,
            AddressClass.transport(outcome.address()))
        .increment();
  }
}
