package io.reachability.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.reachability.testing.LoopbackHosts;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

/**
 * The go and rust peers between themselves (no Java stack involved), over QUIC-v1: the harness is
 * ready for QUIC interop with our node, and their QUIC AutoNAT v2 works among themselves (rust's
 * stock client, go's stock server dialing back over QUIC).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@Interop
class ReferencePeersSelfTest {

  private static final String QUIC_ANY_PORT = "/ip4/127.0.0.1/udp/0/quic-v1";

  private static String quicAddress(InteropPeer peer) {
    return peer.addrs().stream().filter(a -> a.contains("/quic-v1/")).findFirst().orElseThrow();
  }

  @Test
  void goAndRustTalkAndCheckOverQuic() {
    PeerImplementation.GO.assumeAvailable();
    PeerImplementation.RUST.assumeAvailable();
    List<String> tcpAndQuic = List.of(LoopbackHosts.ANY_PORT, QUIC_ANY_PORT);
    try (InteropPeer go =
            InteropPeer.start(
                PeerImplementation.GO, PeerSpec.autonatServerNode().withListen(tcpAndQuic));
        InteropPeer rust =
            InteropPeer.start(
                PeerImplementation.RUST, PeerSpec.autonatClientNode().withListen(tcpAndQuic))) {
      String goQuic = quicAddress(go);
      String rustQuic = quicAddress(rust);

      JsonNode echo =
          rust.requestOk("echo", Map.of("addr", goQuic, "bytes", 100_000, "seed", "quic"));
      assertThat(echo.path("match").asBoolean()).isTrue();
      assertThat(go.requestOk("ping", Map.of("addr", rustQuic)).path("rtt").asDouble())
          .isPositive();

      String tested = rustQuic.substring(0, rustQuic.indexOf("/p2p/"));
      JsonNode check = rust.requestOk("autonat-check", Map.of("addrs", List.of(tested)));
      assertThat(check.path("addr").asString()).isEqualTo(tested);
      assertThat(check.path("reachability").asString()).isEqualTo("REACHABLE");
      assertThat(check.path("server").asString()).isEqualTo(go.peerId());
    }
  }
}
