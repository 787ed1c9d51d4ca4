package io.reachability.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.reachability.autonat.AutonatClient;
import io.reachability.autonat.AutonatClientSettings;
import io.reachability.autonat.CheckResult;
import io.reachability.autonat.Reachability;
import io.reachability.libp2p.host.Host;
import io.reachability.testing.LoopbackHosts;
import io.reachability.testing.ServiceApi;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Every PromQL expression of the toolkit's Grafana dashboards and alert rules names metrics (and
 * selector labels) that a running service really exports, and the service exports go-libp2p's
 * AutoNAT v2 families with go's label names. The service runs with the server role on and has done
 * a check job, a peer check, and served one AutoNAT v2 request, so that its counters exist.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "reach.node.listen=" + LoopbackHosts.ANY_PORT,
      "reach.server.enabled=true",
      "reach.server.allow-private-addresses=true",
      "reach.peer-checks.allow-private-addresses=true"
    })
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ToolkitMetricsEndToEndTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  static final Path DASHBOARDS = Path.of("docker/grafana/dashboards");
  static final Path ALERTS = Path.of("docker/prometheus/alerts.yml");

  /**
   * go-libp2p's AutoNAT v2 families and their label names, as {@code
   * p2p/protocol/autonatv2/metrics.go} declares them (namespace {@code libp2p_autonatv2}).
   */
  static final Map<String, Set<String>> GO_AUTONAT_V2_FAMILIES =
      Map.of(
          "libp2p_autonatv2_requests_completed_total",
          Set.of(
              "server_error",
              "response_status",
              "dial_status",
              "dial_data_required",
              "ip_or_dns_version",
              "transport"),
          "libp2p_autonatv2_client_requests_completed_total",
          Set.of("ip_or_dns_version", "transport", "addr_count", "dial_refused", "reachability"),
          "libp2p_autonatv2_client_requests_total",
          Set.of("outcome"));

  /** Labels Prometheus adds to every scraped series (docker/prometheus/prometheus.yml). */
  static final Set<String> TARGET_LABELS = Set.of("instance", "job", "role");

  /** Suffixes of a histogram's or a summary's series. */
  static final List<String> SERIES_SUFFIXES = List.of("_bucket", "_sum", "_count");

  /** Words of PromQL that are neither metrics nor functions. */
  static final Set<String> KEYWORDS =
      Set.of(
          "and",
          "or",
          "unless",
          "bool",
          "offset",
          "by",
          "without",
          "on",
          "ignoring",
          "group_left",
          "group_right",
          "inf",
          "nan",
          "atan2");

  private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'[^']*'");
  private static final Pattern RANGE = Pattern.compile("\\[[^\\]]*\\]");
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{?\\w+\\}?");

  /** A label in a Grafana legend format: {@code {{address}}}. */
  private static final Pattern LEGEND_LABEL =
      Pattern.compile("\\{\\{\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*}}");

  private static final Pattern GROUPING =
      Pattern.compile(
          "\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)",
          Pattern.CASE_INSENSITIVE);
  private static final Pattern SELECTOR =
      Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)?\\s*\\{([^}]*)\\}");
  private static final Pattern MATCHER =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)");
  private static final Pattern IDENTIFIER =
      Pattern.compile("(?<![\\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?");
  private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((\\w+)");
  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)\\})?\\s");
  private static final Pattern SAMPLE_LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"");

  @LocalServerPort int port;
  @Autowired Host node;

  /** Metric (sample) name to the label names its series carry. */
  private final Map<String, Set<String>> exported = new HashMap<>();

  private @Nullable Host target;

  @BeforeAll
  void doSomethingOfEachKindAndScrape() throws Exception {
    ServiceApi api = new ServiceApi(port);
    // a check job: client counters, verdicts, job meters
    assertThat(api.submitAndWait("/api/v1/checks", "{}", WAIT).read("$.state", String.class))
        .isEqualTo("SUCCEEDED");
    // a peer check: the peer-check counters
    Host peer = LoopbackHosts.start("toolkit-peer");
    target = peer;
    String address = peer.listenAddresses().get(0).withPeerId(peer.peerId()).toString();
    assertThat(
            api.submitAndWait("/api/v1/peer-checks", "{\"peer\":\"" + address + "\"}", WAIT)
                .read("$.state", String.class))
        .isEqualTo("SUCCEEDED");
    // one request to the node's own AutoNAT v2 server: the server counters
    AutonatClient client = new AutonatClient(peer, AutonatClientSettings.defaults()).start();
    try {
      CheckResult result =
          client
              .check(
                  node.listenAddresses().get(0).withPeerId(node.peerId()), peer.listenAddresses())
              .get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(result.reachability()).as(result.reason()).isEqualTo(Reachability.REACHABLE);
    } finally {
      client.close();
    }
    String scrape = api.get("/actuator/prometheus").body();
    for (String line : scrape.split("\n")) {
      Matcher sample = SAMPLE.matcher(line);
      if (line.startsWith("#") || !sample.find()) {
        continue;
      }
      Set<String> labels = exported.computeIfAbsent(sample.group(1), n -> new TreeSet<>());
      if (sample.group(3) != null) {
        Matcher label = SAMPLE_LABEL.matcher(sample.group(3));
        while (label.find()) {
          labels.add(label.group(1));
        }
      }
    }
  }

  @AfterAll
  void closeTarget() {
    if (target != null) {
      target.close();
    }
  }

  /** The label names an expression groups or matches by: {@code by (…)}, {@code on (…)}, …. */
  static Set<String> groupingLabelsOf(String expr) {
    Set<String> labels = new TreeSet<>();
    Matcher grouping = GROUPING.matcher(STRING.matcher(expr).replaceAll("\"\""));
    while (grouping.find()) {
      String inside = grouping.group();
      inside = inside.substring(inside.indexOf('(') + 1, inside.lastIndexOf(')'));
      for (String label : inside.split(",")) {
        if (!label.isBlank()) {
          labels.add(label.strip());
        }
      }
    }
    return labels;
  }

  /** The metric names of one PromQL expression, each with the label names its selectors use. */
  static Map<String, Set<String>> metricsOf(String expr) {
    Map<String, Set<String>> metrics = new LinkedHashMap<>();
    String text = STRING.matcher(expr).replaceAll("\"\"");
    text = RANGE.matcher(text).replaceAll(" ");
    text = VARIABLE.matcher(text).replaceAll(" ");
    text = GROUPING.matcher(text).replaceAll(" ");
    Matcher selector = SELECTOR.matcher(text);
    StringBuilder rest = new StringBuilder();
    while (selector.find()) {
      Set<String> labels = new TreeSet<>();
      Matcher matcher = MATCHER.matcher(selector.group(2));
      while (matcher.find()) {
        labels.add(matcher.group(1));
      }
      String name = selector.group(1);
      if (name == null) {
        throw new AssertionError("a selector without a metric name: " + expr);
      }
      metrics.computeIfAbsent(name, n -> new TreeSet<>()).addAll(labels);
      selector.appendReplacement(rest, " ");
    }
    selector.appendTail(rest);
    Matcher identifier = IDENTIFIER.matcher(rest);
    while (identifier.find()) {
      String word = identifier.group(1);
      boolean call = identifier.group(2) != null;
      if (!call && !KEYWORDS.contains(word.toLowerCase(java.util.Locale.ROOT))) {
        metrics.computeIfAbsent(word, n -> new TreeSet<>());
      }
    }
    return metrics;
  }

  @Test
  void theTokenizerFindsMetricsAndSelectorLabelsOnly() {
    assertThat(
            metricsOf(
                "sum by (instance, verdict) (rate(a_total{instance=~\"$instance\", x!=\"y{}\"}"
                    + "[$__rate_interval])) / on (instance) group_left b unless c > 0"))
        .containsOnlyKeys("a_total", "b", "c")
        .containsEntry("a_total", Set.of("instance", "x"));
  }

  /** Every expression in the dashboards and the alert rules, by where it is. */
  static Map<String, String> expressions() throws IOException {
    Map<String, String> exprs = new LinkedHashMap<>();
    ObjectMapper json = new ObjectMapper();
    List<Path> dashboards;
    try (Stream<Path> files = Files.list(DASHBOARDS)) {
      dashboards = files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
    assertThat(dashboards).hasSize(2);
    for (Path file : dashboards) {
      JsonNode dashboard = json.readTree(file.toFile());
      for (JsonNode panel : dashboard.path("panels")) {
        int i = 0;
        for (JsonNode target : panel.path("targets")) {
          exprs.put(
              file + " " + panel.path("title").asText() + " #" + i++, target.path("expr").asText());
        }
      }
      for (JsonNode variable : dashboard.path("templating").path("list")) {
        Matcher values = LABEL_VALUES.matcher(variable.path("query").asText());
        if (values.find()) {
          exprs.put(file + " variable " + variable.path("name").asText(), values.group(1));
        }
      }
    }
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> groups =
        (List<Map<String, Object>>) ComposeFileTest.yaml(ALERTS).get("groups");
    for (Map<String, Object> group : groups) {
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> rules = (List<Map<String, Object>>) group.get("rules");
      for (Map<String, Object> rule : rules) {
        assertThat(rule).containsKeys("alert", "expr", "for");
        exprs.put(ALERTS + " " + rule.get("alert"), String.valueOf(rule.get("expr")));
      }
    }
    return exprs;
  }

  private @Nullable Set<String> exportedLabels(String metric) {
    Set<String> labels = exported.get(metric);
    if (labels != null) {
      return labels;
    }
    for (String suffix : SERIES_SUFFIXES) {
      if (metric.endsWith(suffix)) {
        return exported.get(metric.substring(0, metric.length() - suffix.length()));
      }
    }
    return null;
  }

  @Test
  void everyMetricTheDashboardsAndAlertsUseIsExportedWithItsSelectorLabels() throws IOException {
    Map<String, String> exprs = expressions();
    assertThat(exprs).hasSizeGreaterThan(20);
    List<String> problems = new ArrayList<>();
    Set<String> used = new TreeSet<>();
    exprs.forEach(
        (where, expr) ->
            metricsOf(expr)
                .forEach(
                    (metric, labels) -> {
                      used.add(metric);
                      Set<String> have = exportedLabels(metric);
                      if (have == null) {
                        problems.add(where + ": " + metric + " is not exported");
                        return;
                      }
                      for (String label : labels) {
                        if (!have.contains(label) && !TARGET_LABELS.contains(label)) {
                          problems.add(where + ": " + metric + " has no label " + label);
                        }
                      }
                    }));
    assertThat(problems).isEmpty();
    assertThat(used).containsAll(GO_AUTONAT_V2_FAMILIES.keySet());
  }

  /**
   * What an expression groups or matches by ({@code sum by (verdict)}, {@code on (instance,
   * address)}) and what a panel's legend shows ({@code {{address}}}) is a label of one of its
   * metrics: a misspelt one would group everything into one series, silently.
   */
  @Test
  void everyGroupingAndLegendLabelIsALabelOfTheExpressionsMetrics() throws IOException {
    List<String> problems = new ArrayList<>();
    Map<String, String> legends = legends();
    expressions()
        .forEach(
            (where, expr) -> {
              Set<String> available = new TreeSet<>(TARGET_LABELS);
              metricsOf(expr).keySet().stream()
                  .map(this::exportedLabels)
                  .filter(Objects::nonNull)
                  .forEach(available::addAll);
              Set<String> wanted = new TreeSet<>(groupingLabelsOf(expr));
              Matcher legend = LEGEND_LABEL.matcher(legends.getOrDefault(where, ""));
              while (legend.find()) {
                wanted.add(legend.group(1));
              }
              for (String label : wanted) {
                if (!available.contains(label)) {
                  problems.add(where + ": no metric of it has the label " + label);
                }
              }
            });
    assertThat(problems).isEmpty();
    assertThat(groupingLabelsOf("sum by (instance, verdict) (x) / on (instance) group_left y"))
        .containsExactly("instance", "verdict");
  }

  /** Every dashboard target's legend format, by the same keys as {@link #expressions()}. */
  static Map<String, String> legends() throws IOException {
    Map<String, String> legends = new LinkedHashMap<>();
    ObjectMapper json = new ObjectMapper();
    try (Stream<Path> files = Files.list(DASHBOARDS)) {
      for (Path file : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
        for (JsonNode panel : json.readTree(file.toFile()).path("panels")) {
          int i = 0;
          for (JsonNode target : panel.path("targets")) {
            legends.put(
                file + " " + panel.path("title").asText() + " #" + i++,
                target.path("legendFormat").asText());
          }
        }
      }
    }
    return legends;
  }

  @Test
  void goLibp2pAutonatV2FamiliesAreExportedWithGosLabels() {
    GO_AUTONAT_V2_FAMILIES.forEach(
        (family, labels) -> assertThat(exported.get(family)).as(family).isEqualTo(labels));
  }
}
