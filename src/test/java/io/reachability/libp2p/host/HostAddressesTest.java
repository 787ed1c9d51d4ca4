package io.reachability.libp2p.host;

import static org.assertj.core.api.Assertions.assertThat;

import io.reachability.libp2p.core.Multiaddr;
import io.reachability.testing.MutableClock;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The interface addresses wildcard listen addresses expand to follow the machine's addresses. */
class HostAddressesTest {

  private final MutableClock clock = new MutableClock();
  private final AtomicReference<List<InetAddress>> machine = new AtomicReference<>();
  private final AtomicInteger listed = new AtomicInteger();
  private final HostAddresses addresses =
      new HostAddresses(
          clock,
          () -> {
            listed.incrementAndGet();
            return machine.get();
          });

  private static InetAddress ip(String literal) throws Exception {
    return InetAddress.getByName(literal);
  }

  @Test
  void aNewLeaseShowsUpOnceTheOldListIsOlderThanItsTtl() throws Exception {
    machine.set(List.of(ip("127.0.0.1"), ip("192.168.1.5"), ip("::1")));
    addresses.bound(Multiaddr.fromString("/ip4/0.0.0.0/tcp/4001"));
    addresses.bound(Multiaddr.fromString("/ip4/0.0.0.0/udp/4001/quic-v1"));
    addresses.boundAll();
    assertThat(addresses.interfaces())
        .map(Multiaddr::toString)
        .containsExactly(
            "/ip4/127.0.0.1/tcp/4001",
            "/ip4/192.168.1.5/tcp/4001",
            "/ip4/127.0.0.1/udp/4001/quic-v1",
            "/ip4/192.168.1.5/udp/4001/quic-v1");

    machine.set(List.of(ip("127.0.0.1"), ip("192.168.1.77")));
    clock.advance(Host.INTERFACE_ADDRESSES_TTL.minus(Duration.ofSeconds(1)));
    assertThat(addresses.interfaces())
        .map(Multiaddr::toString)
        .contains("/ip4/192.168.1.5/tcp/4001");
    assertThat(addresses.advertised())
        .map(Multiaddr::toString)
        .contains("/ip4/192.168.1.5/tcp/4001");

    clock.advance(Duration.ofSeconds(1));
    assertThat(addresses.advertised())
        .map(Multiaddr::toString)
        .containsExactly(
            "/ip4/127.0.0.1/tcp/4001",
            "/ip4/192.168.1.77/tcp/4001",
            "/ip4/127.0.0.1/udp/4001/quic-v1",
            "/ip4/192.168.1.77/udp/4001/quic-v1");
    // worked out once per TTL, not per call
    int before = listed.get();
    addresses.interfaces();
    addresses.advertised();
    assertThat(listed.get()).isEqualTo(before);
  }

  @Test
  void withoutAWildcardNothingIsListedAgain() throws Exception {
    machine.set(List.of(ip("192.168.1.5")));
    addresses.bound(Multiaddr.fromString("/ip4/127.0.0.1/tcp/4001"));
    addresses.boundAll();
    int before = listed.get();

    clock.advance(Host.INTERFACE_ADDRESSES_TTL.multipliedBy(3));

    assertThat(addresses.interfaces())
        .map(Multiaddr::toString)
        .containsExactly("/ip4/127.0.0.1/tcp/4001");
    assertThat(listed.get()).isEqualTo(before);
  }
}
