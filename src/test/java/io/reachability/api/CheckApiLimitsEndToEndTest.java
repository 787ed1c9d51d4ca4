package io.reachability.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import io.reachability.config.JobsProperties;
import io.reachability.job.JobSettings;
import io.reachability.testing.LoopbackHosts;
import io.reachability.testing.MutableClock;
import io.reachability.testing.Waiting;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.test.annotation.DirtiesContext;

/**
 * The job limits over HTTP, on the whole service with its embedded pool and small settings:
 * finished jobs beyond {@code max-stored} and past {@code retention} answer 404, unfinished ones
 * are never dropped, and a full queue answers 503 with {@code Retry-After} until a place frees up.
 *
 * <p>The jobs' clock is a {@link MutableClock}: retention is shown by moving it, not by sleeping.
 * One worker and a queue of two: a job that keeps the worker busy plus two waiting is three
 * unfinished jobs, one more than {@code max-stored}.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "reach.node.listen=" + LoopbackHosts.ANY_PORT,
      "reach.jobs.max-running=1",
      "reach.jobs.queue-capacity=" + CheckApiLimitsEndToEndTest.QUEUE,
      "reach.jobs.max-stored=" + CheckApiLimitsEndToEndTest.MAX_STORED,
      "reach.jobs.retention=10m"
    })
@DirtiesContext // its own settings: no other test shares this context, so close it when done
class CheckApiLimitsEndToEndTest {

  static final int QUEUE = 2;
  static final int MAX_STORED = 2;

  private static final Duration WAIT = Duration.ofSeconds(30);

  @TestConfiguration(proxyBeanMethods = false)
  static class Clocks {

    @Bean
    @Primary
    MutableClock testJobClock() {
      return new MutableClock(Instant.now());
    }
  }

  @LocalServerPort int port;
  @Autowired MutableClock clock;
  @Autowired JobsProperties jobs;

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void onlyTheNewestFinishedJobsUpToMaxStoredAreKept() throws Exception {
    List<String> finished = new ArrayList<>();
    for (int i = 0; i < MAX_STORED + 1; i++) {
      String location = accepted(post("{}"));
      assertThat(poll(location).read("$.state", String.class)).isEqualTo("SUCCEEDED");
      finished.add(location);
    }

    String oldest = finished.get(0);
    assertNotFound(get(oldest), oldest);
    for (String kept : finished.subList(1, finished.size())) {
      HttpResponse<String> job = get(kept);
      assertThat(job.statusCode()).as(kept).isEqualTo(200);
      assertThat(JsonPath.parse(job.body()).read("$.state", String.class)).isEqualTo("SUCCEEDED");
    }
    DocumentContext page = JsonPath.parse(get("/api/v1/checks").body());
    assertThat(page.read("$.total", Integer.class)).isEqualTo(MAX_STORED);
    assertThat(ids(page)).containsExactly(id(finished.get(2)), id(finished.get(1))); // newest first
    assertThat(ids(JsonPath.parse(get("/api/v1/checks?state=SUCCEEDED").body())))
        .doesNotContain(id(oldest));
  }

  @Test
  void aFinishedJobOlderThanTheRetentionIsGone() throws Exception {
    String location = accepted(post("{}"));
    assertThat(poll(location).read("$.state", String.class)).isEqualTo("SUCCEEDED");

    clock.advance(jobs.retention().minusSeconds(1));
    assertThat(get(location).statusCode()).as("just inside the retention").isEqualTo(200);

    clock.advance(Duration.ofSeconds(2));
    assertNotFound(get(location), location);
    assertThat(ids(JsonPath.parse(get("/api/v1/checks").body()))).doesNotContain(id(location));
    assertThat(ids(JsonPath.parse(get("/api/v1/checks?state=SUCCEEDED").body())))
        .doesNotContain(id(location));
  }

  /**
   * Silent listeners: a dial-back to one connects and then waits out the server's upgrade timeout.
   */
  static final int SILENT_ADDRESSES = 5;

  /**
   * The one running place is kept busy by a job whose addresses accept TCP connections and never
   * say a word: each dial-back waits out the embedded server's upgrade timeout (10 s or more), five
   * addresses take about a minute, far longer than this test. Two more jobs fill the queue; the
   * next is turned away.
   */
  @Test
  void unfinishedJobsAreNeverEvictedAndAFullQueueIs503UntilAPlaceFrees() throws Exception {
    List<ServerSocket> silent = new ArrayList<>();
    for (int i = 0; i < SILENT_ADDRESSES; i++) {
      silent.add(new ServerSocket(0, 100, InetAddress.getLoopbackAddress()));
    }
    try {
      String addresses =
          silent.stream()
              .map(socket -> "\"/ip4/127.0.0.1/tcp/" + socket.getLocalPort() + "\"")
              .collect(Collectors.joining(","));
      String stuck =
          "{\"addresses\":[" + addresses + "],\"confirmations\":1,\"timeoutSeconds\":600}";
      List<String> unfinished = new ArrayList<>();
      try {
        String running = accepted(post(stuck));
        unfinished.add(running);
        awaitState(running, "RUNNING");
        for (int i = 0; i < QUEUE; i++) {
          String queued = accepted(post(stuck));
          unfinished.add(queued);
          assertThat(JsonPath.parse(get(queued).body()).read("$.state", String.class))
              .isEqualTo("QUEUED");
        }

        // the one place busy, the queue full: turned away, and nothing stored for it
        HttpResponse<String> rejected = post("{}");
        assertThat(rejected.statusCode()).isEqualTo(503);
        assertThat(rejected.headers().firstValue("Retry-After"))
            .hasValue(Long.toString(JobSettings.RETRY_AFTER.toSeconds()));
        assertThat(rejected.headers().firstValue("Content-Type"))
            .get()
            .asString()
            .startsWith("application/problem+json");
        DocumentContext problem = JsonPath.parse(rejected.body());
        assertThat(problem.read("$.status", Integer.class)).isEqualTo(503);
        assertThat(problem.read("$.title", String.class)).isEqualTo("Check job not accepted");
        assertThat(rejected.headers().firstValue("Location")).isEmpty();

        // three unfinished jobs, one more than max-stored: every one is kept, finished ones went
        // first
        for (String job : unfinished) {
          assertThat(get(job).statusCode()).as(job).isEqualTo(200);
        }
        DocumentContext page = JsonPath.parse(get("/api/v1/checks").body());
        assertThat(page.read("$.total", Integer.class))
            .isEqualTo(QUEUE + 1)
            .isGreaterThan(MAX_STORED);
        assertThat(ids(page))
            .containsExactly(id(unfinished.get(2)), id(unfinished.get(1)), id(unfinished.get(0)));

        // cancel them: CANCELLED at once, and now that they are finished the oldest is evictable
        for (String job : unfinished) {
          HttpResponse<String> cancelled = send(at(job).DELETE());
          assertThat(cancelled.statusCode()).as(job).isEqualTo(200);
          assertThat(JsonPath.parse(cancelled.body()).read("$.state", String.class))
              .isEqualTo("CANCELLED");
        }
        List<String> ended = List.copyOf(unfinished);
        unfinished.clear();
        assertNotFound(get(ended.get(0)), ended.get(0)); // the oldest finished
        assertThat(get(ended.get(1)).statusCode()).isEqualTo(200);
        assertThat(get(ended.get(2)).statusCode()).isEqualTo(200);
      } finally {
        for (String job : unfinished) {
          send(at(job).DELETE()); // leave no place busy for the next test
        }
      }
    } finally {
      for (ServerSocket socket : silent) {
        socket.close();
      }
    }

    // the queue takes jobs again, and they run
    String location = accepted(post("{}"));
    DocumentContext job = poll(location);
    assertThat(job.read("$.state", String.class)).isEqualTo("SUCCEEDED");
    assertThat(job.read("$.results[0].verdict", String.class)).isEqualTo("REACHABLE");
  }

  // ---- HTTP
  // -------------------------------------------------------------------------------------------

  private HttpRequest.Builder at(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
  }

  private HttpResponse<String> send(HttpRequest.Builder request)
      throws IOException, InterruptedException {
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return send(at(path));
  }

  private HttpResponse<String> post(String body) throws IOException, InterruptedException {
    return send(
        at("/api/v1/checks")
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  /** The Location of a 202. */
  private static String accepted(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    return response.headers().firstValue("Location").orElseThrow();
  }

  private static String id(String location) {
    return location.substring(location.lastIndexOf('/') + 1);
  }

  private static List<String> ids(DocumentContext page) {
    return page.read("$.items[*].id");
  }

  private static void assertNotFound(HttpResponse<String> response, String location) {
    assertThat(response.statusCode()).as(location).isEqualTo(404);
    assertThat(response.headers().firstValue("Content-Type"))
        .get()
        .asString()
        .startsWith("application/problem+json");
    assertThat(JsonPath.parse(response.body()).read("$.status", Integer.class)).isEqualTo(404);
  }

  /** Polls a job until it is no longer QUEUED or RUNNING. */
  private DocumentContext poll(String location) throws Exception {
    return Waiting.within(WAIT)
        .alias("job at " + location + " finished")
        .until(
            () -> JsonPath.parse(get(location).body()),
            job -> !job.read("$.state").equals("QUEUED") && !job.read("$.state").equals("RUNNING"));
  }

  private void awaitState(String location, String state) throws Exception {
    Waiting.within(WAIT)
        .alias("job at " + location + " is " + state)
        .until(() -> JsonPath.parse(get(location).body()).read("$.state"), state::equals);
  }
}
