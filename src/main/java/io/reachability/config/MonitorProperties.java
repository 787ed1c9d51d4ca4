package io.reachability.config;

import static io.reachability.config.ConfiguredSettings.build;
import static io.reachability.config.ConfiguredSettings.ifSet;

import io.reachability.monitor.MonitorSettings;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The reachability monitor ({@code reach.monitor.*}). A value left unset is {@link
 * MonitorSettings}' default (go-libp2p's numbers).
 *
 * @param enabled keep re-checking the node's own candidate addresses in the background
 * @param concurrency probes in flight at once
 * @param perServerInterval least time between two probes sent to one remote server (embedded
 *     servers are not spaced)
 * @param probeTimeout bound on one probe
 * @param reprobeInterval a confirmed address is probed again when its newest outcome is this old
 * @param secondaryReprobeInterval the same for a secondary address (same IP and port as a primary)
 * @param outcomeTtl an outcome older than this no longer counts
 * @param windowSize outcomes kept per address
 * @param targetConfidence |successes − failures| at which an address needs no more probes
 * @param maxConsecutiveRefusals refusals in a row that pause an address
 * @param refusalPause how long such a pause lasts
 * @param maxProbesPerAddress most probes of one address per {@code probeRateWindow}
 * @param probeRateWindow the window of that limit
 * @param backoffInitial first wait when no server can be asked (doubles up to {@code backoffMax})
 * @param backoffMax the longest such wait
 * @param maxAddresses most candidate addresses tracked
 * @param trackPrivateAddresses also track the node's private addresses (RFC 1918, ULA …) with a
 *     pool of configured servers that dial them ({@code reach.server.allow-private-addresses} on
 *     their side): private fleets and labs, such as the toolkit's compose network. Off, only public
 *     addresses are tracked unless the pool has the embedded loopback servers
 */
@ConfigurationProperties(MonitorProperties.PREFIX)
public record MonitorProperties(
    @DefaultValue("true") boolean enabled,
    @Nullable Integer concurrency,
    @Nullable Duration perServerInterval,
    @Nullable Duration probeTimeout,
    @Nullable Duration reprobeInterval,
    @Nullable Duration secondaryReprobeInterval,
    @Nullable Duration outcomeTtl,
    @Nullable Integer windowSize,
    @Nullable Integer targetConfidence,
    @Nullable Integer maxConsecutiveRefusals,
    @Nullable Duration refusalPause,
    @Nullable Integer maxProbesPerAddress,
    @Nullable Duration probeRateWindow,
    @Nullable Duration backoffInitial,
    @Nullable Duration backoffMax,
    @Nullable Integer maxAddresses,
    @DefaultValue("false") boolean trackPrivateAddresses) {

  static final String PREFIX = "reach.monitor";

  /**
   * The monitor's settings: {@link MonitorSettings}' defaults with what is configured, checked by
   * {@link MonitorSettings}; an error names the {@code reach.monitor.*} key. {@code
   * SettingsConfiguration} asks for them at start, so a bad value stops the start-up even with the
   * monitor off.
   */
  public MonitorSettings toSettings() {
    return build(
        PREFIX,
        () -> {
          MonitorSettings.Builder settings = new MonitorSettings.Builder();
          ifSet(concurrency, settings::concurrency);
          ifSet(perServerInterval, settings::perServerInterval);
          ifSet(probeTimeout, settings::probeTimeout);
          ifSet(reprobeInterval, settings::reprobeInterval);
          ifSet(secondaryReprobeInterval, settings::secondaryReprobeInterval);
          ifSet(outcomeTtl, settings::outcomeTtl);
          ifSet(windowSize, settings::windowSize);
          ifSet(targetConfidence, settings::targetConfidence);
          ifSet(maxConsecutiveRefusals, settings::maxConsecutiveRefusals);
          ifSet(refusalPause, settings::refusalPause);
          ifSet(maxProbesPerAddress, settings::maxProbesPerAddress);
          ifSet(probeRateWindow, settings::probeRateWindow);
          ifSet(backoffInitial, settings::backoffInitial);
          ifSet(backoffMax, settings::backoffMax);
          ifSet(maxAddresses, settings::maxAddresses);
          return settings.build();
        });
  }
}
