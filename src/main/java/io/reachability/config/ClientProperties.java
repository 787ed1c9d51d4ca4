package io.reachability.config;

import io.reachability.autonat.AutonatClientSettings;
import io.reachability.autonat.AutonatV2;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The AutoNAT v2 client ({@code reach.client.*}).
 *
 * @param maxDialDataBytes the most dial data the node pays a server for one check (servers ask for
 *     30000–100000 bytes when the tested address's IP differs from the one they see)
 */
@ConfigurationProperties(ClientProperties.PREFIX)
public record ClientProperties(
    @DefaultValue("" + AutonatV2.DEFAULT_CLIENT_MAX_DIAL_DATA_BYTES) int maxDialDataBytes) {

  static final String PREFIX = "reach.client";

  /**
   * The AutoNAT client's settings, checked by {@link AutonatClientSettings}; an error names the
   * {@code reach.client.*} key. The client is built at every start, so a bad value stops it.
   */
  AutonatClientSettings toSettings() {
    try {
      return AutonatClientSettings.defaults().withMaxDialDataBytes(maxDialDataBytes);
    } catch (IllegalArgumentException e) {
      throw SettingErrors.named(PREFIX, e);
    }
  }

  /** The reference cap, for documentation. */
  static final int REFERENCE_MAX_DIAL_DATA_BYTES = AutonatV2.DEFAULT_CLIENT_MAX_DIAL_DATA_BYTES;
}
