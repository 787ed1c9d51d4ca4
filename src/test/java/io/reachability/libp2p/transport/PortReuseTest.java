package io.reachability.libp2p.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ConnectTimeoutException;
import io.reachability.libp2p.Libp2pException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Which listen port an outbound socket leaves from, and when a bound dial is tried again unbound.
 */
class PortReuseTest {

  private static final InetSocketAddress LOOPBACK4 = socket("127.0.0.1", 4001);
  private static final InetSocketAddress LOOPBACK6 = socket("::1", 4002);
  private static final InetSocketAddress WILDCARD4 = socket("0.0.0.0", 4003);
  private static final InetSocketAddress WILDCARD6 = socket("::", 4004);
  private static final InetSocketAddress LAN4 = socket("192.168.1.5", 4005);
  private static final InetSocketAddress PUBLIC_REMOTE = socket("203.0.113.10", 4001);
  private static final Function<InetAddress, Optional<InetAddress>> NO_ROUTE =
      ip -> Optional.empty();

  private static InetSocketAddress socket(String ip, int port) {
    try {
      return new InetSocketAddress(InetAddress.getByName(ip), port);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  private static Function<InetAddress, Optional<InetAddress>> routeVia(String source) {
    return ip -> Optional.of(socket(source, 0).getAddress());
  }

  @Test
  void aLoopbackRemoteIsDialedFromTheLoopbackListenerOfItsFamily() {
    List<InetSocketAddress> listeners = List.of(LOOPBACK6, WILDCARD4, LOOPBACK4);
    assertThat(PortReuse.select(listeners, socket("127.0.0.1", 9000), NO_ROUTE))
        .contains(LOOPBACK4);
    assertThat(PortReuse.select(listeners, socket("::1", 9000), NO_ROUTE)).contains(LOOPBACK6);
  }

  @Test
  void ofSeveralLoopbackListenersTheOneTheRouteLeavesFromIsPreferred() {
    InetSocketAddress second = socket("127.0.0.2", 4006);
    List<InetSocketAddress> listeners = List.of(second, LOOPBACK4);
    assertThat(PortReuse.select(listeners, socket("127.0.0.1", 9000), routeVia("127.0.0.1")))
        .contains(LOOPBACK4);
    assertThat(PortReuse.select(listeners, socket("127.0.0.1", 9000), NO_ROUTE)).contains(second);
  }

  @Test
  void aLoopbackRemoteFallsBackToTheWildcardListener() {
    assertThat(PortReuse.select(List.of(LAN4, WILDCARD4), socket("127.0.0.1", 9000), NO_ROUTE))
        .contains(WILDCARD4);
  }

  @Test
  void aPublicRemoteIsNeverDialedFromALoopbackListener() {
    // a socket bound to 127.0.0.1 cannot reach 203.0.113.10 (connect fails with EINVAL)
    assertThat(PortReuse.select(List.of(LOOPBACK4), PUBLIC_REMOTE, NO_ROUTE)).isEmpty();
    assertThat(PortReuse.select(List.of(LOOPBACK4, WILDCARD4), PUBLIC_REMOTE, NO_ROUTE))
        .contains(WILDCARD4);
  }

  @Test
  void aSpecificListenerIsUsedOnlyWhenTheRouteLeavesFromIt() {
    List<InetSocketAddress> listeners = List.of(WILDCARD4, LAN4);
    assertThat(PortReuse.select(listeners, PUBLIC_REMOTE, routeVia("192.168.1.5"))).contains(LAN4);
    // the route to this remote leaves from another interface (a VPN, say): the wildcard, or nothing
    assertThat(PortReuse.select(listeners, PUBLIC_REMOTE, routeVia("10.8.0.2")))
        .contains(WILDCARD4);
    assertThat(PortReuse.select(List.of(LAN4), PUBLIC_REMOTE, routeVia("10.8.0.2"))).isEmpty();
    assertThat(PortReuse.select(List.of(LAN4), PUBLIC_REMOTE, NO_ROUTE)).isEmpty();
  }

  @Test
  void onlyListenersOfTheRemotesFamilyCount() {
    assertThat(PortReuse.select(List.of(WILDCARD6, LOOPBACK6), PUBLIC_REMOTE, NO_ROUTE)).isEmpty();
    assertThat(PortReuse.select(List.of(WILDCARD4), socket("2001:db8::1", 1), NO_ROUTE)).isEmpty();
    assertThat(PortReuse.select(List.of(WILDCARD4, WILDCARD6), socket("2001:db8::1", 1), NO_ROUTE))
        .contains(WILDCARD6);
  }

  @Test
  void noListenersMeansAnEphemeralPort() {
    assertThat(PortReuse.select(List.of(), socket("127.0.0.1", 9000), NO_ROUTE)).isEmpty();
  }

  @Test
  void theRouteToLoopbackLeavesFromLoopback() {
    assertThat(PortReuse.routeSource(socket("127.0.0.1", 0).getAddress()))
        .contains(socket("127.0.0.1", 0).getAddress());
  }

  @Test
  void aTimeoutOrARefusalIsTheRemotesAnswerAndNotRetried() {
    assertThat(
            PortReuse.worthRetryingUnbound(
                new ConnectTimeoutException("connection timed out: /203.0.113.10:4001")))
        .isFalse();
    ConnectException refused =
        new ConnectException("finishConnect(..) failed with error(-111): Connection refused");
    assertThat(PortReuse.worthRetryingUnbound(refused)).isFalse();
    assertThat(PortReuse.worthRetryingUnbound(new Libp2pException("dial failed", refused)))
        .isFalse();
  }

  @Test
  void anythingElseIsRetriedFromAnEphemeralPort() {
    // what Netty's epoll transport reports for a four-tuple in use and for a port it cannot bind
    assertThat(
            PortReuse.worthRetryingUnbound(
                new ConnectException(
                    "connect(..) failed with error(-99): Cannot assign requested address")))
        .isTrue();
    assertThat(
            PortReuse.worthRetryingUnbound(
                new Libp2pException(
                    "dial failed",
                    new java.io.IOException(
                        "bind(..) failed with error(-98): Address already in use"))))
        .isTrue();
  }
}
