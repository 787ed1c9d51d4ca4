package io.reachability.config;

import static io.reachability.config.ConfiguredSettings.build;

import io.reachability.peercheck.PeerCheckSettings;
import io.reachability.peercheck.PeerChecks;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Peer checks ({@code reach.peer-checks.*}): is another node reachable from here? They make the
 * service dial where a caller says, so every value here bounds that. A value left unset is {@link
 * PeerChecks}' default.
 *
 * @param enabled serve {@code /api/v1/peer-checks} (default true)
 * @param allowPrivateAddresses dial non-public targets too (labs only; default false)
 * @param maxAddresses addresses dialed per check
 * @param maxConcurrentDials dials in flight over all peer checks
 * @param maxRunning peer checks running at once
 * @param queueCapacity peer checks waiting to run
 * @param maxUnfinishedPerClient queued and running peer checks of one client
 * @param perTargetPerMinute checks of one peer id, and of one target IP (IPv6: one /64), a minute
 * @param perRequesterPerMinute submissions from one requester IP (IPv6: one /64) a minute
 * @param defaultTimeout bound on a check whose request names no {@code timeoutSeconds}
 */
@ConfigurationProperties(PeerCheckProperties.PREFIX)
public record PeerCheckProperties(
    @DefaultValue("true") boolean enabled,
    @Nullable Boolean allowPrivateAddresses,
    @Nullable Integer maxAddresses,
    @Nullable Integer maxConcurrentDials,
    @Nullable Integer maxRunning,
    @Nullable Integer queueCapacity,
    @Nullable Integer maxUnfinishedPerClient,
    @Nullable Integer perTargetPerMinute,
    @Nullable Integer perRequesterPerMinute,
    @Nullable Duration defaultTimeout) {

  static final String PREFIX = "reach.peer-checks";

  /** The settings, checked by {@link PeerCheckSettings}; an error names its key. */
  PeerCheckSettings toSettings() {
    PeerCheckSettings d = PeerCheckSettings.defaults();
    return build(
        PREFIX,
        () ->
            new PeerCheckSettings(
                or(allowPrivateAddresses, d.allowPrivateAddresses()),
                or(maxAddresses, d.maxAddresses()),
                or(maxConcurrentDials, d.maxConcurrentDials()),
                or(maxRunning, d.maxRunning()),
                or(queueCapacity, d.queueCapacity()),
                or(maxUnfinishedPerClient, d.maxUnfinishedPerClient()),
                or(perTargetPerMinute, d.perTargetPerMinute()),
                or(perRequesterPerMinute, d.perRequesterPerMinute()),
                or(defaultTimeout, d.defaultTimeout())));
  }

  private static <T> T or(@Nullable T value, T otherwise) {
    return value != null ? value : otherwise;
  }
}
