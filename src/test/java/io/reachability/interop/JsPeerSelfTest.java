package io.reachability.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

/**
 * Proves the js interop harness on its own: two js-libp2p peers talk to each other through {@link
 * InteropPeer} commands, without any of our Java stack.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@Interop
class JsPeerSelfTest {

  private static final int ONE_MIB = 1 << 20;

  private static InteropPeer dialer;
  private static InteropPeer listener;

  @BeforeAll
  static void startPeers() {
    PeerImplementation.JS.assumeAvailable();
    // start both at once: each node needs ~0.6 s to load
    CompletableFuture<InteropPeer> first = CompletableFuture.supplyAsync(InteropPeer::startJs);
    CompletableFuture<InteropPeer> second = CompletableFuture.supplyAsync(InteropPeer::startJs);
    dialer = first.join();
    listener = second.join();
  }

  @AfterAll
  static void stopPeers() {
    if (dialer != null) {
      dialer.close();
    }
    if (listener != null) {
      listener.close();
    }
  }

  @Test
  void readyLineDescribesTheNode() {
    assertThat(listener.peerId()).startsWith("12D3KooW");
    assertThat(listener.addrs())
        .isNotEmpty()
        .allSatisfy(
            addr ->
                assertThat(addr)
                    .startsWith("/ip4/127.0.0.1/tcp/")
                    .endsWith("/p2p/" + listener.peerId()));
    assertThat(listener.protocols())
        .contains("/ipfs/id/1.0.0", "/ipfs/ping/1.0.0", "/test/echo/1.0.0");
  }

  @Test
  void dialIdentifyPingAndEcho() {
    JsonNode dial = dialer.requestOk("dial", Map.of("addr", listener.addrs().get(0)));
    assertThat(dial.path("peerId").asString()).isEqualTo(listener.peerId());

    // both sides log the connection, with opposite directions
    dialer.awaitEvent(
        "connection",
        e ->
            listener.peerId().equals(e.path("peerId").asString())
                && "outbound".equals(e.path("direction").asString()),
        Duration.ofSeconds(5));
    listener.awaitEvent(
        "connection",
        e ->
            dialer.peerId().equals(e.path("peerId").asString())
                && "inbound".equals(e.path("direction").asString()),
        Duration.ofSeconds(5));

    // identify works whichever side dialed
    JsonNode outbound = dialer.requestOk("identify", Map.of("peerId", listener.peerId()));
    assertThat(InteropPeer.strings(outbound.path("protocols")))
        .contains("/ipfs/id/1.0.0", "/ipfs/ping/1.0.0", "/test/echo/1.0.0");
    assertThat(outbound.path("agentVersion").asString()).startsWith("js-libp2p/");
    assertThat(outbound.path("protocolVersion").asString()).isEqualTo("ipfs/0.1.0");
    assertThat(InteropPeer.strings(outbound.path("listenAddrs")))
        .contains(listener.addrs().get(0).replace("/p2p/" + listener.peerId(), ""));
    // the listener saw the dialer's ephemeral port and told it so
    assertThat(outbound.path("observedAddr").asString()).startsWith("/ip4/127.0.0.1/tcp/");

    JsonNode inbound = listener.requestOk("identify", Map.of("peerId", dialer.peerId()));
    assertThat(inbound.path("direction").asString()).isEqualTo("inbound");
    assertThat(inbound.path("agentVersion").asString()).startsWith("js-libp2p/");
    // js reports the connection's remoteAddr as is: the dialer dialed with /p2p/<listener>, so that
    // is kept
    assertThat(inbound.path("observedAddr").asString()).isEqualTo(listener.addrs().get(0));

    JsonNode ping = dialer.requestOk("ping", Map.of("peerId", listener.peerId()));
    assertThat(ping.path("rtt").asDouble()).isBetween(0.0, 5_000.0);
    JsonNode pingBack = listener.requestOk("ping", Map.of("addr", dialer.addrs().get(0)));
    assertThat(pingBack.path("rtt").asDouble()).isBetween(0.0, 5_000.0);

    JsonNode echo = dialer.requestOk("echo", Map.of("peerId", listener.peerId(), "bytes", ONE_MIB));
    assertThat(echo.path("match").asBoolean()).isTrue();
    assertThat(echo.path("sentBytes").asLong()).isEqualTo(ONE_MIB);
    assertThat(echo.path("receivedBytes").asLong()).isEqualTo(ONE_MIB);
    assertThat(echo.path("receivedSha256").asString())
        .isEqualTo(echo.path("sentSha256").asString())
        .hasSize(64);
    JsonNode served =
        listener.awaitEvent(
            "echo-served", e -> e.path("bytes").asLong() == ONE_MIB, Duration.ofSeconds(5));
    assertThat(served.path("sha256").asString()).isEqualTo(echo.path("sentSha256").asString());
    assertThat(served.path("peerId").asString()).isEqualTo(dialer.peerId());

    JsonNode connections = listener.requestOk("connections", Map.of()).path("connections");
    assertThat(connections.values())
        .anySatisfy(
            c -> {
              assertThat(c.path("peerId").asString()).isEqualTo(dialer.peerId());
              assertThat(c.path("direction").asString()).isEqualTo("inbound");
              assertThat(c.path("remoteAddr").asString()).startsWith("/ip4/127.0.0.1/tcp/");
            });
  }

  @Test
  void failuresAreAnsweredNotThrown() {
    JsonNode unknown = dialer.request("no-such-command", Map.of());
    assertThat(unknown.path("ok").asBoolean()).isFalse();
    assertThat(unknown.path("error").asString()).contains("unknown cmd");

    // nothing listens on port 1
    JsonNode refused =
        dialer.request("dial", Map.of("addr", "/ip4/127.0.0.1/tcp/1"), Duration.ofSeconds(5));
    assertThat(refused.path("ok").asBoolean()).isFalse();
    assertThat(refused.path("error").asString()).isNotBlank();
  }

  @Test
  void closingStdinStopsTheNode() {
    try (InteropPeer peer = InteropPeer.startJs()) {
      peer.closeStdin();
      assertThat(peer.awaitExit(Duration.ofSeconds(5))).isTrue();
    }
  }
}
