package io.reachability.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.crypto.KeyFile;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The operator's toolkit ({@code docker/compose.yaml}) holds together: pinned images, mounted files
 * that exist, environment variables that are real settings, a pool that names the demo servers'
 * real peer ids, and a Prometheus that scrapes every instance and loads the alert rules.
 */
class ComposeFileTest {

  static final Path DOCKER = Path.of("docker");
  static final Path COMPOSE = DOCKER.resolve("compose.yaml");
  static final Path PROMETHEUS = DOCKER.resolve("prometheus/prometheus.yml");

  /** The image the compose file builds from docker/Dockerfile. */
  static final String SERVICE_IMAGE = "reachability-service:";

  /** Where a container reads its identity key (reach.node.identity-file). */
  static final String IDENTITY_SETTING = "REACH_NODE_IDENTITY_FILE";

  static final String POOL_SETTING = "REACH_POOL_SERVERS";

  /** The index and field of a list element's variable: {@code _0_NAME}. */
  static final Pattern LIST_ELEMENT = Pattern.compile("_[0-9]+(_[A-Z]+)?$");

  /** The port the service's HTTP listens on in the image. */
  static final String HTTP_PORT = ":8080";

  @SuppressWarnings("unchecked")
  static Map<String, Object> yaml(Path file) throws IOException {
    try (Reader reader = Files.newBufferedReader(file)) {
      return (Map<String, Object>) Objects.requireNonNull(new Yaml().load(reader), file.toString());
    }
  }

  @SuppressWarnings("unchecked")
  static Map<String, Map<String, Object>> services() throws IOException {
    return (Map<String, Map<String, Object>>) yaml(COMPOSE).get("services");
  }

  @SuppressWarnings("unchecked")
  static Map<String, String> environment(Map<String, Object> service) {
    Object env = service.get("environment");
    Map<String, String> result = new HashMap<>();
    if (env instanceof Map<?, ?> map) {
      map.forEach((k, v) -> result.put(String.valueOf(k), String.valueOf(v)));
    } else if (env instanceof List<?> list) {
      for (String entry : (List<String>) list) {
        int eq = entry.indexOf('=');
        result.put(entry.substring(0, eq), entry.substring(eq + 1));
      }
    }
    return result;
  }

  /** {@code host:container[:mode]} volume strings; the host side of a bind mount. */
  static List<String[]> binds(Map<String, Object> service) {
    List<String[]> binds = new ArrayList<>();
    Object volumes = service.get("volumes");
    if (volumes instanceof List<?> list) {
      for (Object volume : list) {
        String[] parts = String.valueOf(volume).split(":");
        if (parts[0].startsWith(".") || parts[0].startsWith("/")) {
          binds.add(parts);
        }
      }
    }
    return binds;
  }

  /**
   * The environment variables Spring's relaxed binding reads a {@code reach.*} setting from: dots
   * become underscores and dashes are dropped ({@code REACH_NODE_IDENTITYFILE}), or, in the legacy
   * form Spring reads too and this project's docs use, become underscores as well ({@code
   * REACH_NODE_IDENTITY_FILE}).
   */
  static Stream<String> envNames(String setting) {
    String upper = setting.replace(".", "_").toUpperCase(Locale.ROOT);
    return Stream.of(upper.replace("-", ""), upper.replace("-", "_"));
  }

  @Test
  void everyImageIsPinnedToAVersion() throws IOException {
    assertThat(services()).containsKeys("reach", "server-1", "server-2", "prometheus", "grafana");
    services()
        .forEach(
            (name, service) -> {
              String image = String.valueOf(service.get("image"));
              String tag = image.substring(image.lastIndexOf(':') + 1);
              assertThat(image).as(name).contains(":");
              // a version, not a moving name (pinned by tag: no registry here to take digests from)
              assertThat(tag).as(name + " tag").matches("v?[0-9]+(\\.[0-9]+)*([-.][A-Za-z0-9.]+)?");
            });
  }

  @Test
  void everyMountedFileExists() throws IOException {
    List<String> mounted = new ArrayList<>();
    services()
        .forEach(
            (name, service) -> {
              for (String[] bind : binds(service)) {
                Path source = DOCKER.resolve(bind[0]).normalize();
                assertThat(source).as(name + " mounts " + bind[0]).exists();
                mounted.add(source.toString());
              }
            });
    assertThat(mounted).isNotEmpty();
    Object build = services().get("reach").get("build");
    assertThat(build).isInstanceOf(Map.class);
    Map<?, ?> context = (Map<?, ?>) build;
    Path root = DOCKER.resolve(String.valueOf(context.get("context"))).normalize();
    assertThat(root.resolve(String.valueOf(context.get("dockerfile")))).exists();
  }

  @Test
  void environmentNamesAreRealSettings() throws IOException {
    Set<String> known =
        SettingsTableTest.table().keySet().stream()
            .flatMap(ComposeFileTest::envNames)
            .collect(Collectors.toSet());
    int checked = 0;
    for (Map.Entry<String, Map<String, Object>> service : services().entrySet()) {
      if (!String.valueOf(service.getValue().get("image")).startsWith(SERVICE_IMAGE)) {
        continue;
      }
      for (String name : environment(service.getValue()).keySet()) {
        // a list element's field (REACH_ACCESS_KEYS_0_NAME) belongs to the list's setting
        String setting = LIST_ELEMENT.matcher(name).replaceFirst("");
        assertThat(known).as(service.getKey() + " sets " + name).contains(setting);
        checked++;
      }
    }
    assertThat(checked).isPositive();
  }

  @Test
  void thePoolNamesTheDemoServersRealPeerIds() throws IOException {
    Map<String, Map<String, Object>> services = services();
    Map<String, PeerId> serverIds = new HashMap<>();
    for (Map.Entry<String, Map<String, Object>> service : services.entrySet()) {
      Map<String, String> env = environment(service.getValue());
      if (!"true".equals(env.get("REACH_SERVER_ENABLED"))) {
        continue;
      }
      assertThat(env).containsEntry("REACH_SERVER_ALLOW_PRIVATE_ADDRESSES", "true");
      String identity = Objects.requireNonNull(env.get(IDENTITY_SETTING), service.getKey());
      String[] bind =
          binds(service.getValue()).stream()
              .filter(b -> b[1].equals(identity))
              .findFirst()
              .orElseThrow(() -> new AssertionError(service.getKey() + " mounts no identity"));
      Path key = DOCKER.resolve(bind[0]).normalize();
      assertThat(Files.readString(DOCKER.resolve("demo-identities/README.md")))
          .as("the demo keys are labelled demo-only")
          .contains("Demo-only")
          .contains(key.getFileName().toString());
      serverIds.put(service.getKey(), PeerId.fromPublicKey(KeyFile.load(key).publicKey()));
    }
    assertThat(serverIds).hasSize(2);

    String pool = environment(services.get("reach")).get(POOL_SETTING);
    Map<String, PeerId> named = new HashMap<>();
    for (String entry : Objects.requireNonNull(pool, POOL_SETTING).split(",")) {
      Multiaddr address = Multiaddr.fromString(entry);
      String host = address.components().get(0).value();
      named.put(host, address.peerId().orElseThrow());
    }
    assertThat(named).isEqualTo(serverIds);
  }

  @Test
  @SuppressWarnings("unchecked")
  void prometheusScrapesEveryInstanceAndLoadsTheAlertRules() throws IOException {
    Map<String, Object> config = yaml(PROMETHEUS);
    List<Map<String, Object>> jobs = (List<Map<String, Object>>) config.get("scrape_configs");
    List<String> targets = new ArrayList<>();
    for (Map<String, Object> job : jobs) {
      assertThat(job.get("metrics_path")).isEqualTo("/actuator/prometheus");
      for (Map<String, Object> group : (List<Map<String, Object>>) job.get("static_configs")) {
        targets.addAll((List<String>) group.get("targets"));
      }
    }
    List<String> instances =
        services().entrySet().stream()
            .filter(e -> String.valueOf(e.getValue().get("image")).startsWith(SERVICE_IMAGE))
            .map(e -> e.getKey() + HTTP_PORT)
            .toList();
    assertThat(targets).containsExactlyInAnyOrderElementsOf(instances);

    List<String> mountedInPrometheus =
        binds(services().get("prometheus")).stream().map(b -> b[1]).toList();
    for (String rules : (List<String>) config.get("rule_files")) {
      assertThat(mountedInPrometheus).contains(rules);
    }
  }
}
