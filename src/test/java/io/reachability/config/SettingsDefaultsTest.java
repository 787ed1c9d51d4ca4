package io.reachability.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.reachability.autonat.AutonatClientSettings;
import io.reachability.autonat.AutonatServerSettings;
import io.reachability.job.JobSettings;
import io.reachability.libp2p.host.HostSettings;
import io.reachability.monitor.MonitorSettings;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * With nothing configured, every {@code reach.*} section becomes exactly its settings record's
 * defaults: the settings records own the defaults, a properties record leaves what it does not set
 * to them.
 */
class SettingsDefaultsTest {

  private static <T> T bindNothing(String prefix, Class<T> type) {
    return new Binder(new MapConfigurationPropertySource(Map.of())).bindOrCreate(prefix, type);
  }

  @Test
  void node() {
    NodeProperties node = bindNothing("reach.node", NodeProperties.class);
    assertThat(node.toSettings()).isEqualTo(HostSettings.defaults());
  }

  @Test
  void monitor() {
    assertThat(bindNothing("reach.monitor", MonitorProperties.class).toSettings())
        .isEqualTo(MonitorSettings.DEFAULTS);
  }

  @Test
  void jobs() {
    assertThat(bindNothing("reach.jobs", JobsProperties.class).toSettings())
        .isEqualTo(JobSettings.defaults());
  }

  @Test
  void autonatClient() {
    assertThat(bindNothing("reach.client", ClientProperties.class).toSettings())
        .isEqualTo(AutonatClientSettings.defaults());
  }

  @Test
  void autonatServer() {
    assertThat(bindNothing("reach.server", AutonatServerProperties.class).toSettings())
        .isEqualTo(AutonatServerSettings.defaults());
  }
}
