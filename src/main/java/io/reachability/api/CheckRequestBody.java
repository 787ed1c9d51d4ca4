package io.reachability.api;

import io.reachability.job.CheckRequestValidator;
import io.reachability.job.CheckSubmission;
import io.reachability.job.JobSettings;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * {@code POST /api/v1/checks}: every field optional.
 *
 * @param addresses the node's addresses to check (at most 50); none = its candidate addresses
 * @param servers AutoNAT v2 servers to ask, each ending in {@code /p2p/<peer id>}; none = the pool
 * @param confirmations distinct servers per address (default 3, fewer when there are fewer servers)
 * @param timeoutSeconds bound on the whole job; none = {@code reach.jobs.default-timeout} (default
 *     60 s)
 * @param maxDialDataBytes most dial data paid per check (at most {@code
 *     reach.client.max-dial-data-bytes})
 */
@Schema(
    description =
        """
        A check request; every field is optional and `null` means absent. The JSON types are strict:
        an integer field takes a JSON integer only (`1.5`, `2.0`, `"3"` or `true` is a 400 naming the
        field). Validation beyond the JSON types is done by the service and reported as field errors
        (400).\
        """)
public record CheckRequestBody(
    @ArraySchema(
            maxItems = CheckRequestValidator.MAX_ADDRESSES,
            arraySchema =
                @Schema(
                    description =
                        """
                        The node's addresses to check, at most 50; absent or empty = the node's
                        candidate addresses (listen + announce) when the job runs. Each must be a TCP
                        multiaddr over ip4/ip6 (`/ip4|ip6/<address>/tcp/<port>`), not relayed
                        (`/p2p-circuit`), dialable (not port 0, not an unspecified, multicast or
                        broadcast IP, no `/ip6zone`), and may end in `/p2p/<the node's own peer id>`
                        (dropped), never another peer's. Its IP must be the node's own (one it
                        listens on, announces or was observed at, or one of its machine's), unless
                        `reach.access.allow-any-address` is set. Duplicates are checked once. Field
                        errors name the item (`addresses[2]`); more than 50 gives one error on
                        `addresses`.\
                        """),
            schema =
                @Schema(
                    description = "A multiaddr (surrounding whitespace is trimmed).",
                    example = "/ip4/127.0.0.1/tcp/4001"))
        @Nullable List<String> addresses,
    @ArraySchema(
            maxItems = CheckRequestValidator.MAX_SERVERS,
            arraySchema =
                @Schema(
                    description =
                        """
                        AutoNAT v2 servers to ask instead of the pool, at most 50; absent or empty =
                        the pool. Each must be `/ip4|ip6|dns|dns4|dns6/<address or name>/tcp/<port>`
                        or `…/udp/<port>/quic-v1`, or `/dnsaddr/<domain>`, ending in
                        `/p2p/<peer id>`; not the node itself, and one of the pool's servers exactly
                        as `GET /api/v1/servers` lists it, unless `reach.access.allow-any-server` is
                        set (then also others at public addresses: a DNS name is resolved on
                        submission, must resolve to a public address, and that address is asked).
                        Duplicates are asked once.\
                        """),
            schema = @Schema(description = "A server multiaddr ending in `/p2p/<peer id>`."))
        @Nullable List<String> servers,
    @Schema(
            description =
                "Distinct servers per address. Absent = 3; fewer are used when fewer servers are"
                    + " available.",
            minimum = "1",
            maximum = "" + JobSettings.MAX_CONFIRMATIONS)
        @Nullable Integer confirmations,
    @Schema(
            description =
                "Bound on the whole job, in seconds. Absent = the setting"
                    + " `reach.jobs.default-timeout` (default 60 s).",
            minimum = "1",
            maximum = "" + JobSettings.MAX_TIMEOUT_SECONDS)
        @Nullable Integer timeoutSeconds,
    @Schema(
            description =
                """
                Most dial data paid to a server per check. At most the service's
                `reach.client.max-dial-data-bytes` (default 100000); a request may lower it, not raise
                it. Absent = that setting.\
                """,
            minimum = "0")
        @Nullable Integer maxDialDataBytes) {

  CheckSubmission toSubmission() {
    return new CheckSubmission(addresses, servers, confirmations, timeoutSeconds, maxDialDataBytes);
  }
}
