package io.reachability.config;

import static io.reachability.config.ConfiguredSettings.build;
import static io.reachability.config.ConfiguredSettings.ifSet;
import static java.util.Objects.requireNonNullElse;

import io.reachability.autonat.AutonatServerSettings;
import io.reachability.autonat.RateLimiter;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The optional AutoNAT v2 server role ({@code reach.server.*}): serve reachability checks to other
 * peers on the node's own host. A value left unset is {@link AutonatServerSettings}' default.
 *
 * @param enabled serve {@code /libp2p/autonat/2/dial-request}
 * @param allowPrivateAddresses also dial back non-public addresses (loopback, RFC 1918, …): for a
 *     lab or a private fleet only
 * @param rateLimit admission control, checked before a request is read
 * @param maxDialDataJitter random delay before a paid dial-back
 */
@ConfigurationProperties(AutonatServerProperties.PREFIX)
public record AutonatServerProperties(
    @DefaultValue("false") boolean enabled,
    @Nullable Boolean allowPrivateAddresses,
    @DefaultValue RateLimit rateLimit,
    @Nullable Duration maxDialDataJitter) {

  static final String PREFIX = "reach.server";

  /**
   * Per-minute budgets (reference defaults: 60 global, 12 per peer, 12 dial-data requests, 2
   * concurrent per peer; per IP and per /24 or /56 subnet are ours).
   *
   * @param globalPerMinute requests served per minute, all peers together
   * @param perPeerPerMinute requests served per minute to one peer id
   * @param perIpPerMinute requests served per minute to one client IP
   * @param perSubnetPerMinute requests served per minute to one client /24 (IPv4) or /56 (IPv6)
   * @param dialDataPerMinute requests that need dial data per minute, all peers together
   * @param concurrentPerPeer requests in flight per peer
   */
  public record RateLimit(
      @Nullable Integer globalPerMinute,
      @Nullable Integer perPeerPerMinute,
      @Nullable Integer perIpPerMinute,
      @Nullable Integer perSubnetPerMinute,
      @Nullable Integer dialDataPerMinute,
      @Nullable Integer concurrentPerPeer) {

    static final String PREFIX = AutonatServerProperties.PREFIX + ".rate-limit";

    /** The limits: the default ones with what is configured; an error names the key. */
    RateLimiter.Limits toSettings() {
      RateLimiter.Limits defaults = AutonatServerSettings.DEFAULT_RATE_LIMIT;
      return build(
          PREFIX,
          () ->
              new RateLimiter.Limits(
                  requireNonNullElse(globalPerMinute, defaults.globalPerMinute()),
                  requireNonNullElse(perPeerPerMinute, defaults.perPeerPerMinute()),
                  requireNonNullElse(perIpPerMinute, defaults.perIpPerMinute()),
                  requireNonNullElse(perSubnetPerMinute, defaults.perSubnetPerMinute()),
                  requireNonNullElse(dialDataPerMinute, defaults.dialDataPerMinute()),
                  requireNonNullElse(concurrentPerPeer, defaults.concurrentPerPeer())));
    }
  }

  /**
   * The server's settings: {@link AutonatServerSettings}' defaults with what is configured, checked
   * by {@link AutonatServerSettings}; an error names the {@code reach.server.*} key.
   */
  AutonatServerSettings toSettings() {
    RateLimiter.Limits limits = rateLimit.toSettings(); // names reach.server.rate-limit.* itself
    return build(
        PREFIX,
        () -> {
          AutonatServerSettings.Builder settings =
              new AutonatServerSettings.Builder().rateLimit(limits);
          ifSet(allowPrivateAddresses, settings::allowPrivateAddresses);
          ifSet(maxDialDataJitter, settings::maxDialDataJitter);
          return settings.build();
        });
  }
}
