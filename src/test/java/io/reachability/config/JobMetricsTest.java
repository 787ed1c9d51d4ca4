package io.reachability.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.reachability.autonat.CheckOptions;
import io.reachability.autonat.CheckResult;
import io.reachability.autonat.DialStatus;
import io.reachability.autonat.Reachability;
import io.reachability.autonat.ResponseStatus;
import io.reachability.job.AddressChecker;
import io.reachability.job.CheckJob;
import io.reachability.job.CheckRequest;
import io.reachability.job.InMemoryJobStore;
import io.reachability.job.JobService;
import io.reachability.job.JobSettings;
import io.reachability.job.NodeAddresses;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.crypto.Keys;
import io.reachability.pool.ServerPool;
import io.reachability.testing.Waiting;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Jobs by state, verdicts and client results by status end up in the registry. */
class JobMetricsTest {

  /** Bound on waiting for a job to get somewhere. */
  private static final Duration WAIT = Duration.ofSeconds(10);

  private static final Multiaddr ADDRESS = Multiaddr.fromString("/ip4/127.0.0.1/tcp/4001");

  @Test
  void countsFinishedJobsVerdictsAndClientResults() throws Exception {
    Multiaddr server =
        Multiaddr.fromString("/ip4/127.0.0.1/tcp/5000")
            .withPeerId(PeerId.fromPublicKey(Keys.generateEd25519().publicKey()));
    AddressChecker reachable =
        (s, address, options) ->
            CompletableFuture.completedFuture(
                new CheckResult(
                    s.peerId().orElseThrow(),
                    s,
                    0,
                    address,
                    ResponseStatus.OK,
                    DialStatus.OK,
                    Reachability.REACHABLE,
                    "ok",
                    true,
                    address,
                    0,
                    Duration.ofMillis(1)));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (JobService jobs =
        new JobService(
            new InMemoryJobStore(Clock.systemUTC(), Duration.ofHours(1), 10),
            reachable,
            ServerPool.of(List.of(server), null),
            () -> new NodeAddresses(List.of(ADDRESS), List.of()),
            JobSettings.of(1, 10),
            new CheckOptions(0, Duration.ofSeconds(15)),
            Clock.systemUTC())) {
      new JobMetrics(registry, jobs);
      UUID id = jobs.submit(CheckRequest.of(List.of(ADDRESS))).id();
      Waiting.within(WAIT).until(() -> jobs.find(id).map(CheckJob::isFinished).orElse(false));
      jobs.cancel(id); // already finished: counted once only
    }
    assertThat(registry.get(JobMetrics.JOBS_FINISHED).tag("state", "SUCCEEDED").counter().count())
        .isEqualTo(1);
    assertThat(registry.find(JobMetrics.JOBS_FINISHED).tag("state", "CANCELLED").counter())
        .isNull();
    assertThat(registry.get(JobMetrics.VERDICTS).tag("verdict", "REACHABLE").counter().count())
        .isEqualTo(1);
    assertThat(
            registry
                .get(JobMetrics.CLIENT_RESULTS)
                .tag("status", "OK")
                .tag("reachability", "REACHABLE")
                .counter()
                .count())
        .isEqualTo(1);
    assertThat(registry.get(JobMetrics.JOB_DURATION).timer().count()).isEqualTo(1);
    assertThat(registry.get(JobMetrics.JOBS_QUEUED).gauge().value()).isZero();
  }
}
