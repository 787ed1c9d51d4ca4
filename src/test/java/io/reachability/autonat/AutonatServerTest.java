package io.reachability.autonat;

import static org.assertj.core.api.Assertions.assertThat;

import io.reachability.autonat.ScriptedClient.Exchange;
import io.reachability.autonat.pb.AutonatV2Protos;
import io.reachability.libp2p.core.Connection;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.host.Host;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The server over real hosts on loopback, driven by a scripted raw-protobuf client (go's server checklist). */
class AutonatServerTest {

  private static final long NONCE = 0x1122334455667788L;

  /** Generous limits, no jitter, short timeouts: tests opt into the rest. */
  static final AutonatServerSettings TEST_SETTINGS =
      AutonatServerSettings.defaults()
          .withAllowPrivateAddresses(true)
          .withLimits(new RateLimiter.Limits(1000, 1000, 1000, 1000, 1000, 10))
          .withDialData(AutonatV2.MIN_DIAL_DATA_BYTES, AutonatV2.MAX_DIAL_DATA_BYTES, Duration.ZERO)
          .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(2), Duration.ofSeconds(2));

  private Host serverHost;
  private AutonatServer server;
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final BlockingQueue<DialRequestOutcome> outcomes = new LinkedBlockingQueue<>();

  @BeforeEach
  void startServerHost() {
    serverHost = Host.builder().threadName("autonat-test-server").ioThreads(1).listen("/ip4/127.0.0.1/tcp/0").build().start();
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
    if (server != null) {
      server.close();
    }
    serverHost.close();
  }

  private AutonatServer startServer(AutonatServerSettings settings) {
    return startServer(settings, Clock.systemUTC());
  }

  private AutonatServer startServer(AutonatServerSettings settings, Clock clock) {
    server = new AutonatServer(serverHost, settings, clock, new Random(42), ip -> true).start();
    server.addOutcomeListener(outcomes::add);
    return server;
  }

  private ScriptedClient client(String listen) {
    return client(listen, true);
  }

  private ScriptedClient client(String listen, boolean serveDialBack) {
    ScriptedClient client = new ScriptedClient(listen, serveDialBack);
    closeables.add(client);
    return client;
  }

  private DialRequestOutcome outcome() throws InterruptedException {
    DialRequestOutcome outcome = outcomes.poll(10, TimeUnit.SECONDS);
    assertThat(outcome).as("outcome").isNotNull();
    return outcome;
  }

  @Test
  void sameIpIsDialedBackWithoutDialDataFromANewConnectionAndAnotherPeerId() throws Exception {
    startServer(TEST_SETTINGS);
    ScriptedClient client = client("/ip4/127.0.0.1/tcp/0");
    Connection connection = client.connect(serverHost);
    Exchange exchange = client.open(connection);

    exchange.send(ScriptedClient.request(NONCE, List.of(client.listenAddress())));

    AutonatV2Protos.DialResponse response = exchange.response();
    assertThat(response.getStatus()).isEqualTo(AutonatV2Protos.DialResponse.ResponseStatus.OK);
    assertThat(response.getDialStatus()).isEqualTo(AutonatV2Protos.DialStatus.OK);
    assertThat(response.getAddrIdx()).isZero();
    assertThat(exchange.next()).isEqualTo(Exchange.FIN);

    ScriptedClient.DialBack dialBack = client.dialBacks.poll(1, TimeUnit.SECONDS);
    assertThat(dialBack).isNotNull();
    assertThat(dialBack.nonce()).isEqualTo(NONCE);
    assertThat(dialBack.connection()).isNotSameAs(connection);
    assertThat(dialBack.from()).isEqualTo(server.dialBackPeerId()).isNotEqualTo(serverHost.peerId());
    assertThat(dialBack.connection().localAddress()).isEqualTo(client.listenAddress());
    // a fresh ephemeral port, never the server's listen port
    assertThat(dialBack.connection().remoteAddress()).isNotEqualTo(serverHost.listenAddresses().get(0));

    DialRequestOutcome outcome = outcome();
    assertThat(outcome.responseStatus()).isEqualTo(ResponseStatus.OK);
    assertThat(outcome.dialStatus()).isEqualTo(DialStatus.OK);
    assertThat(outcome.selectedIndex()).isZero();
    assertThat(outcome.selectedAddress()).isEqualTo(client.listenAddress());
    assertThat(outcome.dialDataRequested()).isZero();
    assertThat(outcome.peer()).isEqualTo(client.host.peerId());
    assertThat(server.responses(ResponseStatus.OK)).isEqualTo(1);
    assertThat(server.dials(DialStatus.OK)).isEqualTo(1);
    // the dial-back connection is closed afterwards
    dialBack.connection().closeFuture().get(5, TimeUnit.SECONDS);
  }
}
