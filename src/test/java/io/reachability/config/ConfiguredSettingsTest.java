package io.reachability.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reachability.job.JobSettings;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a settings record's words become configuration's, and what "unset" means. */
class ConfiguredSettingsTest {

  @Test
  void aComponentNameBecomesItsKey() {
    assertThat(ConfiguredSettings.key("reach.jobs", "maxRunning"))
        .isEqualTo("reach.jobs.max-running");
    assertThat(ConfiguredSettings.key("reach.monitor", "concurrency"))
        .isEqualTo("reach.monitor.concurrency");
    assertThat(ConfiguredSettings.key("reach.node", "maxInboundConnectionsPerIp"))
        .isEqualTo("reach.node.max-inbound-connections-per-ip");
  }

  @Test
  void aSettingsErrorNamesTheKey() {
    assertThatThrownBy(
            () ->
                ConfiguredSettings.build(
                    "reach.jobs", () -> new JobSettings.Builder().maxRunning(0).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("reach.jobs.max-running must be in [1, 4096], was 0")
        .hasCauseInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aMissingValueNamesTheKeyToo() {
    assertThatThrownBy(
            () ->
                ConfiguredSettings.build(
                    "reach.jobs", () -> new JobSettings.Builder().defaultTimeout(null).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("reach.jobs.default-timeout");
  }

  @Test
  void onlyWhatIsSetIsHandedOn() {
    List<Integer> handed = new ArrayList<>();
    Integer unset = null;
    ConfiguredSettings.ifSet(unset, handed::add);
    ConfiguredSettings.ifSet(7, handed::add);
    assertThat(handed).containsExactly(7);
  }
}
