package io.reachability.libp2p.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.epoll.Epoll;
import io.reachability.libp2p.core.Connection;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.crypto.Keys;
import io.reachability.libp2p.crypto.PrivateKey;
import io.reachability.libp2p.identify.IdentifyResult;
import io.reachability.testing.LoopbackHosts;
import io.reachability.testing.MutableClock;
import io.reachability.testing.Waiting;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Observed addresses with real hosts on loopback: what the peers we dial report over identify is
 * recorded per address with its observers, announced to listeners, and never broken by them.
 */
class ObservedAddressesOnLoopbackTest {

  private static final long TIMEOUT_SECONDS = 20;

  private final MutableClock clock = new MutableClock();
  private final List<Host> hosts = new ArrayList<>();
  private Host a;

  @BeforeEach
  void start() {
    a = start(LoopbackHosts.builder("observed-a").clock(clock));
  }

  @AfterEach
  void stop() {
    hosts.forEach(Host::close);
  }

  private Host start(HostBuilder builder) {
    Host host = builder.build().start();
    hosts.add(host);
    return host;
  }

  private Host peer(String name) {
    return start(Host.builder().threadName(name).listen(LoopbackHosts.ANY_PORT));
  }

  private static Multiaddr addressOf(Host host) {
    return host.listenAddresses().get(0).withPeerId(host.peerId());
  }

  /** Dials {@code to} and waits for the identify run on connect (its result is cached). */
  private Connection dialAndIdentify(Host from, Host to) throws Exception {
    Connection connection = from.dial(addressOf(to)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    from.identify(connection).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    return connection;
  }

  @Test
  void whatTheDialedPeersObserveIsRecordedWithItsObservers() throws Exception {
    assumeTrue(Epoll.isAvailable(), "both connections leave from the listen port only with epoll");
    List<ObservedAddress> announced = new CopyOnWriteArrayList<>();
    a.addObservedAddressListener(announced::add);
    Host b = peer("observed-b");
    Host c = peer("observed-c");
    Multiaddr listen = a.listenAddresses().get(0);

    dialAndIdentify(a, b);
    Instant first = clock.instant();
    assertThat(a.observedAddresses())
        .containsExactly(new ObservedAddress(listen, Set.of(b.peerId()), first));

    clock.advance(Duration.ofMinutes(1));
    dialAndIdentify(a, c);

    ObservedAddress both =
        new ObservedAddress(listen, Set.of(b.peerId(), c.peerId()), clock.instant());
    assertThat(a.observedAddresses()).containsExactly(both);
    assertThat(announced)
        .containsExactly(new ObservedAddress(listen, Set.of(b.peerId()), first), both);
  }

  @Test
  void aPeerReportingTheSameAddressAgainOnlyMovesLastSeen() throws Exception {
    assumeTrue(Epoll.isAvailable(), "both connections leave from the listen port only with epoll");
    List<ObservedAddress> announced = new CopyOnWriteArrayList<>();
    a.addObservedAddressListener(announced::add);
    // one peer id on two hosts: two connections from our listen port (different remote ports)
    PrivateKey key = Keys.generateEd25519();
    Host b1 =
        start(Host.builder().threadName("again-b1").identity(key).listen(LoopbackHosts.ANY_PORT));
    Host b2 =
        start(Host.builder().threadName("again-b2").identity(key).listen(LoopbackHosts.ANY_PORT));
    dialAndIdentify(a, b1);
    clock.advance(Duration.ofMinutes(5));

    Connection second = a.dial(b2.listenAddresses().get(0)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    a.identify(second).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);

    assertThat(announced).hasSize(1);
    assertThat(a.observedAddresses())
        .containsExactly(
            new ObservedAddress(a.listenAddresses().get(0), Set.of(b1.peerId()), clock.instant()));
  }

  @Test
  void aPeersReportOfAnotherAddressReplacesItsOldOne() throws Exception {
    Host ephemeral = start(LoopbackHosts.builder("replaced-a").reusePort(false));
    List<ObservedAddress> announced = new CopyOnWriteArrayList<>();
    ephemeral.addObservedAddressListener(announced::add);
    Host b = peer("replaced-b");
    // no /p2p: two connections at once, so two different ephemeral ports
    Connection first =
        ephemeral.dial(b.listenAddresses().get(0)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    ephemeral.identify(first).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    Connection second =
        ephemeral.dial(b.listenAddresses().get(0)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    ephemeral.identify(second).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);

    assertThat(second.localAddress()).isNotEqualTo(first.localAddress());
    assertThat(announced)
        .extracting(ObservedAddress::address)
        .containsExactly(first.localAddress(), second.localAddress());
    assertThat(ephemeral.observedAddresses())
        .extracting(ObservedAddress::address, ObservedAddress::observers)
        .containsExactly(tuple(second.localAddress(), Set.of(b.peerId())));
  }

  @Test
  void inboundConnectionsTeachNothing() throws Exception {
    Host b = peer("inbound-b");
    dialAndIdentify(a, b);
    Waiting.within(Duration.ofSeconds(TIMEOUT_SECONDS))
        .until(() -> !(b.connections(a.peerId()).isEmpty()));
    IdentifyResult aboutA =
        b.identify(b.connections(a.peerId()).get(0)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);

    assertThat(aboutA.observedAddress()).isEqualTo(b.listenAddresses().get(0));
    assertThat(b.observedAddresses()).isEmpty();
  }

  @Test
  void aFailingListenerBreaksNeitherIdentifyNorTheOtherListeners() throws Exception {
    List<ObservedAddress> announced = new CopyOnWriteArrayList<>();
    a.addObservedAddressListener(
        o -> {
          throw new IllegalStateException("listener bug (expected in this test)");
        });
    a.addObservedAddressListener(announced::add);
    Host b = peer("failing-b");

    Connection connection = a.dial(addressOf(b)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    IdentifyResult aboutB = a.identify(connection).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);

    assertThat(aboutB.peer()).isEqualTo(b.peerId());
    assertThat(announced).hasSize(1);
    assertThat(a.observedAddresses()).hasSize(1);
    assertThat(connection.isOpen()).isTrue();
  }

  @Test
  void aRemovedListenerHearsNothingMore() throws Exception {
    List<ObservedAddress> announced = new CopyOnWriteArrayList<>();
    Consumer<ObservedAddress> listener = announced::add;
    a.addObservedAddressListener(listener);
    a.removeObservedAddressListener(listener);

    dialAndIdentify(a, peer("removed-b"));

    assertThat(announced).isEmpty();
    assertThat(a.observedAddresses()).hasSize(1);
  }

  @Test
  void aHostThatDoesNotIdentifyOnConnectLearnsWhenAsked() throws Exception {
    Host quiet = start(Host.builder().threadName("quiet").identifyOnConnect(false));
    Host b = peer("quiet-b");
    Connection connection = quiet.dial(addressOf(b)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    assertThat(quiet.observedAddresses()).isEmpty();

    quiet.identify(connection).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);

    assertThat(quiet.observedAddresses())
        .extracting(ObservedAddress::address, ObservedAddress::observers)
        .containsExactly(tuple(connection.localAddress(), Set.of(b.peerId())));
  }
}
