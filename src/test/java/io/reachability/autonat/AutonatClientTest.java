package io.reachability.autonat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.reachability.autonat.ScriptedServer.DialBackOutcome;
import io.reachability.autonat.ScriptedServer.Event;
import io.reachability.autonat.pb.AutonatV2Protos;
import io.reachability.libp2p.core.Connection;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.host.Host;
import io.reachability.libp2p.host.HostSettings;
import io.reachability.testing.FloodPeers;
import io.reachability.testing.LoopbackHosts;
import io.reachability.testing.Waiting;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client against scripted servers on loopback: go-libp2p's client checklist (autonat_test.go)
 * ported, plus the quirks of js-libp2p and rust-libp2p servers.
 */
class AutonatClientTest {

  private static final long NONCE = 0x0102030405060708L;
  private static final long TIMEOUT_SECONDS = 20;
  private static final Duration GRACE = Duration.ofMillis(300);

  private Host clientHost;
  private AutonatClient client;
  private Multiaddr self;
  private ScriptedServer server;
  private final AtomicLong nonces = new AtomicLong(NONCE);

  @BeforeEach
  void start() {
    clientHost =
        Host.builder()
            .threadName("autonat-client")
            .ioThreads(1)
            .listen(LoopbackHosts.ANY_PORT)
            .build()
            .start();
    AutonatClientSettings settings =
        new AutonatClientSettings(100_000, 4096, Duration.ofSeconds(10), GRACE);
    client =
        new AutonatClient(clientHost, settings, nonces::getAndIncrement, Clock.systemUTC()).start();
    self = clientHost.listenAddresses().get(0);
  }

  @AfterEach
  void stop() {
    client.close();
    if (server != null) {
      server.close();
    }
    clientHost.close();
  }

  private CheckResult check(ScriptedServer.Script script, List<Multiaddr> addresses)
      throws Exception {
    return check(script, addresses, CheckOptions.from(client.settings()));
  }

  private CheckResult check(
      ScriptedServer.Script script, List<Multiaddr> addresses, CheckOptions options)
      throws Exception {
    server = new ScriptedServer(script);
    CheckResult result =
        client.check(server.address(), addresses, options).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    server.scriptDone.get(
        TIMEOUT_SECONDS, TimeUnit.SECONDS); // surfaces the script's own assertion failures
    assertThat(result.server()).isEqualTo(server.host.peerId());
    assertThat(result.serverAddress()).isEqualTo(server.address());
    assertThat(result.duration().isNegative()).isFalse();
    assertThat(client.pendingChecks()).isZero();
    return result;
  }

  private static Multiaddr quic(int port) {
    return Multiaddr.fromString("/ip4/127.0.0.1/udp/" + port + "/quic-v1");
  }

  // ---- the request ----

  @Test
  void sendsTheAddressesInOrderAsBytesWithTheNonce() throws Exception {
    List<Multiaddr> addresses =
        List.of(quic(1234), self, Multiaddr.fromString("/dns4/example.com/tcp/4001"));
    CheckResult result =
        check(
            s -> {
              AutonatV2Protos.DialRequest request = s.readRequest();
              assertThat(request.getAddrsList())
                  .containsExactly(
                      ByteString.copyFrom(addresses.get(0).toBytes()),
                      ByteString.copyFrom(addresses.get(1).toBytes()),
                      ByteString.copyFrom(addresses.get(2).toBytes()));
              assertThat(request.getNonce()).isEqualTo(NONCE);
              s.respond(ResponseStatus.E_DIAL_REFUSED, 0, DialStatus.UNUSED);
              s.close();
            },
            addresses);
    assertThat(result.reachability()).isEqualTo(Reachability.UNKNOWN);
    assertThat(result.responseStatus()).isEqualTo(ResponseStatus.E_DIAL_REFUSED);
    assertThat(result.reason()).isEqualTo("server refused to dial any address");
    assertThat(result.testedIndex()).isNull();
    assertThat(result.testedAddress()).isNull();
    assertThat(result.dialStatus()).isNull();
    assertThat(result.nonceVerified()).isFalse();
  }

  @Test
  void everyCheckUsesAFreshNonceOnANewStream() throws Exception {
    server =
        new ScriptedServer(
            s -> {
              s.readRequest();
              s.respond(ResponseStatus.E_DIAL_REFUSED, 0, DialStatus.UNUSED);
              s.close();
            });
    CheckResult first =
        client.check(server.address(), List.of(self)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    CheckResult second =
        client.check(server.address(), List.of(self)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    assertThat(first.responseStatus()).isEqualTo(ResponseStatus.E_DIAL_REFUSED);
    assertThat(second.responseStatus()).isEqualTo(ResponseStatus.E_DIAL_REFUSED);
    assertThat(nonces.get()).isEqualTo(NONCE + 2);
    // one connection reused, two streams
    assertThat(clientHost.connections(server.host.peerId())).hasSize(1);
  }

  /**
   * A check reuses an open connection to the server's peer id, whatever address it was given: the
   * result names the address the node really talked to, not a port that may be closed.
   */
  @Test
  void theResultNamesTheAddressOfTheConnectionUsed() throws Exception {
    server =
        new ScriptedServer(
            s -> {
              s.readRequest();
              s.respond(ResponseStatus.E_DIAL_REFUSED, 0, DialStatus.UNUSED);
              s.close();
            });
    CheckResult first =
        client.check(server.address(), List.of(self)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    assertThat(first.serverAddress()).isEqualTo(server.address());

    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    Multiaddr elsewhere =
        Multiaddr.fromString("/ip4/127.0.0.1/tcp/" + closedPort).withPeerId(server.host.peerId());
    CheckResult second =
        client.check(elsewhere, List.of(self)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);

    assertThat(second.responseStatus())
        .as("answered over the open connection")
        .isEqualTo(ResponseStatus.E_DIAL_REFUSED);
    assertThat(second.serverAddress()).isEqualTo(server.address()).isNotEqualTo(elsewhere);
  }

  // ---- server errors ----

  @Test
  void serverResetIsUnknown() throws Exception {
    CheckResult result =
        check(
            s -> {
              s.readRequest();
              s.reset();
            },
            List.of(self));
    assertThat(result.reachability()).isEqualTo(Reachability.UNKNOWN);
    assertThat(result.reason()).isEqualTo("server reset the stream");
    assertThat(result.responseStatus()).isNull();
  }

  @Test
  void wrongMessageTypeIsUnknownAndResetsTheStream() throws Exception {
    CheckResult result =
        check(
            s -> {
              s.readRequest();
              s.send(
                  AutonatV2Protos.Message.newBuilder()
                      .setDialRequest(AutonatV2Protos.DialRequest.newBuilder().setNonce(1))
                      .build());
              assertThat(s.awaitEnd()).isEqualTo(Event.RESET);
            },
            List.of(self));
    assertThat(result.reachability()).isEqualTo(Reachability.UNKNOWN);
    assertThat(result.reason()).isEqualTo("server sent an unexpected DIALREQUEST message");
  }

  @Test
  void malformedMessageIsUnknownAndResetsTheStream() throws Exception {
    CheckResult result =
        check(
            s -> {
              s.readRequest();
              s.sendRaw(
                  new byte[] {
                    0x02, (byte) 0xff, (byte) 0xff
                  }); // a frame of 2 bytes that are no protobuf
              assertThat(s.awaitEnd()).isEqualTo(Event.RESET);
            },
            List.of(self));
    assertThat(result.reachability()).isEqualTo(Reachability.UNKNOWN);
    assertThat(result.reason()).startsWith("malformed message from the server");
  }

  @Test
  void oversizedFrameIsUnknownAndResetsTheStream() throws Exception {
    CheckResult result =
        check(
            s -> {
              s.readRequest();
              s.sendRaw(
                  new byte[] {
                    (byte) 0x81, 0x40
                  }); // length 8193: one over the limit, no body needed
              assertThat(s.awaitEnd()).isEqualTo(Event.RESET);
            },
            List.of(self));
    assertThat(result.reachability()).isEqualTo(Reachability.UNKNOWN);
    assertThat(result.reason()).startsWith("bad frame from the server").contains("8193");
  }

  @Test
  void closeWithoutResponseIsUnknown() throws Exception {
    CheckResult result =
        check(
            s -> {
              s.readRequest();
              s.close();
            },
            List.of(self));
    assertThat(result.reachability()).isEqualTo(Reachability.UNKNOWN);
    assertThat(result.reason()).isEqualTo("server closed the stream without a response");
  }

  @Test
  void unknownStatusCodeIsDiscarded() throws Exception {
    CheckResult result =
        check(
            s -> {
              s.readRequest();
              s.respondCodes(7, 0, DialStatus.OK.code());
              s.close();
            },
            List.of(self));
    assertThat(result.reachability()).isEqualTo(Reachability.UNKNOWN);
    assertThat(result.responseStatus()).isNull();
    assertThat(result.reason()).contains("unknown status code 7").contains("discarded");
  }

  @Test
  void unknownDialStatusCodeIsDiscarded() throws Exception {
    CheckResult result =
        check(
            s -> {
              AutonatV2Protos.DialRequest request = s.readRequest();
              s.dialBack(self, request.getNonce());
              s.respondCodes(ResponseStatus.OK.code(), 0, 150);
              s.close();
            },
            List.of(self));
    assertThat(result.reachability()).isEqualTo(Reachability.UNKNOWN);
    assertThat(result.reason()).contains("unknown dial status code 150");
    assertThat(result.nonceVerified()).isTrue();
  }

  @Test
  void rejectedBeforeReadingIsUnknown() throws Exception {
    CheckResult result =
        check(
            s -> {
              // go-libp2p answers E_REQUEST_REJECTED before reading the request when over its rate
              // limit
              s.respond(ResponseStatus.E_REQUEST_REJECTED, 0, DialStatus.UNUSED);
              s.close();
            },
            List.of(self));
    assertThat(result.reachability()).isEqualTo(Reachability.UNKNOWN);
    assertThat(result.responseStatus()).isEqualTo(ResponseStatus.E_REQUEST_REJECTED);
    assertThat(result.reason()).contains("rejected");
  }

  @Test
  void serverThatNeverAnswersTimesOutAndTheStreamIsReset() throws Exception {
    CheckResult result =
        check(
            s -> {
              s.readRequest();
              assertThat(s.awaitEnd()).isEqualTo(Event.RESET);
            },
            List.of(self),
            CheckOptions.from(client.settings()).withTimeout(Duration.ofMillis(500)));
    assertThat(result.reachability()).isEqualTo(Reachability.UNKNOWN);
    assertThat(result.reason()).isEqualTo("timed out after 500 ms waiting for a response");
    assertThat(result.duration()).isGreaterThanOrEqualTo(Duration.ofMillis(500));
  }

  @Test
  void unreachableServerIsUnknown() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    Multiaddr nowhere =
        Multiaddr.fromString("/ip4/127.0.0.1/tcp/" + closedPort)
            .withPeerId(ScriptedServer.randomPeerId());
    CheckResult result =
        client.check(nowhere, List.of(self)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    assertThat(result.reachability()).isEqualTo(Reachability.UNKNOWN);
    assertThat(result.reason()).startsWith("cannot connect to the server: ");
    assertThat(result.serverAddress()).as("no connection: the address given").isEqualTo(nowhere);
    assertThat(client.pendingChecks()).isZero();
  }

  // ---- dial data ----

  @Test
  void paysExactlyTheDialDataAskedFor() throws Exception {
    long[] received = new long[1];
    CheckResult result =
        check(
            s -> {
              AutonatV2Protos.DialRequest request = s.readRequest();
              s.askForData(0, 10_000);
              received[0] = s.readDialData(10_000);
              assertThat(s.chunks).containsExactly(4096, 4096, 1808);
              s.dialBack(self, request.getNonce());
              s.respond(ResponseStatus.OK, 0, DialStatus.OK);
              s.close();
            },
            List.of(self));
    assertThat(received[0]).isEqualTo(10_000);
    assertThat(result.dialDataBytes()).isEqualTo(10_000);
    assertThat(result.reachability()).isEqualTo(Reachability.REACHABLE);
  }

  @Test
  void paysUpToExactlyTheCapAcrossFlowControl() throws Exception {
    ScriptedServer.Session[] session = new ScriptedServer.Session[1];
    CheckResult result =
        check(
            s -> {
              session[0] = s;
              s.readRequest();
              s.askForData(0, 100_000);
              assertThat(s.readDialData(100_000)).isEqualTo(100_000);
              s.respond(ResponseStatus.OK, 0, DialStatus.E_DIAL_ERROR);
              s.close();
            },
            List.of(self));
    assertThat(result.dialDataBytes()).isEqualTo(100_000);
    assertThat(session[0].chunks).allSatisfy(size -> assertThat(size).isLessThanOrEqualTo(4096));
    assertThat(result.reachability()).isEqualTo(Reachability.UNREACHABLE);
  }

  /**
   * A server's E_DIAL_ERROR while the node was turning inbound connections away (a flood filling
   * every slot and the dial-back reserve) may be the node's own doing: it decides nothing.
   */
  @Test
  void aDialErrorWhileTheNodeTurnsConnectionsAwayIsUnknown() throws Exception {
    try (FloodPeers flood = new FloodPeers()) {
      InetSocketAddress target = self.toTcpSocketAddress().orElseThrow();
      CheckResult result =
          check(
              s -> {
                s.readRequest();
                // the per-IP slots, then the reserve, then one more than both
                flood.halfOpen(
                    target,
                    FloodPeers.loopback(2),
                    HostSettings.DEFAULT_MAX_INBOUND_CONNECTIONS_PER_IP
                        + AutonatClient.DIAL_BACK_RESERVED_SLOTS
                        + 1,
                    Duration.ofSeconds(TIMEOUT_SECONDS));
                Waiting.within(Duration.ofSeconds(TIMEOUT_SECONDS))
                    .until(() -> clientHost.inboundTurnedAway() > 0);
                s.respond(ResponseStatus.OK, 0, DialStatus.E_DIAL_ERROR);
                s.close();
              },
              List.of(self));
      assertThat(clientHost.inboundTurnedAway()).isPositive();
      assertThat(result.reachability()).isEqualTo(Reachability.UNKNOWN);
      assertThat(result.dialStatus()).isEqualTo(DialStatus.E_DIAL_ERROR);
      assertThat(result.reason()).isEqualTo(DialRequestExchange.TURNED_AWAY_DURING_CHECK);
    }
  }

  @Test
  void dialDataForAnAddressNotAskedAboutIsRefusedWithAReset() throws Exception {
    CheckResult result =
        check(
            s -> {
              s.readRequest();
              s.askForData(1, 10_000);
              assertThat(s.awaitEnd()).isEqualTo(Event.RESET);
            },
            List.of(self));
    assertThat(result.reachability()).isEqualTo(Reachability.UNKNOWN);
    assertThat(result.reason())
        .isEqualTo(
            "server asked for dial data for address index 1, but only 1 addresses were sent");
    assertThat(result.dialDataBytes()).isZero();
  }

  @Test
  void dialDataOfTwoToThe32IsRefusedWithAReset() throws Exception {
    CheckResult result =
        check(
            s -> {
              s.readRequest();
              s.askForData(0, 1L << 32);
              assertThat(s.awaitEnd()).isEqualTo(Event.RESET);
            },
            List.of(self));
    assertThat(result.reason())
        .isEqualTo("server asked for 4294967296 bytes of dial data, over the cap of 100000");
    assertThat(result.dialDataBytes()).isZero();
  }

  @Test
  void dialDataOverAPerCheckCapIsRefused() throws Exception {
    CheckResult result =
        check(
            s -> {
              s.readRequest();
              s.askForData(0, 200_000);
              assertThat(s.awaitEnd()).isEqualTo(Event.RESET);
            },
            List.of(self),
            CheckOptions.from(client.settings()).withMaxDialDataBytes(100_000));
    assertThat(result.reason())
        .isEqualTo("server asked for 200000 bytes of dial data, over the cap of 100000");
  }

  @Test
  void unsignedNumBytesAboveLongMaxIsRefused() throws Exception {
    CheckResult result =
        check(
            s -> {
              s.readRequest();
              s.askForData(0, -1L); // 2^64 - 1 on the wire
              assertThat(s.awaitEnd()).isEqualTo(Event.RESET);
            },
            List.of(self));
    assertThat(result.reason()).startsWith("server asked for 18446744073709551615 bytes");
  }

  // ---- dial-backs ----

  @Test
  void correctDialBackIsReachable() throws Exception {
    DialBackOutcome[] outcome = new DialBackOutcome[1];
    CheckResult result =
        check(
            s -> {
              AutonatV2Protos.DialRequest request = s.readRequest();
              outcome[0] = s.dialBack(self, request.getNonce());
              s.respond(ResponseStatus.OK, 0, DialStatus.OK);
              s.close();
              assertThat(s.awaitEnd())
                  .isIn(Event.EOF, Event.CLOSED); // the client closes, never resets
            },
            List.of(self));
    assertThat(outcome[0].received())
        .containsExactly(0x00); // DialBackResponse{OK}: the empty message
    assertThat(outcome[0].eof()).isTrue();
    assertThat(outcome[0].reset()).isFalse();
    assertThat(result.reachability()).isEqualTo(Reachability.REACHABLE);
    assertThat(result.responseStatus()).isEqualTo(ResponseStatus.OK);
    assertThat(result.dialStatus()).isEqualTo(DialStatus.OK);
    assertThat(result.nonceVerified()).isTrue();
    assertThat(result.dialBackAddress()).isEqualTo(self);
    assertThat(result.testedIndex()).isZero();
    assertThat(result.testedAddress()).isEqualTo(self);
    assertThat(result.reason()).isEqualTo("the nonce arrived on " + self);
  }

  @Test
  void okWithoutDialBackIsUnknownAfterTheGracePeriod() throws Exception {
    CheckResult result =
        check(
            s -> {
              s.readRequest();
              s.respond(ResponseStatus.OK, 0, DialStatus.OK);
              s.close();
            },
            List.of(self));
    assertThat(result.reachability()).isEqualTo(Reachability.UNKNOWN);
    assertThat(result.reason()).startsWith("OK without a verified nonce");
    assertThat(result.nonceVerified()).isFalse();
    assertThat(result.dialBackAddress()).isNull();
    assertThat(result.duration()).isGreaterThanOrEqualTo(GRACE);
  }

  @Test
  void aNonceArrivingWithinTheGracePeriodCounts() throws Exception {
    CheckResult result =
        check(
            s -> {
              AutonatV2Protos.DialRequest request = s.readRequest();
              s.respond(ResponseStatus.OK, 0, DialStatus.OK);
              s.close();
              DialBackOutcome late = s.dialBack(self, request.getNonce());
              assertThat(late.received()).containsExactly(0x00);
            },
            List.of(self));
    assertThat(result.reachability()).isEqualTo(Reachability.REACHABLE);
  }

  @Test
  void wrongNonceIsResetAndTheCheckUnknown() throws Exception {
    DialBackOutcome[] outcome = new DialBackOutcome[1];
    CheckResult result =
        check(
            s -> {
              AutonatV2Protos.DialRequest request = s.readRequest();
              outcome[0] = s.dialBack(self, request.getNonce() + 1000);
              s.respond(ResponseStatus.OK, 0, DialStatus.OK);
              s.close();
            },
            List.of(self));
    assertThat(outcome[0].reset()).isTrue();
    assertThat(outcome[0].received()).isEmpty();
    assertThat(result.reachability()).isEqualTo(Reachability.UNKNOWN);
    assertThat(result.nonceVerified()).isFalse();
  }

  @Test
  void aReplayedNonceIsReset() throws Exception {
    DialBackOutcome[] outcomes = new DialBackOutcome[2];
    CheckResult result =
        check(
            s -> {
              AutonatV2Protos.DialRequest request = s.readRequest();
              outcomes[0] = s.dialBack(self, request.getNonce());
              outcomes[1] = s.dialBack(self, request.getNonce());
              s.respond(ResponseStatus.OK, 0, DialStatus.OK);
              s.close();
            },
            List.of(self));
    assertThat(outcomes[0].received()).containsExactly(0x00);
    assertThat(outcomes[0].reset()).isFalse();
    assertThat(outcomes[1].reset()).isTrue();
    assertThat(outcomes[1].received()).isEmpty();
    assertThat(result.reachability()).isEqualTo(Reachability.REACHABLE);
  }

  @Test
  void aDialBackFrameOverTheLimitIsReset() throws Exception {
    byte[] oversized = ScriptedServer.frame(new byte[AutonatV2.MAX_DIAL_BACK_MESSAGE_SIZE + 1]);
    DialBackOutcome[] outcome = new DialBackOutcome[1];
    check(
        s -> {
          s.readRequest();
          outcome[0] = s.dialBackRaw(self, oversized);
          s.respond(ResponseStatus.OK, 0, DialStatus.E_DIAL_BACK_ERROR);
          s.close();
        },
        List.of(self));
    assertThat(outcome[0].reset()).isTrue();
    assertThat(outcome[0].received()).isEmpty();
  }

  @Test
  void aNonceAfterTheCheckEndedIsReset() throws Exception {
    long[] nonce = new long[1];
    check(
        s -> {
          nonce[0] = s.readRequest().getNonce();
          s.respond(ResponseStatus.OK, 0, DialStatus.E_DIAL_ERROR);
          s.close();
        },
        List.of(self));
    ScriptedServer.Session session = server.firstSession.get();
    assertThat(session.dialBack(self, nonce[0]).reset()).isTrue();
  }

  @Test
  void aNonceOverTheRequestsOwnConnectionProvesNothing() throws Exception {
    DialBackOutcome[] outcome = new DialBackOutcome[1];
    CheckResult result =
        check(
            s -> {
              AutonatV2Protos.DialRequest request = s.readRequest();
              // a lying server: no dial at all, the nonce over the connection the client opened
              outcome[0] = s.dialBackOver(s.stream.connection(), request.getNonce());
              s.respond(ResponseStatus.OK, 0, DialStatus.OK);
              s.close();
            },
            List.of(self));
    assertThat(outcome[0].reset()).isTrue();
    assertThat(result.reachability()).isEqualTo(Reachability.UNKNOWN);
    assertThat(result.nonceVerified()).isFalse();
  }

  @Test
  void aNonceOverAnOlderInboundConnectionProvesNothing() throws Exception {
    // a peer that had connected to us before the check (inbound for us, so not "our own"
    // connection) delivers the nonce over that old connection instead of dialing the address
    try (Host cheater =
        Host.builder().threadName("cheater").identifyOnConnect(false).build().start()) {
      Connection old = cheater.dial(self).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      DialBackOutcome[] outcome = new DialBackOutcome[1];
      CheckResult result =
          check(
              s -> {
                AutonatV2Protos.DialRequest request = s.readRequest();
                outcome[0] = s.dialBackOver(old, request.getNonce());
                s.respond(ResponseStatus.OK, 0, DialStatus.OK);
                s.close();
              },
              List.of(self));
      assertThat(outcome[0].reset()).isTrue();
      assertThat(result.reachability()).isEqualTo(Reachability.UNKNOWN);
      assertThat(result.nonceVerified()).isFalse();
    }
  }

  @Test
  void aRequestOverTheMessageLimitIsNotSent() {
    List<Multiaddr> many = new java.util.ArrayList<>();
    for (int port = 1; port <= 1000; port++) {
      many.add(Multiaddr.fromString("/ip6/2600::" + port + "/tcp/" + port));
    }
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> client.check(self.withPeerId(clientHost.peerId()), many))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("over the 8192-byte limit");
  }

  @Test
  void serverWithoutAutonatIsUnknown() throws Exception {
    try (Host plain =
        Host.builder()
            .threadName("plain")
            .ioThreads(1)
            .listen(LoopbackHosts.ANY_PORT)
            .build()
            .start()) {
      Multiaddr address = plain.listenAddresses().get(0).withPeerId(plain.peerId());
      CheckResult result =
          client.check(address, List.of(self)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      assertThat(result.reachability()).isEqualTo(Reachability.UNKNOWN);
      assertThat(result.reason())
          .startsWith("cannot open a /libp2p/autonat/2/dial-request stream: ");
    }
  }

  @Test
  void addressIndexOutOfRangeIsUnknown() throws Exception {
    CheckResult result =
        check(
            s -> {
              AutonatV2Protos.DialRequest request = s.readRequest();
              s.dialBack(self, request.getNonce());
              s.respond(ResponseStatus.OK, 10, DialStatus.OK);
              s.close();
            },
            List.of(self));
    assertThat(result.reachability()).isEqualTo(Reachability.UNKNOWN);
    assertThat(result.reason())
        .isEqualTo("server reported address index 10, but only 1 address was sent");
    assertThat(result.testedIndex()).isNull();
  }

  @Test
  void dialErrorIsUnreachable() throws Exception {
    CheckResult result =
        check(
            s -> {
              s.readRequest();
              s.respond(ResponseStatus.OK, 0, DialStatus.E_DIAL_ERROR);
              s.close();
            },
            List.of(self));
    assertThat(result.reachability()).isEqualTo(Reachability.UNREACHABLE);
    assertThat(result.dialStatus()).isEqualTo(DialStatus.E_DIAL_ERROR);
    assertThat(result.testedAddress()).isEqualTo(self);
    // no grace period for a failed dial: the answer is final
    assertThat(result.duration()).isLessThan(GRACE.multipliedBy(10));
  }

  @Test
  void dialBackErrorWithTheNonceDeliveredIsReachable() throws Exception {
    CheckResult result =
        check(
            s -> {
              AutonatV2Protos.DialRequest request = s.readRequest();
              s.dialBack(self, request.getNonce());
              s.respond(ResponseStatus.OK, 0, DialStatus.E_DIAL_BACK_ERROR);
              s.close();
            },
            List.of(self));
    assertThat(result.reachability()).isEqualTo(Reachability.REACHABLE);
    assertThat(result.reason()).contains("E_DIAL_BACK_ERROR");
  }

  @Test
  void dialBackOverAnotherTransportThanTheTestedAddressIsUnknown() throws Exception {
    CheckResult result =
        check(
            s -> {
              AutonatV2Protos.DialRequest request = s.readRequest();
              s.dialBack(self, request.getNonce()); // over TCP, while index 0 is a QUIC address
              s.respond(ResponseStatus.OK, 0, DialStatus.OK);
              s.close();
            },
            List.of(quic(4001)));
    assertThat(result.reachability()).isEqualTo(Reachability.UNKNOWN);
    assertThat(result.reason())
        .isEqualTo(
            "dial-back arrived over a different transport (" + self + ") than the tested address");
    assertThat(result.nonceVerified()).isTrue();
  }

  // ---- other implementations' quirks ----

  @Test
  void jsStyleOneResponsePerAddress() throws Exception {
    CheckResult result =
        check(
            s -> {
              AutonatV2Protos.DialRequest request = s.readRequest();
              s.respond(ResponseStatus.E_DIAL_REFUSED, 0, DialStatus.UNUSED); // no QUIC transport
              s.dialBack(self, request.getNonce());
              s.respond(ResponseStatus.OK, 1, DialStatus.OK);
              s.close();
            },
            List.of(quic(4001), self));
    assertThat(result.reachability()).isEqualTo(Reachability.REACHABLE);
    assertThat(result.testedIndex()).isEqualTo(1);
    assertThat(result.testedAddress()).isEqualTo(self);
  }

  @Test
  void jsStyleRefusalsThenCloseAreARefusal() throws Exception {
    CheckResult result =
        check(
            s -> {
              s.readRequest();
              s.respond(ResponseStatus.E_DIAL_REFUSED, 0, DialStatus.UNUSED);
              s.close(); // js closes without a response for a private address
            },
            List.of(quic(4001), self));
    assertThat(result.responseStatus()).isEqualTo(ResponseStatus.E_DIAL_REFUSED);
    assertThat(result.reason()).isEqualTo("server refused to dial any address");
  }

  @Test
  void jsStyleDialErrorFirstIsTheVerdict() throws Exception {
    CheckResult result =
        check(
            s -> {
              s.readRequest();
              s.respond(ResponseStatus.OK, 0, DialStatus.E_DIAL_ERROR);
              s.respond(
                  ResponseStatus.OK,
                  1,
                  DialStatus.OK); // js goes on; the spec's answer is the first
              s.close();
            },
            List.of(Multiaddr.fromString("/ip4/127.0.0.1/tcp/1"), self));
    assertThat(result.reachability()).isEqualTo(Reachability.UNREACHABLE);
    assertThat(result.testedIndex()).isZero();
  }

  @Test
  void rustStyleTestsTheLastAddress() throws Exception {
    Multiaddr first = Multiaddr.fromString("/ip4/127.0.0.1/tcp/1");
    CheckResult result =
        check(
            s -> {
              AutonatV2Protos.DialRequest request = s.readRequest();
              s.dialBack(self, request.getNonce());
              s.respond(ResponseStatus.OK, 1, DialStatus.OK);
              s.close();
            },
            List.of(first, self));
    assertThat(result.reachability()).isEqualTo(Reachability.REACHABLE);
    assertThat(result.testedIndex()).isEqualTo(1);
    assertThat(result.testedAddress()).isEqualTo(self);
  }

  @Test
  void randomBytesFromTheServerNeverEscapeOrLeak() throws Exception {
    java.util.Random random = new java.util.Random(42);
    server =
        new ScriptedServer(
            s -> {
              s.readRequest();
              byte[] garbage = new byte[1 + random.nextInt(300)];
              synchronized (random) {
                random.nextBytes(garbage);
              }
              s.sendRaw(garbage);
              s.close();
            });
    for (int i = 0; i < 30; i++) {
      CheckResult result =
          client.check(server.address(), List.of(self)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      // no dial-back happened, so nothing random can make the address reachable
      assertThat(result.reachability())
          .as("round %d: %s", i, result.reason())
          .isNotEqualTo(Reachability.REACHABLE);
      assertThat(result.nonceVerified()).isFalse();
    }
    assertThat(client.pendingChecks()).isZero();
  }

  // ---- lifecycle ----

  @Test
  void closeFailsPendingChecksAndResetsTheirStreams() throws Exception {
    server =
        new ScriptedServer(
            // the reset may even come before the request: skip whatever arrives
            s -> assertThat(s.awaitEnd()).isEqualTo(Event.RESET));
    CompletableFuture<CheckResult> pending = client.check(server.address(), List.of(self));
    server.firstSession.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    client.close();
    assertThatThrownBy(() -> pending.get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(IllegalStateException.class);
    server.scriptDone.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    assertThat(client.pendingChecks()).isZero();
    assertThat(clientHost.protocols()).doesNotContain(AutonatV2.DIAL_BACK_PROTOCOL);
  }

  @Test
  void cancellingACheckResetsItsStream() throws Exception {
    server =
        new ScriptedServer(
            // the reset may even come before the request: skip whatever arrives
            s -> assertThat(s.awaitEnd()).isEqualTo(Event.RESET));
    CompletableFuture<CheckResult> pending = client.check(server.address(), List.of(self));
    server.firstSession.get(TIMEOUT_SECONDS, TimeUnit.SECONDS); // the stream is open
    pending.cancel(true);
    server.scriptDone.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    assertThat(client.pendingChecks()).isZero();
  }

  @Test
  void startRegistersTheDialBackProtocol() {
    assertThat(clientHost.protocols()).contains(AutonatV2.DIAL_BACK_PROTOCOL);
  }

  @Test
  void rejectsAServerWithoutPeerIdAndAnEmptyAddressList() {
    assertThatThrownBy(() -> client.check(self, List.of(self)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("/p2p");
    assertThatThrownBy(
            () -> client.check(self.withPeerId(ScriptedServer.randomPeerId()), List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aClientNotStartedFailsChecks() {
    try (AutonatClient idle = new AutonatClient(clientHost, AutonatClientSettings.defaults())) {
      assertThat(idle.check(self.withPeerId(ScriptedServer.randomPeerId()), List.of(self)))
          .failsWithin(Duration.ofSeconds(1))
          .withThrowableOfType(ExecutionException.class)
          .withCauseInstanceOf(IllegalStateException.class);
    }
  }
}
