package io.reachability.config;

import io.reachability.monitor.MonitorSettings;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The reachability monitor ({@code reach.monitor.*}). Defaults are go-libp2p's numbers (see {@link
 * MonitorSettings}).
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
 */
@ConfigurationProperties(MonitorProperties.PREFIX)
public record MonitorProperties(
    @DefaultValue("true") boolean enabled,
    @DefaultValue("" + MonitorSettings.DEFAULT_CONCURRENCY) int concurrency,
    @DefaultValue("10s") Duration perServerInterval,
    @DefaultValue("30s") Duration probeTimeout,
    @DefaultValue("1h") Duration reprobeInterval,
    @DefaultValue("3h") Duration secondaryReprobeInterval,
    @DefaultValue("5h") Duration outcomeTtl,
    @DefaultValue("" + MonitorSettings.DEFAULT_WINDOW_SIZE) int windowSize,
    @DefaultValue("" + MonitorSettings.DEFAULT_TARGET_CONFIDENCE) int targetConfidence,
    @DefaultValue("" + MonitorSettings.DEFAULT_MAX_CONSECUTIVE_REFUSALS) int maxConsecutiveRefusals,
    @DefaultValue("10m") Duration refusalPause,
    @DefaultValue("" + MonitorSettings.DEFAULT_MAX_PROBES_PER_ADDRESS) int maxProbesPerAddress,
    @DefaultValue("10m") Duration probeRateWindow,
    @DefaultValue("5s") Duration backoffInitial,
    @DefaultValue("5m") Duration backoffMax,
    @DefaultValue("" + MonitorSettings.DEFAULT_MAX_ADDRESSES) int maxAddresses) {

  static final String PREFIX = "reach.monitor";

  /**
   * The monitor's settings, checked by {@link MonitorSettings}; an error names the {@code
   * reach.monitor.*} key. {@code SettingsConfiguration} asks for them at start, so a bad value
   * stops the start-up even with the monitor off.
   */
  public MonitorSettings toSettings() {
    try {
      return new MonitorSettings.Builder()
          .windowSize(windowSize)
          .outcomeTtl(outcomeTtl)
          .targetConfidence(targetConfidence)
          .reprobeInterval(reprobeInterval)
          .secondaryReprobeInterval(secondaryReprobeInterval)
          .maxConsecutiveRefusals(maxConsecutiveRefusals)
          .refusalPause(refusalPause)
          .maxProbesPerAddress(maxProbesPerAddress)
          .probeRateWindow(probeRateWindow)
          .concurrency(concurrency)
          .probeTimeout(probeTimeout)
          .perServerInterval(perServerInterval)
          .backoffInitial(backoffInitial)
          .backoffMax(backoffMax)
          .maxAddresses(maxAddresses)
          .build();
    } catch (IllegalArgumentException | NullPointerException e) {
      throw SettingErrors.named(PREFIX, e);
    }
  }
}
