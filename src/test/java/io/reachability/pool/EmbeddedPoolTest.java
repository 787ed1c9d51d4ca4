package io.reachability.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reachability.autonat.AutonatV2;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.host.Host;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Embedded loopback servers: own peer ids, announce AutoNAT v2 over identify, stop with the pool.
 */
class EmbeddedPoolTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void serversHaveTheirOwnIdentitiesAndSpeakAutonatV2() throws Exception {
    try (ServerPool pool = ServerPool.of(List.of(), EmbeddedPool.start(2));
        Host client = Host.builder().threadName("client").build().start()) {
      assertThat(pool.hasEmbedded()).isTrue();
      assertThat(pool.servers()).hasSize(2).allMatch(PoolServer::embedded);
      assertThat(pool.servers().stream().map(PoolServer::peerId).distinct()).hasSize(2);
      assertThat(pool.servers())
          .allMatch(s -> s.address().toString().startsWith("/ip4/127.0.0.1/tcp/"));
      assertThat(pool.servers()).allMatch(s -> s.speaksAutonatV2() == null);

      pool.probe(client).get(WAIT.toSeconds(), TimeUnit.SECONDS);

      assertThat(pool.servers()).allMatch(s -> Boolean.TRUE.equals(s.speaksAutonatV2()));
      assertThat(pool.servers()).allMatch(s -> ServerPool.connected(client, s));
      assertThat(pool.usable()).hasSize(2);
    }
  }

  @Test
  void aServerThatDoesNotSpeakAutonatV2IsNotUsed() throws Exception {
    try (Host plain =
            Host.builder().threadName("plain").listen(EmbeddedPool.LISTEN_ADDRESS).build().start();
        Host client = Host.builder().threadName("client").build().start()) {
      Multiaddr address = plain.listenAddresses().get(0).withPeerId(plain.peerId());
      ServerPool pool = ServerPool.of(List.of(address), null);

      pool.probe(client).get(WAIT.toSeconds(), TimeUnit.SECONDS);

      assertThat(plain.protocols()).doesNotContain(AutonatV2.DIAL_REQUEST_PROTOCOL);
      assertThat(pool.find(plain.peerId()).orElseThrow().speaksAutonatV2()).isFalse();
      assertThat(pool.usable()).isEmpty();
      assertThat(pool.hasEmbedded()).isFalse();
    }
  }

  @Test
  void anUnreachableServerStaysUnknownAndProbingDoesNotFail() throws Exception {
    PeerId someone = Host.builder().build().peerId();
    // port 1 on loopback: nothing listens there, the connection is refused at once
    Multiaddr nowhere = Multiaddr.fromString("/ip4/127.0.0.1/tcp/1").withPeerId(someone);
    try (Host client = Host.builder().threadName("client").build().start()) {
      ServerPool pool = ServerPool.of(List.of(nowhere), null);
      pool.probe(client).get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(pool.servers().get(0).speaksAutonatV2()).isNull();
      assertThat(pool.usable()).hasSize(1);
    }
  }

  @Test
  void closedPoolStopsItsServers() {
    EmbeddedPool embedded = EmbeddedPool.start(1);
    Multiaddr address = embedded.addresses().get(0);
    ServerPool.of(List.of(), embedded).close();
    try (Host client = Host.builder().threadName("client").build().start()) {
      assertThatThrownBy(() -> client.dial(address).get(WAIT.toSeconds(), TimeUnit.SECONDS))
          .isNotNull();
    }
  }

  @Test
  void embeddedServersAllowPrivateAddressesAndAreNotThrottled() {
    assertThat(EmbeddedPool.settings().allowPrivateAddresses()).isTrue();
    assertThat(EmbeddedPool.settings().rateLimit().perPeerPerMinute())
        .isGreaterThanOrEqualTo(EmbeddedPool.UNTHROTTLED_PER_MINUTE);
    assertThat(EmbeddedPool.settings().rateLimit().concurrentPerPeer())
        .isGreaterThanOrEqualTo(EmbeddedPool.UNTHROTTLED_CONCURRENT);
  }
}
