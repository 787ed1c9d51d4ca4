package io.reachability.config;

import io.reachability.job.CheckRequestValidator;
import io.reachability.libp2p.core.Multiaddr;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The AutoNAT v2 servers check jobs are sent to ({@code reach.pool.*}).
 *
 * @param servers real servers, each a multiaddr ending in {@code /p2p/<peer id>}
 * @param embedded the in-process loopback pool
 */
@ConfigurationProperties("reach.pool")
public record PoolProperties(@DefaultValue List<String> servers, @DefaultValue Embedded embedded) {

  /**
   * Upper bound of {@code reach.pool.embedded.size}: each server is two hosts with their own
   * threads.
   */
  static final int MAX_EMBEDDED_SIZE = 16;

  /**
   * In-process AutoNAT v2 servers on loopback: they only prove loopback reachability, so they are
   * meant for a fresh machine and for tests, not for a deployment.
   *
   * @param enabled start them; unset means: only when {@code reach.pool.servers} is empty
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
   * configured.
   */
  public boolean embeddedEnabled() {
    Boolean enabled = embedded.enabled();
    return enabled != null ? enabled : servers.isEmpty();
  }
}
