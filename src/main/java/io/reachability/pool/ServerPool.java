package io.reachability.pool;

import io.reachability.autonat.AutonatV2;
import io.reachability.autonat.CheckResult;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.host.Host;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The AutoNAT v2 servers check jobs are sent to: configured ones and, optionally, an {@link
 * EmbeddedPool} whose lifetime the pool owns. Whether a server speaks AutoNAT v2 comes from
 * identify ({@link #probe}); a server that said it does not is left out of {@link #usable()}.
 */
public final class ServerPool implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ServerPool.class);

  /** Bound on connecting to a server and hearing its identify when probing it. */
  public static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);

  /** Copied on every change (rare: discovery adding or replacing a server), read lock-free. */
  private volatile Map<PeerId, PoolServer> servers;

  private final @Nullable EmbeddedPool embedded;

  private ServerPool(List<PoolServer> servers, @Nullable EmbeddedPool embedded) {
    Map<PeerId, PoolServer> byPeer = new LinkedHashMap<>();
    for (PoolServer server : servers) {
      if (byPeer.putIfAbsent(server.peerId(), server) != null) {
        log.warn("server pool: {} listed twice, using its first address", server.peerId());
      }
    }
    this.servers = Collections.unmodifiableMap(byPeer);
    this.embedded = embedded;
  }

  private final List<Runnable> changeListeners = new CopyOnWriteArrayList<>();

  /** Runs {@code listener} after every change of the pool's servers (on the changing thread). */
  public void addChangeListener(Runnable listener) {
    changeListeners.add(listener);
  }

  private void changed() {
    for (Runnable listener : changeListeners) {
      try {
        listener.run();
      } catch (RuntimeException e) {
        log.warn("server pool: a change listener failed: {}", e.toString());
      }
    }
  }

  /** Adds a discovered server; false (and nothing changes) when the pool has that peer already. */
  public boolean add(PoolServer server) {
    synchronized (this) {
      if (servers.containsKey(server.peerId())) {
        return false;
      }
      Map<PeerId, PoolServer> next = new LinkedHashMap<>(servers);
      next.put(server.peerId(), server);
      servers = Collections.unmodifiableMap(next);
    }
    changed();
    return true;
  }

  /** Removes a discovered server (configured and embedded ones stay). */
  public boolean removeDiscovered(PeerId peer) {
    synchronized (this) {
      PoolServer server = servers.get(peer);
      if (server == null || server.source() != PoolServer.Source.DISCOVERED) {
        return false;
      }
      Map<PeerId, PoolServer> next = new LinkedHashMap<>(servers);
      next.remove(peer);
      servers = Collections.unmodifiableMap(next);
    }
    changed();
    return true;
  }

  /** The discovered servers now. */
  public List<PoolServer> discovered() {
    return servers.values().stream()
        .filter(s -> s.source() == PoolServer.Source.DISCOVERED)
        .toList();
  }

  /**
   * A pool of the configured servers plus, when {@code embedded} is given, its servers; the pool
   * closes the embedded pool when it is closed.
   */
  public static ServerPool of(List<Multiaddr> configured, @Nullable EmbeddedPool embedded) {
    List<PoolServer> all = new ArrayList<>();
    for (Multiaddr address : configured) {
      all.add(new PoolServer(address, false));
    }
    if (embedded != null) {
      for (Multiaddr address : embedded.addresses()) {
        all.add(new PoolServer(address, true));
      }
    }
    return new ServerPool(all, embedded);
  }

  /** Every server, configured ones first. */
  public List<PoolServer> servers() {
    return List.copyOf(servers.values());
  }

  /**
   * The servers worth asking: all but those that said over identify that they do not speak AutoNAT
   * v2.
   */
  public List<PoolServer> usable() {
    return servers.values().stream()
        .filter(s -> !Boolean.FALSE.equals(s.speaksAutonatV2()))
        .toList();
  }

  public int size() {
    return servers.size();
  }

  public Optional<PoolServer> find(PeerId peer) {
    return Optional.ofNullable(servers.get(peer));
  }

  /**
   * Whether the pool includes the embedded loopback servers (which prove loopback reachability
   * only).
   */
  public boolean hasEmbedded() {
    return embedded != null;
  }

  /** Counts a finished check against the server it was sent to, when that server is in the pool. */
  public void record(CheckResult result) {
    PoolServer server = servers.get(result.server());
    if (server != null) {
      server.record(result);
    }
  }

  /** Whether {@code host} has an open connection to the server now. */
  public static boolean connected(Host host, PoolServer server) {
    return !host.connections(server.peerId()).isEmpty();
  }

  /**
   * Connects {@code host} to every server and asks identify whether it speaks AutoNAT v2. Never
   * fails: a server that cannot be reached keeps its previous answer (unknown at first), and
   * whether it answered is recorded ({@link PoolServer#answeredLastContact()}).
   */
  public CompletableFuture<Void> probe(Host host) {
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (PoolServer server : servers.values()) {
      all.add(probe(host, server));
    }
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
  }

  /**
   * Connects to one server and asks identify whether it speaks AutoNAT v2 (see {@link
   * #probe(Host)}).
   */
  public static CompletableFuture<Void> probe(Host host, PoolServer server) {
    return host.dial(server.address())
        .thenCompose(host::identify)
        .orTimeout(PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .handle(
            (identified, error) -> {
              if (error != null) {
                log.warn("server pool: cannot identify {}: {}", server.address(), error.toString());
                server.answeredLastContact(false);
                return null;
              }
              server.answeredLastContact(true);
              boolean speaks = identified.supports(AutonatV2.DIAL_REQUEST_PROTOCOL);
              server.speaksAutonatV2(speaks);
              if (!speaks) {
                log.warn(
                    "server pool: {} does not speak {}; not asking it",
                    server.address(),
                    AutonatV2.DIAL_REQUEST_PROTOCOL);
              }
              return null;
            });
  }

  /** Stops the embedded servers, if any. */
  @Override
  public void close() {
    if (embedded != null) {
      embedded.close();
    }
  }
}
