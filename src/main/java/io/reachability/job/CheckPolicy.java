package io.reachability.job;

import io.reachability.libp2p.core.Multiaddr;
import java.net.InetAddress;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What a check request may name, so that the service cannot be used to make servers dial third
 * parties nor the node dial arbitrary hosts: by default servers from the pool only and addresses of
 * this node only.
 *
 * @param servers which servers a request may name
 * @param anyAddress addresses need not be the node's own (labs: servers then dial whatever a caller
 *     names)
 * @param pool the pool's servers now, each ending in {@code /p2p/<peer id>}
 * @param nodeIps the node's IPs now: of the addresses it listens on, announces or was observed at,
 *     and of this machine's interfaces (read once per request)
 */
public record CheckPolicy(
    ServerRule servers,
    boolean anyAddress,
    Supplier<? extends Collection<Multiaddr>> pool,
    Supplier<? extends Set<InetAddress>> nodeIps) {

  /** Which servers a request may name. */
  public enum ServerRule {
    /** Servers of the pool only, by their exact address. */
    POOL,
    /** The pool's, and others at public addresses. */
    POOL_OR_PUBLIC,
    /** Any server (in-process use and tests: no caller from outside). */
    ANY
  }

  public CheckPolicy {
    Objects.requireNonNull(servers, "servers");
    Objects.requireNonNull(pool, "pool");
    Objects.requireNonNull(nodeIps, "nodeIps");
  }

  /** No restriction: for in-process callers, who can dial whatever they like anyway. */
  public static final CheckPolicy UNRESTRICTED =
      new CheckPolicy(ServerRule.ANY, true, List::of, Set::of);
}
