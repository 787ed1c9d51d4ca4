package io.reachability.autonat;

import static org.assertj.core.api.Assertions.assertThat;

import io.reachability.libp2p.core.Multiaddr;
import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The public-address table, one row at a time, with the edges of each range. */
class AddressClassTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/ip4/0.0.0.0/tcp/1",
        "/ip4/0.255.255.255/tcp/1",
        "/ip4/10.0.0.1/tcp/1",
        "/ip4/10.255.255.255/tcp/1",
        "/ip4/100.64.0.1/tcp/1", // CGNAT start
        "/ip4/100.127.255.255/tcp/1", // CGNAT end
        "/ip4/127.0.0.1/tcp/1",
        "/ip4/127.0.0.2/tcp/1",
        "/ip4/169.254.1.1/tcp/1",
        "/ip4/172.16.0.1/tcp/1",
        "/ip4/172.31.255.255/tcp/1",
        "/ip4/192.0.0.8/tcp/1",
        "/ip4/192.0.2.1/tcp/1", // TEST-NET-1
        "/ip4/192.168.1.1/tcp/1",
        "/ip4/198.18.0.1/tcp/1", // benchmarking
        "/ip4/198.19.255.255/tcp/1",
        "/ip4/198.51.100.7/tcp/1", // TEST-NET-2
        "/ip4/203.0.113.9/tcp/1", // TEST-NET-3
        "/ip4/224.0.0.1/tcp/1",
        "/ip4/255.255.255.255/tcp/1",
        "/ip6/::/tcp/1",
        "/ip6/::1/tcp/1",
        "/ip6/::ffff:10.0.0.1/tcp/1", // mapped private IPv4
        "/ip6/64:ff9b::a00:1/tcp/22", // NAT64 of 10.0.0.1
        "/ip6/64:ff9b:1::1/tcp/1", // local-use NAT64
        "/ip6/2002:c0a8:101::1/tcp/1", // 6to4 of 192.168.1.1
        "/ip6/::a00:1/tcp/1", // IPv4-compatible (deprecated)
        "/ip6/100::1/tcp/1",
        "/ip6/2001:db8::1/tcp/1",
        "/ip6/fc00::1/tcp/1",
        "/ip6/fd12:3456::1/tcp/1",
        "/ip6/fe80::1/tcp/1",
        "/ip6zone/eth0/ip6/2600::1/tcp/1", // a zone makes any address link-scoped
        "/ip6/ff02::1/tcp/1",
        "/dns4/example.com/tcp/1", // no IP until resolved
        "/ip4/127.0.0.1/udp/1/quic-v1"
      })
  void notPublic(String address) {
    assertThat(AddressClass.isPublic(Multiaddr.fromString(address))).isFalse();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/ip4/1.1.1.1/tcp/1",
        "/ip4/9.255.255.255/tcp/1", // just below 10/8
        "/ip4/11.0.0.0/tcp/1", // just above 10/8
        "/ip4/100.63.255.255/tcp/1", // just below CGNAT
        "/ip4/100.128.0.0/tcp/1", // just above CGNAT
        "/ip4/172.15.255.255/tcp/1",
        "/ip4/172.32.0.0/tcp/1",
        "/ip4/192.0.3.1/tcp/1",
        "/ip4/198.17.255.255/tcp/1",
        "/ip4/198.20.0.0/tcp/1",
        "/ip4/223.255.255.255/tcp/1",
        "/ip6/2600::1/tcp/1",
        "/ip6/2001:db9::1/tcp/1", // just outside the documentation /32
        "/ip6/3fff::1/tcp/1", // RFC 9637 documentation prefix: public on purpose (namespace tests)
        "/ip6/3fff:fff::1/tcp/1",
        "/ip6/::ffff:8.8.8.8/tcp/1", // mapped public IPv4
        "/ip6/64:ff9b::808:808/tcp/1", // NAT64 of 8.8.8.8
        "/ip6/2002:808:808::1/tcp/1" // 6to4 of 8.8.8.8
      })
  void isPublic(String address) {
    assertThat(AddressClass.isPublic(Multiaddr.fromString(address))).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"/ip4/1.2.3.4/tcp/1", "/ip6/::ffff:1.2.3.4/tcp/1"})
  void ipv4IncludesMapped(String address) {
    assertThat(AddressClass.ip(Multiaddr.fromString(address)).map(AddressClass::isIpv4))
        .hasValue(true);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/dns/example.com/tcp/1", "/p2p-circuit", "/unix/tmp/sock"})
  void noIpForNonIpAddresses(String address) {
    assertThat(AddressClass.ip(Multiaddr.fromString(address))).isEmpty();
  }

  /** A refusal names the range it applies: peer checks and servers say which rule said no. */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "127.0.0.1      | loopback (127.0.0.0/8)",
        "10.1.2.3       | private (10.0.0.0/8, RFC 1918)",
        "100.64.0.1     | carrier-grade NAT (100.64.0.0/10, RFC 6598)",
        "169.254.1.1    | link-local (169.254.0.0/16)",
        "192.0.2.7      | documentation (192.0.2.0/24, RFC 5737)",
        "224.0.0.1      | multicast (224.0.0.0/4)",
        "255.255.255.255| reserved (240.0.0.0/4, broadcast included)",
        "::1            | unspecified, loopback or IPv4-compatible (::/96)",
        "::ffff:10.0.0.1| private (10.0.0.0/8, RFC 1918)",
        "64:ff9b::7f00:1| loopback (127.0.0.0/8)",
        "2002:c0a8:0101::1| private (192.168.0.0/16, RFC 1918)",
        "fd00::1        | unique local (fc00::/7, RFC 4193)",
        "fe80::1        | link-local (fe80::/10)",
        "2001:db8::1    | documentation (2001:db8::/32, RFC 3849)",
        "ff02::1        | multicast (ff00::/8)"
      })
  void aNonPublicAddressNamesItsRange(String ip, String range) throws Exception {
    InetAddress address = InetAddress.getByName(ip.strip()); // literals: nothing is looked up
    assertThat(AddressClass.nonPublicRange(address)).hasValue(range.strip());
    assertThat(AddressClass.isPublic(address)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"8.8.8.8", "2606:4700::1", "3fff:0:0:1::2", "::ffff:8.8.8.8"})
  void aPublicAddressNamesNone(String ip) throws Exception {
    InetAddress address = InetAddress.getByName(ip);
    assertThat(AddressClass.nonPublicRange(address)).isEmpty();
    assertThat(AddressClass.isPublic(address)).isTrue();
  }
}
