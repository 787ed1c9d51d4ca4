package io.reachability.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.crypto.Keys;
import io.reachability.testing.LoopbackHosts;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Submit-time validation: every problem reported at once, naming the field and the value. */
class CheckRequestValidatorTest {

  private static final int CAP = 100_000;
  private final PeerId self = PeerId.fromPublicKey(Keys.generateEd25519().publicKey());
  private final PeerId other = PeerId.fromPublicKey(Keys.generateEd25519().publicKey());
  private final CheckRequestValidator validator = new CheckRequestValidator(self, CAP);

  private List<FieldError> errors(CheckSubmission submission) {
    return errors(validator, submission);
  }

  private static List<FieldError> errors(
      CheckRequestValidator validator, CheckSubmission submission) {
    return catchThrowableOfType(
            InvalidCheckRequestException.class, () -> validator.validate(submission))
        .errors();
  }

  private static CheckSubmission addresses(List<String> addresses) {
    return new CheckSubmission(addresses, null, null, null, null);
  }

  @Test
  void anEmptySubmissionMeansEveryDefault() {
    assertThat(validator.validate(new CheckSubmission(null, null, null, null, null)))
        .isEqualTo(CheckRequest.defaults());
  }

  @Test
  void aValidRequest() {
    String server = "/ip4/192.0.2.1/tcp/4001/p2p/" + other;
    CheckRequest request =
        validator.validate(
            new CheckSubmission(
                List.of(
                    "/ip4/127.0.0.1/tcp/4001",
                    "/ip6/::1/tcp/4001/p2p/" + self,
                    "/ip4/127.0.0.1/tcp/4001"),
                List.of(server),
                2,
                30,
                50_000));
    // the own /p2p suffix dropped, the duplicate checked once
    assertThat(request.addresses())
        .extracting(Multiaddr::toString)
        .containsExactly("/ip4/127.0.0.1/tcp/4001", "/ip6/::1/tcp/4001");
    assertThat(request.servers()).extracting(Multiaddr::toString).containsExactly(server);
    assertThat(request.confirmations()).isEqualTo(2);
    assertThat(request.timeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(request.maxDialDataBytes()).isEqualTo(50_000);
  }

  @Test
  void badAddressesAreFieldErrors() {
    List<FieldError> errors =
        errors(
            addresses(
                List.of(
                    "/ip4/127.0.0.1/tcp/4001",
                    "not a multiaddr",
                    "/ip4/192.0.2.1/tcp/4001/p2p/" + other + "/p2p-circuit/p2p/" + self,
                    "/ip4/127.0.0.1/udp/4001/quic-v1/webtransport",
                    "/dns4/example.com/tcp/4001",
                    "",
                    "/ip4/127.0.0.1/tcp/4001/p2p/" + other)));
    assertThat(errors)
        .extracting(FieldError::field)
        .containsExactly(
            "addresses[1]",
            "addresses[2]",
            "addresses[3]",
            "addresses[4]",
            "addresses[5]",
            "addresses[6]");
    assertThat(errors.get(0).value()).isEqualTo("not a multiaddr");
    assertThat(errors.get(0).reason()).startsWith("not a multiaddr: ");
    assertThat(errors.get(1).reason()).isEqualTo(CheckRequestValidator.RELAYED);
    assertThat(errors.get(2).reason()).isEqualTo(CheckRequestValidator.NOT_TCP);
    assertThat(errors.get(3).reason()).isEqualTo(CheckRequestValidator.NOT_TCP);
    assertThat(errors.get(4).reason()).isEqualTo("not a multiaddr: empty");
    assertThat(errors.get(5).reason()).contains("names another peer");
  }

  @Test
  void atMostFiftyAddresses() {
    List<String> fifty = new ArrayList<>();
    for (int i = 0; i < CheckRequestValidator.MAX_ADDRESSES; i++) {
      fifty.add("/ip4/127.0.0.1/tcp/" + (4000 + i));
    }
    assertThat(validator.validate(addresses(fifty)).addresses()).hasSize(50);
    List<String> fiftyOne = new ArrayList<>(fifty);
    fiftyOne.add("/ip4/127.0.0.1/tcp/5000");
    assertThat(errors(addresses(fiftyOne)))
        .containsExactly(
            new FieldError("addresses", "51 addresses", "at most 50 addresses per check"));
  }

  @Test
  void badServersAndNumbers() {
    List<FieldError> errors =
        errors(
            new CheckSubmission(
                null,
                List.of(
                    "/ip4/192.0.2.1/tcp/4001",
                    "/ip4/192.0.2.1/tcp/4001/p2p/" + self,
                    "/dns4/x.example/tcp/1/ws/p2p/" + other),
                0,
                601,
                CAP + 1));
    assertThat(errors)
        .extracting(FieldError::field)
        .containsExactly(
            "servers[0]",
            "servers[1]",
            "servers[2]",
            "confirmations",
            "timeoutSeconds",
            "maxDialDataBytes");
    assertThat(errors.get(0).reason()).isEqualTo("a server address must end in /p2p/<peer id>");
    assertThat(errors.get(1).reason()).isEqualTo("the node cannot check itself");
    assertThat(errors.get(2).reason()).isEqualTo(CheckRequestValidator.SERVER_SHAPES);
    assertThat(errors.get(3)).isEqualTo(new FieldError("confirmations", "0", "must be in [1, 10]"));
    assertThat(errors.get(4))
        .isEqualTo(
            new FieldError(
                "timeoutSeconds",
                "601",
                "must be in [1, 600] (absent = reach.jobs.default-timeout, default 60 s)"));
    assertThat(errors.get(5).value()).isEqualTo("100001");
  }

  @Test
  void tooManyServers() {
    List<String> servers =
        Collections.nCopies(
            CheckRequestValidator.MAX_SERVERS + 1, "/ip4/192.0.2.1/tcp/4001/p2p/" + other);
    assertThat(errors(new CheckSubmission(null, servers, null, null, null)))
        .extracting(FieldError::field)
        .containsExactly("servers");
  }

  @Test
  void warningsOnlyForPortsTheNodeDoesNotListenOnAndNotForAnnouncedAddresses() {
    NodeAddresses node =
        new NodeAddresses(
            List.of(Multiaddr.fromString("/ip4/0.0.0.0/tcp/4001")),
            List.of(Multiaddr.fromString("/ip4/203.0.113.7/tcp/14001")));
    assertThat(node.warnings(Multiaddr.fromString("/ip4/198.51.100.1/tcp/4001"))).isEmpty();
    assertThat(node.warnings(Multiaddr.fromString("/ip4/203.0.113.7/tcp/14001"))).isEmpty();
    assertThat(node.warnings(Multiaddr.fromString("/ip4/127.0.0.1/tcp/9")))
        .containsExactly("the node does not listen on tcp/9; a dial-back cannot succeed");
    assertThat(node.candidates())
        .extracting(Multiaddr::toString)
        .containsExactly("/ip4/0.0.0.0/tcp/4001", "/ip4/203.0.113.7/tcp/14001");
  }

  @Test
  void addressesThatCanNeverBeDialedAreRefusedWithTheReason() {
    List<FieldError> errors =
        errors(
            addresses(
                List.of(
                    LoopbackHosts.ANY_PORT,
                    "/ip6zone/eth0/ip6/fe80::1/tcp/4001",
                    "/ip4/0.0.0.0/tcp/4001",
                    "/ip6/::/tcp/4001",
                    "/ip4/224.0.0.1/tcp/4001",
                    "/ip4/255.255.255.255/tcp/4001")));
    assertThat(errors)
        .extracting(FieldError::field)
        .containsExactly(
            "addresses[0]",
            "addresses[1]",
            "addresses[2]",
            "addresses[3]",
            "addresses[4]",
            "addresses[5]");
    assertThat(errors.get(0).reason()).isEqualTo("port 0 cannot be dialed");
    assertThat(errors.get(1).reason()).contains("/ip6zone").contains("link-local");
    assertThat(errors.get(2).reason()).startsWith("an unspecified address");
    assertThat(errors.get(3).reason()).startsWith("an unspecified address");
    assertThat(errors.get(4).reason()).startsWith("a multicast or broadcast address");
    assertThat(errors.get(5).reason()).startsWith("a multicast or broadcast address");

    List<FieldError> servers =
        errors(
            new CheckSubmission(
                null,
                List.of("/ip4/192.0.2.1/tcp/0/p2p/" + other, "/ip4/0.0.0.0/tcp/4001/p2p/" + other),
                null,
                null,
                null));
    assertThat(servers)
        .extracting(FieldError::reason)
        .containsExactly(
            "port 0 cannot be dialed",
            "an unspecified address (0.0.0.0, ::) cannot be dialed: name the address itself");
  }

  /** The default policy: the pool's servers and the node's own addresses only. */
  @Test
  void byDefaultOnlyThePoolsServersAndTheNodesOwnAddresses() {
    Multiaddr pooled = Multiaddr.fromString("/ip4/198.51.100.7/tcp/4001/p2p/" + other);
    CheckPolicy policy =
        new CheckPolicy(
            CheckPolicy.ServerRule.POOL,
            false,
            () -> List.of(pooled),
            () -> Set.of(ip("127.0.0.1"), ip("203.0.113.7")));
    CheckRequestValidator restricted = new CheckRequestValidator(self, CAP, policy);

    // own IPs on any port, and the pool's server by its exact address, are fine
    CheckRequest fine =
        restricted.validate(
            new CheckSubmission(
                List.of("/ip4/127.0.0.1/tcp/9", "/ip4/203.0.113.7/tcp/4001"),
                List.of(pooled.toString()),
                null,
                null,
                null));
    assertThat(fine.servers()).containsExactly(pooled);

    List<FieldError> errors =
        catchThrowableOfType(
                InvalidCheckRequestException.class,
                () ->
                    restricted.validate(
                        new CheckSubmission(
                            List.of("/ip4/8.8.8.8/tcp/53", "/ip4/127.0.0.2/tcp/4001"),
                            List.of(
                                "/ip4/198.51.100.8/tcp/4001/p2p/" + other,
                                "/ip4/8.8.4.4/tcp/4001/p2p/" + other),
                            null,
                            null,
                            null)))
            .errors();
    assertThat(errors)
        .extracting(FieldError::field)
        .containsExactly("addresses[0]", "addresses[1]", "servers[0]", "servers[1]");
    assertThat(errors)
        .extracting(FieldError::reason)
        .containsExactly(
            CheckRequestValidator.NOT_OWN,
            CheckRequestValidator.NOT_OWN,
            CheckRequestValidator.NOT_IN_POOL,
            CheckRequestValidator.NOT_IN_POOL);
  }

  /** reach.access.allow-any-server: other servers too, at public addresses only. */
  @Test
  void serversOutsideThePoolMustBePublic() {
    Multiaddr pooled = Multiaddr.fromString("/ip4/127.0.0.1/tcp/4001/p2p/" + other);
    CheckRequestValidator open =
        new CheckRequestValidator(
            self,
            CAP,
            new CheckPolicy(
                CheckPolicy.ServerRule.POOL_OR_PUBLIC, true, () -> List.of(pooled), Set::of));
    String publicServer = "/ip4/8.8.4.4/tcp/4001/p2p/" + other;
    assertThat(
            open.validate(
                    new CheckSubmission(
                        List.of("/ip4/8.8.8.8/tcp/53"),
                        List.of(publicServer, pooled.toString()),
                        null,
                        null,
                        null))
                .servers())
        .extracting(Multiaddr::toString)
        .containsExactly(publicServer, pooled.toString());
    for (String internal :
        List.of(
            "/ip4/127.0.0.2/tcp/4001",
            "/ip4/10.0.0.1/tcp/22",
            "/ip6/fc00::1/tcp/22",
            "/ip4/169.254.169.254/tcp/80")) {
      List<FieldError> errors =
          catchThrowableOfType(
                  InvalidCheckRequestException.class,
                  () ->
                      open.validate(
                          new CheckSubmission(
                              null, List.of(internal + "/p2p/" + other), null, null, null)))
              .errors();
      assertThat(errors)
          .singleElement()
          .extracting(FieldError::reason)
          .isEqualTo(CheckRequestValidator.NOT_PUBLIC_SERVER);
    }
  }

  /**
   * A server named by DNS outside the pool is judged by what the name resolves to at submission,
   * and that resolved address is what the check dials (no rebinding to a private one later).
   */
  @Test
  void aNamedServerOutsideThePoolIsResolvedAndMustBePublic() {
    Multiaddr pooled = Multiaddr.fromString("/dnsaddr/pool.example/p2p/" + other);
    Map<String, List<Multiaddr>> zone =
        Map.of(
            "/dns4/public.example/tcp/4001/p2p/" + other,
            List.of(Multiaddr.fromString("/ip4/8.8.4.4/tcp/4001/p2p/" + other)),
            "/dns/mixed.example/tcp/4001/p2p/" + other,
            List.of(
                Multiaddr.fromString("/ip4/127.0.0.1/tcp/4001/p2p/" + other),
                Multiaddr.fromString("/ip6/2001:4860::1/tcp/4001/p2p/" + other)),
            "/dns4/inside.example/tcp/4001/p2p/" + other,
            List.of(
                Multiaddr.fromString("/ip4/127.0.0.1/tcp/4001/p2p/" + other),
                Multiaddr.fromString("/ip4/10.0.0.1/tcp/4001/p2p/" + other)));
    AtomicInteger lookups = new AtomicInteger();
    CheckRequestValidator open =
        new CheckRequestValidator(
            self,
            CAP,
            new CheckPolicy(
                CheckPolicy.ServerRule.POOL_OR_PUBLIC, true, () -> List.of(pooled), Set::of),
            server -> {
              lookups.incrementAndGet();
              List<Multiaddr> found = zone.get(server.toString());
              return found == null
                  ? CompletableFuture.failedFuture(new IllegalStateException("no such name"))
                  : CompletableFuture.completedFuture(found);
            });

    assertThat(
            open.validate(
                    new CheckSubmission(
                        List.of("/ip4/8.8.8.8/tcp/53"),
                        List.of(
                            "/dns4/public.example/tcp/4001/p2p/" + other,
                            "/dns/mixed.example/tcp/4001/p2p/" + other,
                            pooled.toString()),
                        null,
                        null,
                        null))
                .servers())
        .extracting(Multiaddr::toString)
        .containsExactly(
            "/ip4/8.8.4.4/tcp/4001/p2p/" + other,
            "/ip6/2001:4860::1/tcp/4001/p2p/" + other,
            pooled.toString()); // the pool's own names are the operator's: dialed as they are
    assertThat(lookups).hasValue(2);

    List<FieldError> errors =
        catchThrowableOfType(
                InvalidCheckRequestException.class,
                () ->
                    open.validate(
                        new CheckSubmission(
                            null,
                            List.of(
                                "/dns4/inside.example/tcp/4001/p2p/" + other,
                                "/dns4/nowhere.example/tcp/4001/p2p/" + other),
                            null,
                            null,
                            null)))
            .errors();
    assertThat(errors).extracting(FieldError::field).containsExactly("servers[0]", "servers[1]");
    assertThat(errors.get(0).reason())
        .startsWith(CheckRequestValidator.NOT_PUBLIC_SERVER)
        .contains("resolves to [/ip4/127.0.0.1/tcp/4001, /ip4/10.0.0.1/tcp/4001]");
    assertThat(errors.get(1).reason()).isEqualTo("cannot be resolved: no such name");
  }

  @Test
  void withThePoolRuleANameIsFineOnlyAsThePoolSpellsIt() {
    Multiaddr pooled = Multiaddr.fromString("/dns4/pool.example/tcp/4001/p2p/" + other);
    CheckRequestValidator restricted =
        new CheckRequestValidator(
            self,
            CAP,
            new CheckPolicy(CheckPolicy.ServerRule.POOL, true, () -> List.of(pooled), Set::of),
            server -> {
              throw new AssertionError("the pool rule resolves nothing");
            });
    assertThat(
            restricted
                .validate(new CheckSubmission(null, List.of(pooled.toString()), null, null, null))
                .servers())
        .containsExactly(pooled);
    assertThat(
            errors(
                restricted,
                new CheckSubmission(
                    null, List.of("/dns4/other.example/tcp/4001/p2p/" + other), null, null, null)))
        .extracting(FieldError::reason)
        .containsExactly(CheckRequestValidator.NOT_IN_POOL);
  }

  /** An IP literal (no name lookup happens for one). */
  private static InetAddress ip(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(literal, e);
    }
  }
}
