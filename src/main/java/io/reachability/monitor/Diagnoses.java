package io.reachability.monitor;

import io.reachability.autonat.AddressClass;
import io.reachability.autonat.Reachability;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.host.ObservedAddress;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Turns the monitor's verdicts and the addresses the pool's servers observed for the node into
 * {@link Diagnosis diagnoses}. Only observations by the pool's servers count (anyone else the node
 * dials, a peer check's target or a DHT node, could say anything), and one server found on the DHT
 * is not enough: an address counts once a server the operator chose (configured, or embedded) or
 * {@link #MIN_DISCOVERED_OBSERVERS} discovered ones (discovery keeps one per /24 or /48) saw the
 * node there. A private observation counts from a chosen server or one at a public address (a
 * discovered server at a private address is a lab's, or a mistake). Each rule needs its evidence in
 * full and an UNREACHABLE address it explains; where either is missing, nothing is said.
 */
public final class Diagnoses {

  /** Discovered servers that must agree on an observed address before it counts. */
  public static final int MIN_DISCOVERED_OBSERVERS = 2;

  private Diagnoses() {}

  /**
   * A pool server, as far as its observations go.
   *
   * @param id its peer id
   * @param chosen configured or embedded: chosen by the operator, believed alone
   * @param publicAddress dialed at a public address (it sees the node from outside its network)
   */
  public record Observer(PeerId id, boolean chosen, boolean publicAddress) {}

  /**
   * What the evidence supports now.
   *
   * @param monitored the monitor's view
   * @param ownAddresses the node's own addresses (listen addresses, wildcards expanded)
   * @param observed what peers observed for the node over identify
   * @param pool the pool's servers: the only peers whose observations count
   */
  public static List<Diagnosis> of(
      ReachabilityReport monitored,
      List<Multiaddr> ownAddresses,
      List<ObservedAddress> observed,
      List<Observer> pool) {
    // addresses by IP only (a name says nothing about NATs)
    ReachabilityReport report =
        new ReachabilityReport(
            monitored.reachability(),
            monitored.addresses().stream()
                .filter(a -> AddressClass.ip(a.address()).isPresent())
                .toList());
    Set<InetAddress> own = new LinkedHashSet<>();
    ownAddresses.forEach(a -> AddressClass.ip(a).ifPresent(own::add));
    Map<PeerId, Observer> observers = new LinkedHashMap<>();
    pool.forEach(o -> observers.put(o.id(), o));
    // observed address -> how many pool servers saw the node there, when that is enough
    Map<Multiaddr, Long> seen = new LinkedHashMap<>();
    for (ObservedAddress o : observed) {
      Optional<InetAddress> ip = AddressClass.ip(o.address());
      if (ip.isEmpty()) {
        continue;
      }
      boolean privateIp = AddressClass.isBehindNatRange(ip.get());
      List<Observer> by =
          o.observers().stream()
              .map(observers::get)
              .filter(Objects::nonNull)
              .filter(observer -> !privateIp || observer.chosen() || observer.publicAddress())
              .toList();
      if (by.stream().anyMatch(Observer::chosen) || by.size() >= MIN_DISCOVERED_OBSERVERS) {
        seen.put(o.address(), (long) by.size());
      }
    }
    List<Diagnosis> result = new ArrayList<>();
    boolean ipv4Unreachable = unreachableIn(report, true);
    if (ipv4Unreachable) {
      carrierGradeNat(own, seen).ifPresent(result::add);
    }
    doubleNat(report, own, seen).ifPresent(result::add);
    List<AddressReport> udpBlocked = udpBlocked(report);
    if (!udpBlocked.isEmpty()) {
      result.add(udpBlockedDiagnosis(report, udpBlocked));
    }
    portNotForwarded(report, own, seen).ifPresent(result::add);
    firewalled(report, own, seen, udpBlocked).ifPresent(result::add);
    return List.copyOf(result);
  }

  /** Whether a tracked address of the family is UNREACHABLE and none of it REACHABLE. */
  private static boolean unreachableIn(ReachabilityReport report, boolean ipv4) {
    List<AddressReport> family =
        report.addresses().stream()
            .filter(a -> AddressClass.isIpv4(ip(a.address())) == ipv4)
            .toList();
    return family.stream().anyMatch(a -> a.verdict() == Reachability.UNREACHABLE)
        && family.stream().noneMatch(a -> a.verdict() == Reachability.REACHABLE);
  }

  private static Optional<Diagnosis> carrierGradeNat(
      Set<InetAddress> own, Map<Multiaddr, Long> seen) {
    List<Multiaddr> addresses = new ArrayList<>();
    List<String> evidence = new ArrayList<>();
    seen.forEach(
        (address, by) -> {
          if (AddressClass.isCarrierGradeNat(ip(address))) {
            addresses.add(address);
            evidence.add(observedBy(address, by) + ", in " + AddressClass.CARRIER_GRADE_NAT);
          }
        });
    for (InetAddress ip : own) {
      if (AddressClass.isCarrierGradeNat(ip)) {
        evidence.add(
            "the node's own address "
                + ip.getHostAddress()
                + " is in "
                + AddressClass.CARRIER_GRADE_NAT
                + " (an overlay network such as Tailscale uses it too: if so, this is not why)");
      }
    }
    if (evidence.isEmpty()) {
      return Optional.empty();
    }
    evidence.add("no IPv4 address of the node is reachable");
    return Optional.of(
        new Diagnosis(
            Diagnosis.Kind.BEHIND_CGNAT,
            addresses,
            evidence,
            "The internet provider shares its public IPv4 addresses among customers behind its own"
                + " NAT, so a port forward on your router cannot reach the node. Ask the provider"
                + " for a public IPv4 address (or a port forward on its NAT), use IPv6 if the"
                + " network has it, or let the node be reached through a relay (circuit relay v2)"
                + " with hole punching."));
  }

  private static Optional<Diagnosis> doubleNat(
      ReachabilityReport report, Set<InetAddress> own, Map<Multiaddr, Long> seen) {
    List<Multiaddr> addresses = new ArrayList<>();
    List<String> evidence = new ArrayList<>();
    seen.forEach(
        (address, by) -> {
          InetAddress ip = ip(address);
          if (AddressClass.isBehindNatRange(ip)
              && !own.contains(ip)
              && unreachableIn(report, AddressClass.isIpv4(ip))) {
            addresses.add(address);
            evidence.add(
                observedBy(address, by)
                    + ": a non-public address that is not the node's own, so a NAT translated"
                    + " the node into another private network, and that network needs a NAT of"
                    + " its own to reach the internet");
          }
        });
    return ifEvidenced(
        new Diagnosis(
            Diagnosis.Kind.DOUBLE_NAT,
            addresses,
            evidence,
            "Two NATs stand between the node and the internet (say, your router behind the"
                + " provider's modem-router, or the provider's carrier-grade NAT). Put the inner"
                + " one in bridge mode, or forward the port on both, outer to inner to the node;"
                + " behind a carrier-grade NAT only the provider can forward."));
  }

  /** QUIC addresses UNREACHABLE on an IP where a TCP address is REACHABLE. */
  private static List<AddressReport> udpBlocked(ReachabilityReport report) {
    Set<InetAddress> tcpReachable = new LinkedHashSet<>();
    for (AddressReport a : report.addresses()) {
      if (a.verdict() == Reachability.REACHABLE
          && AddressClass.TCP.equals(AddressClass.transport(a.address()))) {
        AddressClass.ip(a.address()).ifPresent(tcpReachable::add);
      }
    }
    return report.addresses().stream()
        .filter(a -> a.verdict() == Reachability.UNREACHABLE)
        .filter(a -> AddressClass.QUIC_V1.equals(AddressClass.transport(a.address())))
        .filter(a -> AddressClass.ip(a.address()).filter(tcpReachable::contains).isPresent())
        .toList();
  }

  private static Diagnosis udpBlockedDiagnosis(
      ReachabilityReport report, List<AddressReport> quic) {
    List<String> evidence = new ArrayList<>();
    for (AddressReport q : quic) {
      InetAddress ip = ip(q.address());
      report.addresses().stream()
          .filter(a -> a.verdict() == Reachability.REACHABLE)
          .filter(a -> AddressClass.TCP.equals(AddressClass.transport(a.address())))
          .filter(a -> ip.equals(ip(a.address())))
          .findFirst()
          .ifPresent(tcp -> evidence.add(verdictOf(tcp)));
      evidence.add(verdictOf(q));
    }
    return new Diagnosis(
        Diagnosis.Kind.UDP_BLOCKED,
        quic.stream().map(AddressReport::address).toList(),
        evidence,
        "Something on the way drops inbound UDP while TCP gets through: allow the QUIC port (UDP)"
            + " in the firewall and forward it on the router as TCP is, or stop announcing the"
            + " /quic-v1 addresses.");
  }

  /**
   * A NAT maps the node (a trusted peer saw it at a public IP that is not its own), yet no TCP
   * address on that IP is REACHABLE and one of the node's TCP addresses is UNREACHABLE.
   */
  private static Optional<Diagnosis> portNotForwarded(
      ReachabilityReport report, Set<InetAddress> own, Map<Multiaddr, Long> seen) {
    List<Multiaddr> addresses = new ArrayList<>();
    List<String> evidence = new ArrayList<>();
    Set<Integer> ports = new LinkedHashSet<>();
    for (Map.Entry<Multiaddr, Long> entry : seen.entrySet()) {
      Multiaddr mapped = entry.getKey();
      InetAddress outside = ip(mapped);
      if (own.contains(outside) || !AddressClass.isPublic(outside)) {
        continue;
      }
      List<AddressReport> tcp =
          report.addresses().stream()
              .filter(a -> AddressClass.TCP.equals(AddressClass.transport(a.address())))
              // the NAT of one IP family says nothing about the other's addresses
              .filter(a -> AddressClass.isIpv4(ip(a.address())) == AddressClass.isIpv4(outside))
              .filter(a -> outside.equals(ip(a.address())) || own.contains(ip(a.address())))
              .toList();
      boolean reachable =
          tcp.stream()
              .anyMatch(
                  a -> a.verdict() == Reachability.REACHABLE && outside.equals(ip(a.address())));
      List<AddressReport> unreachable =
          tcp.stream().filter(a -> a.verdict() == Reachability.UNREACHABLE).toList();
      if (reachable || unreachable.isEmpty()) {
        continue;
      }
      evidence.add(observedBy(mapped, entry.getValue()) + ": a NAT maps the node's connections");
      for (AddressReport a : unreachable) {
        if (!addresses.contains(a.address())) {
          addresses.add(a.address());
          evidence.add(verdictOf(a));
          a.address().toTcpSocketAddress().ifPresent(s -> ports.add(s.getPort()));
        }
      }
    }
    return ifEvidenced(
        new Diagnosis(
            Diagnosis.Kind.PORT_NOT_FORWARDED,
            addresses,
            evidence,
            "Forward TCP port "
                + ports.stream().map(String::valueOf).collect(Collectors.joining(", "))
                + " (and its UDP port for QUIC) on the router to the node, or turn on UPnP or"
                + " NAT-PMP there; then announce the router's public address with that port"
                + " (reach.node.announce) so the monitor checks it. If the router's own outside"
                + " address is not the one observed here, the provider's NAT (carrier-grade NAT)"
                + " stands before it, and only the provider can forward."));
  }

  /**
   * The machine's own public address (no trusted peer saw the node elsewhere in that IP family),
   * UNREACHABLE, and not explained by UDP alone.
   */
  private static Optional<Diagnosis> firewalled(
      ReachabilityReport report,
      Set<InetAddress> own,
      Map<Multiaddr, Long> seen,
      List<AddressReport> udpBlocked) {
    List<Multiaddr> addresses = new ArrayList<>();
    List<String> evidence = new ArrayList<>();
    for (AddressReport a : report.addresses()) {
      Optional<InetAddress> ip = AddressClass.ip(a.address());
      if (a.verdict() != Reachability.UNREACHABLE
          || ip.isEmpty()
          || !own.contains(ip.get())
          || !AddressClass.isPublic(ip.get())
          || udpBlocked.contains(a)) {
        continue;
      }
      boolean family = AddressClass.isIpv4(ip.get());
      boolean natted =
          seen.keySet().stream()
              .map(Diagnoses::ip)
              .anyMatch(o -> AddressClass.isIpv4(o) == family && !own.contains(o));
      if (natted) {
        continue;
      }
      addresses.add(a.address());
      evidence.add(
          ip.get().getHostAddress()
              + " is an address of the node's own machine and public: no NAT in the way");
      evidence.add(verdictOf(a));
    }
    return ifEvidenced(
        new Diagnosis(
            Diagnosis.Kind.FIREWALLED,
            addresses,
            evidence,
            "A firewall drops or refuses inbound connections to the node's port: allow it (TCP,"
                + " and UDP for QUIC) in the machine's firewall (nftables, iptables, ufw) and in"
                + " the provider's security group or network firewall."));
  }

  /** The diagnosis when it has evidence (and so addresses it explains); nothing otherwise. */
  private static Optional<Diagnosis> ifEvidenced(Diagnosis diagnosis) {
    return diagnosis.evidence().isEmpty() ? Optional.empty() : Optional.of(diagnosis);
  }

  private static InetAddress ip(Multiaddr address) {
    return AddressClass.ip(address)
        .orElseThrow(() -> new IllegalArgumentException("no IP in " + address));
  }

  private static String observedBy(Multiaddr address, long by) {
    return by + (by == 1 ? " pool server" : " pool servers") + " observed the node at " + address;
  }

  private static String verdictOf(AddressReport a) {
    return a.address()
        + " is "
        + a.verdict()
        + " ("
        + a.successes()
        + " successes, "
        + a.failures()
        + " failures in the window)";
  }
}
