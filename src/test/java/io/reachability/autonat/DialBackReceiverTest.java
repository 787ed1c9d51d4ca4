package io.reachability.autonat;

import static org.assertj.core.api.Assertions.assertThat;

import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.crypto.Keys;
import io.reachability.libp2p.host.Host;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The pending-nonce table on its own; the handler's rules (inbound only, once, newer than the
 * check) are exercised over loopback hosts in {@link AutonatClientTest}.
 */
class DialBackReceiverTest {

  private static final AutonatClientSettings SETTINGS =
      new AutonatClientSettings(100_000, 4096, Duration.ofSeconds(10), Duration.ofSeconds(1));
  private static final PeerId SERVER = PeerId.fromPublicKey(Keys.generateEd25519().publicKey());
  private static final Multiaddr SERVER_ADDRESS =
      Multiaddr.fromString("/ip4/127.0.0.1/tcp/9").withPeerId(SERVER);

  private final Host host = Host.builder().ioThreads(1).build();
  private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
  private final DialBackReceiver receiver = new DialBackReceiver();

  @AfterEach
  void stop() {
    timers.shutdownNow();
    host.close();
  }

  private DialRequestExchange exchange(long nonce) {
    return new DialRequestExchange(
        host,
        SETTINGS,
        timers,
        Clock.systemUTC(),
        AutonatMessages.dialDataMessage(SETTINGS.dialDataChunkBytes()),
        receiver::forget,
        SERVER,
        SERVER_ADDRESS,
        List.of(Multiaddr.fromString("/ip4/127.0.0.1/tcp/4001")),
        CheckOptions.from(SETTINGS),
        nonce);
  }

  @Test
  void aNonceIsAwaitedByOneCheckOnly() {
    DialRequestExchange first = exchange(7);
    assertThat(receiver.await(first)).isTrue();
    assertThat(receiver.await(exchange(7))).isFalse();
    assertThat(receiver.waiting()).isOne();
    assertThat(receiver.pending()).containsExactly(first);
  }

  @Test
  void forgettingTakesOnlyThatCheckOut() {
    DialRequestExchange first = exchange(7);
    receiver.await(first);
    receiver.forget(exchange(7)); // another check that drew the same nonce and was refused
    assertThat(receiver.isWaiting()).isTrue();
    receiver.forget(first);
    assertThat(receiver.isWaiting()).isFalse();
  }

  @Test
  void aDialBackIsAwaitedFromTheIpItsServerWasReachedAt() throws Exception {
    DialRequestExchange check = exchange(7);
    receiver.await(check);
    InetAddress loopback = InetAddress.getByName("127.0.0.1");
    assertThat(receiver.awaitedFrom(loopback)).isFalse(); // not connected yet
    check.serverIp = loopback;
    assertThat(receiver.awaitedFrom(loopback)).isTrue();
    assertThat(receiver.awaitedFrom(InetAddress.getByName("127.0.0.2"))).isFalse();
  }
}
