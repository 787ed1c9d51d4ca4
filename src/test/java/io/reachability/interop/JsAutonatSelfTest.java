package io.reachability.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.reachability.testing.LoopbackHosts;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

/**
 * Proves the AutoNAT v2 side of the js harness with js peers only (none of our Java stack): js's
 * AutoNAT v2 server, made to accept loopback by the test-only patch, answers the wire-level {@code
 * autonat-request} client; the patch's guard keeps js's published behaviour when the environment
 * variable is unset; js's own client verifies a loopback address and we see it in events.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@Interop
class JsAutonatSelfTest {

  /** ≥ 2^63: js decodes it as a negative BigInt, so this checks our u64 handling end to end. */
  private static final String BIG_NONCE = "12345678901234567890";

  private static InteropPeer server; // js AutoNAT v2, loopback patch enabled
  private static InteropPeer plain; // js AutoNAT v2, patch present but not enabled: js as published
  private static InteropPeer
      client; // no AutoNAT service: drives autonat-request, answers dial-backs itself
  private static InteropPeer stock; // js AutoNAT v2 as a client, loopback patch enabled

  @BeforeAll
  static void startPeers() {
    PeerImplementation.JS.assumeAvailable();
    // all at once: each node needs ~1 s to load
    CompletableFuture<InteropPeer> s = CompletableFuture.supplyAsync(InteropPeer::startJsAutonat);
    CompletableFuture<InteropPeer> p =
        CompletableFuture.supplyAsync(
            () ->
                InteropPeer.startJsAutonat(
                    "", List.of("--listen", LoopbackHosts.ANY_PORT), Map.of()));
    CompletableFuture<InteropPeer> c =
        CompletableFuture.supplyAsync(
            () ->
                InteropPeer.startJs(
                    List.of(
                        "--listen",
                        LoopbackHosts.ANY_PORT,
                        "--listen",
                        LoopbackHosts.ANOTHER_IP_ANY_PORT)));
    CompletableFuture<InteropPeer> k = CompletableFuture.supplyAsync(InteropPeer::startJsAutonat);
    server = s.join();
    plain = p.join();
    client = c.join();
    stock = k.join();
  }

  @AfterAll
  static void stopPeers() {
    for (InteropPeer peer : new InteropPeer[] {server, plain, client, stock}) {
      if (peer != null) {
        peer.close();
      }
    }
  }

  private static String clientAddr(String ipPrefix) {
    return client.addrs().stream()
        .filter(a -> a.startsWith(ipPrefix))
        .map(a -> a.replace("/p2p/" + client.peerId(), ""))
        .findFirst()
        .orElseThrow(
            () -> new AssertionError("client has no " + ipPrefix + " address: " + client.addrs()));
  }

  private static JsonNode only(JsonNode array) {
    assertThat(array.size()).as("%s", array).isEqualTo(1);
    return array.get(0);
  }

  @Test
  void sameIpAddressIsDialedBackWithTheNonce() {
    String addr = clientAddr("/ip4/127.0.0.1/");
    JsonNode r =
        client.autonatRequest(
            Map.of("addr", server.addrs().get(0), "addrs", List.of(addr), "nonce", BIG_NONCE));

    assertThat(r.path("nonce").asString()).isEqualTo(BIG_NONCE);
    JsonNode response = only(r.path("messages"));
    assertThat(response.path("type").asString()).isEqualTo("dialResponse");
    assertThat(response.path("status").asString()).isEqualTo("OK");
    assertThat(response.path("addrIdx").asInt()).isZero();
    assertThat(response.path("dialStatus").asString()).isEqualTo("OK");

    JsonNode dialBack = only(r.path("dialBacks"));
    assertThat(dialBack.path("nonce").asString()).isEqualTo(BIG_NONCE);
    assertThat(dialBack.path("matched").asBoolean()).isTrue();
    assertThat(dialBack.path("localAddr").asString()).isEqualTo(addr);
    // js dials back with its own identity
    assertThat(dialBack.path("peerId").asString()).isEqualTo(server.peerId());
    assertThat(r.path("streamEnd").asString()).isEqualTo("eof");
    assertThat(r.path("dialDataBytesSent").asLong()).isZero();
    client.awaitEvent(
        "dial-back", e -> BIG_NONCE.equals(e.path("nonce").asString()), Duration.ofSeconds(5));
  }

  @Test
  void closedPortIsADialError() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      port = socket.getLocalPort();
    }
    JsonNode r =
        client.autonatRequest(
            Map.of("addr", server.addrs().get(0), "addrs", List.of("/ip4/127.0.0.1/tcp/" + port)));

    JsonNode response = only(r.path("messages"));
    assertThat(response.path("status").asString()).isEqualTo("OK");
    assertThat(response.path("dialStatus").asString()).isEqualTo("E_DIAL_ERROR");
    assertThat(r.path("dialBacks").size()).isZero();
    assertThat(r.path("streamEnd").asString()).isEqualTo("eof");
  }

  @Test
  void otherIpCostsDialDataThenIsDialedBack() {
    // the client reaches the server from 127.0.0.1; 127.0.0.2 is "another IP" to js
    String addr = clientAddr("/ip4/127.0.0.2/");
    JsonNode r =
        client.autonatRequest(Map.of("addr", server.addrs().get(0), "addrs", List.of(addr)));

    assertThat(r.path("messages").size()).as("%s", r).isEqualTo(2);
    JsonNode dataRequest = r.path("messages").get(0);
    assertThat(dataRequest.path("type").asString()).isEqualTo("dialDataRequest");
    assertThat(dataRequest.path("addrIdx").asInt()).isZero();
    long numBytes = dataRequest.path("numBytes").asLong();
    assertThat(numBytes).isBetween(30_000L, 99_999L);
    assertThat(r.path("dialDataBytesSent").asLong()).isEqualTo(numBytes);

    JsonNode response = r.path("messages").get(1);
    assertThat(response.path("status").asString()).isEqualTo("OK");
    assertThat(response.path("dialStatus").asString()).isEqualTo("OK");
    JsonNode dialBack = only(r.path("dialBacks"));
    assertThat(dialBack.path("localAddr").asString()).isEqualTo(addr);
    assertThat(dialBack.path("nonce").asString()).isEqualTo(r.path("nonce").asString());
  }

  @Test
  void refusingDialDataResetsAndNothingIsDialed() {
    JsonNode r =
        client.autonatRequest(
            Map.of(
                "addr",
                server.addrs().get(0),
                "addrs",
                List.of(clientAddr("/ip4/127.0.0.2/")),
                "payDialData",
                false));

    assertThat(only(r.path("messages")).path("type").asString()).isEqualTo("dialDataRequest");
    assertThat(r.path("streamEnd").asString()).isEqualTo("reset-by-us");
    assertThat(r.path("dialBacks").size()).isZero();
  }

  @Test
  void withoutTheEnvironmentVariableJsIgnoresLoopback() {
    // js as published: no DialResponse at all, the stream just ends (read from js's server.js)
    JsonNode r =
        client.autonatRequest(
            Map.of("addr", plain.addrs().get(0), "addrs", List.of(clientAddr("/ip4/127.0.0.1/"))));

    assertThat(r.path("messages").size()).as("%s", r).isZero();
    assertThat(r.path("dialBacks").size()).isZero();
    assertThat(r.path("streamEnd").asString()).isEqualTo("eof");
  }

  @Test
  void malformedInputIsReset() {
    // a 2-byte frame that is not a Message (field 0)
    JsonNode raw = client.autonatRequest(Map.of("addr", server.addrs().get(0), "raw", "0200ff"));
    assertThat(raw.path("streamEnd").asString()).isEqualTo("reset");
    assertThat(raw.path("bytesSent").asLong()).isEqualTo(3);

    // a frame announcing 10000 bytes: over js's 8192-byte limit
    JsonNode oversize =
        client.autonatRequest(Map.of("addr", server.addrs().get(0), "oversize", 10_000));
    assertThat(oversize.path("streamEnd").asString()).isEqualTo("reset");
    assertThat(oversize.path("messages").size()).isZero();
  }

  @Test
  void jsServerGetsNonceTwoToThe63Wrong() {
    // js 2.0.15 quirk: protons decodes fixed64 as a signed BigInt, and its encoder gets the high
    // word
    // of a negative value wrong (a missed carry) when the magnitude is ≥ 2^53 and the low 32 bits
    // are
    // zero: for nonces in [2^63, 2^64 - 2^53] ending in 32 zero bits js's DialBack carries another
    // nonce
    String nonce = "9223372036854775808";
    JsonNode r =
        client.autonatRequest(
            Map.of(
                "addr",
                server.addrs().get(0),
                "addrs",
                List.of(clientAddr("/ip4/127.0.0.1/")),
                "nonce",
                nonce));

    JsonNode dialBack = only(r.path("dialBacks"));
    assertThat(dialBack.path("nonce").asString())
        .isEqualTo("9223372032559808512"); // 0x7fffffff00000000
    assertThat(dialBack.path("matched").asBoolean()).isFalse();
    assertThat(only(r.path("messages")).path("dialStatus").asString())
        .isEqualTo("E_DIAL_BACK_ERROR");
  }

  @Test
  void stockJsClientVerifiesItsLoopbackAddress() {
    String listen = stock.addrs().get(0).replace("/p2p/" + stock.peerId(), "");
    assertThat(stock.readyEvent().path("advertisedAddrs").size())
        .as("unverified until AutoNAT confirms it")
        .isZero();

    // identify on the new connection shows the server supports dial-request: js's client asks at
    // once
    stock.requestOk("dial", Map.of("addr", server.addrs().get(0)));
    JsonNode dialBack =
        stock.awaitEvent(
            "dial-back", e -> "js".equals(e.path("handler").asString()), Duration.ofSeconds(10));
    assertThat(dialBack.path("matched").asBoolean()).isTrue();
    assertThat(dialBack.path("localAddr").asString()).isEqualTo(listen);
    JsonNode verified =
        stock.awaitEvent(
            "address-verified",
            e -> listen.equals(e.path("addr").asString()),
            Duration.ofSeconds(10));
    assertThat(verified.path("type").asString()).isEqualTo("transport");
    assertThat(verified.path("verified").asBoolean()).isTrue();

    JsonNode info = stock.requestOk("info", Map.of());
    assertThat(InteropPeer.strings(info.path("advertisedAddrs")))
        .containsExactly(stock.addrs().get(0));
  }
}
