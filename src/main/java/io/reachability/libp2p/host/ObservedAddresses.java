package io.reachability.libp2p.host;

import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.multiformats.Protocol;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What peers observed for this node, bounded: each peer holds one observation per IP family (a new
 * report replaces its old one), at most {@link Host#MAX_OBSERVED_ADDRESSES} addresses are kept (a
 * new one evicts the one seen least recently) and at most {@link Host#MAX_OBSERVERS_PER_ADDRESS}
 * observers per address (a new one evicts the one that reported least recently). A report counts
 * for {@code ttl} after it was last made. An address no peer holds any more is dropped.
 * Thread-safe.
 */
final class ObservedAddresses {

  /** One peer's latest report for one IP family. */
  private record Observer(PeerId peer, Protocol family) {}

  private final Clock clock;
  private final int maxAddresses;
  private final int maxObserversPerAddress;
  private final Duration ttl;
  private final Map<Observer, Multiaddr> latest = new HashMap<>();
  private final Map<Multiaddr, Map<PeerId, Instant>> byAddress = new LinkedHashMap<>();

  ObservedAddresses(Clock clock, int maxAddresses, int maxObserversPerAddress, Duration ttl) {
    this.clock = clock;
    this.maxAddresses = maxAddresses;
    this.maxObserversPerAddress = maxObserversPerAddress;
    this.ttl = ttl;
  }

  /**
   * Records that {@code peer} observed {@code address} (already checked by {@link #usable}).
   * Returns the address's new state when it is new or {@code peer} is a new observer of it, empty
   * when {@code peer} only reported it again.
   */
  synchronized Optional<ObservedAddress> record(PeerId peer, Multiaddr address) {
    Instant now = clock.instant();
    expire(now);
    Observer observer = new Observer(peer, family(address));
    Multiaddr previous = latest.put(observer, address);
    if (address.equals(previous)) {
      Objects.requireNonNull(byAddress.get(address)).put(peer, now);
      return Optional.empty();
    }
    if (previous != null) {
      forget(previous, peer);
    }
    Map<PeerId, Instant> observers = byAddress.get(address);
    if (observers == null) {
      if (byAddress.size() >= maxAddresses) {
        evictLeastRecentAddress();
      }
      observers = new HashMap<>();
      byAddress.put(address, observers);
    } else if (observers.size() >= maxObserversPerAddress) {
      PeerId oldest =
          observers.entrySet().stream().min(Map.Entry.comparingByValue()).orElseThrow().getKey();
      observers.remove(oldest);
      latest.remove(new Observer(oldest, observer.family()));
    }
    observers.put(peer, now);
    return Optional.of(snapshot(address, observers));
  }

  /** Most observers first, then the most recently seen. */
  synchronized List<ObservedAddress> list() {
    expire(clock.instant());
    List<ObservedAddress> result = new ArrayList<>();
    byAddress.forEach((address, observers) -> result.add(snapshot(address, observers)));
    result.sort(
        Comparator.comparingInt((ObservedAddress o) -> o.observers().size())
            .reversed()
            .thenComparing(ObservedAddress::lastSeen, Comparator.reverseOrder()));
    return List.copyOf(result);
  }

  /** Drops every report last made {@link #ttl} or longer ago. */
  private void expire(Instant now) {
    Instant cutoff = now.minus(ttl);
    List<Map.Entry<Multiaddr, PeerId>> stale = new ArrayList<>();
    byAddress.forEach(
        (address, observers) ->
            observers.forEach(
                (peer, seen) -> {
                  if (!seen.isAfter(cutoff)) {
                    stale.add(Map.entry(address, peer));
                  }
                }));
    for (Map.Entry<Multiaddr, PeerId> report : stale) {
      latest.remove(new Observer(report.getValue(), family(report.getKey())));
      forget(report.getKey(), report.getValue());
    }
  }

  private void forget(Multiaddr address, PeerId peer) {
    Map<PeerId, Instant> observers = byAddress.get(address);
    if (observers != null) {
      observers.remove(peer);
      if (observers.isEmpty()) {
        byAddress.remove(address);
      }
    }
  }

  private void evictLeastRecentAddress() {
    Multiaddr oldest = null;
    Instant oldestSeen = null;
    for (Map.Entry<Multiaddr, Map<PeerId, Instant>> entry : byAddress.entrySet()) {
      Instant seen = lastSeen(entry.getValue());
      if (oldestSeen == null || seen.isBefore(oldestSeen)) {
        oldest = entry.getKey();
        oldestSeen = seen;
      }
    }
    if (oldest != null) {
      Protocol family = family(oldest);
      for (PeerId peer : Objects.requireNonNull(byAddress.remove(oldest)).keySet()) {
        latest.remove(new Observer(peer, family));
      }
    }
  }

  /** The IP family of a kept address: its first component, ip4 or ip6. */
  private static Protocol family(Multiaddr address) {
    return address.components().get(0).protocol();
  }

  private static ObservedAddress snapshot(Multiaddr address, Map<PeerId, Instant> observers) {
    return new ObservedAddress(address, observers.keySet(), lastSeen(observers));
  }

  private static Instant lastSeen(Map<PeerId, Instant> observers) {
    return observers.values().stream().max(Comparator.naturalOrder()).orElse(Instant.EPOCH);
  }

  /**
   * The part of an observation worth keeping: {@code /ip4|ip6/<ip>/tcp/<port>} or {@code
   * /ip4|ip6/<ip>/udp/<port>/quic-v1} (a trailing {@code /p2p} dropped) of the same transport and
   * IP family as our side of the connection it came on, with a unicast IP and a port; empty for
   * anything else (another transport, DNS, a zone, a relay address, 0.0.0.0, port 0), which we
   * could not listen on or peers not dial.
   */
  static Optional<Multiaddr> usable(Multiaddr observed, Multiaddr local) {
    Multiaddr address = observed.withoutPeerId();
    List<Multiaddr.Component> parts = address.components();
    if (parts.isEmpty()) {
      return Optional.empty();
    }
    Protocol family = parts.get(0).protocol();
    if ((family != Protocol.IP4 && family != Protocol.IP6) || !local.has(family)) {
      return Optional.empty();
    }
    Optional<InetSocketAddress> socket =
        local.isQuic() ? address.toQuicSocketAddress() : address.toTcpSocketAddress();
    if (socket.isEmpty() || socket.get().getPort() == 0) {
      return Optional.empty();
    }
    InetAddress ip = socket.get().getAddress();
    // an IPv4-mapped /ip6/::ffff:a.b.c.d comes back as an Inet4Address: not an IPv6 address at all
    boolean mapped = family == Protocol.IP6 && !(ip instanceof Inet6Address);
    if (mapped || ip.isAnyLocalAddress() || ip.isMulticastAddress()) {
      return Optional.empty();
    }
    return Optional.of(address);
  }
}
