package io.reachability.pool;

import io.reachability.autonat.CheckResult;
import io.reachability.autonat.Reachability;
import io.reachability.autonat.ResponseStatus;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * One AutoNAT v2 server of the {@link ServerPool}: where it is, whether it is one of ours, whether
 * it said (over identify) that it speaks AutoNAT v2, and what its checks came to.
 */
public final class PoolServer {

  /** Where a server came from. */
  public enum Source {
    /** {@code reach.pool.servers}. */
    CONFIGURED,
    /** The in-process loopback pool. */
    EMBEDDED,
    /** Found on the DHT ({@link ServerDiscovery}). */
    DISCOVERED
  }

  private final Multiaddr address;
  private final PeerId peerId;
  private final Source source;
  private final @Nullable String foundVia;

  /** Contacts in a row that went wrong (no answer, or a refusal); any answer resets it. */
  private final AtomicInteger failuresInARow = new AtomicInteger();

  private final Map<Reachability, LongAdder> byReachability = new EnumMap<>(Reachability.class);
  private final Map<ResponseStatus, LongAdder> byResponseStatus =
      new EnumMap<>(ResponseStatus.class);

  /** Checks that ended without a response status we understand (not reached, reset, timed out). */
  private final LongAdder withoutResponse = new LongAdder();

  private volatile @Nullable Boolean speaksAutonatV2;
  private volatile @Nullable Boolean answeredLastContact;

  /**
   * @param address the server's address, ending in {@code /p2p/<peer id>}
   * @param embedded one of the in-process loopback servers
   */
  public PoolServer(Multiaddr address, boolean embedded) {
    this(address, embedded ? Source.EMBEDDED : Source.CONFIGURED, null);
  }

  /** A server found on the DHT, through {@code foundVia} (the peer that told us of it). */
  public static PoolServer discovered(Multiaddr address, String foundVia) {
    return new PoolServer(address, Source.DISCOVERED, foundVia);
  }

  private PoolServer(Multiaddr address, Source source, @Nullable String foundVia) {
    this.source = Objects.requireNonNull(source, "source");
    this.foundVia = foundVia;
    this.address = Objects.requireNonNull(address, "address");
    this.peerId =
        address
            .peerId()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "a server address must end in /p2p/<peer id>: " + address));
    for (Reachability r : Reachability.values()) {
      byReachability.put(r, new LongAdder());
    }
    for (ResponseStatus s : ResponseStatus.values()) {
      byResponseStatus.put(s, new LongAdder());
    }
  }

  public Multiaddr address() {
    return address;
  }

  public PeerId peerId() {
    return peerId;
  }

  public boolean embedded() {
    return source == Source.EMBEDDED;
  }

  public Source source() {
    return source;
  }

  /** For a discovered server, how it was found (the DHT peer that named it); null otherwise. */
  public @Nullable String foundVia() {
    return foundVia;
  }

  /** Contacts in a row that got no answer or a refusal (what discovery replaces servers by). */
  public int failuresInARow() {
    return failuresInARow.get();
  }

  /**
   * What identify said: true or false once asked, null before (or when the server was not reached).
   */
  public @Nullable Boolean speaksAutonatV2() {
    return speaksAutonatV2;
  }

  void speaksAutonatV2(boolean value) {
    speaksAutonatV2 = value;
  }

  /**
   * Whether the server answered the last time the node talked to it (identify when the pool was
   * probed, or a check that got a response); null before any contact. Connections to servers are
   * closed when idle, so this, not an open connection, says whether a server is there.
   */
  public @Nullable Boolean answeredLastContact() {
    return answeredLastContact;
  }

  void answeredLastContact(boolean value) {
    answeredLastContact = value;
    if (value) {
      failuresInARow.set(0);
    } else {
      failuresInARow.incrementAndGet();
    }
  }

  /**
   * Counts one finished check against this server (and whether it answered: {@link
   * #answeredLastContact()}).
   */
  public void record(CheckResult result) {
    counter(byReachability, result.reachability()).increment();
    ResponseStatus status = result.responseStatus();
    if (status == null) {
      withoutResponse.increment();
    } else {
      counter(byResponseStatus, status).increment();
    }
    answeredLastContact = status != null;
    if (status == null || status == ResponseStatus.E_REQUEST_REJECTED) {
      failuresInARow.incrementAndGet();
    } else {
      failuresInARow.set(0);
    }
  }

  /** The counters now. */
  public Counters counters() {
    Map<Reachability, Long> reach = new EnumMap<>(Reachability.class);
    byReachability.forEach((k, v) -> reach.put(k, v.sum()));
    Map<ResponseStatus, Long> status = new EnumMap<>(ResponseStatus.class);
    byResponseStatus.forEach((k, v) -> status.put(k, v.sum()));
    return new Counters(
        Collections.unmodifiableMap(reach),
        Collections.unmodifiableMap(status),
        withoutResponse.sum());
  }

  /**
   * Results of the checks sent to a server so far.
   *
   * @param byReachability checks by what they said about the address
   * @param byResponseStatus checks by the server's response status
   * @param withoutResponse checks that got no response status (server not reached, stream reset,
   *     timeout, an unknown status code)
   */
  public record Counters(
      Map<Reachability, Long> byReachability,
      Map<ResponseStatus, Long> byResponseStatus,
      long withoutResponse) {

    public long total() {
      return byReachability.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  @Override
  public String toString() {
    return address.toString();
  }

  /** The counter of {@code key}; the constructor made one for every constant. */
  private static <K extends Enum<K>> LongAdder counter(Map<K, LongAdder> counters, K key) {
    return Objects.requireNonNull(counters.get(key));
  }
}
