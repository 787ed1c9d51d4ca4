package io.reachability.libp2p.multiformats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProtocolTest {

  // Codes from multiformats/multicodec table.csv (tag "multiaddr"), sizes from go-multiaddr
  // protocols.go.
  @ParameterizedTest
  @CsvSource({
    "ip4, 4, 32",
    "tcp, 6, 16",
    "dccp, 33, 16",
    "ip6, 41, 128",
    "ip6zone, 42, -1",
    "ipcidr, 43, 8",
    "dns, 53, -1",
    "dns4, 54, -1",
    "dns6, 55, -1",
    "dnsaddr, 56, -1",
    "sctp, 132, 16",
    "udp, 273, 16",
    "webrtc-direct, 280, 0",
    "webrtc, 281, 0",
    "p2p-circuit, 290, 0",
    "udt, 301, 0",
    "utp, 302, 0",
    "unix, 400, -1",
    "p2p, 421, -1",
    "https, 443, 0",
    "onion, 444, 96",
    "onion3, 445, 296",
    "tls, 448, 0",
    "sni, 449, -1",
    "noise, 454, 0",
    "quic, 460, 0",
    "quic-v1, 461, 0",
    "webtransport, 465, 0",
    "certhash, 466, -1",
    "ws, 477, 0",
    "wss, 478, 0",
    "http, 480, 0",
    "memory, 777, 64",
  })
  void table(String name, int code, int sizeBits) {
    Protocol protocol = Protocol.byName(name).orElseThrow();
    assertThat(protocol.code()).isEqualTo(code);
    assertThat(protocol.sizeBits()).isEqualTo(sizeBits);
    assertThat(protocol.protocolName()).isEqualTo(name);
    assertThat(protocol).hasToString(name);
    assertThat(Protocol.byCode(code)).contains(protocol);
  }

  @Test
  void namesAndCodesAreUniqueAndIpfsIsAnAlias() {
    Set<Integer> codes = new HashSet<>();
    Set<String> names = new HashSet<>();
    for (Protocol protocol : Protocol.values()) {
      assertThat(codes.add(protocol.code())).as(protocol.name()).isTrue();
      assertThat(names.add(protocol.protocolName())).as(protocol.name()).isTrue();
    }
    assertThat(Protocol.byName("ipfs")).contains(Protocol.P2P);
    assertThat(Protocol.byName("IP4")).isEmpty();
    assertThat(Protocol.byCode(9999)).isEmpty();
  }

  @Test
  void valueCodecsNameTheProblem() {
    assertThatThrownBy(() -> Protocol.IP4.valueToBytes("1.2.3"))
        .isInstanceOf(MultiformatsException.class)
        .hasMessage("bad ip4 address \"1.2.3\"");
    assertThatThrownBy(() -> Protocol.TCP.valueToBytes("70000"))
        .hasMessage("port 70000 out of range");
    assertThatThrownBy(() -> Protocol.UDP.valueToBytes("-1")).hasMessage("bad udp port \"-1\"");
    assertThatThrownBy(() -> Protocol.TCP.valueToBytes("99999999999999999999999"))
        .hasMessage("port 99999999999999999999999 out of range");
    assertThatThrownBy(() -> Protocol.DNS4.valueToBytes("")).hasMessage("empty dns4 value");
    assertThatThrownBy(
            () -> Protocol.DNS.valueToText("a/b".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
        .hasMessage("dns value \"a/b\" contains '/'");
    assertThatThrownBy(() -> Protocol.DNS.valueToText(new byte[] {(byte) 0xff}))
        .hasMessage("dns value is not valid UTF-8");
    assertThatThrownBy(() -> Protocol.TCP.valueToText(new byte[3]))
        .hasMessage("tcp value must be 2 bytes, not 3");
    assertThatThrownBy(() -> Protocol.UNIX.valueToBytes("/tmp/"))
        .hasMessage("unix path \"/tmp/\" must not end with '/'");
    assertThatThrownBy(() -> Protocol.MEMORY.valueToBytes("18446744073709551616"))
        .hasMessage("memory value 18446744073709551616 out of range");
  }

  @Test
  void portAcceptsLeadingZerosLikeGo() {
    assertThat(Protocol.TCP.valueToBytes("080")).containsExactly(0x00, 0x50);
    assertThat(Protocol.TCP.valueToText(new byte[] {0x00, 0x50})).isEqualTo("80");
    assertThat(Protocol.TCP.valueToBytes("65535")).containsExactly(0xff, 0xff);
    assertThat(Protocol.TCP.valueToBytes("0")).containsExactly(0x00, 0x00);
    assertThat(Protocol.TCP.valueToBytes("000")).containsExactly(0x00, 0x00);
    // the zeros do not count towards the digit bound; the digits after them still do
    assertThat(Protocol.TCP.valueToBytes("0".repeat(40) + "65535")).containsExactly(0xff, 0xff);
    assertThatThrownBy(() -> Protocol.TCP.valueToBytes("0".repeat(40) + "65536"))
        .hasMessageContaining("out of range");
    assertThatThrownBy(() -> Protocol.TCP.valueToBytes("1" + "0".repeat(40)))
        .hasMessageContaining("out of range");
  }
}
