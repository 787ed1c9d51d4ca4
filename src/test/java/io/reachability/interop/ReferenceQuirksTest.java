package io.reachability.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.reachability.autonat.AutonatV2;
import io.reachability.libp2p.core.Multiaddr;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

/**
 * Behaviours of go-libp2p and rust-libp2p between themselves that a user of AutoNAT v2 meets on the
 * public network, kept as tests so that a new version that changes them is noticed (the README's
 * interop table lists them). What they mean for us is tested where we meet them (e.g. {@link
 * AutonatClientInteropTest}).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@Interop
class ReferenceQuirksTest {

  /**
   * rust's server dials back from its own peer id and keeps that connection open, but serves
   * dial-request only on connections the client dialed; go (and js) open the next stream on the
   * newest connection, so a second request fails until the dial-back connection goes away. Our
   * client is not affected (AutonatClientInteropTest asks rust 13 times in a row).
   */
  @Test
  void aGoClientAskingARustServerAgainFailsOnRustsDialBackConnection() {
    PeerImplementation.GO.assumeAvailable();
    PeerImplementation.RUST.assumeAvailable();
    try (InteropPeer rust =
            InteropPeer.start(PeerImplementation.RUST, PeerSpec.autonatServerNode());
        InteropPeer go = InteropPeer.start(PeerImplementation.GO, PeerSpec.node())) {
      String listen = Multiaddr.fromString(go.addrs().get(0)).withoutPeerId().toString();
      Map<String, Object> request =
          Map.of("addr", rust.addrs().get(0), "addrs", List.of(listen), "keepDialBacks", true);
      JsonNode first = go.requestOk("autonat-request", request);
      assertThat(first.path("messages").get(0).path("dialStatus").asString()).isEqualTo("OK");
      JsonNode second = go.request("autonat-request", request);
      assertThat(second.path("ok").asBoolean()).as(second.toString()).isFalse();
      assertThat(second.path("error").asString())
          .contains("protocols not supported: [/libp2p/autonat/2/dial-request]");
    }
  }

  /**
   * go's stock client throttles a server for 2 minutes after each request ({@code
   * throttlePeerDuration}): with one server, a second check in a row has nobody to ask.
   */
  @Test
  void goAsksEachServerAtMostOnceInTwoMinutes() {
    PeerImplementation.GO.assumeAvailable();
    try (InteropPeer server =
            InteropPeer.start(PeerImplementation.GO, PeerSpec.autonatServerNode());
        InteropPeer client =
            InteropPeer.start(PeerImplementation.GO, PeerSpec.autonatClientNode())) {
      String listen = Multiaddr.fromString(client.addrs().get(0)).withoutPeerId().toString();
      Map<String, Object> check = Map.of("server", server.addrs().get(0), "addrs", List.of(listen));
      JsonNode first = client.requestOk("autonat-check", check);
      assertThat(first.path("reachability").asString()).isEqualTo("REACHABLE");
      JsonNode second = client.request("autonat-check", check);
      assertThat(second.path("ok").asBoolean()).as(second.toString()).isFalse();
      assertThat(second.path("error").asString()).contains("no peers for autonat v2");
    }
  }

  /**
   * rust's server asks for dial data whenever the address differs from the connection's observed
   * address, port included (the spec, js and go: only when the IP differs). js dials from an
   * ephemeral port (no port reuse), so a js node pays 30-100 kB to a rust server for its listen
   * address on the very IP it connects from, and nothing to a go server.
   */
  @Test
  void rustAsksForDialDataWhenOnlyThePortDiffers() {
    PeerImplementation.JS.assumeAvailable();
    PeerImplementation.GO.assumeAvailable();
    PeerImplementation.RUST.assumeAvailable();
    try (InteropPeer rust =
            InteropPeer.start(PeerImplementation.RUST, PeerSpec.autonatServerNode());
        InteropPeer go = InteropPeer.start(PeerImplementation.GO, PeerSpec.autonatServerNode());
        InteropPeer client = InteropPeer.start(PeerImplementation.JS, PeerSpec.node())) {
      String listen = Multiaddr.fromString(client.addrs().get(0)).withoutPeerId().toString();
      JsonNode fromRust =
          client.requestOk(
              "autonat-request", Map.of("addr", rust.addrs().get(0), "addrs", List.of(listen)));
      JsonNode fromGo =
          client.requestOk(
              "autonat-request", Map.of("addr", go.addrs().get(0), "addrs", List.of(listen)));
      assertThat(fromRust.path("dialDataBytesSent").asLong())
          .isBetween((long) AutonatV2.MIN_DIAL_DATA_BYTES, (long) AutonatV2.MAX_DIAL_DATA_BYTES);
      assertThat(fromGo.path("dialDataBytesSent").asLong()).isZero();
      assertThat(fromRust.path("messages").get(0).path("type").asString())
          .isEqualTo("dialDataRequest");
      assertThat(fromRust.path("messages").get(1).path("dialStatus").asString()).isEqualTo("OK");
    }
  }
}
