package io.reachability.pool;

import io.reachability.libp2p.core.Multiaddr;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How the pool finds AutoNAT v2 servers on the DHT ({@link ServerDiscovery}).
 *
 * @param bootstrap DHT peers to start from, each ending in {@code /p2p/<id>} ({@code /dnsaddr}
 *     names welcome); the default is the public libp2p bootstrap list
 * @param targetServers discovered servers the pool keeps
 * @param interval how often discovery takes a step (asks the DHT, vets what it heard of)
 * @param contactsPerMinute peers dialed per minute at most (DHT queries and vetting together)
 * @param maxKnownPeers peer ids remembered as seen, and candidates waiting (each bound)
 * @param maxFailuresInARow contacts in a row that got no answer or a refusal before a discovered
 *     server is replaced
 * @param allowPrivateAddresses also keep servers at loopback and private addresses (labs and tests)
 * @param stateFile where the discovered servers are remembered across restarts (one multiaddr a
 *     line, rewritten on every change); null = not remembered
 */
public record DiscoverySettings(
    List<Multiaddr> bootstrap,
    int targetServers,
    Duration interval,
    int contactsPerMinute,
    int maxKnownPeers,
    int maxFailuresInARow,
    boolean allowPrivateAddresses,
    @Nullable Path stateFile) {

  /**
   * The public libp2p bootstrap peers, as Kubo and Helia list them.
   *
   * @see <a href="https://github.com/ipfs/kubo/blob/master/config/bootstrap_peers.go">Kubo's
   *     bootstrap peers</a>
   */
  public static final List<String> PUBLIC_BOOTSTRAP =
      List.of(
          "/dnsaddr/bootstrap.libp2p.io/p2p/QmNnooDu7bfjPFoTZYxMNLWUQJyrVwtbZg5gBMjTezGAJN",
          "/dnsaddr/bootstrap.libp2p.io/p2p/QmQCU2EcMqAqQPR2i9bChDtGNJchTbq5TbXJJ16u19uLTa",
          "/dnsaddr/bootstrap.libp2p.io/p2p/QmbLHAnMoJPWSCR5Zhtx6BHJX9KiKNN6tpvbUcqanj75Nb",
          "/dnsaddr/bootstrap.libp2p.io/p2p/QmcZf59bWwK5XFi76CZX8cbJ4BhTzzA3gU1ZjYZcYW3dwt",
          "/dnsaddr/va1.bootstrap.libp2p.io/p2p/12D3KooWKnDdG3iXw9eTFijk3EWSunZcFi54Zka4wmtqtt6rPxc8",
          "/ip4/104.131.131.82/tcp/4001/p2p/QmaCpDMGvV2BGHeYERUEnRQAwe3N8SzbUtfsmvsqQLuvuJ");

  /** Enough servers that checks and the monitor always find distinct ones on distinct networks. */
  public static final int DEFAULT_TARGET_SERVERS = 16;

  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);

  /** Two contacts a second at most: a light load on the network, a full pool within minutes. */
  public static final int DEFAULT_CONTACTS_PER_MINUTE = 120;

  public static final int DEFAULT_MAX_KNOWN_PEERS = 2000;

  public static final int DEFAULT_MAX_FAILURES_IN_A_ROW = 3;

  /** Bound on {@link #targetServers()}: each is a connection now and then, and counters. */
  public static final int MAX_TARGET_SERVERS = 256;

  public DiscoverySettings {
    bootstrap = List.copyOf(Objects.requireNonNull(bootstrap, "bootstrap"));
    Objects.requireNonNull(interval, "interval");
    for (Multiaddr peer : bootstrap) {
      if (peer.peerId().isEmpty()) {
        throw new IllegalArgumentException(
            "bootstrap peers must end in /p2p/<peer id>, was " + peer);
      }
    }
    if (targetServers < 1 || targetServers > MAX_TARGET_SERVERS) {
      throw new IllegalArgumentException(
          "targetServers must be in [1, " + MAX_TARGET_SERVERS + "], was " + targetServers);
    }
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("interval must be positive, was " + interval);
    }
    if (contactsPerMinute < 1) {
      throw new IllegalArgumentException(
          "contactsPerMinute must be at least 1, was " + contactsPerMinute);
    }
    if (maxKnownPeers < 1) {
      throw new IllegalArgumentException("maxKnownPeers must be at least 1, was " + maxKnownPeers);
    }
    if (maxFailuresInARow < 1) {
      throw new IllegalArgumentException(
          "maxFailuresInARow must be at least 1, was " + maxFailuresInARow);
    }
  }

  public static DiscoverySettings defaults() {
    return new Builder().build();
  }

  /** Settings one by one, from the defaults; {@link #build()} checks them all at once. */
  public static final class Builder {
    private List<Multiaddr> bootstrap =
        PUBLIC_BOOTSTRAP.stream().map(Multiaddr::fromString).toList();
    private int targetServers = DEFAULT_TARGET_SERVERS;
    private Duration interval = DEFAULT_INTERVAL;
    private int contactsPerMinute = DEFAULT_CONTACTS_PER_MINUTE;
    private int maxKnownPeers = DEFAULT_MAX_KNOWN_PEERS;
    private int maxFailuresInARow = DEFAULT_MAX_FAILURES_IN_A_ROW;
    private boolean allowPrivateAddresses;
    private @Nullable Path stateFile;

    public Builder bootstrap(List<Multiaddr> value) {
      bootstrap = value;
      return this;
    }

    public Builder targetServers(int value) {
      targetServers = value;
      return this;
    }

    public Builder interval(Duration value) {
      interval = value;
      return this;
    }

    public Builder contactsPerMinute(int value) {
      contactsPerMinute = value;
      return this;
    }

    public Builder maxKnownPeers(int value) {
      maxKnownPeers = value;
      return this;
    }

    public Builder maxFailuresInARow(int value) {
      maxFailuresInARow = value;
      return this;
    }

    public Builder allowPrivateAddresses(boolean value) {
      allowPrivateAddresses = value;
      return this;
    }

    public Builder stateFile(@Nullable Path value) {
      stateFile = value;
      return this;
    }

    public DiscoverySettings build() {
      return new DiscoverySettings(
          bootstrap,
          targetServers,
          interval,
          contactsPerMinute,
          maxKnownPeers,
          maxFailuresInARow,
          allowPrivateAddresses,
          stateFile);
    }
  }
}
