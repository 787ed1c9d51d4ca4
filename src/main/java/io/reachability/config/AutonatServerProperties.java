package io.reachability.config;

import io.reachability.autonat.AutonatServerSettings;
import io.reachability.autonat.RateLimiter;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The optional AutoNAT v2 server role ({@code reach.server.*}): serve reachability checks to other
 * peers on the node's own host.
 *
 * @param enabled serve {@code /libp2p/autonat/2/dial-request}
 * @param allowPrivateAddresses also dial back non-public addresses (loopback, RFC 1918, …): for a
 *     lab or a private fleet only
 * @param rateLimit admission control, checked before a request is read
 * @param maxDialDataJitter random delay before a paid dial-back
 */
@ConfigurationProperties("reach.server")
public record AutonatServerProperties(
    @DefaultValue("false") boolean enabled,
    @DefaultValue("false") boolean allowPrivateAddresses,
    @DefaultValue RateLimit rateLimit,
    @DefaultValue("1s") Duration maxDialDataJitter) {

  /**
   * Per-minute budgets (reference defaults: 60 global, 12 per peer, 12 dial-data requests, 2
   * concurrent per peer; per IP and per /24 or /56 subnet are ours).
   */
  public record RateLimit(
      @DefaultValue("" + AutonatServerSettings.DEFAULT_GLOBAL_PER_MINUTE) int globalPerMinute,
      @DefaultValue("" + AutonatServerSettings.DEFAULT_PER_PEER_PER_MINUTE) int perPeerPerMinute,
      @DefaultValue("" + AutonatServerSettings.DEFAULT_PER_IP_PER_MINUTE) int perIpPerMinute,
      @DefaultValue("" + AutonatServerSettings.DEFAULT_PER_SUBNET_PER_MINUTE)
          int perSubnetPerMinute,
      @DefaultValue("" + AutonatServerSettings.DEFAULT_DIAL_DATA_PER_MINUTE) int dialDataPerMinute,
      @DefaultValue("" + AutonatServerSettings.DEFAULT_CONCURRENT_PER_PEER) int concurrentPerPeer) {

    public RateLimit {
      check("global-per-minute", globalPerMinute);
      check("per-peer-per-minute", perPeerPerMinute);
      check("per-ip-per-minute", perIpPerMinute);
      check("per-subnet-per-minute", perSubnetPerMinute);
      check("dial-data-per-minute", dialDataPerMinute);
      check("concurrent-per-peer", concurrentPerPeer);
    }

    private static void check(String name, int value) {
      if (value < 1) {
        throw new IllegalArgumentException(
            "reach.server.rate-limit." + name + " must be at least 1, was " + value);
      }
    }

    RateLimiter.Limits toLimits() {
      return new RateLimiter.Limits(
          globalPerMinute,
          perPeerPerMinute,
          perIpPerMinute,
          perSubnetPerMinute,
          dialDataPerMinute,
          concurrentPerPeer);
    }
  }

  public AutonatServerProperties {
    if (maxDialDataJitter.isNegative()) {
      throw new IllegalArgumentException(
          "reach.server.max-dial-data-jitter must not be negative, was " + maxDialDataJitter);
    }
  }

  AutonatServerSettings toSettings() {
    return AutonatServerSettings.defaults()
        .withAllowPrivateAddresses(allowPrivateAddresses)
        .withLimits(rateLimit.toLimits())
        .withDialData(
            AutonatServerSettings.defaults().minDialDataBytes(),
            AutonatServerSettings.defaults().maxDialDataBytes(),
            maxDialDataJitter);
  }
}
