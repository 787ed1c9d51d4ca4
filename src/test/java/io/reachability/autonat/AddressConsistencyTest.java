package io.reachability.autonat;

import static org.assertj.core.api.Assertions.assertThat;

import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.multiformats.Protocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * go-libp2p's TestAreAddrsConsistency cases, plus our own. Tested address first, dial-back local
 * address second.
 */
class AddressConsistencyTest {

  private static final String CERTHASH = "uEiDDq4_xNyDorZBH3TlGazyJdOWSwvo4PUo5YHFMrvDE8g";

  @ParameterizedTest(name = "{0} ~ {1}")
  @CsvSource({
    "/ip4/1.2.3.4/tcp/1,                                  /ip4/5.6.7.8/tcp/2",
    "/ip4/1.2.3.4/tcp/1/p2p/12D3KooWCryG7Mon9orvQxcS1rYZjotPgpwoJNHHKcLLfE4Hf5mV,"
        + " /ip4/1.2.3.4/tcp/1",
    "/ip6/::1/tcp/4001,                                   /ip6/2001:4860::1/tcp/55",
    "/ip4/1.2.3.4/udp/1/quic-v1,                          /ip4/1.2.3.4/udp/1/quic-v1",
    "/ip4/1.2.3.4/udp/1/quic-v1/webtransport/certhash/"
        + CERTHASH
        + ", /ip4/1.2.3.4/udp/9/quic-v1/webtransport",
    "/dns/example.com/tcp/1/wss,                          /ip4/1.2.3.4/tcp/1/tls/ws",
    "/dns/example.com/tcp/1/tls/sni/example.com/ws,       /ip4/1.2.3.4/tcp/1/tls/ws",
    "/ip4/1.2.3.4/tcp/1/tls/ws,                           /ip4/1.2.3.4/tcp/1/wss",
    "/dns4/example.com/tcp/1,                             /ip4/1.2.3.4/tcp/1",
    "/dns6/example.com/tcp/1,                             /ip6/2001:4860::1/tcp/1",
    "/dnsaddr/example.com/tcp/1,                          /ip6/2001:4860::1/tcp/1",
    "/dns/example.com/tcp/1,                              /ip4/1.2.3.4/tcp/1",
  })
  void consistent(String tested, String local) {
    assertThat(
            AddressConsistency.areConsistent(
                Multiaddr.fromString(tested), Multiaddr.fromString(local)))
        .isTrue();
  }

  @ParameterizedTest(name = "{0} !~ {1}")
  @CsvSource({
    "/ip6/64:ff9b::1.2.3.4/tcp/1,                         /ip4/1.2.3.4/tcp/1",
    "/ip4/1.2.3.4/tcp/1,                                  /ip6/::1/tcp/1",
    "/ip4/1.2.3.4/tcp/1,                                  /ip4/1.2.3.4/udp/1/quic-v1",
    "/ip4/1.2.3.4/udp/1/quic-v1,                          /ip4/1.2.3.4/udp/1/quic-v1/webtransport",
    "/ip4/1.2.3.4/udp/1/quic-v1/webtransport,             /ip4/1.2.3.4/udp/1/quic-v1",
    "/ip4/1.2.3.4/tcp/1,                                  /dns/example.com/tcp/1",
    "/dns/example.com/tcp/1,                              /dns/example.com/tcp/1",
    "/dns6/example.com/tcp/1,                             /ip4/1.2.3.4/tcp/1",
    "/dns4/example.com/tcp/1,                             /ip6/::1/tcp/1",
    "/ip4/1.2.3.4/tcp/1/ws,                               /ip4/1.2.3.4/tcp/1/wss",
    "/ip4/1.2.3.4/tcp/1,                                  /ip4/1.2.3.4/tcp/1/ws",
  })
  void inconsistent(String tested, String local) {
    assertThat(
            AddressConsistency.areConsistent(
                Multiaddr.fromString(tested), Multiaddr.fromString(local)))
        .isFalse();
  }

  @Test
  void normalisationDropsKeysAndNamesAndSpellsOutWss() {
    Multiaddr address =
        Multiaddr.fromString(
            "/ip4/1.2.3.4/tcp/443/tls/sni/example.com/wss/certhash/"
                + CERTHASH
                + "/p2p/12D3KooWCryG7Mon9orvQxcS1rYZjotPgpwoJNHHKcLLfE4Hf5mV");
    assertThat(AddressConsistency.normalize(address))
        .containsExactly(Protocol.IP4, Protocol.TCP, Protocol.TLS, Protocol.TLS, Protocol.WS);
  }
}
