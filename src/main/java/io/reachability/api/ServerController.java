package io.reachability.api;

import io.reachability.autonat.Reachability;
import io.reachability.autonat.ResponseStatus;
import io.reachability.libp2p.host.Host;
import io.reachability.pool.EmbeddedPool;
import io.reachability.pool.PoolServer;
import io.reachability.pool.ServerPool;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** The server pool with each server's state and counters. */
@RestController
class ServerController {

  /**
   * @param notice what the pool can prove; set when it includes the embedded loopback servers
   */
  record PoolView(@Nullable String notice, List<ServerView> servers) {}

  /**
   * @param connected the node has an open connection to the server now
   * @param speaksAutonatV2 what identify said; null until the server was identified
   * @param results checks by what they said about the address
   * @param responses checks by the server's response status
   * @param withoutResponse checks that got no response status
   */
  record ServerView(
      String address,
      String peerId,
      boolean embedded,
      boolean connected,
      @Nullable Boolean speaksAutonatV2,
      Map<Reachability, Long> results,
      Map<ResponseStatus, Long> responses,
      long withoutResponse) {}

  private final ServerPool pool;
  private final Host host;

  ServerController(ServerPool pool, Host host) {
    this.pool = pool;
    this.host = host;
  }

  @GetMapping("/api/v1/servers")
  PoolView servers() {
    List<ServerView> servers = pool.servers().stream().map(this::view).toList();
    return new PoolView(pool.hasEmbedded() ? EmbeddedPool.NOTICE : null, servers);
  }

  private ServerView view(PoolServer server) {
    PoolServer.Counters counters = server.counters();
    return new ServerView(
        server.address().toString(),
        server.peerId().toString(),
        server.embedded(),
        ServerPool.connected(host, server),
        server.speaksAutonatV2(),
        counters.byReachability(),
        counters.byResponseStatus(),
        counters.withoutResponse());
  }
}
