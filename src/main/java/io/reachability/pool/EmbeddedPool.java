package io.reachability.pool;

import io.reachability.autonat.AutonatServer;
import io.reachability.autonat.AutonatServerSettings;
import io.reachability.autonat.RateLimiter;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.host.Host;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * In-process AutoNAT v2 servers on loopback, so a check works on a fresh machine with no network:
 * each its own {@link Host} (own key and peer id, {@value #LISTEN_ADDRESS}) and its own {@link
 * AutonatServer} that allows private addresses (for these servers only) and whose rate limits are
 * high enough that the service's own checks are never throttled. They dial back from this machine,
 * so they only ever prove <b>loopback</b> reachability.
 */
public final class EmbeddedPool implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedPool.class);

  /** Where each embedded server listens: loopback, any free port. */
  public static final String LISTEN_ADDRESS = "/ip4/127.0.0.1/tcp/0";

  /** Thread name prefix of the embedded servers' hosts. */
  public static final String THREAD_NAME = "pool";

  /** One event loop per embedded host: they serve only this process. */
  static final int IO_THREADS = 1;

  /**
   * Far above anything one process sends (the service's own checks are the only clients); the
   * limits exist to protect third parties, and these servers dial nothing but loopback.
   */
  static final int UNTHROTTLED_PER_MINUTE = 1_000_000;

  /** Concurrent requests per client: every running job may have requests at every server. */
  static final int UNTHROTTLED_CONCURRENT = 10_000;

  static final RateLimiter.Limits UNTHROTTLED =
      new RateLimiter.Limits(
          UNTHROTTLED_PER_MINUTE,
          UNTHROTTLED_PER_MINUTE,
          UNTHROTTLED_PER_MINUTE,
          UNTHROTTLED_PER_MINUTE,
          UNTHROTTLED_PER_MINUTE,
          UNTHROTTLED_CONCURRENT);

  /** What the log and the REST API say about this pool. */
  public static final String NOTICE =
      "embedded AutoNAT v2 servers on loopback: they prove loopback reachability only, not"
          + " reachability from the internet";

  private final List<Host> hosts = new ArrayList<>();
  private final List<AutonatServer> servers = new ArrayList<>();
  private final List<Multiaddr> addresses = new ArrayList<>();
  private boolean closed;

  private EmbeddedPool() {}

  /** The settings every embedded server runs with. */
  public static AutonatServerSettings settings() {
    return new AutonatServerSettings.Builder()
        .allowPrivateAddresses(true)
        .rateLimit(UNTHROTTLED)
        .build();
  }

  /** Starts {@code size} servers; on any failure the ones already started are stopped again. */
  public static EmbeddedPool start(int size) {
    if (size < 1) {
      throw new IllegalArgumentException("an embedded pool needs at least one server, was " + size);
    }
    EmbeddedPool pool = new EmbeddedPool();
    try {
      for (int i = 0; i < size; i++) {
        Host host =
            Host.builder()
                .threadName(THREAD_NAME + "-" + i)
                .ioThreads(IO_THREADS)
                .listen(LISTEN_ADDRESS)
                .build()
                .start();
        pool.hosts.add(host);
        pool.servers.add(new AutonatServer(host, settings()).start());
        pool.addresses.add(host.listenAddresses().get(0).withPeerId(host.peerId()));
      }
    } catch (RuntimeException e) {
      pool.close();
      throw e;
    }
    log.warn("{} {}: {}", size, NOTICE, pool.addresses);
    return pool;
  }

  /** The servers' addresses, each ending in {@code /p2p/<peer id>}. */
  public synchronized List<Multiaddr> addresses() {
    return List.copyOf(addresses);
  }

  /** The servers themselves (for their counters). */
  public synchronized List<AutonatServer> servers() {
    return List.copyOf(servers);
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (AutonatServer server : servers) {
      server.close();
    }
    for (Host host : hosts) {
      host.close();
    }
  }
}
