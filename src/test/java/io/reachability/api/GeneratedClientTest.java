package io.reachability.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import io.reachability.client.ApiClient;
import io.reachability.client.ApiException;
import io.reachability.client.api.ChecksApi;
import io.reachability.client.api.NodeApi;
import io.reachability.client.api.ServersApi;
import io.reachability.client.model.AddressResult;
import io.reachability.client.model.Attempt;
import io.reachability.client.model.CheckRequestBody;
import io.reachability.client.model.DialStatus;
import io.reachability.client.model.FieldError;
import io.reachability.client.model.Job;
import io.reachability.client.model.JobPage;
import io.reachability.client.model.JobState;
import io.reachability.client.model.Node;
import io.reachability.client.model.PoolServer;
import io.reachability.client.model.Problem;
import io.reachability.client.model.Reachability;
import io.reachability.client.model.ResponseStatus;
import io.reachability.client.model.ServerPool;
import io.reachability.client.model.ValidationProblem;
import io.reachability.libp2p.host.Host;
import io.reachability.testing.LoopbackHosts;
import io.reachability.testing.Waiting;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The Java client openapi-generator builds from the committed {@code openapi/openapi.yaml} (at
 * generate-test-sources, package {@code io.reachability.client}) drives the running service as a
 * user's generated client would: submit, poll, list, cancel, node, servers, errors. A contract the
 * service does not keep fails here on deserialisation or on the values.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = "reach.node.listen=" + LoopbackHosts.ANY_PORT)
class GeneratedClientTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  @LocalServerPort int port;
  @Autowired Host node;

  private ApiClient client;
  private ChecksApi checks;
  private NodeApi nodeApi;
  private ServersApi servers;

  @BeforeEach
  void client() {
    client = new ApiClient();
    client.updateBaseUri("http://127.0.0.1:" + port);
    checks = new ChecksApi(client);
    nodeApi = new NodeApi(client);
    servers = new ServersApi(client);
  }

  private <T> T read(String json, Class<T> type) {
    return read(client, json, type);
  }

  /** {@code json} read as the generated client reads an answer (a problem document, say). */
  static <T> T read(ApiClient client, String json, Class<T> type) {
    try {
      return client.getObjectMapper().readValue(json, type);
    } catch (IOException e) {
      throw new AssertionError("not a " + type.getSimpleName() + ": " + json, e);
    }
  }

  private Job await(UUID id) throws Exception {
    return Waiting.within(WAIT)
        .alias("job " + id + " finished")
        .until(
            () -> checks.getCheck(id),
            job -> job.getState() != JobState.QUEUED && job.getState() != JobState.RUNNING);
  }

  @Test
  void submitPollAndListTheNodesAddress() throws Exception {
    String address = node.listenAddresses().get(0).toString();

    Job accepted =
        checks.submitCheck(new CheckRequestBody().addresses(List.of(address)).confirmations(2));
    assertThat(accepted.getState()).isIn(JobState.QUEUED, JobState.RUNNING);
    assertThat(accepted.getRequest().getAddresses()).containsExactly(address);
    assertThat(accepted.getRequest().getConfirmations()).isEqualTo(2);

    Job done = await(accepted.getId());
    assertThat(done.getState()).isEqualTo(JobState.SUCCEEDED);
    assertThat(done.getStartedAt()).isNotNull();
    assertThat(done.getFinishedAt()).isAfterOrEqualTo(done.getStartedAt());
    assertThat(done.getError()).isNull();
    AddressResult result = done.getResults().get(0);
    assertThat(result.getAddress()).isEqualTo(address);
    assertThat(result.getVerdict()).isEqualTo(Reachability.REACHABLE);
    assertThat(result.getAttempts()).hasSize(2);
    for (Attempt attempt : result.getAttempts()) {
      assertThat(attempt.getReachability()).isEqualTo(Reachability.REACHABLE);
      assertThat(attempt.getResponseStatus()).isEqualTo(ResponseStatus.OK);
      assertThat(attempt.getDialStatus()).isEqualTo(DialStatus.OK);
      assertThat(attempt.getNonceVerified()).isTrue();
      assertThat(attempt.getDialBackAddress()).isEqualTo(address);
      assertThat(attempt.getError()).isNull();
    }

    JobPage succeeded = checks.listChecks(JobState.SUCCEEDED, 0, CheckController.MAX_PAGE_SIZE);
    assertThat(succeeded.getItems()).extracting(Job::getId).contains(done.getId());
    assertThat(succeeded.getTotal()).isGreaterThanOrEqualTo(1);
    assertThat(
            checks
                .listChecks(null, Integer.MAX_VALUE / CheckController.MAX_PAGE_SIZE, 1)
                .getItems())
        .isEmpty();

    // cancelling a finished job answers it unchanged
    assertThat(checks.cancelCheck(done.getId()).getState()).isEqualTo(JobState.SUCCEEDED);
  }

  @Test
  void aClosedPortIsUnreachable() throws Exception {
    int closed;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = socket.getLocalPort();
    }
    String address = "/ip4/127.0.0.1/tcp/" + closed;

    Job done =
        await(checks.submitCheck(new CheckRequestBody().addresses(List.of(address))).getId());

    AddressResult result = done.getResults().get(0);
    assertThat(result.getVerdict()).isEqualTo(Reachability.UNREACHABLE);
    assertThat(result.getWarnings()).isNotEmpty();
    assertThat(result.getAttempts())
        .allSatisfy(
            attempt -> assertThat(attempt.getDialStatus()).isEqualTo(DialStatus.E_DIAL_ERROR));
  }

  @Test
  void nodeAndServers() throws Exception {
    Node self = nodeApi.getNode();
    assertThat(self.getPeerId()).isEqualTo(node.peerId().toString());
    assertThat(self.getListenAddresses()).isNotEmpty();
    assertThat(self.getAgentVersion()).startsWith("reachability-service");

    ServerPool pool = servers.listServers();
    assertThat(pool.getNotice()).contains("loopback");
    assertThat(pool.getServers())
        .hasSize(3)
        .allSatisfy(server -> assertThat(server.getEmbedded()).isTrue());
    assertThat(pool.getServers())
        .extracting(PoolServer::getResults)
        .allSatisfy(
            counts -> assertThat(counts).containsKeys("REACHABLE", "UNREACHABLE", "UNKNOWN"));
  }

  @Test
  void errorsArriveAsTheDocumentedProblems() {
    assertThatExceptionOfType(ApiException.class)
        .isThrownBy(() -> checks.getCheck(new UUID(0, 0)))
        .satisfies(
            e -> {
              assertThat(e.getCode()).isEqualTo(404);
              assertThat(e.getResponseHeaders().firstValue("Content-Type"))
                  .hasValueSatisfying(
                      type -> assertThat(type).startsWith(ApiDocumentation.PROBLEM_JSON));
              Problem problem = read(e.getResponseBody(), Problem.class);
              assertThat(problem.getTitle()).isEqualTo("Check job not found");
              assertThat(problem.getStatus()).isEqualTo(404);
              assertThat(problem.getInstance()).isEqualTo("/api/v1/checks/" + new UUID(0, 0));
            });
    assertThatExceptionOfType(ApiException.class)
        .isThrownBy(
            () ->
                checks.submitCheck(
                    new CheckRequestBody().addresses(List.of("nope")).confirmations(0)))
        .satisfies(
            e -> {
              assertThat(e.getCode()).isEqualTo(400);
              ValidationProblem problem = read(e.getResponseBody(), ValidationProblem.class);
              assertThat(problem.getStatus()).isEqualTo(400);
              assertThat(problem.getErrors())
                  .extracting(FieldError::getField)
                  .containsExactly("addresses[0]", "confirmations");
              assertThat(problem.getErrors())
                  .extracting(FieldError::getValue)
                  .containsExactly("nope", "0");
            });
  }
}
