package io.reachability.config;

import static io.reachability.config.ConfiguredSettings.build;
import static io.reachability.config.ConfiguredSettings.ifSet;

import io.reachability.job.CheckRequestValidator;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.pool.DiscoverySettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The AutoNAT v2 servers check jobs are sent to ({@code reach.pool.*}).
 *
 * @param servers real servers, each a multiaddr ending in {@code /p2p/<peer id>}
 * @param embedded the in-process loopback pool
 * @param discovery finding servers on the DHT
 */
@ConfigurationProperties("reach.pool")
public record PoolProperties(
    @DefaultValue List<String> servers,
    @DefaultValue Embedded embedded,
    @DefaultValue Discovery discovery) {

  /**
   * Finding AutoNAT v2 servers on the public DHT ({@code reach.pool.discovery.*}); unset values are
   * {@link DiscoverySettings}' defaults.
   *
   * @param enabled walk the DHT from the bootstrap peers and keep the AutoNAT v2 servers found in
   *     the pool (off by default: the service then sends no traffic to the public network)
   * @param bootstrap DHT peers to start from, each ending in {@code /p2p/<peer id>}; unset = the
   *     public libp2p bootstrap list
   * @param targetServers discovered servers the pool keeps
   * @param interval how often discovery takes a step
   * @param contactsPerMinute peers dialed per minute at most (DHT queries and vetting together)
   * @param maxKnownPeers peer ids remembered as seen, and candidates waiting (each bound)
   * @param maxFailuresInARow failed contacts in a row before a discovered server is replaced
   * @param allowPrivateAddresses also keep servers at loopback and private addresses (labs only)
   * @param stateFile where the discovered servers are remembered across restarts (one multiaddr a
   *     line); empty = not remembered
   */
  public record Discovery(
      @DefaultValue("false") boolean enabled,
      @Nullable List<String> bootstrap,
      @Nullable Integer targetServers,
      @Nullable Duration interval,
      @Nullable Integer contactsPerMinute,
      @Nullable Integer maxKnownPeers,
      @Nullable Integer maxFailuresInARow,
      @Nullable Boolean allowPrivateAddresses,
      @DefaultValue("") String stateFile) {

    static final String PREFIX = "reach.pool.discovery";

    /** The settings, checked; an error names its {@code reach.pool.discovery.*} key. */
    public DiscoverySettings toSettings() {
      List<Multiaddr> peers = null;
      if (bootstrap != null) {
        peers = new ArrayList<>();
        for (int i = 0; i < bootstrap.size(); i++) {
          peers.add(bootstrapPeer(PREFIX + ".bootstrap[" + i + "]", bootstrap.get(i)));
        }
      }
      List<Multiaddr> parsed = peers;
      return build(
          PREFIX,
          () -> {
            DiscoverySettings.Builder settings = new DiscoverySettings.Builder();
            ifSet(parsed, settings::bootstrap);
            ifSet(targetServers, settings::targetServers);
            ifSet(interval, settings::interval);
            ifSet(contactsPerMinute, settings::contactsPerMinute);
            ifSet(maxKnownPeers, settings::maxKnownPeers);
            ifSet(maxFailuresInARow, settings::maxFailuresInARow);
            ifSet(allowPrivateAddresses, settings::allowPrivateAddresses);
            settings.stateFile(stateFile.isBlank() ? null : Path.of(stateFile.strip()));
            return settings.build();
          });
    }

    private static Multiaddr bootstrapPeer(String setting, String value) {
      Multiaddr address;
      try {
        address = Multiaddr.fromString(value.trim());
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(setting + ": " + e.getMessage());
      }
      if (address.peerId().isEmpty() || !address.hasDialableShape()) {
        throw new IllegalArgumentException(
            setting + " = \"" + value + "\": " + CheckRequestValidator.SERVER_SHAPES);
      }
      return address;
    }
  }

  /**
   * Upper bound of {@code reach.pool.embedded.size}: each server is two hosts with their own
   * threads.
   */
  static final int MAX_EMBEDDED_SIZE = 16;

  /**
   * In-process AutoNAT v2 servers on loopback: they only prove loopback reachability, so they are
   * meant for a fresh machine and for tests, not for a deployment.
   *
   * @param enabled start them; unset means: only when {@code reach.pool.servers} is empty and
   *     discovery is off
   * @param size how many (each its own host and peer id)
   */
  public record Embedded(@Nullable Boolean enabled, @DefaultValue("3") int size) {

    public Embedded {
      if (size < 1 || size > MAX_EMBEDDED_SIZE) {
        throw new IllegalArgumentException(
            "reach.pool.embedded.size must be in [1, " + MAX_EMBEDDED_SIZE + "], was " + size);
      }
    }
  }

  public PoolProperties {
    servers = servers == null ? List.of() : List.copyOf(servers);
    for (int i = 0; i < servers.size(); i++) {
      server("reach.pool.servers[" + i + "]", servers.get(i));
    }
  }

  private static Multiaddr server(String setting, String value) {
    Multiaddr address;
    try {
      address = Multiaddr.fromString(value.trim());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(setting + ": " + e.getMessage());
    }
    if (address.peerId().isEmpty()) {
      throw new IllegalArgumentException(
          setting + " = \"" + value + "\": a server address must end in /p2p/<peer id>");
    }
    if (!address.hasDialableShape()) {
      throw new IllegalArgumentException(
          setting + " = \"" + value + "\": " + CheckRequestValidator.SERVER_SHAPES);
    }
    return address;
  }

  public List<Multiaddr> serverAddresses() {
    return servers.stream().map(String::trim).map(Multiaddr::fromString).toList();
  }

  /**
   * {@code reach.pool.embedded.enabled}, resolved: when unset, on exactly when no server is
   * configured and discovery is off.
   */
  public boolean embeddedEnabled() {
    Boolean enabled = embedded.enabled();
    return enabled != null ? enabled : servers.isEmpty() && !discovery.enabled();
  }
}
