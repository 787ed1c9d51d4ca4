package io.reachability.api;

import io.reachability.job.JobService;
import io.reachability.libp2p.host.Host;
import io.reachability.monitor.ReachabilityMonitor;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** The embedded node: who it is and where it can be reached. */
@RestController
@Tag(name = ApiDocumentation.TAG_NODE)
class NodeController {

  /**
   * @param listenAddresses where the node listens (real ports)
   * @param announceAddresses extra candidate addresses ({@code reach.node.announce})
   */
  @Schema(name = "Node", description = "The embedded libp2p node.")
  record NodeView(
      @Schema(example = "12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA") String peerId,
      @Schema(description = "Where the node listens (real ports), as multiaddrs.")
          List<String> listenAddresses,
      @Schema(description = "Extra candidate addresses (`reach.node.announce`), as multiaddrs.")
          List<String> announceAddresses,
      @Schema(
              description =
                  "The identify agent version (`reachability-service`, `/<version>` when build info"
                      + " is present).",
              example = "reachability-service/0.1.0-SNAPSHOT")
          String agentVersion,
      @Schema(
              description =
                  "Addresses the reachability monitor found REACHABLE, as multiaddrs (empty while"
                      + " the monitor is off).")
          List<String> confirmedAddresses,
      @Schema(
              description =
                  """
                  What identify announces to peers now: confirmed addresses first, never one the
                  monitor found UNREACHABLE.\
                  """)
          List<String> advertisedAddresses) {}

  private final Host host;
  private final JobService jobs;
  private final @Nullable ReachabilityMonitor monitor;

  NodeController(Host host, JobService jobs, ObjectProvider<ReachabilityMonitor> monitor) {
    this.host = host;
    this.jobs = jobs;
    this.monitor = monitor.getIfAvailable();
  }

  @GetMapping(path = "/api/v1/node", produces = MediaType.APPLICATION_JSON_VALUE)
  @Operation(
      operationId = "getNode",
      summary = "The embedded node",
      description = "Who the node is and where it can be reached.")
  NodeView node() {
    return new NodeView(
        host.peerId().toString(),
        JobView.text(host.listenAddresses()),
        JobView.text(jobs.nodeAddresses().announce()),
        host.settings().agentVersion(),
        monitor == null ? List.of() : JobView.text(monitor.confirmedAddresses()),
        JobView.text(host.advertisedAddresses()));
  }
}
