package io.reachability.autonat;

import java.time.Duration;
import java.util.Objects;

/**
 * Per-check overrides of {@link AutonatClientSettings}.
 *
 * @param maxDialDataBytes the most dial data this check pays; a server asking for more gets the
 *     stream reset and the check is UNKNOWN
 * @param timeout bound on the whole check, from dialing the server to the verdict (the nonce grace
 *     period included)
 */
public record CheckOptions(int maxDialDataBytes, Duration timeout) {

  public CheckOptions {
    Objects.requireNonNull(timeout, "timeout");
    if (maxDialDataBytes < 0) {
      throw new IllegalArgumentException(
          "maxDialDataBytes must not be negative, was " + maxDialDataBytes);
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, was " + timeout);
    }
  }

  /**
   * The client-wide defaults: {@link AutonatClientSettings#maxDialDataBytes()} and {@link
   * AutonatClientSettings#exchangeTimeout()}.
   */
  public static CheckOptions from(AutonatClientSettings settings) {
    return new CheckOptions(settings.maxDialDataBytes(), settings.exchangeTimeout());
  }

  public CheckOptions withMaxDialDataBytes(int max) {
    return new CheckOptions(max, timeout);
  }

  public CheckOptions withTimeout(Duration value) {
    return new CheckOptions(maxDialDataBytes, value);
  }
}
