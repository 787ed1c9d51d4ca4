package io.reachability.autonat;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.testing.MutableClock;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** Which address of a request the server picks, without any network. */
class AddressSelectorTest {

  private static final String PUBLIC = "/ip4/8.8.8.8/tcp/4001";
  private static final String PUBLIC6 = "/ip6/2606:4700::1111/tcp/4001";
  private static final String OWN = "/ip4/9.9.9.9/tcp/4001";

  private static List<ByteString> request(Object... addresses) {
    List<ByteString> result = new ArrayList<>();
    for (Object address : addresses) {
      result.add(
          address instanceof byte[]
              ? ByteString.copyFrom((byte[]) address)
              : ByteString.copyFrom(Multiaddr.fromString((String) address).toBytes()));
    }
    return result;
  }

  private static AddressSelector selector(boolean allowPrivate, Predicate<InetAddress> canReach) {
    return new AddressSelector(allowPrivate, () -> List.of(Multiaddr.fromString(OWN)), canReach);
  }

  private static Optional<AddressSelector.Selection> select(
      boolean allowPrivate, Object... addresses) {
    return selector(allowPrivate, ip -> true).select(request(addresses));
  }

  @Test
  void firstDialableWinsAndP2pIsDropped() {
    AddressSelector.Selection selection =
        select(
                false,
                "/ip4/8.8.4.4/tcp/1/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA",
                PUBLIC)
            .orElseThrow();
    assertThat(selection.index()).isZero();
    assertThat(selection.address()).isEqualTo(Multiaddr.fromString("/ip4/8.8.4.4/tcp/1"));
  }

  @Test
  void skipsWhatWeCannotOrWillNotDial() {
    AddressSelector.Selection selection =
        select(
                false,
                new byte[] {
                  (byte) 0xff, 0x7f
                }, //                 unknown protocol code: not an address
                "/ip4/8.8.8.8/udp/4001/quic-v1/webtransport", //  no WebTransport
                "/ip4/8.8.8.8/tcp/4001/ws", //                    no websocket transport
                "/dnsaddr/example.com", //                        a record list, not ours
                "/ip4/8.8.8.8/tcp/4001/p2p-circuit", //           relayed
                "/ip4/0.0.0.0/tcp/4001", //                       unspecified
                "/ip6/::/tcp/4001",
                "/ip4/8.8.8.8/tcp/0", //                          port 0
                "/ip6/fe80::1/tcp/4001", //                       link-local
                "/ip6zone/eth0/ip6/fe80::1/tcp/4001", //          zoned
                "/ip4/224.0.0.1/tcp/4001", //                     multicast
                OWN, //                                           ourselves
                PUBLIC6)
            .orElseThrow();
    assertThat(selection.index()).isEqualTo(12);
  }

  @Test
  void aDnsNameIsSelectedAsItIsAndJudgedOnceResolved() {
    AddressSelector selector = selector(false, ip -> true);
    AddressSelector.Selection named =
        selector
            .select(
                request(
                    "/dns4/x.example/tcp/1/ws",
                    "/dns4/x.example/tcp/4001/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA"))
            .orElseThrow();
    assertThat(named.named()).isTrue();
    assertThat(named.index()).isEqualTo(1);
    assertThat(named.address()).isEqualTo(Multiaddr.fromString("/dns4/x.example/tcp/4001"));

    // what it resolves to passes the rules an IP passes: private and our own are skipped
    AddressSelector.Selection resolved =
        selector
            .resolved(
                named,
                List.of(
                    Multiaddr.fromString("/ip4/10.0.0.1/tcp/4001"),
                    Multiaddr.fromString(OWN),
                    Multiaddr.fromString("/ip4/8.8.4.4/tcp/4001")))
            .orElseThrow();
    assertThat(resolved.named()).isFalse();
    assertThat(resolved.index()).isEqualTo(1);
    assertThat(resolved.address()).isEqualTo(Multiaddr.fromString("/ip4/8.8.4.4/tcp/4001"));
    assertThat(selector.resolved(named, List.of(Multiaddr.fromString("/ip4/127.0.0.1/tcp/4001"))))
        .isEmpty();
  }

  @Test
  void privateAddressesOnlyWhenAllowed() {
    Object[] privates = {
      "/ip4/127.0.0.1/tcp/1",
      "/ip4/10.0.0.1/tcp/1",
      "/ip4/100.64.1.1/tcp/1",
      "/ip6/::1/tcp/1",
      "/ip6/fd12::1/tcp/1"
    };
    assertThat(select(false, privates)).isEmpty();
    assertThat(select(true, privates).orElseThrow().index()).isZero();
    // 3fff::/20 counts as public (see AddressClass)
    assertThat(select(false, "/ip6/3fff::1/tcp/1")).isPresent();
  }

  @Test
  void ipFamiliesWeCannotReachAreSkipped() {
    Predicate<InetAddress> ipv4Only = ip -> AddressClass.isIpv4(ip);
    assertThat(selector(false, ipv4Only).select(request(PUBLIC6, PUBLIC)).orElseThrow().index())
        .isEqualTo(1);
    assertThat(selector(false, ipv4Only).select(request(PUBLIC6))).isEmpty();
  }

  @Test
  void quicIsDialedWhenTheDialBackHostHasItAndOursCountsPerTransport() {
    String quic = "/ip4/8.8.8.8/udp/4001/quic-v1";
    AddressSelector withQuic =
        new AddressSelector(
            false, () -> List.of(Multiaddr.fromString("/ip4/8.8.8.8/tcp/4001")), ip -> true);
    AddressSelector.Selection selection = withQuic.select(request(quic)).orElseThrow();
    assertThat(selection.address()).isEqualTo(Multiaddr.fromString(quic));
    // our own TCP socket on that IP and port is another transport: the QUIC address is not ours
    assertThat(
            new AddressSelector(
                    false, () -> List.of(Multiaddr.fromString(quic)), ip -> true, a -> true)
                .select(request(quic)))
        .isEmpty();
    AddressSelector tcpOnly = new AddressSelector(false, List::of, ip -> true, a -> !a.isQuic());
    assertThat(tcpOnly.select(request(quic, PUBLIC)).orElseThrow().index()).isEqualTo(1);
  }

  @Test
  void onlyTheFirstFiftyAreInspected() {
    Object[] addresses = new Object[51];
    for (int i = 0; i < 50; i++) {
      addresses[i] = "/ip4/8.8.8.8/udp/1/quic-v1/webtransport";
    }
    addresses[50] = PUBLIC;
    assertThat(select(false, addresses)).isEmpty();
    addresses[49] = PUBLIC;
    assertThat(select(false, addresses).orElseThrow().index()).isEqualTo(49);
  }

  @Test
  void sameIpIgnoresPortAndIpv4Mapping() throws Exception {
    assertThat(
            AddressSelector.sameIp(
                InetAddress.getByName("1.2.3.4"), InetAddress.getByName("::ffff:1.2.3.4")))
        .isTrue();
    assertThat(
            AddressSelector.sameIp(
                InetAddress.getByName("127.0.0.1"), InetAddress.getByName("127.0.0.2")))
        .isFalse();
    assertThat(
            AddressSelector.sameIp(
                InetAddress.getByName("::1"), InetAddress.getByName("127.0.0.1")))
        .isFalse();
  }

  @Test
  void localNetworksJudgeFamiliesFromInterfaceAddresses() throws Exception {
    MutableClock clock = new MutableClock();
    List<InetAddress> interfaces =
        new ArrayList<>(
            List.of(
                InetAddress.getByName("127.0.0.1"),
                InetAddress.getByName("192.168.1.5"),
                InetAddress.getByName("fe80::1")));
    LocalNetworks networks = new LocalNetworks(() -> List.copyOf(interfaces), clock);
    assertThat(networks.test(InetAddress.getByName("8.8.8.8")))
        .as("public IPv4 behind NAT")
        .isTrue();
    assertThat(networks.test(InetAddress.getByName("127.0.0.2"))).as("IPv4 loopback").isTrue();
    assertThat(networks.test(InetAddress.getByName("::1"))).as("no IPv6 loopback").isFalse();
    assertThat(networks.test(InetAddress.getByName("2606:4700::1111")))
        .as("link-local only")
        .isFalse();

    interfaces.add(InetAddress.getByName("fd00::5"));
    interfaces.add(InetAddress.getByName("::1"));
    clock.advance(LocalNetworks.REFRESH);
    assertThat(networks.test(InetAddress.getByName("::1"))).isTrue();
    assertThat(networks.test(InetAddress.getByName("fd00::9")))
        .as("ULA target from a ULA")
        .isTrue();
    assertThat(networks.test(InetAddress.getByName("2606:4700::1111")))
        .as("ULA is no route to the IPv6 internet")
        .isFalse();

    interfaces.add(InetAddress.getByName("2a01:4f8::2"));
    assertThat(networks.test(InetAddress.getByName("2606:4700::1111")))
        .as("not re-read before the refresh")
        .isFalse();
    clock.advance(LocalNetworks.REFRESH);
    assertThat(networks.test(InetAddress.getByName("2606:4700::1111"))).isTrue();
  }
}
