package io.reachability.autonat;

import static org.assertj.core.api.Assertions.assertThat;

import io.reachability.autonat.ScriptedServer.DialBackOutcome;
import io.reachability.libp2p.core.Connection;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.host.Host;
import io.reachability.testing.LoopbackHosts;
import io.reachability.testing.Waiting;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The dial-back receiver on its own: the pending-nonce table, and its handler served on a loopback
 * host and fed DialBacks by a second host, without a client or a server around it.
 */
class DialBackReceiverTest {

  private static final AutonatClientSettings SETTINGS =
      new AutonatClientSettings(100_000, 4096, Duration.ofSeconds(10), Duration.ofSeconds(1));
  private static final long NONCE = 7;
  private static final long WAIT_SECONDS = ScriptedServer.WAIT_SECONDS;

  /** DialBackResponse{OK}, framed: status OK is the default, so an empty message. */
  private static final byte[] OK_RESPONSE = {0x00};

  private final Host self = LoopbackHosts.start("dial-back-receiver");
  private final Host dialer = LoopbackHosts.start("dial-back-sender");
  private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
  private final DialBackReceiver receiver = new DialBackReceiver();

  @AfterEach
  void stop() {
    timers.shutdownNow();
    dialer.close();
    self.close();
  }

  /** A check waiting for {@code nonce}, not started: only its dial-back side is exercised. */
  private DialRequestExchange exchange(long nonce) {
    PeerId server = dialer.peerId();
    return new DialRequestExchange(
        self,
        SETTINGS,
        timers,
        Clock.systemUTC(),
        AutonatMessages.dialDataMessage(SETTINGS.dialDataChunkBytes()),
        receiver::forget,
        server,
        dialer.listenAddresses().get(0).withPeerId(server),
        List.of(self.listenAddresses().get(0)),
        CheckOptions.from(SETTINGS),
        nonce);
  }

  private DialRequestExchange awaiting(long nonce) {
    DialRequestExchange exchange = exchange(nonce);
    assertThat(receiver.await(exchange)).isTrue();
    return exchange;
  }

  /** A connection the dialer opens to us: inbound for the receiver. */
  private Connection inbound() throws Exception {
    return dialer
        .dial(self.listenAddresses().get(0).withoutPeerId())
        .get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  private void serve() {
    self.setStreamHandler(AutonatV2.DIAL_BACK_PROTOCOL, receiver::serve);
  }

  private static void assertAnswered(DialBackOutcome outcome) {
    assertThat(outcome.reset()).isFalse();
    assertThat(outcome.received()).containsExactly(OK_RESPONSE);
  }

  private static void assertRefused(DialBackOutcome outcome) {
    assertThat(outcome.reset()).isTrue();
    assertThat(outcome.received()).isEmpty();
  }

  // ---- the table ----

  @Test
  void aNonceIsAwaitedByOneCheckOnly() {
    DialRequestExchange first = exchange(NONCE);
    assertThat(receiver.await(first)).isTrue();
    assertThat(receiver.await(exchange(NONCE))).isFalse();
    assertThat(receiver.waiting()).isOne();
    assertThat(receiver.pending()).containsExactly(first);
  }

  @Test
  void forgettingTakesOnlyThatCheckOut() {
    DialRequestExchange first = exchange(NONCE);
    receiver.await(first);
    receiver.forget(exchange(NONCE)); // another check that drew the same nonce and was refused
    assertThat(receiver.isWaiting()).isTrue();
    receiver.forget(first);
    assertThat(receiver.isWaiting()).isFalse();
  }

  @Test
  void aDialBackIsAwaitedFromTheIpItsServerWasReachedAt() throws Exception {
    DialRequestExchange check = exchange(NONCE);
    receiver.await(check);
    InetAddress loopback = InetAddress.getByName("127.0.0.1");
    assertThat(receiver.awaitedFrom(loopback)).isFalse(); // not connected yet
    check.serverIp = loopback;
    assertThat(receiver.awaitedFrom(loopback)).isTrue();
    assertThat(receiver.awaitedFrom(InetAddress.getByName("127.0.0.2"))).isFalse();
  }

  // ---- the handler ----

  @Test
  void aPendingNonceOnAnInboundConnectionIsAnsweredOnce() throws Exception {
    serve();
    DialRequestExchange check = awaiting(NONCE);
    assertAnswered(ScriptedServer.sendDialBack(inbound(), NONCE));
    assertRefused(ScriptedServer.sendDialBack(inbound(), NONCE)); // a replay, on a new connection
    assertThat(check.acceptDialBack(self.listenAddresses().get(0))).isFalse(); // already used
  }

  @Test
  void anUnknownNonceIsRefused() throws Exception {
    serve();
    awaiting(NONCE);
    assertRefused(ScriptedServer.sendDialBack(inbound(), NONCE + 1));
    assertAnswered(ScriptedServer.sendDialBack(inbound(), NONCE));
  }

  @Test
  void aNonceOnAnOutboundConnectionIsRefusedWithoutUsingItUp() throws Exception {
    serve();
    awaiting(NONCE);
    self.dial(dialer.listenAddresses().get(0).withoutPeerId()).get(WAIT_SECONDS, TimeUnit.SECONDS);
    // the same connection seen from the dialer's end, once it has registered it
    Connection ours =
        Waiting.within(Duration.ofSeconds(WAIT_SECONDS))
            .until(() -> dialer.connections(self.peerId()), list -> !list.isEmpty())
            .get(0);
    assertRefused(ScriptedServer.sendDialBack(ours, NONCE));
    assertAnswered(ScriptedServer.sendDialBack(inbound(), NONCE));
  }

  @Test
  void aNonceOnAConnectionOlderThanTheCheckIsRefusedWithoutUsingItUp() throws Exception {
    serve();
    Connection older = inbound();
    awaiting(NONCE);
    assertRefused(ScriptedServer.sendDialBack(older, NONCE));
    assertAnswered(ScriptedServer.sendDialBack(inbound(), NONCE));
  }

  @Test
  void aMalformedDialBackIsRefused() throws Exception {
    serve();
    awaiting(NONCE);
    byte[] garbage = ScriptedServer.frame(new byte[] {(byte) 0xff, (byte) 0xff});
    assertRefused(ScriptedServer.sendDialBack(inbound(), garbage));
    assertAnswered(ScriptedServer.sendDialBack(inbound(), NONCE));
  }
}
