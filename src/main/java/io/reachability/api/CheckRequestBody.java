package io.reachability.api;

import io.reachability.job.CheckSubmission;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * {@code POST /api/v1/checks}: every field optional.
 *
 * @param addresses the node's addresses to check (at most 50); none = its candidate addresses
 * @param servers AutoNAT v2 servers to ask, each ending in {@code /p2p/<peer id>}; none = the pool
 * @param confirmations distinct servers per address (default 3, fewer when there are fewer servers)
 * @param timeoutSeconds bound on the whole job; none = {@code reach.jobs.default-timeout} (default 60 s)
 * @param maxDialDataBytes most dial data paid per check (at most {@code reach.client.max-dial-data-bytes})
 */
public record CheckRequestBody(
    @Nullable List<String> addresses,
    @Nullable List<String> servers,
    @Nullable Integer confirmations,
    @Nullable Integer timeoutSeconds,
    @Nullable Integer maxDialDataBytes) {

  CheckSubmission toSubmission() {
    return new CheckSubmission(addresses, servers, confirmations, timeoutSeconds, maxDialDataBytes);
  }
}
