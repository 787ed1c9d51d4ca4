package io.reachability.job;

import io.reachability.libp2p.core.Multiaddr;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A validated check request (see {@link CheckRequestValidator} for turning user input into one).
 *
 * @param addresses the node's addresses to check; empty means the node's candidate addresses at the
 *     time the job runs (listen + announce)
 * @param servers the servers to ask, each ending in {@code /p2p/<peer id>}; empty means the pool
 * @param confirmations distinct servers per address; null means {@link
 *     JobSettings#DEFAULT_CONFIRMATIONS}
 * @param timeout bound on the whole job; null means {@link JobSettings#defaultTimeout()}
 * @param maxDialDataBytes most dial data paid per check; null means the client's cap
 */
public record CheckRequest(
    List<Multiaddr> addresses,
    List<Multiaddr> servers,
    @Nullable Integer confirmations,
    @Nullable Duration timeout,
    @Nullable Integer maxDialDataBytes) {

  public CheckRequest {
    addresses = List.copyOf(Objects.requireNonNull(addresses, "addresses"));
    servers = List.copyOf(Objects.requireNonNull(servers, "servers"));
    if (confirmations != null && confirmations < 1) {
      throw new IllegalArgumentException("confirmations must be at least 1, was " + confirmations);
    }
    if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
      throw new IllegalArgumentException("timeout must be positive, was " + timeout);
    }
    if (maxDialDataBytes != null && maxDialDataBytes < 0) {
      throw new IllegalArgumentException(
          "maxDialDataBytes must not be negative, was " + maxDialDataBytes);
    }
  }

  /** The node's candidate addresses, the pool, and every default. */
  public static CheckRequest defaults() {
    return new CheckRequest(List.of(), List.of(), null, null, null);
  }

  public static CheckRequest of(List<Multiaddr> addresses) {
    return new CheckRequest(addresses, List.of(), null, null, null);
  }

  public CheckRequest withConfirmations(int value) {
    return new CheckRequest(addresses, servers, value, timeout, maxDialDataBytes);
  }

  public CheckRequest withTimeout(Duration value) {
    return new CheckRequest(addresses, servers, confirmations, value, maxDialDataBytes);
  }

  public CheckRequest withServers(List<Multiaddr> value) {
    return new CheckRequest(addresses, value, confirmations, timeout, maxDialDataBytes);
  }
}
