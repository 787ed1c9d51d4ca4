package io.reachability.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.reachability.access.AccessProperties;
import io.reachability.autonat.Reachability;
import io.reachability.job.CheckJob;
import io.reachability.job.CheckRequest;
import io.reachability.job.CheckRequestValidator;
import io.reachability.job.InMemoryJobStore;
import io.reachability.job.JobService;
import io.reachability.job.JobState;
import io.reachability.libp2p.host.Host;
import io.reachability.testing.LoopbackHosts;
import io.reachability.testing.Waiting;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * The wiring of jobs: settings reach the service, a job checks the node's candidates against the
 * embedded pool.
 */
class JobConfigurationTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties({
    NodeProperties.class,
    ClientProperties.class,
    AutonatServerProperties.class,
    PoolProperties.class,
    JobsProperties.class,
    MonitorProperties.class,
    AccessProperties.class,
    PeerCheckProperties.class
  })
  @Import({
    Libp2pConfiguration.class,
    AutonatConfiguration.class,
    PoolConfiguration.class,
    JobConfiguration.class,
    SettingsConfiguration.class
  })
  static class Service {}

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withUserConfiguration(Service.class)
          .withPropertyValues(
              "reach.node.listen=" + LoopbackHosts.ANY_PORT,
              "reach.node.announce=/ip4/127.0.0.1/tcp/9",
              "reach.jobs.max-running=2",
              "reach.jobs.queue-capacity=7",
              "reach.jobs.default-timeout=45s",
              "reach.jobs.shutdown-grace=3s");

  @Test
  void aJobWithoutAddressesChecksListenAndAnnounceAgainstTheEmbeddedPool() {
    AtomicReference<JobService> service = new AtomicReference<>();
    AtomicReference<CheckJob> accepted = new AtomicReference<>();
    runner.run(
        context -> {
          assertThat(context)
              .hasSingleBean(InMemoryJobStore.class)
              .hasSingleBean(CheckRequestValidator.class);
          JobService jobs = context.getBean(JobService.class);
          service.set(jobs);
          assertThat(jobs.settings().maxRunning()).isEqualTo(2);
          assertThat(jobs.settings().queueCapacity()).isEqualTo(7);
          assertThat(jobs.settings().defaultTimeout()).isEqualTo(Duration.ofSeconds(45));
          assertThat(jobs.settings().shutdownGrace()).isEqualTo(Duration.ofSeconds(3));

          CheckJob job = await(jobs, jobs.submit(CheckRequest.defaults()));
          assertThat(job.state()).isEqualTo(JobState.SUCCEEDED);
          assertThat(job.results()).hasSize(2);
          assertThat(job.results().get(0).address())
              .isEqualTo(context.getBean(Host.class).listenAddresses().get(0));
          assertThat(job.results().get(0).verdict()).isEqualTo(Reachability.REACHABLE);
          // announced, so no warning, but nothing listens there
          assertThat(job.results().get(1).verdict()).isEqualTo(Reachability.UNREACHABLE);
          assertThat(job.results().get(1).warnings()).isEmpty();
          accepted.set(job);
        });
    // after the context closed, the service takes nothing more and its jobs are all finished
    assertThat(service.get().find(accepted.get().id()))
        .get()
        .extracting(CheckJob::isFinished)
        .isEqualTo(true);
  }

  private static CheckJob await(JobService jobs, CheckJob job) throws InterruptedException {
    return Waiting.within(WAIT)
        .alias("job finished")
        .until(() -> jobs.find(job.id()).orElseThrow(), CheckJob::isFinished);
  }
}
