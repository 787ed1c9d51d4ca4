package io.reachability.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.reachability.job.CheckRequestValidator;
import io.reachability.job.JobSettings;
import io.reachability.monitor.MonitorSettings;
import io.reachability.pool.DiscoverySettings;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * The pool, jobs, monitor and announce settings: defaults, binding, messages that name the setting.
 */
class ServicePropertiesTest {

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties({
    NodeProperties.class,
    PoolProperties.class,
    JobsProperties.class,
    MonitorProperties.class,
    PeerCheckProperties.class
  })
  @Import(SettingsConfiguration.class)
  static class Settings {}

  private static final String SERVER_ID = "12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA";
  private static final String SERVER = "/ip4/192.0.2.1/tcp/4001/p2p/" + SERVER_ID;

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner().withUserConfiguration(Settings.class);

  @Test
  void defaults() {
    runner.run(
        context -> {
          PoolProperties pool = context.getBean(PoolProperties.class);
          assertThat(pool.servers()).isEmpty();
          assertThat(pool.embedded().enabled()).isNull();
          assertThat(pool.embeddedEnabled()).isTrue();
          assertThat(pool.embedded().size()).isEqualTo(3);
          JobsProperties jobs = context.getBean(JobsProperties.class);
          assertThat(jobs.retention()).isEqualTo(Duration.ofHours(1));
          assertThat(jobs.maxStored()).isEqualTo(10000);
          // the job service's values are left unset: its own defaults apply
          assertThat(jobs.toSettings())
              .isEqualTo(
                  new JobSettings(
                      256, 1000, 256, 100, Duration.ofSeconds(60), Duration.ofSeconds(10)))
              .isEqualTo(JobSettings.defaults());
          MonitorProperties monitor = context.getBean(MonitorProperties.class);
          assertThat(monitor.enabled()).isTrue();
          // the monitor's defaults are the reference numbers MonitorSettings holds
          assertThat(monitor.toSettings()).isEqualTo(MonitorSettings.DEFAULTS);
          assertThat(context.getBean(NodeProperties.class).announce()).isEmpty();
        });
  }

  @Test
  void jobTimeoutsBind() {
    runner
        .withPropertyValues("reach.jobs.default-timeout=10m", "reach.jobs.shutdown-grace=0s")
        .run(
            context -> {
              JobsProperties jobs = context.getBean(JobsProperties.class);
              assertThat(jobs.defaultTimeout()).isEqualTo(JobSettings.MAX_TIMEOUT);
              assertThat(jobs.shutdownGrace()).isZero();
            });
  }

  @Test
  void monitorSettingsBind() {
    runner
        .withPropertyValues(
            "reach.monitor.enabled=false",
            "reach.monitor.concurrency=2",
            "reach.monitor.reprobe-interval=30m",
            "reach.monitor.per-server-interval=0s")
        .run(
            context -> {
              MonitorSettings settings = context.getBean(MonitorProperties.class).toSettings();
              assertThat(context.getBean(MonitorProperties.class).enabled()).isFalse();
              assertThat(settings.concurrency()).isEqualTo(2);
              assertThat(settings.reprobeInterval()).isEqualTo(Duration.ofMinutes(30));
              assertThat(settings.perServerInterval()).isZero();
            });
  }

  @Test
  void configuredServersSwitchTheEmbeddedPoolOffUnlessAskedFor() {
    runner
        .withPropertyValues(
            "reach.pool.servers=" + SERVER, "reach.node.announce=/ip4/203.0.113.7/tcp/4001")
        .run(
            context -> {
              PoolProperties pool = context.getBean(PoolProperties.class);
              assertThat(pool.serverAddresses()).hasSize(1);
              assertThat(pool.embeddedEnabled()).isFalse();
              assertThat(
                      context.getBean(NodeProperties.class).announceAddresses().get(0).toString())
                  .isEqualTo("/ip4/203.0.113.7/tcp/4001");
            });
    runner
        .withPropertyValues("reach.pool.servers=" + SERVER, "reach.pool.embedded.enabled=true")
        .run(
            context ->
                assertThat(context.getBean(PoolProperties.class).embeddedEnabled()).isTrue());
    runner
        .withPropertyValues("reach.pool.embedded.enabled=false")
        .run(
            context ->
                assertThat(context.getBean(PoolProperties.class).embeddedEnabled()).isFalse());
  }

  @Test
  void serversMayBeNamedByDns() {
    runner
        .withPropertyValues(
            "reach.pool.servers=/dnsaddr/bootstrap.example/p2p/"
                + SERVER_ID
                + ",/dns4/a.example/tcp/4001/p2p/"
                + SERVER_ID
                + ",/dns6/a.example/udp/4001/quic-v1/p2p/"
                + SERVER_ID)
        .run(
            context ->
                assertThat(context.getBean(PoolProperties.class).serverAddresses()).hasSize(3));
  }

  @Test
  void discoveryIsOffByDefaultAndWhenOnTheEmbeddedPoolIs() {
    runner.run(
        context -> {
          PoolProperties pool = context.getBean(PoolProperties.class);
          assertThat(pool.discovery().enabled()).isFalse();
          assertThat(context.getBean(DiscoverySettings.class).bootstrap())
              .extracting(Object::toString)
              .containsExactlyElementsOf(DiscoverySettings.PUBLIC_BOOTSTRAP);
        });
    runner
        .withPropertyValues(
            "reach.pool.discovery.enabled=true",
            "reach.pool.discovery.bootstrap=/dnsaddr/boot.example/p2p/" + SERVER_ID,
            "reach.pool.discovery.target-servers=4")
        .run(
            context -> {
              assertThat(context.getBean(PoolProperties.class).embeddedEnabled()).isFalse();
              DiscoverySettings settings = context.getBean(DiscoverySettings.class);
              assertThat(settings.bootstrap())
                  .extracting(Object::toString)
                  .containsExactly("/dnsaddr/boot.example/p2p/" + SERVER_ID);
              assertThat(settings.targetServers()).isEqualTo(4);
            });
  }

  @Test
  void badSettingsNameTheSetting() {
    failsWith(
        "reach.pool.servers=/ip4/192.0.2.1/tcp/4001",
        "reach.pool.servers[0] = \"/ip4/192.0.2.1/tcp/4001\": a server address must end in"
            + " /p2p/<peer id>");
    failsWith("reach.pool.servers=/ip4/1.2.3/tcp/1", "reach.pool.servers[0]: invalid multiaddr");
    failsWith(
        "reach.pool.servers=/dns4/example.com/tcp/443/ws/p2p/" + SERVER_ID,
        "reach.pool.servers[0] = \"/dns4/example.com/tcp/443/ws/p2p/"
            + SERVER_ID
            + "\": "
            + CheckRequestValidator.SERVER_SHAPES);
    failsWith("reach.pool.embedded.size=0", "reach.pool.embedded.size must be in [1, 16], was 0");
    failsWith(
        "reach.pool.discovery.target-servers=0",
        "reach.pool.discovery.target-servers must be in [1, 256], was 0");
    failsWith(
        "reach.pool.discovery.contacts-per-minute=0",
        "reach.pool.discovery.contacts-per-minute must be at least 1, was 0");
    failsWith(
        "reach.pool.discovery.bootstrap=/ip4/192.0.2.1/tcp/4001",
        "reach.pool.discovery.bootstrap[0] = \"/ip4/192.0.2.1/tcp/4001\": only");
    failsWith(
        "reach.peer-checks.max-addresses=65",
        "reach.peer-checks.max-addresses must be in [1, 64], was 65");
    failsWith(
        "reach.peer-checks.per-requester-per-minute=0",
        "reach.peer-checks.per-requester-per-minute must be in [1, 1024], was 0");
    failsWith(
        "reach.peer-checks.default-timeout=10m",
        "reach.peer-checks.default-timeout must be in (0, 300 s], was PT10M");
    failsWith("reach.jobs.max-running=0", "reach.jobs.max-running must be in [1, 4096], was 0");
    failsWith("reach.jobs.queue-capacity=0", "reach.jobs.queue-capacity must be at least 1, was 0");
    failsWith("reach.jobs.retention=0s", "reach.jobs.retention must be positive, was PT0S");
    failsWith("reach.jobs.max-stored=0", "reach.jobs.max-stored must be at least 1, was 0");
    failsWith(
        "reach.jobs.default-timeout=0s",
        "reach.jobs.default-timeout must be positive and at most PT10M (the longest a request may"
            + " ask for), was PT0S");
    failsWith(
        "reach.jobs.default-timeout=11m",
        "reach.jobs.default-timeout must be positive and at most PT10M (the longest a request may"
            + " ask for), was PT11M");
    failsWith(
        "reach.jobs.shutdown-grace=-1s",
        "reach.jobs.shutdown-grace must not be negative, was PT-1S");
    failsWith("reach.monitor.concurrency=0", "reach.monitor.concurrency must be in [1, 64], was 0");
    failsWith(
        "reach.monitor.per-server-interval=-1s",
        "reach.monitor.per-server-interval must not be negative, was PT-1S");
    failsWith(
        "reach.monitor.max-probes-per-address=0",
        "reach.monitor.max-probes-per-address must be at least 1, was 0");
    failsWith(
        "reach.monitor.target-confidence=6",
        "reach.monitor.target-confidence must be in [1, 5] (the window size), was 6");
    failsWith(
        "reach.node.announce=/ip4/203.0.113.7/udp/4001/quic-v1/webtransport",
        "reach.node.announce[0] = \"/ip4/203.0.113.7/udp/4001/quic-v1/webtransport\": only"
            + " /ip4|ip6/<address>/tcp/<port> or /ip4|ip6/<address>/udp/<port>/quic-v1 can be"
            + " checked");
  }

  private void failsWith(String property, String message) {
    runner
        .withPropertyValues(property)
        .run(context -> assertThat(context).getFailure().hasStackTraceContaining(message));
  }
}
