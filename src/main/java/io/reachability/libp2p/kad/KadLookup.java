package io.reachability.libp2p.kad;

import io.reachability.libp2p.Libp2pException;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.host.Host;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Finds a peer's addresses on the DHT: {@code FIND_NODE} with its id as the key, asked of the nodes
 * closest to it (by the XOR of the sha256 of the ids) that are known so far, {@link #ALPHA} at a
 * time, closer each round, until a node names the peer itself or nobody closer is left; at most
 * {@link #MAX_QUERIES} queries in all.
 *
 * @see <a href="https://github.com/libp2p/specs/blob/master/kad-dht/README.md#peer-routing">spec:
 *     peer routing</a>
 */
public final class KadLookup {

  /** Queries in flight at once (the spec's concurrency parameter α). */
  public static final int ALPHA = 3;

  /** Queries one lookup makes at most, however large the DHT. */
  public static final int MAX_QUERIES = 30;

  /** Bound on one query: a dial (within the host's dial timeout) and a {@code FIND_NODE}. */
  static final Duration QUERY_TIMEOUT = Kad.REQUEST_TIMEOUT.multipliedBy(2);

  /** Nodes a lookup remembers as candidates at most. */
  static final int MAX_CANDIDATES = 200;

  /**
   * Candidates a lookup takes at one IP (an IPv6 /64) when asked to bound them: a hostile answer
   * naming many "nodes" at one address would otherwise turn the lookup's queries into dials to that
   * one host. A few real nodes do share a host.
   */
  public static final int DEFAULT_MAX_CANDIDATES_PER_IP = 3;

  /** Bytes of an IPv6 address that count as one host: its /64. */
  private static final int IPV6_HOST_PREFIX_BYTES = 8;

  private final Host host;
  private final Predicate<Multiaddr> dialable;
  private final int maxCandidatesPerIp;

  /**
   * @param dialable which addresses of DHT nodes may be dialed (say, public ones only)
   */
  public KadLookup(Host host, Predicate<Multiaddr> dialable) {
    this(host, dialable, Integer.MAX_VALUE);
  }

  /**
   * @param maxCandidatesPerIp candidates learned at one IP (an IPv6 /64) at most, the start nodes
   *     not counted
   */
  public KadLookup(Host host, Predicate<Multiaddr> dialable, int maxCandidatesPerIp) {
    if (maxCandidatesPerIp < 1) {
      throw new IllegalArgumentException(
          "maxCandidatesPerIp must be at least 1, was " + maxCandidatesPerIp);
    }
    this.host = host;
    this.dialable = dialable;
    this.maxCandidatesPerIp = maxCandidatesPerIp;
  }

  /**
   * What the DHT knows of {@code target}, asked first of {@code start} (each with /p2p): empty when
   * the nodes asked do not know it; failed when no node answered at all.
   */
  public CompletableFuture<Optional<KadPeer>> findPeer(PeerId target, List<Multiaddr> start) {
    return findPeer(target, start, () -> false);
  }

  /**
   * Like {@link #findPeer(PeerId, List)}, giving up before a round once {@code stop} says so (its
   * asker gave up, or its deadline passed): failed with a {@link CancellationException} then, and
   * no further node is dialed.
   */
  public CompletableFuture<Optional<KadPeer>> findPeer(
      PeerId target, List<Multiaddr> start, BooleanSupplier stop) {
    Lookup lookup = new Lookup(target, stop);
    for (Multiaddr node : start) {
      node.peerId().ifPresent(id -> lookup.candidates.put(id, node.withoutPeerId()));
    }
    return round(lookup);
  }

  /** One lookup's state: touched by one round at a time, never concurrently. */
  private static final class Lookup {
    final PeerId target;
    final Comparator<PeerId> closer;
    final Map<PeerId, Multiaddr> candidates = new LinkedHashMap<>();
    final Set<PeerId> queried = new HashSet<>();
    final Map<String, Integer> perIp = new HashMap<>();
    final BooleanSupplier stop;
    int queries;
    int answers;

    Lookup(PeerId target, BooleanSupplier stop) {
      this.target = target;
      this.stop = stop;
      byte[] targetHash = sha256(target.toBytes());
      this.closer =
          Comparator.comparing(
              id -> xor(sha256(id.toBytes()), targetHash), Arrays::compareUnsigned);
    }
  }

  private CompletableFuture<Optional<KadPeer>> round(Lookup lookup) {
    if (lookup.stop.getAsBoolean()) {
      return CompletableFuture.failedFuture(
          new CancellationException("the lookup of " + lookup.target + " was abandoned"));
    }
    List<PeerId> next =
        lookup.candidates.keySet().stream()
            .filter(id -> !lookup.queried.contains(id))
            .sorted(lookup.closer)
            .limit(Math.min(ALPHA, MAX_QUERIES - lookup.queries))
            .toList();
    if (next.isEmpty()) {
      // not found only when someone was asked: a DHT that never answered knows nothing
      return lookup.answers > 0
          ? CompletableFuture.completedFuture(Optional.empty())
          : CompletableFuture.failedFuture(
              new Libp2pException(
                  "no DHT node answered ("
                      + lookup.queries
                      + " asked) looking for "
                      + lookup.target));
    }
    List<CompletableFuture<@Nullable List<KadPeer>>> answers = new ArrayList<>();
    for (PeerId node : next) {
      lookup.queried.add(node);
      lookup.queries++;
      answers.add(
          host.dial(Objects.requireNonNull(lookup.candidates.get(node)).withPeerId(node))
              .thenCompose(connection -> KadClient.findNode(connection, lookup.target.toBytes()))
              .orTimeout(QUERY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
              .handle((peers, error) -> error == null ? peers : null));
    }
    return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
        .thenCompose(
            done -> {
              for (CompletableFuture<@Nullable List<KadPeer>> answer : answers) {
                List<KadPeer> peers = answer.join();
                if (peers == null) {
                  continue; // no connection, no answer in time, or a bad one
                }
                lookup.answers++;
                for (KadPeer peer : peers) {
                  if (peer.id().equals(lookup.target) && !peer.addresses().isEmpty()) {
                    return CompletableFuture.completedFuture(Optional.of(peer));
                  }
                  learn(lookup, peer);
                }
              }
              return round(lookup);
            });
  }

  private void learn(Lookup lookup, KadPeer peer) {
    if (lookup.candidates.size() >= MAX_CANDIDATES
        || lookup.candidates.containsKey(peer.id())
        || peer.id().equals(host.peerId())) {
      return;
    }
    peer.addresses().stream()
        .filter(a -> a.toIpSocketAddress().isPresent() && dialable.test(a))
        .findFirst()
        .filter(a -> lookup.perIp.merge(hostKey(a), 1, Integer::sum) <= maxCandidatesPerIp)
        .ifPresent(a -> lookup.candidates.put(peer.id(), a));
  }

  /** The IP of an address, an IPv6 one by its /64: what counts as one host. */
  private static String hostKey(Multiaddr address) {
    InetAddress ip = address.toIpSocketAddress().orElseThrow().getAddress();
    if (ip instanceof Inet6Address) {
      return Arrays.toString(Arrays.copyOf(ip.getAddress(), IPV6_HOST_PREFIX_BYTES));
    }
    return ip.getHostAddress();
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private static byte[] xor(byte[] a, byte[] b) {
    byte[] out = new byte[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = (byte) (a[i] ^ b[i]);
    }
    return out;
  }
}
