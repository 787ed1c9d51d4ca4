package io.reachability.autonat;

import static org.assertj.core.api.Assertions.assertThat;

import io.reachability.autonat.ScriptedClient.Exchange;
import io.reachability.autonat.pb.AutonatV2Protos;
import io.reachability.autonat.pb.AutonatV2Protos.DialResponse.ResponseStatus;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.dns.DnsSettings;
import io.reachability.libp2p.host.Host;
import io.reachability.testing.LoopbackDnsServer;
import io.reachability.testing.LoopbackHosts;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * DNS addresses in DialRequests: a name is selected as it is, always costs dial data (as in
 * go-libp2p), is resolved only once paid and is then judged like an IP address; the names are
 * served by a name server on loopback.
 */
class AutonatServerDnsTest {

  private static final long NONCE = 0x0102030405060708L;
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Duration NO_DIAL_BACK_WAIT = Duration.ofMillis(300);

  private final LoopbackDnsServer dns = new LoopbackDnsServer();
  private final BlockingQueue<DialRequestOutcome> outcomes = new LinkedBlockingQueue<>();
  private Host serverHost;
  private AutonatServer server;
  private ScriptedClient client;

  @BeforeEach
  void start() {
    serverHost =
        LoopbackHosts.builder("autonat-dns-server")
            .dns(DnsSettings.defaults().withServers(List.of(dns.address())))
            .build()
            .start();
    client = new ScriptedClient(LoopbackHosts.ANY_PORT, true);
  }

  private void startServer(boolean allowPrivate) {
    server =
        new AutonatServer(
                serverHost,
                AutonatServerTest.TEST_SETTINGS.toBuilder()
                    .allowPrivateAddresses(allowPrivate)
                    .build(),
                Clock.systemUTC(),
                new Random(7),
                ip -> true)
            .start();
    server.addOutcomeListener(outcomes::add);
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    if (server != null) {
      server.close();
    }
    serverHost.close();
    dns.close();
  }

  private int clientPort() {
    return client.listenAddress().toTcpSocketAddress().orElseThrow().getPort();
  }

  private DialRequestOutcome outcome() throws InterruptedException {
    DialRequestOutcome outcome = outcomes.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(outcome).as("outcome").isNotNull();
    return outcome;
  }

  /** Sends a request for {@code addresses}, pays what is asked, returns the response. */
  private AutonatV2Protos.DialResponse requestAndPay(Exchange exchange, List<Multiaddr> addresses)
      throws Exception {
    exchange.send(ScriptedClient.request(NONCE, addresses));
    AutonatV2Protos.Message message = exchange.nextMessage();
    assertThat(message.hasDialDataRequest())
        .as("a name costs dial data, even one of the caller's own IP: %s", message)
        .isTrue();
    exchange.pay(message.getDialDataRequest().getNumBytes(), AutonatV2.MAX_DIAL_DATA_CHUNK);
    return exchange.response();
  }

  @Test
  void aNameIsPaidForResolvedAndDialed() throws Exception {
    startServer(true);
    dns.address("client.test", "127.0.0.1");
    Multiaddr named = Multiaddr.fromString("/dns4/client.test/tcp/" + clientPort());

    AutonatV2Protos.DialResponse response =
        requestAndPay(client.open(client.connect(serverHost)), List.of(named));

    assertThat(response.getStatus()).isEqualTo(ResponseStatus.OK);
    assertThat(response.getDialStatus()).isEqualTo(AutonatV2Protos.DialStatus.OK);
    assertThat(response.getAddrIdx()).isZero();
    assertThat(client.dialBacks.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS).nonce())
        .isEqualTo(NONCE);
    assertThat(outcome().selectedAddress()).isEqualTo(client.listenAddress());
  }

  @Test
  void aNameThatDoesNotResolveIsADialError() throws Exception {
    startServer(true);
    Multiaddr named = Multiaddr.fromString("/dns4/nowhere.test/tcp/" + clientPort());

    AutonatV2Protos.DialResponse response =
        requestAndPay(client.open(client.connect(serverHost)), List.of(named));

    assertThat(response.getStatus()).isEqualTo(ResponseStatus.OK);
    assertThat(response.getDialStatus()).isEqualTo(AutonatV2Protos.DialStatus.E_DIAL_ERROR);
    assertThat(outcome().reason()).contains("does not resolve").contains("nowhere.test");
  }

  /** A name is no way around the private-address rule: what it resolves to is judged. */
  @Test
  void aNamePointingAtAPrivateAddressIsRefusedAndNeverDialed() throws Exception {
    startServer(false);
    dns.address("inside.test", "127.0.0.1").address("inside.test", "10.0.0.1");
    Multiaddr named = Multiaddr.fromString("/dns4/inside.test/tcp/" + clientPort());

    AutonatV2Protos.DialResponse response =
        requestAndPay(client.open(client.connect(serverHost)), List.of(named));

    assertThat(response.getStatus()).isEqualTo(ResponseStatus.E_DIAL_REFUSED);
    assertThat(client.dialBacks.poll(NO_DIAL_BACK_WAIT.toMillis(), TimeUnit.MILLISECONDS)).isNull();
    assertThat(outcome().reason()).contains("no address we are willing to dial");
  }

  @Test
  void aDnsaddrIsNeverSelected() throws Exception {
    startServer(true);
    dns.txt("_dnsaddr.client.test", "dnsaddr=/ip4/127.0.0.1/tcp/" + clientPort());
    Exchange exchange = client.open(client.connect(serverHost));

    exchange.send(
        ScriptedClient.request(NONCE, List.of(Multiaddr.fromString("/dnsaddr/client.test"))));

    assertThat(exchange.response().getStatus()).isEqualTo(ResponseStatus.E_DIAL_REFUSED);
    assertThat(dns.queries()).isZero();
  }
}
