package io.reachability.peercheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.reachability.job.FieldError;
import io.reachability.job.InvalidCheckRequestException;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.dns.DnsSettings;
import io.reachability.libp2p.host.Host;
import io.reachability.testing.LoopbackDnsServer;
import io.reachability.testing.LoopbackHosts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The rules a peer check's request must pass, with DNS names resolved by a real host against a name
 * server on loopback.
 */
class PeerCheckValidatorTest {

  private static final String PEER = "12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN";
  private static final String OTHER = "12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo";

  private final LoopbackDnsServer dns = new LoopbackDnsServer();
  private final Host host =
      LoopbackHosts.builder("validator")
          .dns(DnsSettings.defaults().withServers(List.of(dns.address())))
          .build()
          .start();
  private final TargetRules publicOnly = new TargetRules(false, host::canDial);

  @AfterEach
  void stop() {
    host.close();
    dns.close();
  }

  private PeerCheckValidator validator(TargetRules rules) {
    return new PeerCheckValidator(PeerCheckSettings.defaults(), rules, host::resolve);
  }

  private PeerCheckRequest valid(@Nullable String peer, String... addresses) {
    return validator(publicOnly)
        .validate(new PeerCheckSubmission(peer, new ArrayList<>(Arrays.asList(addresses)), null));
  }

  private List<FieldError> errors(PeerCheckValidator validator, PeerCheckSubmission submission) {
    return catchThrowableOfType(
            InvalidCheckRequestException.class, () -> validator.validate(submission))
        .errors();
  }

  private List<FieldError> errors(@Nullable String peer, @Nullable String... addresses) {
    return errors(
        validator(publicOnly),
        new PeerCheckSubmission(peer, new ArrayList<>(Arrays.asList(addresses)), null));
  }

  @Test
  void aPeerIdAloneMeansALookup() {
    PeerCheckRequest request = valid(PEER);
    assertThat(request.peer().toString()).isEqualTo(PEER);
    assertThat(request.addresses()).isEmpty();
    assertThat(request.timeout()).isNull();
  }

  @Test
  void aMultiaddrPeerNamesItsAddressAndTheAddressesJoinIt() {
    PeerCheckRequest request =
        valid(
            "/ip4/198.51.99.7/tcp/4001/p2p/" + PEER,
            "/ip6/2606:4700::1/udp/4001/quic-v1",
            "/ip4/8.8.8.8/tcp/4001/p2p/" + PEER,
            "/ip4/198.51.99.7/tcp/4001");
    assertThat(request.addresses())
        .extracting(a -> a.address().toString())
        .containsExactly(
            "/ip4/198.51.99.7/tcp/4001",
            "/ip6/2606:4700::1/udp/4001/quic-v1",
            "/ip4/8.8.8.8/tcp/4001");
    assertThat(request.addresses()).allMatch(a -> a.source() == AddressSource.REQUEST);
  }

  @Test
  void everyNonPublicRangeIsRefusedByName() {
    List<FieldError> errors =
        errors(
            PEER,
            "/ip4/127.0.0.1/tcp/4001",
            "/ip4/10.1.2.3/tcp/4001",
            "/ip4/192.168.1.1/tcp/4001",
            "/ip4/100.64.0.1/tcp/4001",
            "/ip4/169.254.1.1/tcp/4001",
            "/ip4/192.0.2.1/tcp/4001",
            "/ip6/::1/tcp/4001",
            "/ip6/fe80::1/tcp/4001",
            "/ip6/2001:db8::1/tcp/4001",
            "/ip6/::ffff:127.0.0.1/tcp/4001");
    assertThat(errors).hasSize(10);
    assertThat(errors).allMatch(e -> e.reason().endsWith(TargetRules.PRIVATE_SUFFIX));
    assertThat(errors.get(0).field()).isEqualTo("addresses[0]");
    assertThat(errors.get(0).reason()).startsWith("a loopback (127.0.0.0/8) address");
    assertThat(errors.get(1).reason()).contains("10.0.0.0/8");
    assertThat(errors.get(3).reason()).contains("100.64.0.0/10");
    assertThat(errors.get(5).reason()).contains("documentation");
    assertThat(errors.get(9).reason()).contains("127.0.0.0/8");
  }

  @Test
  void multicastUnspecifiedAndPortZeroCannotBeDialedAtAll() {
    List<FieldError> errors =
        errors(PEER, "/ip4/224.0.0.1/tcp/1", "/ip4/0.0.0.0/tcp/1", "/ip4/8.8.8.8/tcp/0");
    assertThat(errors)
        .extracting(FieldError::reason)
        .anyMatch(r -> r.contains("multicast"))
        .anyMatch(r -> r.contains("unspecified"))
        .anyMatch(r -> r.contains("port 0"));
  }

  @Test
  void theLabSwitchLetsPrivateTargetsThrough() {
    PeerCheckRequest request =
        validator(new TargetRules(true, host::canDial))
            .validate(new PeerCheckSubmission(PEER, List.of("/ip4/127.0.0.1/tcp/4001"), null));
    assertThat(request.addresses()).hasSize(1);
  }

  @Test
  void aNameResolvingToLoopbackIsRefusedAfterResolution() {
    dns.address("sneaky.test", "127.0.0.1");
    List<FieldError> errors = errors(PEER, "/dns4/sneaky.test/tcp/4001");
    assertThat(errors)
        .singleElement()
        .satisfies(
            error -> {
              assertThat(error.field()).isEqualTo("addresses[0]");
              assertThat(error.reason())
                  .startsWith("resolves to [/ip4/127.0.0.1/tcp/4001]")
                  .contains("a loopback (127.0.0.0/8) address")
                  .endsWith(TargetRules.PRIVATE_SUFFIX);
            });
  }

  @Test
  void errorsComeInTheOrderOfTheFieldsResolutionErrorsIncluded() {
    dns.address("sneaky.test", "127.0.0.1");
    assertThat(errors(PEER, "/dns4/sneaky.test/tcp/1", "/ip4/10.0.0.1/tcp/1"))
        .extracting(FieldError::field)
        .containsExactly("addresses[0]", "addresses[1]");
  }

  @Test
  void aNameResolvingToPublicAndPrivateIsRefusedWhole() {
    dns.address("mixed.test", "8.8.8.8").address("mixed.test", "192.168.0.1");
    assertThat(errors(PEER, "/dns4/mixed.test/tcp/4001"))
        .singleElement()
        .satisfies(e -> assertThat(e.reason()).contains("192.168.0.1").contains("private"));
  }

  @Test
  void aPublicNameIsDialedAtWhatItResolvesTo() {
    dns.address("node.test", "8.8.4.4");
    PeerCheckRequest request = valid(PEER, "/dns4/node.test/tcp/4001");
    assertThat(request.addresses())
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.address()).isEqualTo(Multiaddr.fromString("/ip4/8.8.4.4/tcp/4001"));
              assertThat(a.resolvedFrom())
                  .isEqualTo(Multiaddr.fromString("/dns4/node.test/tcp/4001"));
            });
  }

  @Test
  void aFewPortsOfOneIpAreANodeManyAreAScan() {
    assertThat(
            valid(
                    PEER,
                    "/ip4/8.8.8.8/tcp/1",
                    "/ip4/8.8.8.8/udp/1/quic-v1",
                    "/ip4/8.8.8.8/tcp/2",
                    "/ip4/8.8.8.8/tcp/3")
                .addresses())
        .hasSize(4);
    assertThat(
            errors(
                PEER,
                "/ip4/8.8.8.8/tcp/1",
                "/ip4/8.8.8.8/tcp/2",
                "/ip4/8.8.8.8/tcp/3",
                "/ip4/8.8.8.8/tcp/4",
                "/ip4/8.8.8.8/tcp/5"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.field()).isEqualTo("addresses");
              assertThat(e.reason()).isEqualTo(PeerChecks.TOO_MANY_OF_ONE_IP);
            });
  }

  @Test
  void anAddressNamedTwiceIsDialedOnce() {
    dns.address("one.test", "8.8.4.4").address("two.test", "8.8.4.4");
    PeerCheckRequest request =
        valid(PEER, "/dns4/one.test/tcp/4001", "/dns4/two.test/tcp/4001", "/ip4/8.8.4.4/tcp/4001");
    assertThat(request.addresses())
        .singleElement()
        .satisfies(a -> assertThat(a.resolvedFrom()).hasToString("/dns4/one.test/tcp/4001"));
  }

  @Test
  void aNameThatDoesNotResolveIsAFieldError() {
    assertThat(errors(PEER, "/dns4/nowhere.test/tcp/4001"))
        .singleElement()
        .satisfies(e -> assertThat(e.reason()).startsWith("cannot be resolved"));
  }

  @Test
  void badPeersAndAddressesAreEachNamed() {
    assertThat(errors(null)).extracting(FieldError::field).containsExactly("peer");
    assertThat(errors("nope"))
        .singleElement()
        .satisfies(e -> assertThat(e.reason()).startsWith(PeerCheckValidator.NOT_A_PEER));
    assertThat(errors("/ip4/8.8.8.8/tcp/1"))
        .singleElement()
        .satisfies(e -> assertThat(e.reason()).contains("without /p2p"));
    List<FieldError> errors =
        errors(
            PEER,
            "garbage",
            null,
            "/ip4/8.8.8.8/tcp/1/p2p/" + OTHER,
            "/ip4/8.8.8.8/tcp/1/p2p/" + PEER + "/p2p-circuit",
            "/ip4/8.8.8.8/tcp/1/ws");
    assertThat(errors)
        .extracting(FieldError::field)
        .containsExactly(
            "addresses[0]", "addresses[1]", "addresses[2]", "addresses[3]", "addresses[4]");
    assertThat(errors.get(2).reason()).contains("names another peer");
    assertThat(errors.get(3).reason()).isEqualTo(TargetRules.RELAYED);
    assertThat(errors.get(4).reason()).isEqualTo(TargetRules.NOT_DIALABLE);
  }

  @Test
  void tooManyAddressesAndABadTimeout() {
    List<String> many = new ArrayList<>();
    for (int i = 0; i <= PeerChecks.DEFAULT_MAX_ADDRESSES; i++) {
      many.add("/ip4/8.8.8.8/tcp/" + (1000 + i));
    }
    List<FieldError> errors =
        errors(validator(publicOnly), new PeerCheckSubmission(PEER, new ArrayList<>(many), 0));
    assertThat(errors).extracting(FieldError::field).containsExactly("addresses", "timeoutSeconds");
    assertThat(errors.get(0).value()).isEqualTo("17 addresses");
    assertThat(
            validator(publicOnly)
                .validate(new PeerCheckSubmission(PEER, null, PeerChecks.MAX_TIMEOUT_SECONDS))
                .timeout())
        .isEqualTo(Duration.ofSeconds(PeerChecks.MAX_TIMEOUT_SECONDS));
  }
}
