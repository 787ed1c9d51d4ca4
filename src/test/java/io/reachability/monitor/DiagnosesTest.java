package io.reachability.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.reachability.autonat.Reachability;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.host.ObservedAddress;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Each diagnosis from the evidence it needs, and silence where the evidence is missing or comes
 * from a peer outside the pool. Network-level truth (a real NAT, a real firewall) is in {@code
 * NatSimulationIT}; here the rules alone.
 */
class DiagnosesTest {

  static final PeerId SERVER =
      PeerId.fromString("12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA");
  static final PeerId STRANGER =
      PeerId.fromString("12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN");

  static Multiaddr addr(String text) {
    return Multiaddr.fromString(text);
  }

  static AddressReport tracked(String address, Reachability verdict) {
    int successes = verdict == Reachability.REACHABLE ? 3 : 0;
    int failures = verdict == Reachability.UNREACHABLE ? 3 : 0;
    return new AddressReport(
        addr(address),
        verdict,
        Math.abs(successes - failures),
        successes,
        failures,
        false,
        0,
        null,
        null,
        List.of());
  }

  static ReachabilityReport report(AddressReport... addresses) {
    return new ReachabilityReport(NodeReachability.UNKNOWN, List.of(addresses));
  }

  static List<Diagnosis.Kind> kinds(List<Diagnosis> diagnoses) {
    return diagnoses.stream().map(Diagnosis::kind).toList();
  }

  static final PeerId FOUND =
      PeerId.fromString("12D3KooWNMjgNXFxfqJ6Rzdqa3xufxQEmqy52Sp3GpZhRRfrNszi");
  static final PeerId FOUND_TOO =
      PeerId.fromString("12D3KooWA4DX6pobFdWunAvwPSq5c5xGcXMF1T8EKndaWGnLMXN6");
  static final PeerId PRIVATE_FOUND =
      PeerId.fromString("12D3KooWFPeUn1VVpuwWuWPz7BQcvC3DUW4GQM9RvQyxvV3pEjAk");
  static final PeerId PRIVATE_FOUND_TOO =
      PeerId.fromString("12D3KooWBGYHwpHuo7yYGNhXpFBUVVuCsT4fm7HRuHbnLM8mPpKH");
  static final PeerId LAN_SERVER =
      PeerId.fromString("12D3KooWRmPfjhK4eQDKSe6jjcdvXvu9jwQmBPYZgv2JeaAcFQNh");

  /**
   * A configured server at a public address, two discovered ones, two discovered at private
   * addresses (a lab's), a configured one at a private address (the operator's own LAN).
   */
  static final List<Diagnoses.Observer> POOL =
      List.of(
          new Diagnoses.Observer(SERVER, true, true),
          new Diagnoses.Observer(FOUND, false, true),
          new Diagnoses.Observer(FOUND_TOO, false, true),
          new Diagnoses.Observer(PRIVATE_FOUND, false, false),
          new Diagnoses.Observer(PRIVATE_FOUND_TOO, false, false),
          new Diagnoses.Observer(LAN_SERVER, true, false));

  static List<Diagnosis> diagnose(
      ReachabilityReport report, List<String> own, ObservedAddress... observed) {
    return Diagnoses.of(
        report, own.stream().map(DiagnosesTest::addr).toList(), List.of(observed), POOL);
  }

  static ObservedAddress seen(String address, PeerId... by) {
    return new ObservedAddress(addr(address), Set.of(by), Instant.EPOCH);
  }

  @Test
  void aReachableNodeHasNothingToDiagnose() {
    assertThat(
            diagnose(
                report(
                    tracked("/ip4/198.18.0.0/tcp/4001", Reachability.REACHABLE),
                    tracked("/ip4/8.8.4.4/tcp/4001", Reachability.REACHABLE),
                    tracked("/ip4/8.8.4.4/udp/4001/quic-v1", Reachability.REACHABLE)),
                List.of("/ip4/8.8.4.4/tcp/4001"),
                seen("/ip4/8.8.4.4/tcp/4001", SERVER)))
        .isEmpty();
  }

  @Test
  void observedInTheCarrierGradeRangeIsBehindCgnatAndDoubleNat() {
    List<Diagnosis> diagnoses =
        diagnose(
            report(tracked("/ip4/192.168.1.20/tcp/4001", Reachability.UNREACHABLE)),
            List.of("/ip4/192.168.1.20/tcp/4001"),
            seen("/ip4/100.64.7.9/tcp/4001", SERVER));
    assertThat(kinds(diagnoses))
        .containsExactly(Diagnosis.Kind.BEHIND_CGNAT, Diagnosis.Kind.DOUBLE_NAT);
    Diagnosis cgnat = diagnoses.get(0);
    assertThat(cgnat.addresses()).containsExactly(addr("/ip4/100.64.7.9/tcp/4001"));
    assertThat(cgnat.evidence())
        .containsExactly(
            "1 pool server observed the node at /ip4/100.64.7.9/tcp/4001, in carrier-grade NAT"
                + " (100.64.0.0/10, RFC 6598)",
            "no IPv4 address of the node is reachable");
    assertThat(cgnat.hint()).contains("public IPv4 address").contains("relay");
  }

  @Test
  void livingInTheCarrierGradeRangeIsBehindCgnatOnly() {
    // a phone's modem: the node's own address is the CGNAT one; no NAT of one's own before it
    List<Diagnosis> diagnoses =
        diagnose(
            report(tracked("/ip4/100.72.1.2/tcp/4001", Reachability.UNREACHABLE)),
            List.of("/ip4/100.72.1.2/tcp/4001"),
            seen("/ip4/100.72.1.2/tcp/4001", SERVER));
    assertThat(kinds(diagnoses)).containsExactly(Diagnosis.Kind.BEHIND_CGNAT);
    assertThat(diagnoses.get(0).evidence())
        .anySatisfy(
            fact ->
                assertThat(fact)
                    .startsWith(
                        "the node's own address 100.72.1.2 is in carrier-grade NAT (100.64.0.0/10,"
                            + " RFC 6598)"));
  }

  @Test
  void aPrivateObservationThatIsNotOursIsDoubleNat() {
    List<Diagnosis> diagnoses =
        diagnose(
            report(tracked("/ip4/192.168.1.20/tcp/4001", Reachability.UNREACHABLE)),
            List.of("/ip4/192.168.1.20/tcp/4001"),
            seen("/ip4/10.0.0.7/tcp/4001", SERVER));
    assertThat(kinds(diagnoses)).containsExactly(Diagnosis.Kind.DOUBLE_NAT);
    assertThat(diagnoses.get(0).hint()).contains("bridge mode");
  }

  @Test
  void tcpReachableQuicNotOnOneIpIsUdpBlocked() {
    List<Diagnosis> diagnoses =
        diagnose(
            report(
                tracked("/ip6/2a01:4f8::1/tcp/4001", Reachability.REACHABLE),
                tracked("/ip6/2a01:4f8::1/udp/4001/quic-v1", Reachability.UNREACHABLE),
                // another IP's QUIC address: no TCP evidence there
                tracked("/ip6/2a01:4f8::2/udp/4001/quic-v1", Reachability.UNREACHABLE)),
            List.of("/ip6/2a01:4f8::1/tcp/4001", "/ip6/2a01:4f8::2/tcp/4001"));
    assertThat(kinds(diagnoses)).contains(Diagnosis.Kind.UDP_BLOCKED);
    Diagnosis udp = diagnoses.get(kinds(diagnoses).indexOf(Diagnosis.Kind.UDP_BLOCKED));
    assertThat(udp.addresses()).containsExactly(addr("/ip6/2a01:4f8::1/udp/4001/quic-v1"));
    assertThat(udp.evidence())
        .containsExactly(
            "/ip6/2a01:4f8::1/tcp/4001 is REACHABLE (3 successes, 0 failures in the window)",
            "/ip6/2a01:4f8::1/udp/4001/quic-v1 is UNREACHABLE (0 successes, 3 failures in the"
                + " window)");
    // the QUIC address blocked by UDP is not also called firewalled
    assertThat(
            diagnoses.stream()
                .filter(d -> d.kind() == Diagnosis.Kind.FIREWALLED)
                .flatMap(d -> d.addresses().stream()))
        .doesNotContain(addr("/ip6/2a01:4f8::1/udp/4001/quic-v1"));
  }

  @Test
  void aNatMappingWithNothingGettingInIsPortNotForwarded() {
    List<Diagnosis> diagnoses =
        diagnose(
            report(
                tracked("/ip4/192.168.1.20/tcp/4001", Reachability.UNREACHABLE),
                tracked("/ip4/8.8.4.4/tcp/4001", Reachability.UNREACHABLE)),
            List.of("/ip4/192.168.1.20/tcp/4001"),
            seen("/ip4/8.8.4.4/tcp/4001", SERVER));
    assertThat(kinds(diagnoses)).containsExactly(Diagnosis.Kind.PORT_NOT_FORWARDED);
    Diagnosis forward = diagnoses.get(0);
    assertThat(forward.addresses())
        .containsExactly(addr("/ip4/192.168.1.20/tcp/4001"), addr("/ip4/8.8.4.4/tcp/4001"));
    assertThat(forward.evidence().get(0))
        .isEqualTo(
            "1 pool server observed the node at /ip4/8.8.4.4/tcp/4001: a NAT maps the node's"
                + " connections");
    assertThat(forward.hint()).startsWith("Forward TCP port 4001 ");
  }

  @Test
  void aForwardedPortIsNotDiagnosedThoughTheListenAddressIsUnreachable() {
    assertThat(
            diagnose(
                report(
                    tracked("/ip4/192.168.1.20/tcp/4001", Reachability.UNREACHABLE),
                    tracked("/ip4/8.8.4.4/tcp/4001", Reachability.REACHABLE)),
                List.of("/ip4/192.168.1.20/tcp/4001"),
                seen("/ip4/8.8.4.4/tcp/4001", SERVER)))
        .isEmpty();
  }

  @Test
  void theMachinesOwnPublicAddressUnreachableIsFirewalled() {
    List<Diagnosis> diagnoses =
        diagnose(
            report(tracked("/ip4/8.8.4.4/tcp/4001", Reachability.UNREACHABLE)),
            List.of("/ip4/8.8.4.4/tcp/4001"),
            seen("/ip4/8.8.4.4/tcp/4001", SERVER));
    assertThat(kinds(diagnoses)).containsExactly(Diagnosis.Kind.FIREWALLED);
    assertThat(diagnoses.get(0).evidence())
        .containsExactly(
            "8.8.4.4 is an address of the node's own machine and public: no NAT in the way",
            "/ip4/8.8.4.4/tcp/4001 is UNREACHABLE (0 successes, 3 failures in the window)");
  }

  @Test
  void aPublicListenAddressBehindANatIsNotFirewalledButNotForwarded() {
    // the NAT simulation's clients: public-range inside addresses, masqueraded by a gateway
    List<Diagnosis> diagnoses =
        diagnose(
            report(tracked("/ip6/3fff:0:0:10::2/tcp/4001", Reachability.UNREACHABLE)),
            List.of("/ip6/3fff:0:0:10::2/tcp/4001"),
            seen("/ip6/3fff:0:0:3::1/tcp/4001", SERVER));
    assertThat(kinds(diagnoses)).containsExactly(Diagnosis.Kind.PORT_NOT_FORWARDED);
  }

  @Test
  void onlyThePoolsServersAreBelieved() {
    // a stranger (a peer check's target, a DHT node) claims the node sits behind a CGNAT
    assertThat(
            diagnose(
                report(tracked("/ip4/192.168.1.20/tcp/4001", Reachability.UNREACHABLE)),
                List.of("/ip4/192.168.1.20/tcp/4001"),
                seen("/ip4/100.64.7.9/tcp/4001", STRANGER),
                seen("/ip4/8.8.4.4/tcp/4001", STRANGER)))
        .isEmpty();
  }

  @Test
  void unknownVerdictsAndNamesSayNothing() {
    assertThat(
            diagnose(
                report(
                    tracked("/ip4/8.8.4.4/tcp/4001", Reachability.UNKNOWN),
                    tracked("/dns4/node.example.org/tcp/4001", Reachability.UNREACHABLE)),
                List.of("/ip4/8.8.4.4/tcp/4001"),
                seen("/ip4/8.8.4.4/tcp/4001", SERVER)))
        .isEmpty();
  }

  @Test
  void oneDiscoveredServerIsNotBelievedAloneTwoAre() {
    ReachabilityReport unreachable =
        report(tracked("/ip4/192.168.1.20/tcp/4001", Reachability.UNREACHABLE));
    List<String> own = List.of("/ip4/192.168.1.20/tcp/4001");
    assertThat(diagnose(unreachable, own, seen("/ip4/100.64.7.9/tcp/4001", FOUND))).isEmpty();
    assertThat(
            kinds(diagnose(unreachable, own, seen("/ip4/100.64.7.9/tcp/4001", FOUND, FOUND_TOO))))
        .containsExactly(Diagnosis.Kind.BEHIND_CGNAT, Diagnosis.Kind.DOUBLE_NAT);
  }

  @Test
  void discoveredServersAtPrivateAddressesAreNotBelievedAboutPrivateAddresses() {
    ReachabilityReport unreachable =
        report(tracked("/ip4/192.168.1.20/tcp/4001", Reachability.UNREACHABLE));
    List<String> own = List.of("/ip4/192.168.1.20/tcp/4001");
    assertThat(
            diagnose(
                unreachable, own, seen("/ip4/10.0.0.7/tcp/4001", PRIVATE_FOUND, PRIVATE_FOUND_TOO)))
        .isEmpty();
    // the operator's own server on another LAN is: a NAT stands between the two networks
    assertThat(kinds(diagnose(unreachable, own, seen("/ip4/10.0.0.7/tcp/4001", LAN_SERVER))))
        .containsExactly(Diagnosis.Kind.DOUBLE_NAT);
    // ... and on the same LAN it sees the node's own address: nothing to say
    assertThat(diagnose(unreachable, own, seen("/ip4/192.168.1.20/tcp/4001", LAN_SERVER)))
        .isEmpty();
  }

  @Test
  void anOverlayInTheCarrierGradeRangeSaysNothingWhileIpv4IsReachable() {
    // Tailscale's 100.x on an interface of a node that is reachable over IPv4
    assertThat(
            diagnose(
                report(
                    tracked("/ip4/8.8.4.4/tcp/4001", Reachability.REACHABLE),
                    tracked("/ip4/100.101.1.2/tcp/4001", Reachability.UNREACHABLE)),
                List.of("/ip4/8.8.4.4/tcp/4001", "/ip4/100.101.1.2/tcp/4001"),
                seen("/ip4/8.8.4.4/tcp/4001", SERVER)))
        .isEmpty();
  }

  @Test
  void anIpv4MappingSaysNothingAboutIpv6Addresses() {
    // an IPv4 NAT, no IPv4 TCP address tracked; the node's own public IPv6 address unreachable
    List<Diagnosis> diagnoses =
        diagnose(
            report(tracked("/ip6/2a01:4f8::1/tcp/4001", Reachability.UNREACHABLE)),
            List.of("/ip4/192.168.1.20/tcp/4001", "/ip6/2a01:4f8::1/tcp/4001"),
            seen("/ip4/8.8.4.4/tcp/4001", SERVER));
    assertThat(kinds(diagnoses)).containsExactly(Diagnosis.Kind.FIREWALLED);
  }
}
