package io.reachability.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import io.reachability.client.ApiClient;
import io.reachability.client.ApiException;
import io.reachability.client.api.PeerChecksApi;
import io.reachability.client.api.ServersApi;
import io.reachability.client.model.AddressSource;
import io.reachability.client.model.AddressVerdict;
import io.reachability.client.model.FieldError;
import io.reachability.client.model.JobState;
import io.reachability.client.model.PeerAddress;
import io.reachability.client.model.PeerCheck;
import io.reachability.client.model.PeerCheckPage;
import io.reachability.client.model.PeerCheckRequestBody;
import io.reachability.client.model.PeerVerdict;
import io.reachability.client.model.Problem;
import io.reachability.client.model.ValidationProblem;
import io.reachability.testing.LoopbackHosts;
import io.reachability.testing.Waiting;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The generated Java client (from the committed {@code openapi/openapi.yaml}) driving peer checks:
 * one of the service's own embedded servers checked (the lab switch on, they are on loopback),
 * listed, and the documented errors.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "reach.node.listen=" + LoopbackHosts.ANY_PORT,
      "reach.peer-checks.allow-private-addresses=true"
    })
class GeneratedPeerCheckClientTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  @LocalServerPort int port;

  private ApiClient client;
  private PeerChecksApi peerChecks;
  private ServersApi servers;

  @BeforeEach
  void client() {
    client = new ApiClient();
    client.updateBaseUri("http://127.0.0.1:" + port);
    peerChecks = new PeerChecksApi(client);
    servers = new ServersApi(client);
  }

  private <T> T read(String json, Class<T> type) {
    return GeneratedClientTest.read(client, json, type);
  }

  @Test
  void anEmbeddedServerIsReachableAndServesAutonatV2() throws Exception {
    String server = servers.listServers().getServers().get(0).getAddress();

    PeerCheck accepted = peerChecks.submitPeerCheck(new PeerCheckRequestBody().peer(server));
    assertThat(accepted.getState()).isIn(JobState.QUEUED, JobState.RUNNING);
    assertThat(accepted.getLookedUp()).isFalse();
    PeerCheck done =
        Waiting.within(WAIT)
            .alias("peer check finished")
            .until(
                () -> peerChecks.getPeerCheck(accepted.getId()),
                check ->
                    check.getState() != JobState.QUEUED && check.getState() != JobState.RUNNING);

    assertThat(done.getState()).isEqualTo(JobState.SUCCEEDED);
    assertThat(done.getVerdict()).isEqualTo(PeerVerdict.REACHABLE);
    assertThat(done.getServesAutonatV2()).isTrue();
    assertThat(done.getAgentVersion()).startsWith("reachability-service");
    assertThat(server).endsWith("/p2p/" + done.getPeer());
    PeerAddress address = done.getAddresses().get(0);
    assertThat(address.getSource()).isEqualTo(AddressSource.REQUEST);
    assertThat(address.getVerdict()).isEqualTo(AddressVerdict.REACHABLE);
    assertThat(address.getTransport().getValue()).isEqualTo("tcp");
    assertThat(address.getConnectTimeMs()).isNotNull();
    assertThat(address.getPingRttMs()).isNotNull();
    assertThat(address.getSkipped()).isNull();
    assertThat(address.getError()).isNull();
    assertThat(address.getProtocols()).contains("/libp2p/autonat/2/dial-request");

    PeerCheckPage page = peerChecks.listPeerChecks(JobState.SUCCEEDED, 0, 10);
    assertThat(page.getItems()).extracting(PeerCheck::getId).contains(done.getId());
    assertThat(peerChecks.cancelPeerCheck(done.getId()).getState()).isEqualTo(JobState.SUCCEEDED);
  }

  @Test
  void errorsArriveAsTheDocumentedProblems() {
    assertThatExceptionOfType(ApiException.class)
        .isThrownBy(() -> peerChecks.getPeerCheck(new UUID(0, 0)))
        .satisfies(
            e -> {
              assertThat(e.getCode()).isEqualTo(404);
              assertThat(read(e.getResponseBody(), Problem.class).getTitle())
                  .isEqualTo("Peer check not found");
            });
    assertThatExceptionOfType(ApiException.class)
        .isThrownBy(
            () ->
                peerChecks.submitPeerCheck(
                    new PeerCheckRequestBody()
                        .peer("nope")
                        .addresses(List.of("/ip4/127.0.0.1/tcp/1/ws"))
                        .timeoutSeconds(0)))
        .satisfies(
            e -> {
              assertThat(e.getCode()).isEqualTo(400);
              ValidationProblem problem = read(e.getResponseBody(), ValidationProblem.class);
              assertThat(problem.getErrors())
                  .extracting(FieldError::getField)
                  .containsExactly("peer", "addresses[0]", "timeoutSeconds");
            });
  }
}
