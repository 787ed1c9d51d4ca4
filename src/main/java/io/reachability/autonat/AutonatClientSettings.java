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
    if (exchangeTimeout.isNegative() || exchangeTimeout.isZero()) {
      throw new IllegalArgumentException(
          "exchangeTimeout must be positive, was " + exchangeTimeout);
    }
    if (nonceGracePeriod.isNegative()) {
      throw new IllegalArgumentException(
          "nonceGracePeriod must not be negative, was " + nonceGracePeriod);
    }
  }

  /** The reference cap on dial data, the largest chunks and the AutoNAT v2 timeouts. */
  public static AutonatClientSettings defaults() {
    return new Builder().build();
  }

  /** A builder starting from these settings. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Settings one by one, from the defaults; {@link #build()} checks them all at once. */
  public static final class Builder {
    private int maxDialDataBytes = AutonatV2.DEFAULT_CLIENT_MAX_DIAL_DATA_BYTES;
    private int dialDataChunkBytes = AutonatV2.MAX_DIAL_DATA_CHUNK;
    private Duration exchangeTimeout = AutonatV2.EXCHANGE_TIMEOUT;
    private Duration nonceGracePeriod = DEFAULT_NONCE_GRACE_PERIOD;

    /** From the defaults. */
    public Builder() {}

    private Builder(AutonatClientSettings from) {
      maxDialDataBytes = from.maxDialDataBytes;
      dialDataChunkBytes = from.dialDataChunkBytes;
      exchangeTimeout = from.exchangeTimeout;
      nonceGracePeriod = from.nonceGracePeriod;
    }

    public Builder maxDialDataBytes(int value) {
      maxDialDataBytes = value;
      return this;
    }

    public Builder dialDataChunkBytes(int value) {
      dialDataChunkBytes = value;
      return this;
    }

    public Builder exchangeTimeout(Duration value) {
      exchangeTimeout = value;
      return this;
    }

    public Builder nonceGracePeriod(Duration value) {
      nonceGracePeriod = value;
      return this;
    }

    /** The settings; throws {@link IllegalArgumentException} naming the first bad value. */
    public AutonatClientSettings build() {
      return new AutonatClientSettings(
          maxDialDataBytes, dialDataChunkBytes, exchangeTimeout, nonceGracePeriod);
    }
  }
}
