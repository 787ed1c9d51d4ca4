package io.reachability.autonat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default "can we reach this IP family" test of the server ("IPv4 only servers SHOULD refuse
 * requests for dialing IPv6 addresses and IPv6 only servers SHOULD refuse requests for dialing IPv4
 * addresses"), judged from this machine's interface addresses, re-read every {@link #REFRESH}:
 *
 * <ul>
 *   <li>a loopback target needs a loopback address of its family;
 *   <li>a public IPv4 target needs any non-loopback, non-link-local IPv4 address (NAT is normal for
 *       IPv4);
 *   <li>a public IPv6 target needs a public IPv6 address (a ULA-only machine has no IPv6 route
 *       out);
 *   <li>any other (private) target needs a non-loopback, non-link-local address of its family.
 * </ul>
 */
final class LocalNetworks implements Predicate<InetAddress> {

  private static final Logger log = LoggerFactory.getLogger(LocalNetworks.class);

  /** Interfaces come and go (DHCP, VPNs); reading them is too slow to do for every request. */
  static final Duration REFRESH = Duration.ofMinutes(1);

  private final Supplier<List<InetAddress>> interfaceAddresses;
  private final Clock clock;
  private volatile Snapshot snapshot;

  private record Snapshot(
      long takenAt, boolean loop4, boolean loop6, boolean any4, boolean any6, boolean public6) {}

  LocalNetworks(Supplier<List<InetAddress>> interfaceAddresses, Clock clock) {
    this.interfaceAddresses = interfaceAddresses;
    this.clock = clock;
    this.snapshot = take();
  }

  static LocalNetworks ofThisMachine(Clock clock) {
    return new LocalNetworks(LocalNetworks::machineAddresses, clock);
  }

  @Override
  public boolean test(InetAddress target) {
    Snapshot s = snapshot;
    if (clock.millis() - s.takenAt() >= REFRESH.toMillis()) {
      s = take();
      snapshot = s;
    }
    boolean v4 = AddressClass.isIpv4(target);
    if (target.isLoopbackAddress()) {
      return v4 ? s.loop4() : s.loop6();
    }
    if (AddressClass.isPublic(target)) {
      return v4 ? s.any4() : s.public6();
    }
    return v4 ? s.any4() : s.any6();
  }

  private Snapshot take() {
    boolean loop4 = false;
    boolean loop6 = false;
    boolean any4 = false;
    boolean any6 = false;
    boolean public6 = false;
    for (InetAddress address : interfaceAddresses.get()) {
      boolean v4 = AddressClass.isIpv4(address);
      if (address.isLoopbackAddress()) {
        loop4 |= v4;
        loop6 |= !v4;
      } else if (!address.isLinkLocalAddress() && !address.isAnyLocalAddress()) {
        any4 |= v4;
        any6 |= !v4;
        public6 |= !v4 && AddressClass.isPublic(AddressSelector.normalize(address));
      }
    }
    return new Snapshot(clock.millis(), loop4, loop6, any4, any6, public6);
  }

  private static List<InetAddress> machineAddresses() {
    List<InetAddress> result = new ArrayList<>();
    try {
      for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (nif.isUp()) {
          result.addAll(Collections.list(nif.getInetAddresses()));
        }
      }
    } catch (IOException e) {
      log.warn("cannot list network interfaces: {}", e.getMessage());
    }
    return result;
  }
}
