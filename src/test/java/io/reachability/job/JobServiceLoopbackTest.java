package io.reachability.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.reachability.autonat.AutonatClient;
import io.reachability.autonat.AutonatClientSettings;
import io.reachability.autonat.CheckOptions;
import io.reachability.autonat.DialStatus;
import io.reachability.autonat.Reachability;
import io.reachability.autonat.ResponseStatus;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.host.Host;
import io.reachability.pool.EmbeddedPool;
import io.reachability.pool.PoolServer;
import io.reachability.pool.ServerPool;
import io.reachability.testing.Waiting;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * End to end on loopback, no mocks: a real node with its AutoNAT v2 client, a real embedded pool of
 * three servers, real dial-backs.
 */
class JobServiceLoopbackTest {

  private static final int POOL_SIZE = 3;
  private static final Duration WAIT = Duration.ofSeconds(30);

  private static ServerPool pool;
  private static Host node;
  private static AutonatClient client;
  private static JobService jobs;

  @BeforeAll
  static void start() {
    pool = ServerPool.of(List.of(), EmbeddedPool.start(POOL_SIZE));
    node = Host.builder().threadName("node").listen(EmbeddedPool.LISTEN_ADDRESS).build().start();
    client = new AutonatClient(node, AutonatClientSettings.defaults()).start();
    jobs =
        new JobService(
            new InMemoryJobStore(Clock.systemUTC(), Duration.ofHours(1), 100),
            AddressChecker.of(client),
            pool,
            () -> new NodeAddresses(node.listenAddresses(), List.of()),
            JobSettings.of(2, 10),
            CheckOptions.from(client.settings()),
            Clock.systemUTC());
  }

  @AfterAll
  static void stop() {
    jobs.close();
    client.close();
    node.close();
    pool.close();
  }

  private static CheckJob run(CheckRequest request) throws InterruptedException {
    UUID id = jobs.submit(request).id();
    return Waiting.within(WAIT)
        .alias("job finished")
        .until(() -> jobs.find(id).orElseThrow(), CheckJob::isFinished);
  }

  @Test
  void theNodesOwnAddressIsReachableWithVerifiedNoncesFromThreeServers() throws Exception {
    CheckJob job = run(CheckRequest.defaults());

    assertThat(job.state()).isEqualTo(JobState.SUCCEEDED);
    AddressResult result = job.results().get(0);
    assertThat(result.address()).isEqualTo(node.listenAddresses().get(0));
    assertThat(result.verdict()).isEqualTo(Reachability.REACHABLE);
    assertThat(result.warnings()).isEmpty();
    assertThat(result.attempts()).hasSize(POOL_SIZE);
    assertThat(result.attempts().stream().map(Attempt::server).distinct()).hasSize(POOL_SIZE);
    for (Attempt attempt : result.attempts()) {
      assertThat(attempt.nonceVerified()).isTrue();
      assertThat(attempt.responseStatus()).isEqualTo(ResponseStatus.OK);
      assertThat(attempt.dialStatus()).isEqualTo(DialStatus.OK);
      assertThat(attempt.dialBackAddress()).isNotNull();
      assertThat(attempt.error()).isNull();
    }
    assertThat(pool.servers())
        .allMatch(s -> s.counters().byReachability().get(Reachability.REACHABLE) >= 1);
  }

  @Test
  void aClosedPortIsUnreachable() throws Exception {
    Multiaddr closed =
        Multiaddr.fromSocketAddress(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), freePort()));
    CheckJob job = run(CheckRequest.of(List.of(closed)));

    assertThat(job.state()).isEqualTo(JobState.SUCCEEDED);
    AddressResult result = job.results().get(0);
    assertThat(result.verdict()).isEqualTo(Reachability.UNREACHABLE);
    assertThat(result.warnings())
        .singleElement()
        .asString()
        .contains("the node does not listen on tcp/");
    assertThat(result.attempts())
        .hasSize(POOL_SIZE)
        .allMatch(a -> a.dialStatus() == DialStatus.E_DIAL_ERROR && !a.nonceVerified());
  }

  @Test
  void identifySaysEveryEmbeddedServerSpeaksAutonatV2() throws Exception {
    pool.probe(node).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(pool.servers())
        .allMatch(s -> Boolean.TRUE.equals(s.speaksAutonatV2()))
        .allMatch(PoolServer::embedded);
  }

  /** A port nothing listens on: bound once by the OS, then released. */
  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
