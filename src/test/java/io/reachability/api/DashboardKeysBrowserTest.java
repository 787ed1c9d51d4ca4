package io.reachability.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.reachability.libp2p.host.Host;
import io.reachability.testing.BrowserScript;
import io.reachability.testing.LoopbackHosts;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The dashboard when every read needs an API key: it asks for one, refuses a wrong one, keeps the
 * right one in the tab's session storage only (not local storage, no cookie), survives a reload, is
 * asked for again in another session and forgets it on request.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "reach.node.listen=" + LoopbackHosts.ANY_PORT,
      "reach.access.protect-reads=true",
      "reach.access.keys[0].name=dashboard",
      "reach.access.keys[0].secret=" + DashboardKeysBrowserTest.SECRET
    })
class DashboardKeysBrowserTest {

  static final String SECRET = "dashboard-secret-0123456789";

  @LocalServerPort int port;
  @Autowired Host node;

  @Test
  void theDashboardAsksForAKeyAndKeepsItForTheSessionOnly() throws Exception {
    List<String> steps =
        BrowserScript.run(
            what -> {
              throw new AssertionError("nothing to do midway, asked " + what);
            },
            "keys",
            "http://127.0.0.1:" + port,
            node.listenAddresses().get(0).toString(),
            "-",
            BrowserScript.OUT.toAbsolutePath().toString(),
            SECRET);
    assertThat(steps).hasSize(6);
  }
}
