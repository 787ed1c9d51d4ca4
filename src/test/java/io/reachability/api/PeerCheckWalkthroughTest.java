package io.reachability.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.reachability.testing.LoopbackHosts;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Runs the README's peer-check walkthrough (the block after {@value #MARKER}) against the service
 * started as the README says, with the lab switch on: a peer check of its own embedded server.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "reach.node.listen=" + LoopbackHosts.ANY_PORT,
      "reach.peer-checks.allow-private-addresses=true"
    })
class PeerCheckWalkthroughTest {

  static final String MARKER = "<!-- peer-check walkthrough -->";

  @LocalServerPort int port;

  @Test
  void thePeerCheckWalkthroughWorksAsWritten() throws Exception {
    String output = ReadmeWalkthroughTest.run(MARKER, port);
    assertThat(output)
        .startsWith("/api/v1/peer-checks/")
        .contains("\"state\":\"SUCCEEDED\"")
        .contains("\"verdict\":\"REACHABLE\"")
        .contains("\"servesAutonatV2\":true")
        .contains("\"source\":\"REQUEST\"")
        .contains("\"securityProtocol\":\"/noise\"")
        .contains("\"muxer\":\"/yamux/1.0.0\"")
        .contains("reach_peer_checks_finished_total{state=\"SUCCEEDED\",verdict=\"REACHABLE\"}");
  }
}
