package io.reachability.libp2p.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.Channel;
import io.reachability.libp2p.core.Connection;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.Stream;
import io.reachability.testing.Echo;
import io.reachability.testing.FloodPeers;
import io.reachability.testing.LoopbackHosts;
import io.reachability.testing.Waiting;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How a host rations its inbound connections, on real sockets: idle connections are closed, inbound
 * connections have their own bound and bounds per IP and per subnet (source addresses 127.0.0.x act
 * as many hosts of one /24, 127.0.1.x as another /24), and a reserve admits connections for one
 * protocol past every bound while it is wanted.
 */
class InboundLimitsTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final long POLL_MILLIS = 10;
  private static final Duration SHORT_IDLE = Duration.ofSeconds(1);
  private static final String RESERVED = "/test/reserved/1.0.0";

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final FloodPeers flood = new FloodPeers();

  @AfterEach
  void closeAll() throws Exception {
    flood.close();
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  private Host start(HostBuilder builder) {
    Host host = builder.build().start();
    toClose.add(host);
    return host;
  }

  private Host node(HostBuilder builder) {
    return start(
        builder
            .threadName("node")
            .listen(LoopbackHosts.ANY_PORT)
            .protocol(Echo.PROTOCOL_ID, Echo.responder()));
  }

  private Host peer(String name) {
    return start(Host.builder().threadName(name));
  }

  private static Multiaddr addressOf(Host host) {
    return host.listenAddresses().get(0).withPeerId(host.peerId());
  }

  private static InetSocketAddress socketOf(Host host) {
    return host.listenAddresses().get(0).toTcpSocketAddress().orElseThrow();
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    Waiting.within(WAIT).alias(what).until(condition::getAsBoolean);
  }

  // ---- idle connections

  @Test
  void aConnectionWithNoOpenStreamIsClosedAfterTheIdleTimeoutOneWithAStreamIsNot()
      throws Exception {
    Host node = node(Host.builder().idleTimeout(SHORT_IDLE));
    Connection busy = peer("busy").dial(addressOf(node)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    Stream held =
        busy.newStream(List.of(Echo.PROTOCOL_ID), stream -> {})
            .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    Connection idle = peer("idle").dial(addressOf(node)).get(WAIT.toSeconds(), TimeUnit.SECONDS);

    idle.closeFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS); // the node hung up
    // opened before the idle one, so just as long without a new stream: the open one keeps it
    assertThat(busy.isOpen()).isTrue();
    assertThat(Echo.roundTrip(busy, 1000, 1).get(WAIT.toSeconds(), TimeUnit.SECONDS).matches())
        .isTrue();

    held.channel().close(); // FIN: the echo responder closes its side, the stream is gone
    busy.closeFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  @Test
  void idleAuthenticatedConnectionsFromAFloodAreAllClosed() throws Exception {
    Host node = node(Host.builder().idleTimeout(SHORT_IDLE));
    int upgraded =
        flood.authenticated(socketOf(node), node.peerId(), FloodPeers.loopback(2), 32, WAIT);
    assertThat(upgraded).isEqualTo(32);

    await(() -> flood.open() == 0, "the node closes every idle attack connection");
    await(() -> node.inboundConnections() == 0, "the node counts none");
  }

  // ---- bounds

  @Test
  void oneSubnetCannotTakeMoreThanItsShareOfInboundConnections() throws Exception {
    Host node =
        node(Host.builder().maxInboundConnectionsPerIp(2).maxInboundConnectionsPerSubnet(3));
    InetAddress first = FloodPeers.loopback(2);
    InetAddress second = FloodPeers.loopback(3);
    InetAddress third = FloodPeers.loopback(4);
    // one address at a time: the node accepts on several event loops, in no fixed order
    flood.halfOpen(socketOf(node), first, 2, WAIT);
    await(
        () -> node.inboundConnectionsFrom(first) == 2,
        "the first address's two connections are counted");
    flood.halfOpen(socketOf(node), second, 2, WAIT);
    await(() -> flood.open() == 3, "the second address's second connection is closed");
    flood.halfOpen(socketOf(node), third, 1, WAIT);

    // 127.0.0.0/24 holds 3: the second address gets one, the third none, even below their own limit
    await(() -> flood.open() == 3, "the node closes the connections beyond the subnet's share");
    assertThat(node.inboundConnectionsFrom(first)).isEqualTo(2);
    assertThat(node.inboundConnectionsFrom(second)).isEqualTo(1);
    assertThat(node.inboundConnectionsFrom(third)).isZero();
    assertThat(node.inboundConnectionsFromSubnet(third)).isEqualTo(3);

    // another /24 has a share of its own
    InetAddress elsewhere = InetAddress.getByName("127.0.1.2");
    flood.halfOpen(socketOf(node), elsewhere, 1, WAIT);
    await(() -> node.inboundConnectionsFrom(elsewhere) == 1, "the other subnet is admitted");
    assertThat(node.inboundConnectionsFromSubnet(elsewhere)).isEqualTo(1);
  }

  @Test
  void subnetsAreSlash24ForIpv4AndSlash64ForIpv6() throws Exception {
    assertThat(InboundLimits.subnet(InetAddress.getByName("203.0.113.7")))
        .isEqualTo(InboundLimits.subnet(InetAddress.getByName("203.0.113.200")))
        .isNotEqualTo(InboundLimits.subnet(InetAddress.getByName("203.0.114.7")))
        .hasToString("203.0.113.0/24");
    assertThat(InboundLimits.subnet(InetAddress.getByName("2001:db8:1:2:aaaa::1")))
        .isEqualTo(InboundLimits.subnet(InetAddress.getByName("2001:db8:1:2:ffff:ffff:ffff:ffff")))
        .isNotEqualTo(InboundLimits.subnet(InetAddress.getByName("2001:db8:1:3::1")))
        .hasToString("2001:db8:1:2:0:0:0:0/64");
    // an IPv4 peer on a dual-stack socket is still an IPv4 /24
    InetAddress mapped =
        java.net.Inet6Address.getByAddress(
            null,
            new byte[] {
              0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 203, 0, 113, 9
            },
            -1);
    assertThat(InboundLimits.subnet(mapped))
        .isEqualTo(InboundLimits.subnet(InetAddress.getByName("203.0.113.7")));
  }

  @Test
  void inboundConnectionsLeaveRoomForDialingOut() throws Exception {
    Host node = node(Host.builder().maxConnections(4).maxInboundConnections(2));
    Host otherListening = start(LoopbackHosts.builder("listening"));
    flood.halfOpen(socketOf(node), FloodPeers.loopback(2), 2, WAIT);
    flood.halfOpen(socketOf(node), InetAddress.getByName("127.0.1.2"), 2, WAIT);
    await(() -> flood.open() == 2, "the node keeps two inbound connections and closes the others");
    assertThat(node.inboundConnections()).isEqualTo(2);

    // the other two slots are the node's own to use
    assertThat(
            node.dial(addressOf(otherListening)).get(WAIT.toSeconds(), TimeUnit.SECONDS).isOpen())
        .isTrue();
  }

  // ---- the reserve

  private Host reservingNode(HostBuilder builder) {
    return node(builder.protocol(RESERVED, Echo.responder()));
  }

  @Test
  void aReservedProtocolIsServedPastTheLimitsWhileWantedAndNothingElseIs() throws Exception {
    Host node = reservingNode(Host.builder().maxInboundConnectionsPerIp(1));
    AtomicBoolean wanted = new AtomicBoolean(true);
    InboundReservation reservation = node.reserveInboundSlots(RESERVED, 2, wanted::get);
    InetAddress loopback = FloodPeers.loopback(1);
    flood.authenticated(socketOf(node), node.peerId(), loopback, 1, WAIT);
    await(
        () -> node.inboundConnectionsFrom(loopback) == 1,
        "an idle connection takes 127.0.0.1's only slot");

    Connection reserved =
        peer("reserved").dial(addressOf(node)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(reservation.members()).isEqualTo(1);
    assertThat(
            Echo.roundTrip(reserved, RESERVED, 1000, 1)
                .get(WAIT.toSeconds(), TimeUnit.SECONDS)
                .matches())
        .isTrue();
    // the reserve serves its protocol, once, and nothing else
    assertThatThrownBy(
            () ->
                Echo.roundTrip(reserved, Echo.PROTOCOL_ID, 10, 2)
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class);
    assertThatThrownBy(
            () -> Echo.roundTrip(reserved, RESERVED, 10, 3).get(WAIT.toSeconds(), TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class);
    // when its stream is done, a member soon gives its slot back
    reserved.closeFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    await(() -> reservation.members() == 0, "the member leaves the reserve");

    // not wanted: the limits apply as before
    wanted.set(false);
    assertThatThrownBy(
            () -> peer("unwanted").dial(addressOf(node)).get(WAIT.toSeconds(), TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class);
    assertThat(reservation.members()).isZero();
  }

  @Test
  void aReserveMemberThatDoesNotOpenTheProtocolInTimeIsClosed() throws Exception {
    Host node =
        reservingNode(
            Host.builder()
                .maxInboundConnections(1)
                .upgrade(
                    io.reachability.libp2p.transport.UpgradeSettings.defaults()
                        .withUpgradeTimeout(Duration.ofSeconds(1))));
    InboundReservation reservation = node.reserveInboundSlots(RESERVED, 2, () -> true);
    flood.authenticated(socketOf(node), node.peerId(), FloodPeers.loopback(2), 1, WAIT);
    await(() -> node.inboundConnections() == 1, "an idle connection takes the only inbound slot");

    // an authenticated peer that opens nothing: out once its probation (the upgrade timeout) is
    // over,
    // long before the idle timeout
    Connection silent =
        peer("silent").dial(addressOf(node)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(reservation.members()).isEqualTo(1);
    silent.closeFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    await(() -> reservation.members() == 0, "the member leaves the reserve");
  }

  @Test
  void aFullReserveMakesRoomByEvictingAMemberStillOnProbationFromTheBusiestSubnet()
      throws Exception {
    Host node = reservingNode(Host.builder().maxInboundConnections(1));
    InboundReservation reservation = node.reserveInboundSlots(RESERVED, 2, () -> true);
    flood.authenticated(socketOf(node), node.peerId(), FloodPeers.loopback(9), 1, WAIT);
    await(() -> node.inboundConnections() == 1, "an idle connection takes the only inbound slot");

    // the reserve fills: first a member from another /24, then one from 127.0.0.0/24
    Channel otherSubnet =
        flood.halfOpen(socketOf(node), InetAddress.getByName("127.0.1.2"), 1, WAIT).get(0);
    await(() -> reservation.members() == 1, "the first member joins the reserve");
    Channel sameSubnet = flood.halfOpen(socketOf(node), FloodPeers.loopback(2), 1, WAIT).get(0);
    await(() -> reservation.members() == 2, "the second member joins the reserve");

    // a newcomer from 127.0.0.1 pushes out the member of its own, busier, subnet, not the older one
    Connection newcomer =
        peer("newcomer").dial(addressOf(node)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    sameSubnet.closeFuture().await(WAIT.toMillis());
    assertThat(sameSubnet.isActive()).isFalse();
    assertThat(otherSubnet.isActive()).isTrue();
    assertThat(
            Echo.roundTrip(newcomer, RESERVED, 1000, 1)
                .get(WAIT.toSeconds(), TimeUnit.SECONDS)
                .matches())
        .isTrue();
    assertThat(reservation.members()).isEqualTo(2);
  }

  /**
   * An upgraded member that has not opened the protocol for a while is an idle holder (a dial-back
   * opens its stream as soon as it is upgraded): it makes room before a member still in its
   * handshake, even an older one, so a flood of idle connections cannot push out a dial-back
   * mid-handshake.
   */
  @Test
  void anUpgradedSilentMemberMakesRoomBeforeOneStillInItsHandshake() throws Exception {
    Host node = reservingNode(Host.builder().maxInboundConnections(1));
    InboundReservation reservation = node.reserveInboundSlots(RESERVED, 2, () -> true);
    flood.authenticated(socketOf(node), node.peerId(), FloodPeers.loopback(9), 1, WAIT);
    await(() -> node.inboundConnections() == 1, "an idle connection takes the only inbound slot");

    Channel handshaking = flood.halfOpen(socketOf(node), FloodPeers.loopback(2), 1, WAIT).get(0);
    await(() -> reservation.members() == 1, "the half-open member joins the reserve");
    long before = flood.open();
    flood.authenticated(socketOf(node), node.peerId(), FloodPeers.loopback(3), 1, WAIT);
    await(() -> reservation.members() == 2, "the upgraded, silent member joins the reserve");
    // silent for longer than a dialer takes to open its stream after the upgrade
    TimeUnit.MILLISECONDS.sleep(InboundReservation.OPENING_GRACE.toMillis() + POLL_MILLIS);

    Connection newcomer =
        peer("newcomer").dial(addressOf(node)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(
            Echo.roundTrip(newcomer, RESERVED, 1000, 1)
                .get(WAIT.toSeconds(), TimeUnit.SECONDS)
                .matches())
        .isTrue();
    await(() -> flood.open() == before, "the silent upgraded member is pushed out");
    assertThat(handshaking.isActive()).as("the older member still in its handshake stays").isTrue();
  }

  /**
   * Members from the addresses the protocol is expected from (the servers whose dial-backs are
   * awaited) are pushed out last, and never by a newcomer from anywhere else.
   */
  @Test
  void strangersNeverPushOutAMemberFromAnExpectedAddress() throws Exception {
    Host node = reservingNode(Host.builder().maxInboundConnections(1));
    InetAddress server = FloodPeers.loopback(1);
    InboundReservation reservation =
        node.reserveInboundSlots(RESERVED, 2, () -> true, server::equals);
    flood.authenticated(socketOf(node), node.peerId(), FloodPeers.loopback(9), 1, WAIT);
    await(() -> node.inboundConnections() == 1, "an idle connection takes the only inbound slot");

    Channel awaited = flood.halfOpen(socketOf(node), server, 1, WAIT).get(0);
    await(() -> reservation.members() == 1, "the expected member joins");
    Channel stranger =
        flood.halfOpen(socketOf(node), InetAddress.getByName("127.0.1.2"), 1, WAIT).get(0);
    await(() -> reservation.members() == 2, "a stranger joins");

    // strangers from the expected member's own, busier /24 push out only each other
    for (int i = 3; i < 6; i++) {
      Channel next = flood.halfOpen(socketOf(node), FloodPeers.loopback(i), 1, WAIT).get(0);
      Channel previous = stranger;
      previous.closeFuture().await(WAIT.toMillis());
      assertThat(previous.isActive()).isFalse();
      assertThat(awaited.isActive()).isTrue();
      stranger = next;
    }
    // a dialer from the expected address pushes out the stranger, not the older expected member
    Connection dialBack =
        peer("server").dial(addressOf(node)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(
            Echo.roundTrip(dialBack, RESERVED, 1000, 1)
                .get(WAIT.toSeconds(), TimeUnit.SECONDS)
                .matches())
        .isTrue();
    stranger.closeFuture().await(WAIT.toMillis());
    assertThat(stranger.isActive()).isFalse();
    assertThat(awaited.isActive()).isTrue();
  }

  @Test
  void aMemberServingTheProtocolIsNotEvicted() throws Exception {
    Host node = reservingNode(Host.builder().maxInboundConnections(1));
    InboundReservation reservation = node.reserveInboundSlots(RESERVED, 1, () -> true);
    flood.authenticated(socketOf(node), node.peerId(), FloodPeers.loopback(9), 1, WAIT);
    await(() -> node.inboundConnections() == 1, "an idle connection takes the only inbound slot");

    Connection serving =
        peer("serving").dial(addressOf(node)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    Stream open =
        serving.newStream(List.of(RESERVED), stream -> {}).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(open.channel().isActive()).isTrue();

    // the reserve is full of a member at work: a newcomer is turned away, the member stays
    assertThatThrownBy(
            () -> peer("late").dial(addressOf(node)).get(WAIT.toSeconds(), TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class);
    assertThat(serving.isOpen()).isTrue();
    assertThat(reservation.members()).isEqualTo(1);
  }
}
