package io.reachability.libp2p.host;

import io.reachability.libp2p.core.Connection;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.identify.IdentifyResult;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's addresses: where it listens (as bound, and with wildcards expanded to this machine's
 * interfaces), what identify announces (through an optional filter), and what peers observe for it.
 * The limits are {@link Host}'s constants.
 */
final class HostAddresses {

  private static final Logger log = LoggerFactory.getLogger(HostAddresses.class);

  private final List<Multiaddr> bound = new CopyOnWriteArrayList<>();

  /**
   * The interface addresses, when they were worked out, and whether a wildcard is bound (else they
   * are the bound addresses for good).
   */
  private record Interfaces(List<Multiaddr> addresses, Instant at, boolean expanded) {}

  private final Clock clock;
  private final Supplier<List<InetAddress>> machine;
  private volatile Interfaces interfaces = new Interfaces(List.of(), Instant.MIN, false);
  private volatile @Nullable UnaryOperator<List<Multiaddr>> advertisedFilter;
  private final AtomicBoolean filterFailureLogged = new AtomicBoolean();
  private final ObservedAddresses observed;
  private final List<Consumer<ObservedAddress>> observedListeners = new CopyOnWriteArrayList<>();

  HostAddresses(Clock clock) {
    this(clock, HostAddresses::machineAddresses);
  }

  /** With {@code machine} listing this machine's addresses (a test's stand-in for the NICs). */
  HostAddresses(Clock clock, Supplier<List<InetAddress>> machine) {
    this.clock = clock;
    this.machine = machine;
    this.observed =
        new ObservedAddresses(
            clock,
            Host.MAX_OBSERVED_ADDRESSES,
            Host.MAX_OBSERVERS_PER_ADDRESS,
            Host.OBSERVED_ADDRESS_TTL);
  }

  /** Records a bound listen address; call {@link #boundAll()} once every one is recorded. */
  void bound(Multiaddr address) {
    bound.add(address);
  }

  /** Works the interface addresses out from the bound ones. */
  void boundAll() {
    interfaces =
        new Interfaces(
            expandWildcards(bound, machine.get()),
            clock.instant(),
            bound.stream().anyMatch(HostAddresses::isWildcard));
  }

  List<Multiaddr> listen() {
    return List.copyOf(bound);
  }

  boolean anyBound() {
    return !bound.isEmpty();
  }

  /**
   * The bound addresses with wildcards expanded, worked out anew once older than {@link
   * Host#INTERFACE_ADDRESSES_TTL} (only when a wildcard is bound: nothing else changes).
   */
  List<Multiaddr> interfaces() {
    Interfaces current = interfaces;
    Instant now = clock.instant();
    if (!current.expanded() || now.isBefore(current.at().plus(Host.INTERFACE_ADDRESSES_TTL))) {
      return current.addresses();
    }
    // two callers at once may both work it out: the same answer, and cheap
    Interfaces fresh = new Interfaces(expandWildcards(bound, machine.get()), now, true);
    if (!fresh.addresses().equals(current.addresses())) {
      log.info("interface addresses changed: {} (were {})", fresh.addresses(), current.addresses());
    }
    interfaces = fresh;
    return fresh.addresses();
  }

  private static boolean isWildcard(Multiaddr address) {
    return address.toIpSocketAddress().map(s -> s.getAddress().isAnyLocalAddress()).orElse(false);
  }

  /** See {@link Host#advertisedAddresses()}. */
  List<Multiaddr> advertised() {
    List<Multiaddr> all = interfaces();
    UnaryOperator<List<Multiaddr>> filter = advertisedFilter;
    if (filter == null) {
      return all;
    }
    List<Multiaddr> filtered;
    try {
      filtered = List.copyOf(Objects.requireNonNull(filter.apply(all), "the filter returned null"));
    } catch (RuntimeException e) {
      if (filterFailureLogged.compareAndSet(false, true)) {
        log.warn(
            "advertised-address filter failed, announcing the unfiltered listen addresses (logged"
                + " once)",
            e);
      } else {
        log.debug("advertised-address filter failed again: {}", e.toString());
      }
      return all;
    }
    if (filtered.size() > Host.MAX_ADVERTISED_ADDRESSES) {
      log.debug(
          "advertised-address filter returned {} addresses; announcing the first {}",
          filtered.size(),
          Host.MAX_ADVERTISED_ADDRESSES);
      return filtered.subList(0, Host.MAX_ADVERTISED_ADDRESSES);
    }
    return filtered;
  }

  void setAdvertisedFilter(@Nullable UnaryOperator<List<Multiaddr>> filter) {
    advertisedFilter = filter;
    filterFailureLogged.set(false);
  }

  List<ObservedAddress> observed() {
    return observed.list();
  }

  void addObservedListener(Consumer<ObservedAddress> listener) {
    observedListeners.add(Objects.requireNonNull(listener, "listener"));
  }

  void removeObservedListener(Consumer<ObservedAddress> listener) {
    observedListeners.remove(listener);
  }

  /** Records what the peer on {@code connection} (one we dialed) observed for us. */
  void learnObserved(Connection connection, IdentifyResult answer) {
    Multiaddr reported = answer.observedAddress();
    if (reported == null) {
      return;
    }
    Optional<Multiaddr> usable = ObservedAddresses.usable(reported, connection.localAddress());
    if (usable.isEmpty()) {
      log.debug(
          "{} observed us as {} on {}: not an address we keep",
          answer.peer(),
          reported,
          connection);
      return;
    }
    Optional<ObservedAddress> news = observed.record(answer.peer(), usable.get());
    if (news.isPresent()) {
      log.debug(
          "{} observes us at {} ({} observers)",
          answer.peer(),
          usable.get(),
          news.get().observers().size());
      for (Consumer<ObservedAddress> listener : observedListeners) {
        Listeners.safely("observed-address listener", () -> listener.accept(news.get()));
      }
    }
  }

  private static List<Multiaddr> expandWildcards(
      List<Multiaddr> bound, List<InetAddress> machineAddresses) {
    List<Multiaddr> result = new ArrayList<>();
    for (Multiaddr address : bound) {
      if (!isWildcard(address)) {
        result.add(address);
        continue;
      }
      InetSocketAddress socket = address.toIpSocketAddress().orElseThrow();
      boolean v6 = socket.getAddress() instanceof Inet6Address;
      boolean quic = address.isQuic();
      for (InetAddress local : machineAddresses) {
        if ((local instanceof Inet6Address) == v6) {
          InetSocketAddress expanded = new InetSocketAddress(local, socket.getPort());
          result.add(
              quic
                  ? Multiaddr.fromQuicSocketAddress(expanded)
                  : Multiaddr.fromSocketAddress(expanded));
        }
      }
    }
    return List.copyOf(result);
  }

  /** See {@link Host#machineAddresses()}. */
  static List<InetAddress> machineAddresses() {
    List<InetAddress> result = new ArrayList<>();
    try {
      for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!nif.isUp()) {
          continue;
        }
        for (InetAddress address : Collections.list(nif.getInetAddresses())) {
          if (!address.isLinkLocalAddress()) {
            result.add(InetAddress.getByAddress(address.getAddress()));
          }
        }
      }
    } catch (IOException e) {
      log.warn("cannot list network interfaces: {}", e.getMessage());
    }
    return result;
  }
}
