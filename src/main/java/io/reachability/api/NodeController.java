package io.reachability.api;

import io.reachability.job.JobService;
import io.reachability.libp2p.host.Host;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** The embedded node: who it is and where it can be reached. */
@RestController
class NodeController {

  /**
   * @param listenAddresses where the node listens (real ports)
   * @param announceAddresses extra candidate addresses ({@code reach.node.announce})
   */
  record NodeView(String peerId, List<String> listenAddresses, List<String> announceAddresses, String agentVersion) {}

  private final Host host;
  private final JobService jobs;

  NodeController(Host host, JobService jobs) {
    this.host = host;
    this.jobs = jobs;
  }

  @GetMapping("/api/v1/node")
  NodeView node() {
    return new NodeView(
        host.peerId().toString(),
        JobView.text(host.listenAddresses()),
        JobView.text(jobs.nodeAddresses().announce()),
        host.settings().agentVersion());
  }
}
