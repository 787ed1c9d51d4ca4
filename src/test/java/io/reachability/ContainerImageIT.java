package io.reachability;

import static io.reachability.testing.Namespaced.run;
import static io.reachability.testing.Namespaced.runQuietly;
import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import io.reachability.testing.LoopbackHosts;
import io.reachability.testing.Namespaced;
import io.reachability.testing.Namespaced.Result;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The container image, built and run as an operator would, with rootful Podman and no registry:
 * {@code src/test/container/base-image.sh} makes the base image from Debian's packages, {@code
 * docker/Dockerfile.packaged} adds the jar {@code package} built. The container runs on the host's
 * network (loopback only: the embedded pool), as the unprivileged user of the Dockerfile, keeps its
 * peer id in its volume for the next container, serves the dashboard and answers a check REACHABLE.
 * Needs root with {@code podman}, {@code runc} and {@code debootstrap}; skipped with the reason
 * elsewhere, unless {@value #REQUIRED_ENV}{@code =required} (as {@code .ci/run} sets it).
 */
class ContainerImageIT {

  static final String REQUIRED_ENV = "CONTAINER_TEST";
  static final String IMAGE = "localhost/reachability-service:it";

  /** What {@code base-image.sh} makes: Debian's JRE 17 under a name of its own. */
  static final String BASE = "localhost/reach-test/jre-base:17";

  /** The node's identity lives here, as a volume would keep it in production. */
  static final String VOLUME = "reach-it-identity";

  static final Duration BUILD_TIMEOUT = Duration.ofMinutes(10);
  static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  static final Duration JOB_TIMEOUT = Duration.ofSeconds(30);
  static final long POLL_MILLIS = 200;

  /** Bound on a podman command other than the build. */
  static final Duration PODMAN_TIMEOUT = Duration.ofSeconds(60);

  /** Seconds a container gets to stop before it is killed. */
  static final String STOP_SECONDS = "5";

  /** runc (crun cannot run on these hosts' hybrid cgroups) and limits within the host's. */
  static final String CONTAINERS_CONF =
      """
      [containers]
      default_ulimits = ["nofile=16384:16384", "nproc=16384:16384"]
      [engine]
      runtime = "runc"
      """;

  private static @Nullable String container;
  private static int httpPort;
  private static int libp2pPort;
  private static Path conf;
  private static String api;
  private static final HttpClient http = HttpClient.newHttpClient();

  private static Result podman(Duration timeout, String... arguments) throws Exception {
    List<String> command = new ArrayList<>(List.of("env", "CONTAINERS_CONF=" + conf, "podman"));
    command.addAll(List.of(arguments));
    return run(timeout, command.toArray(String[]::new));
  }

  private static @Nullable String missing() {
    List<String> missing = new ArrayList<>();
    if (!"0".equals(runQuietly("id", "-u").stdout().strip())) {
      missing.add("root (rootful Podman)");
    }
    for (String tool : List.of("podman", "runc", "debootstrap")) {
      if (runQuietly("sh", "-c", "command -v " + tool).exit() != 0) {
        missing.add(tool);
      }
    }
    return missing.isEmpty() ? null : String.join(", ", missing);
  }

  @BeforeAll
  static void buildAndStart() throws Exception {
    String missing = missing();
    if (missing != null) {
      String reason = "the container image test needs " + missing;
      if ("required".equals(System.getenv(REQUIRED_ENV))) {
        throw new AssertionError(reason + " (" + REQUIRED_ENV + "=required)");
      }
      Assumptions.abort(reason);
    }
    conf = Files.createTempFile("containers", ".conf");
    Files.writeString(conf, CONTAINERS_CONF);

    Result base =
        run(
            BUILD_TIMEOUT,
            "env",
            "CONTAINERS_CONF=" + conf,
            "bash",
            "src/test/container/base-image.sh");
    assertThat(base.exit()).as("base image: " + base.stdout() + base.stderr()).isZero();
    Path jar = Namespaced.packagedJar();
    Result built =
        podman(
            BUILD_TIMEOUT,
            "build",
            "--pull=never",
            "-q",
            "--build-arg",
            "BASE=" + BASE,
            "--build-arg",
            "JAR=target/" + jar.getFileName(),
            "-f",
            "docker/Dockerfile.packaged",
            "-t",
            IMAGE,
            ".");
    assertThat(built.exit()).as("image build: " + built.stderr()).isZero();

    httpPort = LoopbackHosts.closedPort();
    libp2pPort = LoopbackHosts.closedPort();
    api = "http://127.0.0.1:" + httpPort;
    startContainer();
  }

  /** A container of the image on the host's network, its identity in {@link #VOLUME}. */
  private static void startContainer() throws Exception {
    Result started =
        podman(
            PODMAN_TIMEOUT,
            "run",
            "-d",
            "--network",
            "host",
            "-e",
            "SERVER_ADDRESS=127.0.0.1",
            "-e",
            "SERVER_PORT=" + httpPort,
            "-e",
            "REACH_NODE_LISTEN=/ip4/127.0.0.1/tcp/" + libp2pPort,
            "-v",
            VOLUME + ":/var/lib/reach",
            IMAGE);
    assertThat(started.exit()).as("podman run: " + started.stderr()).isZero();
    container = started.stdout().strip();
    awaitReady();
  }

  private static void awaitReady() throws Exception {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (true) {
      try {
        if (get("/actuator/health/readiness").statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "the container was not ready within " + START_TIMEOUT + ":\n" + logs());
      }
      Thread.sleep(POLL_MILLIS);
    }
  }

  @AfterAll
  static void removeContainer() throws Exception {
    if (container != null) {
      podman(PODMAN_TIMEOUT, "rm", "-f", "-t", STOP_SECONDS, container);
    }
    if (conf != null) {
      podman(PODMAN_TIMEOUT, "volume", "rm", "--force", VOLUME);
      podman(PODMAN_TIMEOUT, "rmi", "--ignore", IMAGE);
      Files.deleteIfExists(conf);
    }
  }

  private static String logs() throws Exception {
    return container == null ? "" : podman(PODMAN_TIMEOUT, "logs", container).stdout();
  }

  private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create(api + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theImageRunsUnprivilegedKeepsItsIdentityAndAnswersACheck() throws Exception {
    // the Dockerfile's user, and the identity in the directory meant for a volume
    Result user = podman(PODMAN_TIMEOUT, "exec", container, "id", "-u");
    assertThat(user.stdout().strip()).isEqualTo("10001");
    String peerId = JsonPath.parse(get("/api/v1/node").body()).read("$.peerId", String.class);
    // a new container of the image with the same volume: the same node
    Result removed = podman(PODMAN_TIMEOUT, "rm", "-f", "-t", STOP_SECONDS, container);
    assertThat(removed.exit()).as("podman rm: " + removed.stderr()).isZero();
    container = null;
    startContainer();
    assertThat(JsonPath.parse(get("/api/v1/node").body()).read("$.peerId", String.class))
        .as("the identity kept in the volume for a new container")
        .isEqualTo(peerId);

    assertThat(get("/").body()).contains("<title>Reachability service</title>");

    HttpResponse<String> accepted =
        http.send(
            HttpRequest.newBuilder(URI.create(api + "/api/v1/checks"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
    String location = accepted.headers().firstValue("Location").orElseThrow();
    DocumentContext job = JsonPath.parse(get(location).body());
    long deadline = System.nanoTime() + JOB_TIMEOUT.toNanos();
    while (!"SUCCEEDED".equals(job.read("$.state", String.class)) && System.nanoTime() < deadline) {
      Thread.sleep(POLL_MILLIS);
      job = JsonPath.parse(get(location).body());
    }
    assertThat(job.read("$.state", String.class)).as(job.jsonString()).isEqualTo("SUCCEEDED");
    assertThat(job.<List<String>>read("$.results[*].verdict"))
        .isNotEmpty()
        .containsOnly("REACHABLE");
  }
}
