package io.reachability.job;

import io.reachability.autonat.AutonatClient;
import io.reachability.autonat.CheckOptions;
import io.reachability.autonat.CheckResult;
import io.reachability.libp2p.core.Multiaddr;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** One AutoNAT v2 check of one address by one server; {@link AutonatClient} in production. */
@FunctionalInterface
public interface AddressChecker {

  CompletableFuture<CheckResult> check(Multiaddr server, Multiaddr address, CheckOptions options);

  /** One DialRequest per check, carrying just the address under test. */
  static AddressChecker of(AutonatClient client) {
    return (server, address, options) -> client.check(server, List.of(address), options);
  }
}
