package io.reachability.peercheck;

import io.reachability.autonat.AutonatV2;
import io.reachability.libp2p.core.Connection;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.host.Host;
import io.reachability.libp2p.identify.IdentifyResult;
import io.reachability.libp2p.kad.KadLookup;
import io.reachability.libp2p.kad.KadPeer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Checks one peer's addresses from here, each on its own: a new connection to exactly that address
 * (never an open one reused, never a race between addresses, so every address gets its own
 * verdict), the peer id the handshake proves compared with the one asked about, then identify and
 * one ping on that connection, which is closed after. Addresses are tried one after the other; each
 * step has its own bound.
 */
public final class PeerChecker {

  /** Bound on the dial: TCP or QUIC connect, security handshake, muxer. */
  public static final Duration DIAL_TIMEOUT = Duration.ofSeconds(10);

  /** Bound on identify over a connection made. */
  public static final Duration IDENTIFY_TIMEOUT = Duration.ofSeconds(10);

  /** Bound on the one ping. */
  public static final Duration PING_TIMEOUT = Duration.ofSeconds(10);

  private final Host host;
  private final Duration dialTimeout;

  public PeerChecker(Host host) {
    this(host, DIAL_TIMEOUT);
  }

  /** With another bound on the dial (a test's, to see it run out). */
  PeerChecker(Host host, Duration dialTimeout) {
    this.host = host;
    this.dialTimeout = dialTimeout;
  }

  /**
   * The addresses the DHT knows for {@code peer} (a {@code FIND_NODE} lookup towards its id, from
   * {@code dhtNodes}, dialing only DHT nodes at {@code dialable} addresses); empty when it knows
   * none: the peer is NOT_FOUND.
   */
  public CompletableFuture<List<Multiaddr>> find(
      PeerId peer, List<Multiaddr> dhtNodes, Predicate<Multiaddr> dialable) {
    return find(peer, dhtNodes, dialable, () -> false, Integer.MAX_VALUE);
  }

  /**
   * Like {@link #find(PeerId, List, Predicate)}, stopping before a round once {@code stop} says,
   * learning at most {@code maxCandidatesPerIp} DHT nodes at one IP.
   */
  public CompletableFuture<List<Multiaddr>> find(
      PeerId peer,
      List<Multiaddr> dhtNodes,
      Predicate<Multiaddr> dialable,
      BooleanSupplier stop,
      int maxCandidatesPerIp) {
    return new KadLookup(host, dialable, maxCandidatesPerIp)
        .findPeer(peer, dhtNodes, stop)
        .thenApply(found -> found.map(KadPeer::addresses).orElse(List.of()));
  }

  /**
   * This checker as the network of a {@link PeerCheckService}: lookups start from {@code dhtNodes}
   * (each with {@code /p2p}; failed when there are none) and dial DHT nodes at {@code dialable}
   * addresses only, at most {@code maxCandidatesPerIp} of them at one IP; DNS addresses are
   * resolved by the host.
   */
  public PeerCheckService.Network asNetwork(
      Supplier<List<Multiaddr>> dhtNodes, Predicate<Multiaddr> dialable, int maxCandidatesPerIp) {
    return new PeerCheckService.Network() {
      @Override
      public CompletableFuture<List<Multiaddr>> find(PeerId peer, BooleanSupplier stop) {
        List<Multiaddr> start = dhtNodes.get();
        if (start.isEmpty()) {
          return CompletableFuture.failedFuture(
              new IllegalStateException(
                  "no DHT node to start from (reach.pool.discovery.bootstrap is empty)"));
        }
        return PeerChecker.this.find(peer, start, dialable, stop, maxCandidatesPerIp);
      }

      @Override
      public CompletableFuture<List<Multiaddr>> resolve(Multiaddr address) {
        return host.resolve(address);
      }

      @Override
      public CompletableFuture<AddressOutcome> check(PeerId peer, Multiaddr address) {
        return checkOne(peer, address);
      }
    };
  }

  /** Checks {@code addresses} of {@code peer}, one after the other; never fails. */
  public CompletableFuture<List<AddressOutcome>> check(PeerId peer, List<Multiaddr> addresses) {
    List<AddressOutcome> outcomes = new ArrayList<>();
    CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
    for (Multiaddr address : addresses) {
      chain = chain.thenCompose(ignored -> checkOne(peer, address).thenAccept(outcomes::add));
    }
    return chain.thenApply(ignored -> List.copyOf(outcomes));
  }

  /**
   * One address: never fails, every failure is in the outcome. The outcome comes only once the dial
   * itself has ended, even when it took longer than {@link #DIAL_TIMEOUT} (its upgrade has its own
   * bound): whoever counts dials in flight counts this one until then. A connection that arrives
   * after the bound is closed at once.
   */
  public CompletableFuture<AddressOutcome> checkOne(PeerId peer, Multiaddr address) {
    Multiaddr plain = address.withoutPeerId();
    long started = System.nanoTime();
    CompletableFuture<Connection> dial;
    // a TCP socket that connected: whatever stalls after, something answered there
    AtomicBoolean tcpConnected = new AtomicBoolean();
    Runnable socketConnected = plain.isQuic() ? () -> {} : () -> tcpConnected.set(true);
    try {
      dial = host.dialNew(plain, socketConnected);
    } catch (RuntimeException e) {
      dial = CompletableFuture.failedFuture(e);
    }
    CompletableFuture<Connection> original = dial;
    // the bound on a copy: the dial's own future still tells when it really ends
    CompletableFuture<Connection> bounded =
        original.copy().orTimeout(dialTimeout.toMillis(), TimeUnit.MILLISECONDS);
    CompletableFuture<AddressOutcome> outcome =
        bounded
            .handle(
                (connection, error) -> {
                  if (error != null || connection == null) {
                    return CompletableFuture.completedFuture(
                        AddressOutcome.unreachable(
                            plain, DialErrors.describe(error, tcpConnected.get())));
                  }
                  Duration connectTime = Duration.ofNanos(System.nanoTime() - started);
                  try {
                    return inspect(peer, plain, connection, connectTime)
                        .whenComplete((done, failure) -> connection.close());
                  } catch (RuntimeException e) {
                    connection.close();
                    return CompletableFuture.completedFuture(
                        AddressOutcome.unreachable(plain, DialErrors.describe(e)));
                  }
                })
            .thenCompose(next -> next);
    return outcome.thenCompose(
        done ->
            original.handle(
                (connection, error) -> {
                  if (connection != null && bounded.isCompletedExceptionally()) {
                    connection.close(); // too late: nobody inspects it
                  }
                  return done;
                }));
  }

  /** On a connection made: the peer proven, then identify and ping (each may fail alone). */
  private CompletableFuture<AddressOutcome> inspect(
      PeerId expected, Multiaddr address, Connection connection, Duration connectTime) {
    PeerId proven = connection.remotePeer();
    AddressVerdict verdict =
        proven.equals(expected) ? AddressVerdict.REACHABLE : AddressVerdict.WRONG_PEER;
    CompletableFuture<@Nullable IdentifyResult> identify =
        host.identify(connection)
            .orTimeout(IDENTIFY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
            .handle((result, error) -> error == null ? result : null);
    return identify.thenCompose(
        identified ->
            host.ping(connection)
                .orTimeout(PING_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .handle(
                    (rtt, error) -> {
                      String problem = null;
                      if (verdict == AddressVerdict.WRONG_PEER) {
                        problem = "the handshake proved " + proven + ", not " + expected;
                      } else if (identified == null) {
                        problem = "identify did not answer";
                      } else if (error != null) {
                        problem = "ping did not answer";
                      }
                      return new AddressOutcome(
                          address,
                          verdict,
                          connectTime,
                          proven,
                          connection.securityProtocol(),
                          connection.muxerProtocol(),
                          identified == null ? null : identified.agentVersion(),
                          identified == null ? List.of() : identified.protocols(),
                          identified == null ? List.of() : identified.listenAddresses(),
                          identified == null ? null : identified.observedAddress(),
                          identified != null
                              && identified.supports(AutonatV2.DIAL_REQUEST_PROTOCOL),
                          error == null ? rtt : null,
                          problem);
                    }));
  }
}
