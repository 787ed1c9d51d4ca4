package io.reachability.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.reachability.autonat.AutonatServer;
import io.reachability.autonat.AutonatServerSettings;
import io.reachability.autonat.AutonatV2;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.host.Host;
import io.reachability.testing.LoopbackHosts;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

/**
 * js-libp2p's wire-level client against our AutoNAT v2 server: exact requests, including malformed
 * ones. The stock clients of js, go and rust are in {@link AutonatServerInteropTest}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@Interop
class AutonatServerJsInteropTest {

  private static final Duration EVENT_TIMEOUT = Duration.ofSeconds(30);

  private static Host openHost;
  private static AutonatServer openServer;
  private static Host strictHost;
  private static AutonatServer strictServer;
  private static InteropPeer js;

  @BeforeAll
  static void start() {
    PeerImplementation.JS.assumeAvailable();
    // a lab server that may dial loopback, and a public-style one that must refuse it
    openHost = LoopbackHosts.start("autonat-open");
    openServer =
        new AutonatServer(
            openHost, new AutonatServerSettings.Builder().allowPrivateAddresses(true).build());
    openServer.start();
    strictHost = LoopbackHosts.start("autonat-strict");
    strictServer = new AutonatServer(strictHost, AutonatServerSettings.defaults());
    strictServer.start();
    js = InteropPeer.startJs();
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable c :
        new AutoCloseable[] {js, openServer, openHost, strictServer, strictHost}) {
      if (c != null) {
        try {
          c.close();
        } catch (Exception e) {
          // best effort
        }
      }
    }
  }

  private static String addressOf(Host host) {
    return host.listenAddresses().get(0).withPeerId(host.peerId()).toString();
  }

  private static String jsListenAddress() {
    return Multiaddr.fromString(js.addrs().get(0)).withoutPeerId().toString();
  }

  @Test
  void jsAddressIsDialedBackAndJsSeesTheNonce() {
    JsonNode answer =
        js.autonatRequest(Map.of("addr", addressOf(openHost), "addrs", List.of(jsListenAddress())));
    assertThat(answer.path("messages").get(0).path("type").asString()).isEqualTo("dialResponse");
    assertThat(answer.path("messages").get(0).path("status").asString()).isEqualTo("OK");
    assertThat(answer.path("messages").get(0).path("dialStatus").asString()).isEqualTo("OK");
    JsonNode dialBack = answer.path("dialBacks").get(0);
    assertThat(dialBack.path("matched").asBoolean()).isTrue();
    assertThat(dialBack.path("nonce").asString()).isEqualTo(answer.path("nonce").asString());
    // from a fresh connection whose peer id is not the server's (a separate dial-back identity)
    assertThat(dialBack.path("peerId").asString()).isNotEqualTo(openHost.peerId().toString());
    assertThat(answer.path("messages")).hasSize(1);
  }

  @Test
  void privateAddressIsRefusedByAPublicServer() {
    JsonNode answer =
        js.autonatRequest(
            Map.of("addr", addressOf(strictHost), "addrs", List.of(jsListenAddress())));
    assertThat(answer.path("messages").get(0).path("status").asString())
        .isEqualTo("E_DIAL_REFUSED");
    assertThat(answer.path("dialBacks")).isEmpty();
  }

  @Test
  void malformedAndOversizedRequestsAreResetAndOthersStillServed() {
    // a complete frame (length 5) whose body is not a protobuf Message
    JsonNode garbage =
        js.autonatRequest(Map.of("addr", addressOf(openHost), "raw", "05ffffffffff"));
    assertThat(garbage.path("messages")).isEmpty();
    assertThat(garbage.path("streamEnd").asString()).isIn("reset", "eof");

    JsonNode oversize =
        js.autonatRequest(
            Map.of("addr", addressOf(openHost), "oversize", AutonatV2.MAX_MESSAGE_SIZE + 1));
    assertThat(oversize.path("messages")).isEmpty();
    assertThat(oversize.path("streamEnd").asString()).isIn("reset", "eof");

    JsonNode good =
        js.autonatRequest(Map.of("addr", addressOf(openHost), "addrs", List.of(jsListenAddress())));
    assertThat(good.path("messages").get(0).path("dialStatus").asString()).isEqualTo("OK");
  }
}
