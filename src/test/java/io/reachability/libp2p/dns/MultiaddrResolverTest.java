package io.reachability.libp2p.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.dns.DnsRecordType;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.testing.LoopbackDnsServer;
import io.reachability.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The resolver against a real name server on loopback. */
class MultiaddrResolverTest {

  private static final String PEER_A = "12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN";
  private static final String PEER_B = "12D3KooWHdZjfq8PQQVmjgBnUXK2U1y8SUUKW8W1d25cgPCoK9Tc";

  private final LoopbackDnsServer dns = new LoopbackDnsServer();
  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-05T00:00:00Z"));
  private EventLoopGroup group;
  private MultiaddrResolver resolver;

  @BeforeEach
  void start() {
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    resolver = resolver(DnsSettings.defaults().withServers(List.of(dns.address())));
  }

  private MultiaddrResolver resolver(DnsSettings settings) {
    return new MultiaddrResolver(
        group.next(), NioDatagramChannel.class, NioSocketChannel.class, settings, clock);
  }

  @AfterEach
  void stop() {
    resolver.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    dns.close();
  }

  private List<String> resolve(String address) {
    return resolve(resolver, address);
  }

  private static List<String> resolve(MultiaddrResolver resolver, String address) {
    return resolver.resolve(Multiaddr.fromString(address)).join().stream()
        .map(Multiaddr::toString)
        .toList();
  }

  private DnsException failure(String address) {
    try {
      resolve(address);
    } catch (CompletionException e) {
      assertThat(e.getCause()).isInstanceOf(DnsException.class);
      return (DnsException) e.getCause();
    }
    throw new AssertionError(address + " resolved");
  }

  @Test
  void anAddressWithoutANameIsItself() {
    assertThat(resolve("/ip4/1.2.3.4/tcp/4001")).containsExactly("/ip4/1.2.3.4/tcp/4001");
    assertThat(dns.queries()).isZero();
  }

  @Test
  void dns4AndDns6TakeTheirFamilyAndDnsTakesBoth() {
    dns.address("host.test", "127.0.0.7").address("host.test", "::1");
    assertThat(resolve("/dns4/host.test/tcp/4001/p2p/" + PEER_A))
        .containsExactly("/ip4/127.0.0.7/tcp/4001/p2p/" + PEER_A);
    assertThat(resolve("/dns6/host.test/udp/4001/quic-v1"))
        .containsExactly("/ip6/::1/udp/4001/quic-v1");
    assertThat(resolve("/dns/host.test/tcp/1"))
        .containsExactlyInAnyOrder("/ip4/127.0.0.7/tcp/1", "/ip6/::1/tcp/1");
  }

  @Test
  void aNameWithoutRecordsOfTheFamilyIsAClearError() {
    dns.address("v4only.test", "127.0.0.7");
    assertThat(failure("/dns6/v4only.test/tcp/1")).hasMessageContaining("v4only.test");
    assertThat(failure("/dns4/missing.test/tcp/1")).hasMessageContaining("missing.test");
  }

  @Test
  void dnsaddrFollowsTheBootstrapShapeAndKeepsOnlyTheNamedPeer() {
    dns.txt("_dnsaddr.bootstrap.test", "dnsaddr=/dnsaddr/a.bootstrap.test/p2p/" + PEER_A)
        .txt("_dnsaddr.bootstrap.test", "dnsaddr=/dnsaddr/b.bootstrap.test/p2p/" + PEER_B)
        .txt("_dnsaddr.a.bootstrap.test", "dnsaddr=/ip4/127.0.0.1/tcp/4001/p2p/" + PEER_A)
        .txt("_dnsaddr.a.bootstrap.test", "dnsaddr=/dns4/a.test/udp/4001/quic-v1/p2p/" + PEER_A)
        .txt("_dnsaddr.b.bootstrap.test", "dnsaddr=/ip6/::1/tcp/4001/p2p/" + PEER_B)
        .address("a.test", "127.0.0.9");

    assertThat(resolve("/dnsaddr/bootstrap.test/p2p/" + PEER_A))
        .containsExactlyInAnyOrder(
            "/ip4/127.0.0.1/tcp/4001/p2p/" + PEER_A,
            "/ip4/127.0.0.9/udp/4001/quic-v1/p2p/" + PEER_A);
    assertThat(dns.queries("_dnsaddr.b.bootstrap.test", DnsRecordType.TXT)).isZero();
    assertThat(resolve("/dnsaddr/bootstrap.test"))
        .containsExactlyInAnyOrder(
            "/ip4/127.0.0.1/tcp/4001/p2p/" + PEER_A,
            "/ip4/127.0.0.9/udp/4001/quic-v1/p2p/" + PEER_A,
            "/ip6/::1/tcp/4001/p2p/" + PEER_B);
  }

  @Test
  void otherTxtValuesAndBadMultiaddrsAreSkippedAndSplitValuesJoined() {
    dns.txt("_dnsaddr.mixed.test", "v=spf1 -all")
        .txt("_dnsaddr.mixed.test", "dnsaddr=/ip4/not-an-ip/tcp/1")
        .txt("_dnsaddr.mixed.test", 300, "dnsaddr=/ip4/127.0.0.1", "/tcp/4001")
        .rawTxt("_dnsaddr.mixed.test", new byte[] {40, 'd', 'n', 's'}); // runs past its end
    assertThat(resolve("/dnsaddr/mixed.test")).containsExactly("/ip4/127.0.0.1/tcp/4001");
  }

  @Test
  void noMatchingRecordNamesThePeer() {
    dns.txt("_dnsaddr.one.test", "dnsaddr=/ip4/127.0.0.1/tcp/4001/p2p/" + PEER_A);
    assertThat(failure("/dnsaddr/one.test/p2p/" + PEER_B))
        .hasMessageContaining("_dnsaddr.one.test")
        .hasMessageContaining(PEER_B);
  }

  @Test
  void aDnsaddrLoopStopsAtTheDepthBound() {
    dns.txt("_dnsaddr.loop.test", "dnsaddr=/dnsaddr/loop.test");
    assertThat(failure("/dnsaddr/loop.test")).hasMessageContaining("nested more than 4 deep");
    assertThat(dns.queries("_dnsaddr.loop.test", DnsRecordType.TXT)).isEqualTo(1); // cached
  }

  @Test
  void aWideZoneCostsNoMoreLookupsThanTheBound() {
    for (int i = 0; i < 20; i++) {
      dns.txt("_dnsaddr.wide.test", "dnsaddr=/dnsaddr/n" + i + ".wide.test");
      for (int j = 0; j < 20; j++) {
        dns.txt("_dnsaddr.n" + i + ".wide.test", "dnsaddr=/dns4/h" + j + ".n" + i + ".test/tcp/1");
      }
    }
    MultiaddrResolver bounded =
        resolver(new DnsSettings.Builder().servers(List.of(dns.address())).maxLookups(8).build());
    try {
      assertThatThrownBy(() -> resolve(bounded, "/dnsaddr/wide.test"))
          .hasCauseInstanceOf(DnsException.class);
      assertThat(dns.queries()).isLessThanOrEqualTo(8);
    } finally {
      bounded.close();
    }
  }

  @Test
  void oneResolutionYieldsAtMostMaxAddresses() {
    for (int i = 1; i <= 40; i++) {
      dns.txt("_dnsaddr.many.test", "dnsaddr=/ip4/127.0.1." + i + "/tcp/4001");
    }
    assertThat(resolve("/dnsaddr/many.test")).hasSize(DnsSettings.DEFAULT_MAX_ADDRESSES);
  }

  @Test
  void txtRecordsAreCachedForTheirTtlCappedByMaxTtl() {
    dns.txt("_dnsaddr.short.test", 60, "dnsaddr=/ip4/127.0.0.1/tcp/1")
        .txt("_dnsaddr.long.test", 1_000_000, "dnsaddr=/ip4/127.0.0.1/tcp/2");
    resolve("/dnsaddr/short.test");
    resolve("/dnsaddr/long.test");
    resolve("/dnsaddr/short.test");
    assertThat(dns.queries("_dnsaddr.short.test", DnsRecordType.TXT)).isEqualTo(1);

    clock.advance(Duration.ofSeconds(61));
    resolve("/dnsaddr/short.test");
    resolve("/dnsaddr/long.test");
    assertThat(dns.queries("_dnsaddr.short.test", DnsRecordType.TXT)).isEqualTo(2);
    assertThat(dns.queries("_dnsaddr.long.test", DnsRecordType.TXT)).isEqualTo(1);

    clock.advance(DnsSettings.DEFAULT_MAX_TTL);
    resolve("/dnsaddr/long.test");
    assertThat(dns.queries("_dnsaddr.long.test", DnsRecordType.TXT)).isEqualTo(2);
  }

  @Test
  void aMissingNameIsRememberedForTheNegativeTtl() {
    failure("/dnsaddr/absent.test");
    failure("/dnsaddr/absent.test");
    assertThat(dns.queries("_dnsaddr.absent.test", DnsRecordType.TXT)).isEqualTo(1);
    dns.txt("_dnsaddr.absent.test", "dnsaddr=/ip4/127.0.0.1/tcp/1");
    clock.advance(DnsSettings.DEFAULT_NEGATIVE_TTL.plusSeconds(1));
    assertThat(resolve("/dnsaddr/absent.test")).containsExactly("/ip4/127.0.0.1/tcp/1");
  }

  @Test
  void theTxtCacheHoldsAtMostMaxCachedNames() {
    MultiaddrResolver small =
        resolver(
            new DnsSettings.Builder().servers(List.of(dns.address())).maxCachedNames(3).build());
    try {
      for (int i = 0; i < 10; i++) {
        dns.txt("_dnsaddr.c" + i + ".test", "dnsaddr=/ip4/127.0.0.1/tcp/" + (i + 1));
        resolve(small, "/dnsaddr/c" + i + ".test");
      }
      assertThat(small.cachedNames()).isEqualTo(3);
    } finally {
      small.close();
    }
  }

  @Test
  void aServerThatNeverAnswersTimesOut() throws Exception {
    // a UDP port with nothing behind it on loopback: the query times out (or is refused at once)
    java.net.InetSocketAddress silent;
    try (java.net.DatagramSocket socket =
        new java.net.DatagramSocket(0, dns.address().getAddress())) {
      silent = new java.net.InetSocketAddress(dns.address().getAddress(), socket.getLocalPort());
    }
    MultiaddrResolver quick =
        resolver(
            new DnsSettings.Builder()
                .servers(List.of(silent))
                .queryTimeout(Duration.ofMillis(300))
                .build());
    try {
      assertThatThrownBy(() -> resolve(quick, "/dns4/slow.test/tcp/1"))
          .hasCauseInstanceOf(DnsException.class)
          .hasMessageContaining("slow.test");
    } finally {
      quick.close();
    }
  }
}
