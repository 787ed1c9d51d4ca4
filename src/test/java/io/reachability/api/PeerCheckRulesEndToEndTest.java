package io.reachability.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import io.reachability.testing.LoopbackDnsServer;
import io.reachability.testing.LoopbackHosts;
import io.reachability.testing.ServiceApi;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The service as shipped (public targets only) refusing what it must not dial: a loopback address,
 * and a DNS name that resolves to loopback (judged after resolution, by a name server on loopback);
 * and one requester asking too often (counted before validation).
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "reach.node.listen=" + LoopbackHosts.ANY_PORT,
      "reach.peer-checks.per-requester-per-minute=" + PeerCheckRulesEndToEndTest.PER_REQUESTER
    })
@DirtiesContext // its name server stops after the class
class PeerCheckRulesEndToEndTest {

  static final int PER_REQUESTER = 3;
  private static final String PEER = "12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN";

  private static LoopbackDnsServer dns;

  @BeforeAll
  static void start() {
    dns = new LoopbackDnsServer().address("sneaky.test", "127.0.0.1");
  }

  @DynamicPropertySource
  static void nameServer(DynamicPropertyRegistry registry) {
    registry.add("reach.node.dns.servers", () -> "127.0.0.1:" + dns.address().getPort());
  }

  @AfterAll
  static void stop() {
    dns.close();
  }

  @LocalServerPort int port;

  @Test
  void privateTargetsAndNamesPointingAtThemAreRefusedThenTheRequesterIsSlowedDown()
      throws Exception {
    ServiceApi api = new ServiceApi(port);
    HttpResponse<String> loopback =
        api.post("/api/v1/peer-checks", "{\"peer\":\"/ip4/127.0.0.1/tcp/4001/p2p/" + PEER + "\"}");
    assertThat(loopback.statusCode()).as(loopback.body()).isEqualTo(400);
    assertThat(JsonPath.parse(loopback.body()).read("$.errors[0].reason", String.class))
        .startsWith("a loopback (127.0.0.0/8) address")
        .contains("reach.peer-checks.allow-private-addresses");

    HttpResponse<String> named =
        api.post(
            "/api/v1/peer-checks",
            "{\"peer\":\"" + PEER + "\",\"addresses\":[\"/dns4/sneaky.test/tcp/4001\"]}");
    assertThat(named.statusCode()).as(named.body()).isEqualTo(400);
    DocumentContext problem = JsonPath.parse(named.body());
    assertThat(problem.read("$.errors[0].field", String.class)).isEqualTo("addresses[0]");
    assertThat(problem.read("$.errors[0].reason", String.class))
        .startsWith("resolves to [/ip4/127.0.0.1/tcp/4001]")
        .contains("loopback (127.0.0.0/8)");
    assertThat(dns.queries()).isPositive();

    // two requests so far; the third is still answered, the fourth is over the rate
    assertThat(api.post("/api/v1/peer-checks", "{}").statusCode()).isEqualTo(400);
    HttpResponse<String> slowed = api.post("/api/v1/peer-checks", "{}");
    assertThat(slowed.statusCode()).as(slowed.body()).isEqualTo(429);
    assertThat(slowed.headers().firstValue("Retry-After")).isPresent();
    assertThat(JsonPath.parse(slowed.body()).read("$.detail", String.class))
        .contains("reach.peer-checks.per-requester-per-minute");
    assertThat(api.get("/api/v1/peer-checks").statusCode()).isEqualTo(200); // reads are not counted
  }
}
