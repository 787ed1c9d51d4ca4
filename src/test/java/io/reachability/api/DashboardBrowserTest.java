package io.reachability.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.reachability.libp2p.host.Host;
import io.reachability.testing.BrowserScript;
import io.reachability.testing.LoopbackHosts;
import io.reachability.testing.TcpRelay;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The built-in dashboard in a real browser (Debian's Chromium, headless, through playwright-core),
 * against the service as shipped with the embedded loopback pool: the listen address shows
 * REACHABLE; an announced address where nothing listens shows UNREACHABLE, then REACHABLE without a
 * reload once a port forward opens (the change arrives over the event stream); a submitted check
 * finishes on screen; a QUIC address where nothing listens, next to a reachable TCP one, is
 * diagnosed as UDP blocked; a bad field is shown; labels, keyboard, a phone's width; Swagger UI
 * under the same content security policy; no console errors. Screenshots in {@code
 * target/dashboard/}.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "reach.node.listen=" + LoopbackHosts.ANY_PORT,
      "reach.monitor.reprobe-interval=2s"
    })
class DashboardBrowserTest {

  private static final int FORWARD_PORT = LoopbackHosts.closedPort();
  private static final String ANNOUNCED = "/ip4/127.0.0.1/tcp/" + FORWARD_PORT;

  /** A QUIC address where nothing listens, on the IP whose TCP is reachable: UDP_BLOCKED. */
  private static final String ANNOUNCED_QUIC =
      "/ip4/127.0.0.1/udp/" + LoopbackHosts.closedUdpPort() + "/quic-v1";

  private static TcpRelay relay;

  @DynamicPropertySource
  static void announce(DynamicPropertyRegistry registry) {
    registry.add("reach.node.announce", () -> ANNOUNCED + "," + ANNOUNCED_QUIC);
  }

  @LocalServerPort int port;
  @Autowired Host node;

  @AfterAll
  static void closeRelay() throws IOException {
    if (relay != null) {
      relay.close();
    }
  }

  @Test
  void theDashboardShowsVerdictsLiveAndRunsChecks() throws Exception {
    String listen = node.listenAddresses().get(0).toString();
    int listenPort = node.listenAddresses().get(0).toTcpSocketAddress().orElseThrow().getPort();
    List<String> steps =
        BrowserScript.run(
            what -> {
              assertThat(what).isEqualTo("forward");
              relay = TcpRelay.open(FORWARD_PORT, listenPort);
            },
            "plain",
            "http://127.0.0.1:" + port,
            listen,
            ANNOUNCED,
            BrowserScript.OUT.toAbsolutePath().toString());
    assertThat(steps).hasSize(9);
    assertThat(BrowserScript.OUT.resolve("dashboard.png")).isNotEmptyFile();
  }
}
