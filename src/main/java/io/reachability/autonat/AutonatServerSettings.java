package io.reachability.autonat;

import java.time.Duration;
import java.util.Objects;

/**
 * How an {@link AutonatServer} behaves. {@link #defaults()} are go-libp2p's reference numbers plus
 * our per-IP and per-subnet limits.
 *
 * @param allowPrivateAddresses dial non-public addresses too (only for an embedded loopback pool or
 *     a lab; a public server must not, see {@link AddressClass})
 * @param rateLimit admission control, checked before a request is read
 * @param minDialDataBytes smallest amount of dial data asked for when the address's IP differs from
 *     the client's
 * @param maxDialDataBytes upper bound (exclusive) of that amount; the amount is uniform in between
 * @param maxDialDataJitter after the data arrived, wait a uniform random time up to this before
 *     dialing, so many servers drip-fed by one attacker do not hit a victim in step (go-libp2p uses
 *     up to 3 s; 1 s keeps a paid check quick while still spreading dials)
 * @param exchangeTimeout bound on a whole request, from admission to response
 * @param dialBackConnectTimeout connect timeout of the dial-back
 * @param dialBackStreamTimeout bound on the dial-back stream (negotiation, nonce, response)
 */
public record AutonatServerSettings(
    boolean allowPrivateAddresses,
    RateLimiter.Limits rateLimit,
    int minDialDataBytes,
    int maxDialDataBytes,
    Duration maxDialDataJitter,
    Duration exchangeTimeout,
    Duration dialBackConnectTimeout,
    Duration dialBackStreamTimeout) {

  /** Requests per minute, all peers together (go-libp2p's reference number). */
  public static final int DEFAULT_GLOBAL_PER_MINUTE = 60;

  /** Requests per minute per peer id (reference). */
  public static final int DEFAULT_PER_PEER_PER_MINUTE = 12;

  /** Requests per minute per client IP: one host cannot multiply its budget with fresh peer ids. */
  public static final int DEFAULT_PER_IP_PER_MINUTE = 12;

  /** Requests per minute per /24 or /56: a few hosts of one site share twice a host's budget. */
  public static final int DEFAULT_PER_SUBNET_PER_MINUTE = 24;

  /** Paid (different-IP) dial-backs per minute, all peers together (reference). */
  public static final int DEFAULT_DIAL_DATA_PER_MINUTE = 12;

  /** Requests in flight per peer, dial-backs included (reference). */
  public static final int DEFAULT_CONCURRENT_PER_PEER = 2;

  /** The default admission control. */
  public static final RateLimiter.Limits DEFAULT_RATE_LIMIT =
      new RateLimiter.Limits(
          DEFAULT_GLOBAL_PER_MINUTE,
          DEFAULT_PER_PEER_PER_MINUTE,
          DEFAULT_PER_IP_PER_MINUTE,
          DEFAULT_PER_SUBNET_PER_MINUTE,
          DEFAULT_DIAL_DATA_PER_MINUTE,
          DEFAULT_CONCURRENT_PER_PEER);

  /** Default of {@link #maxDialDataJitter()}. */
  public static final Duration DEFAULT_MAX_DIAL_DATA_JITTER = Duration.ofSeconds(1);

  public AutonatServerSettings {
    Objects.requireNonNull(rateLimit, "rateLimit");
    Objects.requireNonNull(maxDialDataJitter, "maxDialDataJitter");
    Objects.requireNonNull(exchangeTimeout, "exchangeTimeout");
    Objects.requireNonNull(dialBackConnectTimeout, "dialBackConnectTimeout");
    Objects.requireNonNull(dialBackStreamTimeout, "dialBackStreamTimeout");
    if (minDialDataBytes < 1 || maxDialDataBytes <= minDialDataBytes) {
      throw new IllegalArgumentException(
          "dial data range must satisfy 0 < min < max, was ["
              + minDialDataBytes
              + ", "
              + maxDialDataBytes
              + ")");
    }
    if (maxDialDataJitter.isNegative()) {
      throw new IllegalArgumentException(
          "maxDialDataJitter must not be negative, was " + maxDialDataJitter);
    }
    for (Duration d :
        new Duration[] {exchangeTimeout, dialBackConnectTimeout, dialBackStreamTimeout}) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("timeouts must be positive: " + d);
      }
    }
  }

  /** go-libp2p's reference numbers plus our per-IP and per-subnet limits. */
  public static AutonatServerSettings defaults() {
    return new Builder().build();
  }

  /** A builder starting from these settings. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Settings one by one, from the defaults; {@link #build()} checks them all at once. */
  public static final class Builder {
    private boolean allowPrivateAddresses;
    private RateLimiter.Limits rateLimit = DEFAULT_RATE_LIMIT;
    private int minDialDataBytes = AutonatV2.MIN_DIAL_DATA_BYTES;
    private int maxDialDataBytes = AutonatV2.MAX_DIAL_DATA_BYTES;
    private Duration maxDialDataJitter = DEFAULT_MAX_DIAL_DATA_JITTER;
    private Duration exchangeTimeout = AutonatV2.EXCHANGE_TIMEOUT;
    private Duration dialBackConnectTimeout = AutonatV2.DIAL_BACK_CONNECT_TIMEOUT;
    private Duration dialBackStreamTimeout = AutonatV2.DIAL_BACK_STREAM_TIMEOUT;

    /** From the defaults. */
    public Builder() {}

    private Builder(AutonatServerSettings from) {
      allowPrivateAddresses = from.allowPrivateAddresses;
      rateLimit = from.rateLimit;
      minDialDataBytes = from.minDialDataBytes;
      maxDialDataBytes = from.maxDialDataBytes;
      maxDialDataJitter = from.maxDialDataJitter;
      exchangeTimeout = from.exchangeTimeout;
      dialBackConnectTimeout = from.dialBackConnectTimeout;
      dialBackStreamTimeout = from.dialBackStreamTimeout;
    }

    public Builder allowPrivateAddresses(boolean value) {
      allowPrivateAddresses = value;
      return this;
    }

    public Builder rateLimit(RateLimiter.Limits value) {
      rateLimit = value;
      return this;
    }

    public Builder minDialDataBytes(int value) {
      minDialDataBytes = value;
      return this;
    }

    public Builder maxDialDataBytes(int value) {
      maxDialDataBytes = value;
      return this;
    }

    public Builder maxDialDataJitter(Duration value) {
      maxDialDataJitter = value;
      return this;
    }

    public Builder exchangeTimeout(Duration value) {
      exchangeTimeout = value;
      return this;
    }

    public Builder dialBackConnectTimeout(Duration value) {
      dialBackConnectTimeout = value;
      return this;
    }

    public Builder dialBackStreamTimeout(Duration value) {
      dialBackStreamTimeout = value;
      return this;
    }

    /** The settings; throws {@link IllegalArgumentException} naming the first bad value. */
    public AutonatServerSettings build() {
      return new AutonatServerSettings(
          allowPrivateAddresses,
          rateLimit,
          minDialDataBytes,
          maxDialDataBytes,
          maxDialDataJitter,
          exchangeTimeout,
          dialBackConnectTimeout,
          dialBackStreamTimeout);
    }
  }
}
