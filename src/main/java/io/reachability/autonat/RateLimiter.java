package io.reachability.autonat;

import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.multiformats.IpLiterals;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * The server's admission control, consulted <em>before</em> a request is read: sliding one-minute
 * windows for all requests, per peer, per IP and per subnet (/24 for IPv4, /56 for IPv6, so one
 * host with many peer ids or addresses cannot take the whole budget), a separate budget for
 * requests that need dial data, and a cap on concurrent requests per peer. Only admitted requests
 * count. Thread-safe; the clock is injectable for tests.
 */
public final class RateLimiter {

  /** The window every per-minute limit is counted over. */
  public static final Duration WINDOW = Duration.ofMinutes(1);

  /** IPv4 addresses in one /24 share a subnet budget. */
  public static final int IPV4_SUBNET_BITS = 24;

  /** IPv6 addresses in one /56 (a typical end-site delegation) share a subnet budget. */
  public static final int IPV6_SUBNET_BITS = 56;

  /** The per-minute budgets. */
  public record Limits(
      int globalPerMinute,
      int perPeerPerMinute,
      int perIpPerMinute,
      int perSubnetPerMinute,
      int dialDataPerMinute,
      int concurrentPerPeer) {

    public Limits {
      atLeastOne("globalPerMinute", globalPerMinute);
      atLeastOne("perPeerPerMinute", perPeerPerMinute);
      atLeastOne("perIpPerMinute", perIpPerMinute);
      atLeastOne("perSubnetPerMinute", perSubnetPerMinute);
      atLeastOne("dialDataPerMinute", dialDataPerMinute);
      atLeastOne("concurrentPerPeer", concurrentPerPeer);
    }

    private static void atLeastOne(String name, int value) {
      if (value < 1) {
        throw new IllegalArgumentException(name + " must be at least 1, was " + value);
      }
    }
  }

  /** An admitted request; {@link #close()} when it is finished so the peer may send another. */
  public interface Permit extends AutoCloseable {
    @Override
    void close();
  }

  private final Limits limits;
  private final Clock clock;
  private final ArrayDeque<Long> global = new ArrayDeque<>();
  private final ArrayDeque<Long> dialData = new ArrayDeque<>();
  private final Map<Object, ArrayDeque<Long>> perKey = new HashMap<>();
  private final Map<PeerId, Integer> inFlight = new HashMap<>();

  public RateLimiter(Limits limits, Clock clock) {
    this.limits = limits;
    this.clock = clock;
  }

  public Limits limits() {
    return limits;
  }

  /** Admits a request from {@code peer} at {@code ip}, or says no (nothing is counted then). */
  public synchronized Optional<Permit> tryAcquire(PeerId peer, InetAddress ip) {
    long now = clock.millis();
    expire(now);
    Object ipKey = new IpKey(ip.getAddress());
    Object subnetKey = subnet(ip);
    if (global.size() >= limits.globalPerMinute()
        || count(peer) >= limits.perPeerPerMinute()
        || count(ipKey) >= limits.perIpPerMinute()
        || count(subnetKey) >= limits.perSubnetPerMinute()
        || inFlight.getOrDefault(peer, 0) >= limits.concurrentPerPeer()) {
      return Optional.empty();
    }
    global.addLast(now);
    record(peer, now);
    record(ipKey, now);
    record(subnetKey, now);
    inFlight.merge(peer, 1, Integer::sum);
    boolean[] closed = {false};
    return Optional.of(
        () -> {
          synchronized (RateLimiter.this) {
            if (!closed[0]) {
              closed[0] = true;
              inFlight.computeIfPresent(peer, (p, n) -> n > 1 ? n - 1 : null);
            }
          }
        });
  }

  /** True when some dial-data budget is left this minute (takes none). */
  public synchronized boolean hasDialDataBudget() {
    expire(clock.millis());
    return dialData.size() < limits.dialDataPerMinute();
  }

  /** Takes one unit of the dial-data budget, if any is left this minute. */
  public synchronized boolean tryAcquireDialData() {
    long now = clock.millis();
    expire(now);
    if (dialData.size() >= limits.dialDataPerMinute()) {
      return false;
    }
    dialData.addLast(now);
    return true;
  }

  /**
   * Number of keys with live entries, for tests and metrics: the limiter must not grow without
   * bound.
   */
  public synchronized int trackedKeys() {
    expire(clock.millis());
    return perKey.size() + inFlight.size();
  }

  private int count(Object key) {
    ArrayDeque<Long> times = perKey.get(key);
    return times == null ? 0 : times.size();
  }

  private void record(Object key, long now) {
    perKey.computeIfAbsent(key, k -> new ArrayDeque<>()).addLast(now);
  }

  private void expire(long now) {
    long cutoff = now - WINDOW.toMillis();
    drop(global, cutoff);
    drop(dialData, cutoff);
    for (Iterator<ArrayDeque<Long>> it = perKey.values().iterator(); it.hasNext(); ) {
      ArrayDeque<Long> times = it.next();
      drop(times, cutoff);
      if (times.isEmpty()) {
        it.remove();
      }
    }
  }

  private static void drop(ArrayDeque<Long> times, long cutoff) {
    while (!times.isEmpty() && times.peekFirst() <= cutoff) {
      times.pollFirst();
    }
  }

  /** The subnet {@code ip} shares its budget with (/24 for IPv4, /56 for IPv6), as a map key. */
  public static SubnetKey subnet(InetAddress ip) {
    byte[] bytes = ip.getAddress();
    return new SubnetKey(
        IpLiterals.prefix(bytes, bytes.length == 4 ? IPV4_SUBNET_BITS : IPV6_SUBNET_BITS));
  }

  /** Map key for one IP (records compare arrays by identity, so these wrap them). */
  private static final class IpKey {
    private final byte[] bytes;

    IpKey(byte[] bytes) {
      this.bytes = bytes;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof IpKey ipKey && Arrays.equals(bytes, ipKey.bytes);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bytes);
    }
  }

  /** Map key for one subnet prefix. */
  public static final class SubnetKey {
    private final byte[] prefix;

    SubnetKey(byte[] prefix) {
      this.prefix = prefix;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof SubnetKey subnetKey && Arrays.equals(prefix, subnetKey.prefix);
    }

    @Override
    public int hashCode() {
      return 31 + Arrays.hashCode(prefix);
    }
  }
}
