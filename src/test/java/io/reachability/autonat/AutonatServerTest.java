package io.reachability.autonat;

import static org.assertj.core.api.Assertions.assertThat;

import io.reachability.autonat.ScriptedClient.Exchange;
import io.reachability.autonat.pb.AutonatV2Protos;
import io.reachability.libp2p.core.Connection;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.host.Host;
import io.reachability.testing.LoopbackHosts;
import io.reachability.testing.MutableClock;
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

/**
 * The server over real hosts on loopback, driven by a scripted raw-protobuf client (go's server
 * checklist).
 */
class AutonatServerTest {

  private static final long NONCE = 0x1122334455667788L;

  /** How long an exchange's outcome may take to be reported. */
  private static final Duration OUTCOME_WAIT = Duration.ofSeconds(10);

  /** The server dials back before it answers: once the answer is in, the dial-back is too. */
  private static final Duration DIAL_BACK_WAIT = Duration.ofSeconds(1);

  /** How long what a test's step sets off (a close, an identify, a jittered dial) may take. */
  private static final Duration WAIT = Duration.ofSeconds(5);

  /** How long a test watches for a dial-back that must not come. */
  private static final Duration NO_DIAL_BACK_WAIT = Duration.ofMillis(300);

  /** Generous limits, no jitter, short timeouts: tests opt into the rest. */
  static final AutonatServerSettings TEST_SETTINGS =
      new AutonatServerSettings.Builder()
          .allowPrivateAddresses(true)
          .rateLimit(new RateLimiter.Limits(1000, 1000, 1000, 1000, 1000, 10))
          .maxDialDataJitter(Duration.ZERO)
          .exchangeTimeout(Duration.ofSeconds(5))
          .dialBackConnectTimeout(Duration.ofSeconds(2))
          .dialBackStreamTimeout(Duration.ofSeconds(2))
          .build();

  private Host serverHost;
  private AutonatServer server;
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final BlockingQueue<DialRequestOutcome> outcomes = new LinkedBlockingQueue<>();

  @BeforeEach
  void startServerHost() {
    serverHost = LoopbackHosts.builder("autonat-test-server").ioThreads(1).build().start();
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

  /** The dial-back {@code client} got, which must have come with the server's answer. */
  private static ScriptedClient.DialBack dialBack(ScriptedClient client)
      throws InterruptedException {
    ScriptedClient.DialBack dialBack =
        client.dialBacks.poll(DIAL_BACK_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(dialBack).as("dial-back within " + DIAL_BACK_WAIT).isNotNull();
    return dialBack;
  }

  private static void assertNoDialBack(ScriptedClient client) throws InterruptedException {
    assertThat(client.dialBacks.poll(NO_DIAL_BACK_WAIT.toMillis(), TimeUnit.MILLISECONDS))
        .as("dial-back")
        .isNull();
  }

  private DialRequestOutcome outcome() throws InterruptedException {
    DialRequestOutcome outcome = outcomes.poll(OUTCOME_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(outcome).as("outcome").isNotNull();
    return outcome;
  }

  @Test
  void sameIpIsDialedBackWithoutDialDataFromANewConnectionAndAnotherPeerId() throws Exception {
    startServer(TEST_SETTINGS);
    ScriptedClient client = client(LoopbackHosts.ANY_PORT);
    Connection connection = client.connect(serverHost);
    Exchange exchange = client.open(connection);

    exchange.send(ScriptedClient.request(NONCE, List.of(client.listenAddress())));

    AutonatV2Protos.DialResponse response = exchange.response();
    assertThat(response.getStatus()).isEqualTo(AutonatV2Protos.DialResponse.ResponseStatus.OK);
    assertThat(response.getDialStatus()).isEqualTo(AutonatV2Protos.DialStatus.OK);
    assertThat(response.getAddrIdx()).isZero();
    assertThat(exchange.next()).isEqualTo(Exchange.FIN);

    ScriptedClient.DialBack dialBack = dialBack(client);
    assertThat(dialBack.nonce()).isEqualTo(NONCE);
    assertThat(dialBack.connection()).isNotSameAs(connection);
    assertThat(dialBack.from())
        .isEqualTo(server.dialBackPeerId())
        .isNotEqualTo(serverHost.peerId());
    assertThat(dialBack.connection().localAddress()).isEqualTo(client.listenAddress());
    // a fresh ephemeral port, never the server's listen port
    assertThat(dialBack.connection().remoteAddress())
        .isNotEqualTo(serverHost.listenAddresses().get(0));

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
    dialBack.connection().closeFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Test
  void anotherIpMustPayAllDialDataBeforeTheDial() throws Exception {
    startServer(TEST_SETTINGS);
    ScriptedClient client = client(LoopbackHosts.ANOTHER_IP_ANY_PORT);
    Exchange exchange = client.open(client.connect(serverHost));
    Multiaddr elsewhere = client.listenAddress();

    exchange.send(
        ScriptedClient.request(
            NONCE,
            List.of(Multiaddr.fromString("/ip4/127.0.0.1/udp/1/quic-v1/webtransport"), elsewhere)));

    AutonatV2Protos.Message message = exchange.nextMessage();
    assertThat(message.hasDialDataRequest()).as("%s", message).isTrue();
    AutonatV2Protos.DialDataRequest request = message.getDialDataRequest();
    assertThat(request.getAddrIdx()).isEqualTo(1);
    assertThat(request.getNumBytes())
        .isBetween((long) AutonatV2.MIN_DIAL_DATA_BYTES, AutonatV2.MAX_DIAL_DATA_BYTES - 1L);

    // all but the last 4096-byte frame: no dial yet
    long last = request.getNumBytes() % AutonatV2.MAX_DIAL_DATA_CHUNK;
    exchange.pay(
        request.getNumBytes() - (last == 0 ? AutonatV2.MAX_DIAL_DATA_CHUNK : last),
        AutonatV2.MAX_DIAL_DATA_CHUNK);
    assertNoDialBack(client);
    // the last frame may be larger than what is still owed
    exchange.send(ScriptedClient.dialData(AutonatV2.MAX_DIAL_DATA_CHUNK));

    AutonatV2Protos.DialResponse response = exchange.response();
    assertThat(response.getStatus()).isEqualTo(AutonatV2Protos.DialResponse.ResponseStatus.OK);
    assertThat(response.getDialStatus()).isEqualTo(AutonatV2Protos.DialStatus.OK);
    assertThat(response.getAddrIdx()).isEqualTo(1);
    assertThat(dialBack(client).nonce()).isEqualTo(NONCE);
    DialRequestOutcome outcome = outcome();
    assertThat(outcome.dialDataRequested()).isEqualTo(request.getNumBytes());
    assertThat(outcome.dialDataReceived()).isGreaterThanOrEqualTo(request.getNumBytes());
    assertThat(outcome.selectedAddress()).isEqualTo(elsewhere);
  }

  @Test
  void tinyDialDataFramesAreReset() throws Exception {
    startServer(TEST_SETTINGS);
    ScriptedClient client = client(LoopbackHosts.ANOTHER_IP_ANY_PORT);
    Exchange exchange = client.open(client.connect(serverHost));
    exchange.send(ScriptedClient.request(NONCE, List.of(client.listenAddress())));
    assertThat(exchange.nextMessage().hasDialDataRequest()).isTrue();

    exchange.pay(1000, 10);

    assertThat(exchange.next()).isEqualTo(Exchange.RESET);
    DialRequestOutcome outcome = outcome();
    assertThat(outcome.wasReset()).isTrue();
    assertThat(outcome.reason()).contains("10 bytes");
    assertNoDialBack(client);
  }

  @Test
  void aClientThatWillNotPayIsNeverDialed() throws Exception {
    startServer(TEST_SETTINGS);
    ScriptedClient client = client(LoopbackHosts.ANOTHER_IP_ANY_PORT);
    Exchange exchange = client.open(client.connect(serverHost));
    exchange.send(ScriptedClient.request(NONCE, List.of(client.listenAddress())));
    assertThat(exchange.nextMessage().hasDialDataRequest()).isTrue();

    exchange.reset();

    DialRequestOutcome outcome = outcome();
    assertThat(outcome.wasReset()).isTrue();
    assertThat(outcome.reason()).contains("reset by the client");
    assertThat(outcome.dialStatus()).isEqualTo(DialStatus.UNUSED);
    assertNoDialBack(client);
    assertThat(server.resets()).isEqualTo(1);
  }

  @Test
  void aClosedPortIsADialError() throws Exception {
    startServer(TEST_SETTINGS);
    ScriptedClient client = client(LoopbackHosts.ANY_PORT);
    Exchange exchange = client.open(client.connect(serverHost));
    int closedPort;
    try (java.net.ServerSocket socket =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      closedPort = socket.getLocalPort();
    }

    exchange.send(
        ScriptedClient.request(
            NONCE, List.of(Multiaddr.fromString("/ip4/127.0.0.1/tcp/" + closedPort))));

    AutonatV2Protos.DialResponse response = exchange.response();
    assertThat(response.getStatus()).isEqualTo(AutonatV2Protos.DialResponse.ResponseStatus.OK);
    assertThat(response.getDialStatus()).isEqualTo(AutonatV2Protos.DialStatus.E_DIAL_ERROR);
    assertThat(outcome().reason()).startsWith("dial failed");
    assertThat(server.dials(DialStatus.E_DIAL_ERROR)).isEqualTo(1);
  }

  @Test
  void aClientWithoutADialBackHandlerIsADialBackError() throws Exception {
    startServer(TEST_SETTINGS);
    ScriptedClient client = client(LoopbackHosts.ANY_PORT, false);
    Exchange exchange = client.open(client.connect(serverHost));

    exchange.send(ScriptedClient.request(NONCE, List.of(client.listenAddress())));

    AutonatV2Protos.DialResponse response = exchange.response();
    assertThat(response.getStatus()).isEqualTo(AutonatV2Protos.DialResponse.ResponseStatus.OK);
    assertThat(response.getDialStatus()).isEqualTo(AutonatV2Protos.DialStatus.E_DIAL_BACK_ERROR);
    assertThat(outcome().reason()).startsWith("dial-back stream failed");
  }

  @Test
  void privateAddressesAreRefusedUnlessAllowed() throws Exception {
    startServer(TEST_SETTINGS.toBuilder().allowPrivateAddresses(false).build());
    ScriptedClient client = client(LoopbackHosts.ANY_PORT);
    Exchange exchange = client.open(client.connect(serverHost));

    exchange.send(
        ScriptedClient.request(
            NONCE,
            List.of(
                client.listenAddress(),
                Multiaddr.fromString("/ip4/10.1.2.3/tcp/4001"),
                Multiaddr.fromString("/ip4/192.168.1.1/tcp/4001"),
                Multiaddr.fromString("/ip4/100.64.0.1/tcp/4001"),
                Multiaddr.fromString("/ip6/::1/tcp/4001"),
                Multiaddr.fromString("/ip6/fd00::1/tcp/4001"))));

    AutonatV2Protos.DialResponse response = exchange.response();
    assertThat(response.getStatus())
        .isEqualTo(AutonatV2Protos.DialResponse.ResponseStatus.E_DIAL_REFUSED);
    assertThat(exchange.next()).isEqualTo(Exchange.FIN);
    assertNoDialBack(client);
    assertThat(outcome().selectedIndex()).isEqualTo(-1);
  }

  @Test
  void onlyTheFirstFiftyAddressesAreInspected() throws Exception {
    startServer(TEST_SETTINGS);
    ScriptedClient client = client(LoopbackHosts.ANY_PORT);
    Connection connection = client.connect(serverHost);
    List<Multiaddr> hundredUndialable = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      hundredUndialable.add(
          Multiaddr.fromString(
              i % 2 == 0 ? "/ip4/127.0.0.1/udp/1/quic-v1/webtransport" : "/dnsaddr/example.com"));
    }
    List<Multiaddr> addresses = new ArrayList<>(hundredUndialable);
    addresses.add(client.listenAddress());
    Exchange refused = client.open(connection);
    refused.send(ScriptedClient.request(NONCE, addresses));
    assertThat(refused.response().getStatus())
        .isEqualTo(AutonatV2Protos.DialResponse.ResponseStatus.E_DIAL_REFUSED);
    assertThat(outcome().addressCount()).isEqualTo(101);

    // the fiftieth is still looked at
    List<Multiaddr> fortyNine = new ArrayList<>(hundredUndialable.subList(0, 49));
    fortyNine.add(client.listenAddress());
    Exchange served = client.open(connection);
    served.send(ScriptedClient.request(NONCE, fortyNine));
    AutonatV2Protos.DialResponse response = served.response();
    assertThat(response.getStatus()).isEqualTo(AutonatV2Protos.DialResponse.ResponseStatus.OK);
    assertThat(response.getAddrIdx()).isEqualTo(49);
  }

  @Test
  void tenThousandAddressesAreReset() throws Exception {
    startServer(TEST_SETTINGS);
    ScriptedClient client = client(LoopbackHosts.ANY_PORT);
    Exchange exchange = client.open(client.connect(serverHost));
    List<Multiaddr> addresses = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      addresses.add(client.listenAddress());
    }

    exchange.send(ScriptedClient.request(NONCE, addresses));

    assertThat(exchange.next()).isEqualTo(Exchange.RESET);
    assertThat(outcome().reason()).contains("over 8192");
    assertNoDialBack(client);
  }

  @Test
  void aLengthPrefixOverTheLimitIsResetBeforeItsBodyArrives() throws Exception {
    startServer(TEST_SETTINGS);
    ScriptedClient client = client(LoopbackHosts.ANY_PORT);
    Exchange exchange = client.open(client.connect(serverHost));

    exchange.sendRaw(
        ScriptedClient.prefix(AutonatV2.MAX_MESSAGE_SIZE + 1)); // announces 8193 bytes, sends none

    assertThat(exchange.next()).isEqualTo(Exchange.RESET);
    assertThat(outcome().reason()).contains("8193");
  }

  @Test
  void aMessageOfExactlyTheLimitIsRead() throws Exception {
    startServer(TEST_SETTINGS);
    ScriptedClient client = client(LoopbackHosts.ANY_PORT);
    Exchange exchange = client.open(client.connect(serverHost));
    // DialRequest{addrs=[the client], nonce} padded with an unknown field to exactly 8192 bytes
    byte[] request = ScriptedClient.request(NONCE, List.of(client.listenAddress())).toByteArray();
    int padding =
        AutonatV2.MAX_MESSAGE_SIZE
            - request.length
            - 1
            - 2; // tag 0x7a (field 15, bytes) + 2-byte length
    java.io.ByteArrayOutputStream frame = new java.io.ByteArrayOutputStream();
    frame.writeBytes(ScriptedClient.prefix(AutonatV2.MAX_MESSAGE_SIZE));
    frame.writeBytes(request);
    frame.write(0x7a);
    frame.writeBytes(io.reachability.libp2p.multiformats.Varint.encode(padding));
    frame.writeBytes(new byte[padding]);
    assertThat(frame.size()).isEqualTo(2 + AutonatV2.MAX_MESSAGE_SIZE);

    exchange.sendRaw(frame.toByteArray());

    assertThat(exchange.response().getStatus())
        .isEqualTo(AutonatV2Protos.DialResponse.ResponseStatus.OK);
  }

  @Test
  void aFirstMessageOtherThanADialRequestIsReset() throws Exception {
    startServer(TEST_SETTINGS);
    ScriptedClient client = client(LoopbackHosts.ANY_PORT);
    Exchange exchange = client.open(client.connect(serverHost));

    exchange.send(ScriptedClient.dialData(4096));

    assertThat(exchange.next()).isEqualTo(Exchange.RESET);
    assertThat(outcome().reason()).contains("DIALDATARESPONSE");
  }

  @Test
  void garbageAndEmptyRequestsAreReset() throws Exception {
    startServer(TEST_SETTINGS);
    ScriptedClient client = client(LoopbackHosts.ANY_PORT);
    Connection connection = client.connect(serverHost);

    Exchange garbage = client.open(connection);
    garbage.sendRaw(
        new byte[] {0x03, (byte) 0xff, (byte) 0xff, (byte) 0xff}); // 3 bytes that are no protobuf
    assertThat(garbage.next()).isEqualTo(Exchange.RESET);
    assertThat(outcome().reason()).contains("malformed");

    Exchange empty = client.open(connection);
    empty.send(ScriptedClient.request(NONCE, List.of()));
    assertThat(empty.next()).isEqualTo(Exchange.RESET);
    assertThat(outcome().reason()).contains("without addresses");
  }

  @Test
  void ourOwnAddressIsRefused() throws Exception {
    startServer(TEST_SETTINGS);
    ScriptedClient client = client(LoopbackHosts.ANY_PORT);
    Exchange exchange = client.open(client.connect(serverHost));

    exchange.send(
        ScriptedClient.request(
            NONCE, List.of(serverHost.listenAddresses().get(0).withPeerId(client.host.peerId()))));

    assertThat(exchange.response().getStatus())
        .isEqualTo(AutonatV2Protos.DialResponse.ResponseStatus.E_DIAL_REFUSED);
  }

  @Test
  void anAddressTheServersHostAdvertisesBesidesItsListenAddressesIsItsOwnToo() throws Exception {
    startServer(TEST_SETTINGS);
    // say a monitor confirmed this address and the host now announces it
    Multiaddr announced = Multiaddr.fromString("/ip4/127.0.0.1/tcp/9");
    serverHost.setAdvertisedAddressesFilter(all -> List.of(announced));
    ScriptedClient client = client(LoopbackHosts.ANY_PORT);
    Exchange exchange = client.open(client.connect(serverHost));

    exchange.send(ScriptedClient.request(NONCE, List.of(announced)));

    assertThat(exchange.response().getStatus())
        .isEqualTo(AutonatV2Protos.DialResponse.ResponseStatus.E_DIAL_REFUSED);
    assertThat(outcome().dialStatus()).isEqualTo(DialStatus.UNUSED);
  }

  @Test
  void aSilentClientIsResetWhenTheExchangeTimesOut() throws Exception {
    startServer(TEST_SETTINGS.toBuilder().exchangeTimeout(Duration.ofMillis(300)).build());
    ScriptedClient client = client(LoopbackHosts.ANY_PORT);
    Exchange exchange = client.open(client.connect(serverHost));

    assertThat(exchange.next()).isEqualTo(Exchange.RESET);
    assertThat(outcome().reason()).contains("timed out");
  }

  @Test
  void onePeersMisbehaviourDoesNotStopTheServer() throws Exception {
    startServer(TEST_SETTINGS.toBuilder().exchangeTimeout(Duration.ofSeconds(3)).build());
    ScriptedClient bad = client(LoopbackHosts.ANOTHER_IP_ANY_PORT);
    Connection badConnection = bad.connect(serverHost);
    Exchange hanging = bad.open(badConnection); // says nothing, holds a slot
    Exchange unpaid = bad.open(badConnection); // asks for another host, never pays
    unpaid.send(ScriptedClient.request(NONCE, List.of(bad.listenAddress())));
    assertThat(unpaid.nextMessage().hasDialDataRequest()).isTrue();
    bad.open(badConnection)
        .sendRaw(
            new byte[] {
              (byte) 0xff,
              (byte) 0xff,
              (byte) 0xff,
              (byte) 0xff,
              (byte) 0xff,
              (byte) 0xff,
              (byte) 0xff,
              (byte) 0xff,
              (byte) 0xff,
              (byte) 0xff
            });

    ScriptedClient good = client(LoopbackHosts.ANY_PORT);
    Exchange exchange = good.open(good.connect(serverHost));
    exchange.send(ScriptedClient.request(NONCE + 1, List.of(good.listenAddress())));
    assertThat(exchange.response().getDialStatus()).isEqualTo(AutonatV2Protos.DialStatus.OK);
    assertThat(dialBack(good).nonce()).isEqualTo(NONCE + 1);
    assertThat(hanging.events).isEmpty();
  }

  @Test
  void onlyTheSelectedAddressIsDialed() throws Exception {
    startServer(TEST_SETTINGS);
    ScriptedClient first = client(LoopbackHosts.ANY_PORT);
    ScriptedClient second = client(LoopbackHosts.ANY_PORT);
    Exchange exchange = first.open(first.connect(serverHost));

    exchange.send(
        ScriptedClient.request(NONCE, List.of(first.listenAddress(), second.listenAddress())));

    assertThat(exchange.response().getAddrIdx()).isZero();
    assertThat(dialBack(first)).isNotNull();
    assertNoDialBack(second);
  }

  @Test
  void identifyAnnouncesTheProtocolAndCloseRemovesIt() throws Exception {
    startServer(TEST_SETTINGS);
    assertThat(serverHost.protocols()).contains(AutonatV2.DIAL_REQUEST_PROTOCOL);
    ScriptedClient observer = client(LoopbackHosts.ANY_PORT);
    Connection observed = observer.connect(serverHost);
    assertThat(
            observer
                .host
                .identify(observed)
                .get(WAIT.toMillis(), TimeUnit.MILLISECONDS)
                .protocols())
        .contains(AutonatV2.DIAL_REQUEST_PROTOCOL);
    server.close();
    assertThat(serverHost.protocols()).doesNotContain(AutonatV2.DIAL_REQUEST_PROTOCOL);
    ScriptedClient client = client(LoopbackHosts.ANY_PORT);
    Connection connection = client.connect(serverHost);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> client.open(connection))
        .hasMessageContaining(AutonatV2.DIAL_REQUEST_PROTOCOL);
  }

  @Test
  void fiveParallelRequestsFromOnePeerWithConcurrencyTwoRejectThreeBeforeReadingThem()
      throws Exception {
    startServer(
        TEST_SETTINGS.toBuilder()
            .rateLimit(new RateLimiter.Limits(1000, 1000, 1000, 1000, 1000, 2))
            .build());
    ScriptedClient client = client(LoopbackHosts.ANOTHER_IP_ANY_PORT);
    Connection connection = client.connect(serverHost);
    List<Exchange> holding = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      Exchange exchange = client.open(connection);
      exchange.send(ScriptedClient.request(NONCE + i, List.of(client.listenAddress())));
      assertThat(exchange.nextMessage().hasDialDataRequest())
          .isTrue(); // admitted, now waiting for payment
      holding.add(exchange);
    }
    for (int i = 0; i < 3; i++) {
      Exchange rejected =
          client.open(connection, true); // sends nothing: the answer comes before any read
      assertThat(rejected.rawUntilFin())
          .containsExactly(0x04, 0x12, 0x02, 0x08, 0x64); // DialResponse{E_REQUEST_REJECTED}
      assertThat(outcome().responseStatus()).isEqualTo(ResponseStatus.E_REQUEST_REJECTED);
    }
    assertThat(server.responses(ResponseStatus.E_REQUEST_REJECTED)).isEqualTo(3);

    // a request that ends frees its slot
    holding.get(0).reset();
    assertThat(outcome().wasReset()).isTrue();
    Exchange admitted = client.open(connection);
    admitted.send(ScriptedClient.request(NONCE, List.of(client.listenAddress())));
    assertThat(admitted.nextMessage().hasDialDataRequest()).isTrue();
  }

  @Test
  void perPeerRateIsCountedOverAMinute() throws Exception {
    MutableClock clock = new MutableClock();
    startServer(
        TEST_SETTINGS.toBuilder()
            .rateLimit(new RateLimiter.Limits(1000, 2, 1000, 1000, 1000, 10))
            .build(),
        clock);
    ScriptedClient client = client(LoopbackHosts.ANY_PORT);
    Connection connection = client.connect(serverHost);
    for (int i = 0; i < 2; i++) {
      Exchange exchange = client.open(connection);
      exchange.send(ScriptedClient.request(NONCE, List.of(client.listenAddress())));
      assertThat(exchange.response().getStatus())
          .isEqualTo(AutonatV2Protos.DialResponse.ResponseStatus.OK);
    }
    assertThat(client.open(connection).response().getStatus())
        .isEqualTo(AutonatV2Protos.DialResponse.ResponseStatus.E_REQUEST_REJECTED);

    clock.advance(RateLimiter.WINDOW);
    Exchange later = client.open(connection);
    later.send(ScriptedClient.request(NONCE, List.of(client.listenAddress())));
    assertThat(later.response().getStatus())
        .isEqualTo(AutonatV2Protos.DialResponse.ResponseStatus.OK);
  }

  @Test
  void aSpentDialDataBudgetRejectsOnlyRequestsThatNeedData() throws Exception {
    startServer(
        TEST_SETTINGS.toBuilder()
            .rateLimit(new RateLimiter.Limits(1000, 1000, 1000, 1000, 1, 10))
            .build());
    ScriptedClient client = client(LoopbackHosts.ANOTHER_IP_ANY_PORT);
    Connection connection = client.connect(serverHost);
    Exchange first = client.open(connection);
    first.send(ScriptedClient.request(NONCE, List.of(client.listenAddress())));
    long owed = first.nextMessage().getDialDataRequest().getNumBytes();
    // the budget is taken when the data is paid, not when it is asked for
    first.pay(owed, AutonatV2.MAX_DIAL_DATA_CHUNK);
    assertThat(first.response().getStatus())
        .isEqualTo(AutonatV2Protos.DialResponse.ResponseStatus.OK);
    outcome();

    Exchange second = client.open(connection);
    second.send(ScriptedClient.request(NONCE, List.of(client.listenAddress())));
    assertThat(second.response().getStatus())
        .isEqualTo(AutonatV2Protos.DialResponse.ResponseStatus.E_REQUEST_REJECTED);
    assertThat(outcome().reason()).contains("dial-data budget");

    // same IP as the connection: free, so the spent budget does not matter
    ScriptedClient local = client(LoopbackHosts.ANY_PORT);
    Exchange free = local.open(local.connect(serverHost));
    free.send(ScriptedClient.request(NONCE, List.of(local.listenAddress())));
    assertThat(free.response().getStatus())
        .isEqualTo(AutonatV2Protos.DialResponse.ResponseStatus.OK);
  }

  @Test
  void minimumSizedFramesAndASmallLastFrameAreAccepted() throws Exception {
    startServer(TEST_SETTINGS);
    ScriptedClient client = client(LoopbackHosts.ANOTHER_IP_ANY_PORT);
    Exchange exchange = client.open(client.connect(serverHost));
    exchange.send(ScriptedClient.request(NONCE, List.of(client.listenAddress())));
    long owed = exchange.nextMessage().getDialDataRequest().getNumBytes();

    // 100-byte frames (the minimum) then whatever is left, possibly under 100
    exchange.pay(owed, AutonatV2.MIN_DIAL_DATA_FRAME);

    assertThat(exchange.response().getDialStatus()).isEqualTo(AutonatV2Protos.DialStatus.OK);
    assertThat(outcome().dialDataReceived()).isEqualTo(owed);
  }

  @Test
  void aDataFieldOverTheChunkLimitIsReset() throws Exception {
    startServer(TEST_SETTINGS);
    ScriptedClient client = client(LoopbackHosts.ANOTHER_IP_ANY_PORT);
    Exchange exchange = client.open(client.connect(serverHost));
    exchange.send(ScriptedClient.request(NONCE, List.of(client.listenAddress())));
    assertThat(exchange.nextMessage().hasDialDataRequest()).isTrue();

    exchange.send(ScriptedClient.dialData(AutonatV2.MAX_DIAL_DATA_CHUNK + 1));

    assertThat(exchange.next()).isEqualTo(Exchange.RESET);
    assertThat(outcome().reason()).contains("4097");
  }

  @Test
  void jitterDelaysSomePaidDials() throws Exception {
    Duration maxJitter = Duration.ofMillis(400);
    startServer(TEST_SETTINGS.toBuilder().maxDialDataJitter(maxJitter).build());
    ScriptedClient client = client(LoopbackHosts.ANOTHER_IP_ANY_PORT);
    Connection connection = client.connect(serverHost);
    List<Long> delays = new ArrayList<>();
    java.util.Set<Multiaddr> dialBackSources = new java.util.HashSet<>();
    for (int i = 0; i < 6; i++) {
      Exchange exchange = client.open(connection);
      exchange.send(ScriptedClient.request(NONCE + i, List.of(client.listenAddress())));
      long owed = exchange.nextMessage().getDialDataRequest().getNumBytes();
      exchange.pay(owed, AutonatV2.MAX_DIAL_DATA_CHUNK);
      long paidAt = System.nanoTime();
      ScriptedClient.DialBack dialBack =
          client.dialBacks.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      delays.add(Duration.ofNanos(System.nanoTime() - paidAt).toMillis());
      assertThat(dialBack.nonce()).isEqualTo(NONCE + i);
      dialBackSources.add(dialBack.connection().remoteAddress());
      assertThat(exchange.response().getDialStatus()).isEqualTo(AutonatV2Protos.DialStatus.OK);
    }
    // uniform in [0, 400] ms: with the seeded generator several are well over 150 ms
    assertThat(delays)
        .as("ms from payment to dial-back")
        .anySatisfy(d -> assertThat(d).isGreaterThan(150));
    assertThat(delays).allSatisfy(d -> assertThat(d).isLessThan(maxJitter.toMillis() + 1000));
    // every dial-back is a new connection from its own ephemeral port
    assertThat(dialBackSources).hasSize(6).doesNotContain(serverHost.listenAddresses().get(0));
  }

  @Test
  void anIpv6AddressOverAnIpv4ConnectionNeedsDialData() throws Exception {
    startServer(TEST_SETTINGS);
    ScriptedClient client;
    try {
      client = client(LoopbackHosts.IPV6_ANY_PORT);
    } catch (RuntimeException e) {
      org.junit.jupiter.api.Assumptions.abort("no IPv6 loopback here: " + e.getMessage());
      return;
    }
    Exchange exchange = client.open(client.connect(serverHost)); // the server listens on 127.0.0.1
    exchange.send(ScriptedClient.request(NONCE, List.of(client.listenAddress())));
    long owed = exchange.nextMessage().getDialDataRequest().getNumBytes();
    exchange.pay(owed, AutonatV2.MAX_DIAL_DATA_CHUNK);
    assertThat(exchange.response().getDialStatus()).isEqualTo(AutonatV2Protos.DialStatus.OK);
    assertThat(dialBack(client).connection().localAddress()).isEqualTo(client.listenAddress());
  }

  @Test
  void aRequestInFlightWhenTheServerClosesIsAnInternalErrorNotADialError() throws Exception {
    startServer(TEST_SETTINGS);
    ScriptedClient client = client(LoopbackHosts.ANOTHER_IP_ANY_PORT);
    Exchange exchange = client.open(client.connect(serverHost));
    exchange.send(ScriptedClient.request(NONCE, List.of(client.listenAddress())));
    long owed = exchange.nextMessage().getDialDataRequest().getNumBytes();

    server.close();
    exchange.pay(owed, AutonatV2.MAX_DIAL_DATA_CHUNK);

    assertThat(exchange.response().getStatus())
        .isEqualTo(AutonatV2Protos.DialResponse.ResponseStatus.E_INTERNAL_ERROR);
    assertThat(client.dialBacks).isEmpty();
    assertThat(server.responses(ResponseStatus.E_INTERNAL_ERROR)).isEqualTo(1);
  }
}
