package io.reachability.monitor;

import java.time.Duration;
import java.util.Objects;

/**
 * The reachability monitor's numbers. The defaults are go-libp2p's address reachability tracker
 * ({@code p2p/host/basic/addrs_reachability_tracker.go}), which other implementations follow.
 *
 * @param windowSize outcomes kept per address (the sliding window)
 * @param outcomeTtl an outcome older than this no longer counts
 * @param targetConfidence |successes − failures| at which an address needs no more probes
 * @param reprobeInterval a confirmed (primary) address is probed again when its newest outcome is
 *     this old
 * @param secondaryReprobeInterval the same for a secondary address (one sharing IP and port with a
 *     primary)
 * @param maxConsecutiveRefusals refusals in a row after which an address is paused
 * @param refusalPause how long such an address is paused
 * @param maxProbesPerAddress most probes of one address within {@code probeRateWindow}
 * @param probeRateWindow the window of that rate limit
 * @param concurrency probes in flight at once, all addresses together
 * @param probeTimeout bound on one probe
 * @param perServerInterval least time between two monitor probes sent to the same server (the
 *     servers' own per-peer limits are 12 a minute in go and here)
 * @param backoffInitial first wait when no server can be asked; doubles on every failed round
 * @param backoffMax the longest such wait
 * @param maxAddresses most candidate addresses tracked
 */
public record MonitorSettings(
    int windowSize,
    Duration outcomeTtl,
    int targetConfidence,
    Duration reprobeInterval,
    Duration secondaryReprobeInterval,
    int maxConsecutiveRefusals,
    Duration refusalPause,
    int maxProbesPerAddress,
    Duration probeRateWindow,
    int concurrency,
    Duration probeTimeout,
    Duration perServerInterval,
    Duration backoffInitial,
    Duration backoffMax,
    int maxAddresses) {

  /**
   * successes − failures (or the reverse) at which the window gives a verdict; go's rule, fixed.
   */
  public static final int VERDICT_MARGIN = 2;

  /** go's {@code maxRecentDialsWindow}: target confidence plus two. */
  public static final int DEFAULT_WINDOW_SIZE = 5;

  /** go's {@code maxProbeResultTTL}. */
  public static final Duration DEFAULT_OUTCOME_TTL = Duration.ofHours(5);

  /** go's {@code targetConfidence}. */
  public static final int DEFAULT_TARGET_CONFIDENCE = 3;

  /** go's {@code highConfidenceAddrProbeInterval}. */
  public static final Duration DEFAULT_REPROBE_INTERVAL = Duration.ofHours(1);

  /** go's {@code highConfidenceSecondaryAddrProbeInterval}. */
  public static final Duration DEFAULT_SECONDARY_REPROBE_INTERVAL = Duration.ofHours(3);

  /** go's {@code maxConsecutiveRefusals}. */
  public static final int DEFAULT_MAX_CONSECUTIVE_REFUSALS = 5;

  /** go's {@code recentProbeInterval} applied to refusals. */
  public static final Duration DEFAULT_REFUSAL_PAUSE = Duration.ofMinutes(10);

  /** go's {@code maxRecentDialsPerAddr}. */
  public static final int DEFAULT_MAX_PROBES_PER_ADDRESS = 10;

  /** go's {@code recentProbeInterval}. */
  public static final Duration DEFAULT_PROBE_RATE_WINDOW = Duration.ofMinutes(10);

  /** go's {@code defaultMaxConcurrency}. */
  public static final int DEFAULT_CONCURRENCY = 5;

  /**
   * go's {@code defaultReachabilityRefreshInterval} is per round; a probe gets go's per-probe 30 s.
   */
  public static final Duration DEFAULT_PROBE_TIMEOUT = Duration.ofSeconds(30);

  /** Half of a go server's 12 requests per peer per minute. */
  public static final Duration DEFAULT_PER_SERVER_INTERVAL = Duration.ofSeconds(10);

  /** go's backoff start. */
  public static final Duration DEFAULT_BACKOFF_INITIAL = Duration.ofSeconds(5);

  /** go's backoff cap. */
  public static final Duration DEFAULT_BACKOFF_MAX = Duration.ofMinutes(5);

  /** go's {@code maxTrackedAddrs}. */
  public static final int DEFAULT_MAX_ADDRESSES = 50;

  /** Largest window accepted: a window is scanned on every decision. */
  public static final int MAX_WINDOW_SIZE = 64;

  /** Most probes in flight accepted. */
  public static final int MAX_CONCURRENCY = 64;

  public static final MonitorSettings DEFAULTS = new Builder().build();

  public MonitorSettings {
    require(
        windowSize >= 1 && windowSize <= MAX_WINDOW_SIZE,
        "windowSize must be in [1, " + MAX_WINDOW_SIZE + "], was " + windowSize);
    require(
        targetConfidence >= 1 && targetConfidence <= windowSize,
        "targetConfidence must be in [1, "
            + windowSize
            + "] (the window size), was "
            + targetConfidence);
    require(
        maxConsecutiveRefusals >= 1,
        "maxConsecutiveRefusals must be at least 1, was " + maxConsecutiveRefusals);
    require(
        maxProbesPerAddress >= 1,
        "maxProbesPerAddress must be at least 1, was " + maxProbesPerAddress);
    require(
        concurrency >= 1 && concurrency <= MAX_CONCURRENCY,
        "concurrency must be in [1, " + MAX_CONCURRENCY + "], was " + concurrency);
    require(maxAddresses >= 1, "maxAddresses must be at least 1, was " + maxAddresses);
    positive(outcomeTtl, "outcomeTtl");
    positive(reprobeInterval, "reprobeInterval");
    positive(secondaryReprobeInterval, "secondaryReprobeInterval");
    positive(refusalPause, "refusalPause");
    positive(probeRateWindow, "probeRateWindow");
    positive(probeTimeout, "probeTimeout");
    positive(backoffInitial, "backoffInitial");
    positive(backoffMax, "backoffMax");
    Objects.requireNonNull(perServerInterval, "perServerInterval");
    require(
        !perServerInterval.isNegative(),
        "perServerInterval must not be negative, was " + perServerInterval);
    require(
        backoffMax.compareTo(backoffInitial) >= 0, "backoffMax must be at least backoffInitial");
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }

  private static void positive(Duration value, String name) {
    Objects.requireNonNull(value, name);
    require(!value.isNegative() && !value.isZero(), name + " must be positive, was " + value);
  }

  /** A builder starting from these settings. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Settings one by one, from the defaults; {@link #build()} checks them all at once. */
  public static final class Builder {
    private int windowSize = DEFAULT_WINDOW_SIZE;
    private Duration outcomeTtl = DEFAULT_OUTCOME_TTL;
    private int targetConfidence = DEFAULT_TARGET_CONFIDENCE;
    private Duration reprobeInterval = DEFAULT_REPROBE_INTERVAL;
    private Duration secondaryReprobeInterval = DEFAULT_SECONDARY_REPROBE_INTERVAL;
    private int maxConsecutiveRefusals = DEFAULT_MAX_CONSECUTIVE_REFUSALS;
    private Duration refusalPause = DEFAULT_REFUSAL_PAUSE;
    private int maxProbesPerAddress = DEFAULT_MAX_PROBES_PER_ADDRESS;
    private Duration probeRateWindow = DEFAULT_PROBE_RATE_WINDOW;
    private int concurrency = DEFAULT_CONCURRENCY;
    private Duration probeTimeout = DEFAULT_PROBE_TIMEOUT;
    private Duration perServerInterval = DEFAULT_PER_SERVER_INTERVAL;
    private Duration backoffInitial = DEFAULT_BACKOFF_INITIAL;
    private Duration backoffMax = DEFAULT_BACKOFF_MAX;
    private int maxAddresses = DEFAULT_MAX_ADDRESSES;

    /** From the defaults. */
    public Builder() {}

    private Builder(MonitorSettings from) {
      windowSize = from.windowSize;
      outcomeTtl = from.outcomeTtl;
      targetConfidence = from.targetConfidence;
      reprobeInterval = from.reprobeInterval;
      secondaryReprobeInterval = from.secondaryReprobeInterval;
      maxConsecutiveRefusals = from.maxConsecutiveRefusals;
      refusalPause = from.refusalPause;
      maxProbesPerAddress = from.maxProbesPerAddress;
      probeRateWindow = from.probeRateWindow;
      concurrency = from.concurrency;
      probeTimeout = from.probeTimeout;
      perServerInterval = from.perServerInterval;
      backoffInitial = from.backoffInitial;
      backoffMax = from.backoffMax;
      maxAddresses = from.maxAddresses;
    }

    public Builder windowSize(int value) {
      windowSize = value;
      return this;
    }

    public Builder outcomeTtl(Duration value) {
      outcomeTtl = value;
      return this;
    }

    public Builder targetConfidence(int value) {
      targetConfidence = value;
      return this;
    }

    public Builder reprobeInterval(Duration value) {
      reprobeInterval = value;
      return this;
    }

    public Builder secondaryReprobeInterval(Duration value) {
      secondaryReprobeInterval = value;
      return this;
    }

    public Builder maxConsecutiveRefusals(int value) {
      maxConsecutiveRefusals = value;
      return this;
    }

    public Builder refusalPause(Duration value) {
      refusalPause = value;
      return this;
    }

    public Builder maxProbesPerAddress(int value) {
      maxProbesPerAddress = value;
      return this;
    }

    public Builder probeRateWindow(Duration value) {
      probeRateWindow = value;
      return this;
    }

    public Builder concurrency(int value) {
      concurrency = value;
      return this;
    }

    public Builder probeTimeout(Duration value) {
      probeTimeout = value;
      return this;
    }

    public Builder perServerInterval(Duration value) {
      perServerInterval = value;
      return this;
    }

    public Builder backoffInitial(Duration value) {
      backoffInitial = value;
      return this;
    }

    public Builder backoffMax(Duration value) {
      backoffMax = value;
      return this;
    }

    public Builder maxAddresses(int value) {
      maxAddresses = value;
      return this;
    }

    /** The settings; throws {@link IllegalArgumentException} naming the first bad value. */
    public MonitorSettings build() {
      return new MonitorSettings(
          windowSize,
          outcomeTtl,
          targetConfidence,
          reprobeInterval,
          secondaryReprobeInterval,
          maxConsecutiveRefusals,
          refusalPause,
          maxProbesPerAddress,
          probeRateWindow,
          concurrency,
          probeTimeout,
          perServerInterval,
          backoffInitial,
          backoffMax,
          maxAddresses);
    }
  }
}
