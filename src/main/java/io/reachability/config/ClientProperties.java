package io.reachability.config;

import static io.reachability.config.ConfiguredSettings.build;
import static io.reachability.config.ConfiguredSettings.ifSet;

import io.reachability.autonat.AutonatClientSettings;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The AutoNAT v2 client ({@code reach.client.*}). A value left unset is {@link
 * AutonatClientSettings}' default.
 *
 * @param maxDialDataBytes the most dial data the node pays a server for one check (servers ask for
 *     30000–100000 bytes when the tested address's IP differs from the one they see)
 */
@ConfigurationProperties(ClientProperties.PREFIX)
public record ClientProperties(@Nullable Integer maxDialDataBytes) {

  static final String PREFIX = "reach.client";

  /**
   * The AutoNAT client's settings: {@link AutonatClientSettings}' defaults with what is configured,
   * checked by {@link AutonatClientSettings}; an error names the {@code reach.client.*} key. The
   * client is built at every start, so a bad value stops it.
   */
  AutonatClientSettings toSettings() {
    return build(
        PREFIX,
        () -> {
          AutonatClientSettings.Builder settings = new AutonatClientSettings.Builder();
          ifSet(maxDialDataBytes, settings::maxDialDataBytes);
          return settings.build();
        });
  }
}
