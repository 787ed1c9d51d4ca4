package io.reachability.monitor;

import io.reachability.libp2p.core.Multiaddr;
import java.util.List;
import java.util.Objects;

/**
 * Why the node is (partly) unreachable, as far as the evidence goes: what a human would conclude
 * from the verdicts and from where the pool's servers saw the node, with a hint how to fix it.
 *
 * @param kind what it is
 * @param addresses the addresses it is about
 * @param evidence what it was concluded from, in words, one fact each
 * @param hint what to do about it
 */
public record Diagnosis(Kind kind, List<Multiaddr> addresses, List<String> evidence, String hint) {

  /** The diagnoses there are. */
  public enum Kind {
    /** Observed at, or living in, 100.64.0.0/10: the ISP's NAT, no port forward of one's own. */
    BEHIND_CGNAT("Behind carrier-grade NAT"),
    /** Seen at a private address that is not the node's own: a NAT behind a NAT. */
    DOUBLE_NAT("Behind more than one NAT"),
    /** TCP reachable on an IP where QUIC is not: UDP does not get through. */
    UDP_BLOCKED("UDP blocked: TCP reachable, QUIC not"),
    /** A NAT maps the node's connections, but nothing reaches its port from outside. */
    PORT_NOT_FORWARDED("Port not forwarded"),
    /** The machine has the public address itself (no NAT), and still nothing gets in. */
    FIREWALLED("Public address, but firewalled");

    private final String title;

    Kind(String title) {
      this.title = title;
    }

    /** A short human title. */
    public String title() {
      return title;
    }
  }

  public Diagnosis {
    Objects.requireNonNull(kind, "kind");
    addresses = List.copyOf(addresses);
    evidence = List.copyOf(evidence);
    Objects.requireNonNull(hint, "hint");
  }
}
