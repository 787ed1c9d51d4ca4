package io.reachability.api;

import io.reachability.autonat.Reachability;
import io.reachability.autonat.ResponseStatus;
import io.reachability.libp2p.host.Host;
import io.reachability.pool.EmbeddedPool;
import io.reachability.pool.PoolServer;
import io.reachability.pool.ServerDiscovery;
import io.reachability.pool.ServerPool;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** The server pool with each server's state and counters. */
@RestController
@Tag(name = ApiDocumentation.TAG_SERVERS)
class ServerController {

  /**
   * @param notice what the pool can prove; set when it includes the embedded loopback servers
   */
  @Schema(name = "ServerPool", description = "The AutoNAT v2 server pool.")
  record PoolView(
      @Schema(
              description =
                  """
                  What the pool can prove; set when it includes the embedded loopback servers, null
                  otherwise.\
                  """,
              example = EmbeddedPool.NOTICE)
          @Nullable String notice,
      @Schema(
              description =
                  """
                  Server discovery on the DHT (`reach.pool.discovery.enabled`); null when it is
                  off.\
                  """)
          @Nullable DiscoveryView discovery,
      List<ServerView> servers) {}

  @Schema(name = "ServerDiscovery", description = "What server discovery on the DHT has done.")
  record DiscoveryView(
      @Schema(description = "Discovered servers in the pool now.") int servers,
      @Schema(
              description =
                  "Discovered servers the pool keeps (`reach.pool.discovery.target-servers`).")
          int target,
      @Schema(description = "DHT nodes known to ask (bootstrap peers and DHT servers met).")
          int dhtNodes,
      @Schema(description = "Peers heard of and waiting to be vetted.") int candidates,
      @Schema(description = "Peers dialed so far (DHT queries and vetting).") long contacts,
      @Schema(description = "FIND_NODE queries sent.") long queries,
      @Schema(description = "Peers dialed and identified to see whether they serve AutoNAT v2.")
          long vetted,
      @Schema(description = "Servers added to the pool.") long admitted,
      @Schema(description = "Discovered servers dropped for failing or not serving AutoNAT v2.")
          long replaced) {}

  /**
   * @param connected the node has an open connection to the server now
   * @param speaksAutonatV2 what identify said; null until the server was identified
   * @param results checks by what they said about the address
   * @param responses checks by the server's response status
   * @param withoutResponse checks that got no response status
   */
  @Schema(name = "PoolServer", description = "One server of the pool with its state and counters.")
  record ServerView(
      @Schema(description = "The server's multiaddr, ending in `/p2p/<peer id>`.") String address,
      String peerId,
      @Schema(description = "One of the in-process loopback servers.") boolean embedded,
      @Schema(
              description =
                  "Where the server came from: `CONFIGURED` (`reach.pool.servers`), `EMBEDDED`,"
                      + " `DISCOVERED` (found on the DHT).")
          PoolServer.Source source,
      @Schema(description = "For a discovered server, the DHT peer that named it; null otherwise.")
          @Nullable String foundVia,
      @Schema(description = "The node has an open connection to the server now.") boolean connected,
      @Schema(description = "What identify said; null until the server was identified.")
          @Nullable Boolean speaksAutonatV2,
      @Schema(
              description =
                  "Checks sent to this server, by what they said about the address (every"
                      + " `Reachability` always a key).")
          Map<Reachability, Long> results,
      @Schema(
              description =
                  "Checks by the server's response status (every `ResponseStatus` always a key).")
          Map<ResponseStatus, Long> responses,
      @Schema(
              description =
                  "Checks that got no response status (server not reached, stream reset, timeout,"
                      + " unknown status code).")
          long withoutResponse) {}

  private final ServerPool pool;
  private final Host host;
  private final @Nullable ServerDiscovery discovery;

  ServerController(ServerPool pool, Host host, ObjectProvider<ServerDiscovery> discovery) {
    this.pool = pool;
    this.host = host;
    this.discovery = discovery.getIfAvailable();
  }

  @GetMapping(path = "/api/v1/servers", produces = MediaType.APPLICATION_JSON_VALUE)
  @Operation(
      operationId = "listServers",
      summary = "The server pool",
      description = "Every AutoNAT v2 server of the pool, with its state and counters.")
  PoolView servers() {
    List<ServerView> servers = pool.servers().stream().map(this::view).toList();
    ServerDiscovery.Status status = discovery == null ? null : discovery.status();
    DiscoveryView view =
        status == null
            ? null
            : new DiscoveryView(
                status.servers(),
                status.target(),
                status.dhtNodes(),
                status.candidates(),
                status.contacts(),
                status.queries(),
                status.vetted(),
                status.admitted(),
                status.replaced());
    return new PoolView(pool.hasEmbedded() ? EmbeddedPool.NOTICE : null, view, servers);
  }

  private ServerView view(PoolServer server) {
    PoolServer.Counters counters = server.counters();
    return new ServerView(
        server.address().toString(),
        server.peerId().toString(),
        server.embedded(),
        server.source(),
        server.foundVia(),
        ServerPool.connected(host, server),
        server.speaksAutonatV2(),
        counters.byReachability(),
        counters.byResponseStatus(),
        counters.withoutResponse());
  }
}
