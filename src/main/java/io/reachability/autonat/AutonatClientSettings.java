package io.reachability.autonat;

import java.time.Duration;
import java.util.Objects;

/**
 * How an {@link AutonatClient} behaves.
 *
 * @param maxDialDataBytes the most dial data paid for one check; a server asking for more gets the
 *     stream reset (the check is then UNKNOWN)
 * @param dialDataChunkBytes data bytes per DialDataResponse (the spec allows at most 4096)
 * @param exchangeTimeout bound on one check, from dialing the server to the verdict (including the
 *     wait for a late nonce)
 * @param nonceGracePeriod after an OK response, how long to wait for a dial-back that is still on
 *     its way (servers normally answer after the dial-back, so this rarely matters)
 */
public record AutonatClientSettings(
    int maxDialDataBytes,
    int dialDataChunkBytes,
    Duration exchangeTimeout,
    Duration nonceGracePeriod) {

  /** Default of {@link #nonceGracePeriod()} (go-libp2p waits up to 5 s). */
  public static final Duration DEFAULT_NONCE_GRACE_PERIOD = Duration.ofSeconds(5);

  public AutonatClientSettings {
    Objects.requireNonNull(exchangeTimeout, "exchangeTimeout");
    Objects.requireNonNull(nonceGracePeriod, "nonceGracePeriod");
    if (maxDialDataBytes < 0) {
      throw new IllegalArgumentException(
          "maxDialDataBytes must not be negative, was " + maxDialDataBytes);
    }
    if (dialDataChunkBytes < AutonatV2.MIN_DIAL_DATA_FRAME
        || dialDataChunkBytes > AutonatV2.MAX_DIAL_DATA_CHUNK) {
      throw new IllegalArgumentException(
          "dialDataChunkBytes must be in ["
              + AutonatV2.MIN_DIAL_DATA_FRAME
              + ", "
              + AutonatV2.MAX_DIAL_DATA_CHUNK
              + "], was "
              + dialDataChunkBytes);
    }
    if (exchangeTimeout.isNegative() || exchangeTimeout.isZero() || nonceGracePeriod.isNegative()) {
      throw new IllegalArgumentException("timeouts must be positive");
    }
  }

  public static AutonatClientSettings defaults() {
    return new AutonatClientSettings(
        AutonatV2.DEFAULT_CLIENT_MAX_DIAL_DATA_BYTES,
        AutonatV2.MAX_DIAL_DATA_CHUNK,
        AutonatV2.EXCHANGE_TIMEOUT,
        DEFAULT_NONCE_GRACE_PERIOD);
  }

  public AutonatClientSettings withMaxDialDataBytes(int max) {
    return new AutonatClientSettings(max, dialDataChunkBytes, exchangeTimeout, nonceGracePeriod);
  }

  public AutonatClientSettings withExchangeTimeout(Duration timeout) {
    return new AutonatClientSettings(
        maxDialDataBytes, dialDataChunkBytes, timeout, nonceGracePeriod);
  }
}
