package io.reachability.autonat;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.channel.ChannelFutureListener;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.host.Host;
import io.reachability.testing.LoopbackHosts;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The client's response decoding: a scripted server answers every DialRequest with the fuzz input
 * (then closes), over real hosts on loopback. No server bytes can make the client call an address
 * REACHABLE (no nonce is ever delivered), and every check ends with a result, never an exception.
 */
class ClientResponseFuzzTest {

  /** Short, so inputs that leave the client waiting end quickly. */
  private static final Duration CHECK_TIMEOUT = Duration.ofMillis(500);

  private static volatile byte[] answer = new byte[0];
  private static Host server;
  private static Host clientHost;
  private static AutonatClient client;
  private static Multiaddr serverAddress;

  @BeforeAll
  static void start() {
    server =
        LoopbackHosts.builder("fuzz-server")
            .protocol(
                AutonatV2.DIAL_REQUEST_PROTOCOL,
                stream ->
                    stream
                        .channel()
                        .writeAndFlush(stream.channel().alloc().buffer().writeBytes(answer))
                        .addListener(ChannelFutureListener.CLOSE))
            .build()
            .start();
    clientHost = LoopbackHosts.start("fuzz-client");
    client =
        new AutonatClient(
            clientHost, new AutonatClientSettings.Builder().exchangeTimeout(CHECK_TIMEOUT).build());
    client.start();
    serverAddress = server.listenAddresses().get(0).withPeerId(server.peerId());
  }

  @AfterAll
  static void stop() {
    client.close();
    clientHost.close();
    server.close();
  }

  @FuzzTest(maxDuration = "10s")
  void clientReadsArbitraryResponses(byte[] data) throws Exception {
    answer = data;
    CheckResult result =
        client
            .check(
                serverAddress,
                List.of(
                    clientHost.listenAddresses().get(0),
                    Multiaddr.fromString("/ip4/1.2.3.4/tcp/1")),
                new CheckOptions(AutonatV2.DEFAULT_CLIENT_MAX_DIAL_DATA_BYTES, CHECK_TIMEOUT))
            .get(CHECK_TIMEOUT.toMillis() * 10, TimeUnit.MILLISECONDS);
    assertThat(result.reachability()).as(result.reason()).isNotEqualTo(Reachability.REACHABLE);
    assertThat(result.nonceVerified()).isFalse();
    assertThat(result.dialDataBytes())
        .isLessThanOrEqualTo(AutonatV2.DEFAULT_CLIENT_MAX_DIAL_DATA_BYTES);
  }
}
