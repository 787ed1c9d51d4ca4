package io.reachability.access;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Check submissions per client: a token bucket per client name holding up to a minute's worth,
 * refilled at {@code perMinute} a minute. Clients are API keys and the local caller, so the map is
 * bounded by the configuration; buckets that are full again are dropped anyway.
 */
public final class SubmissionRateLimiter {

  private static final long NANOS_PER_MINUTE = Duration.ofMinutes(1).toNanos();

  private final int perMinute;
  private final LongSupplier nanoTime;
  private final Map<String, Bucket> buckets = new HashMap<>();

  private static final class Bucket {
    double tokens;
    long at;

    Bucket(double tokens, long at) {
      this.tokens = tokens;
      this.at = at;
    }
  }

  public SubmissionRateLimiter(int perMinute) {
    this(perMinute, System::nanoTime);
  }

  /** For tests: an injected monotonic clock. */
  SubmissionRateLimiter(int perMinute, LongSupplier nanoTime) {
    if (perMinute < 1) {
      throw new IllegalArgumentException("perMinute must be at least 1, was " + perMinute);
    }
    this.perMinute = perMinute;
    this.nanoTime = nanoTime;
  }

  public int perMinute() {
    return perMinute;
  }

  /**
   * Takes one submission from {@code client}'s budget.
   *
   * @return empty when it may go ahead; otherwise how long until it may
   */
  public synchronized Optional<Duration> tryAcquire(String client) {
    long now = nanoTime.getAsLong();
    dropFull(now);
    Bucket bucket = buckets.computeIfAbsent(client, k -> new Bucket(perMinute, now));
    refill(bucket, now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return Optional.empty();
    }
    double missing = 1 - bucket.tokens;
    return Optional.of(Duration.ofNanos((long) Math.ceil(missing * NANOS_PER_MINUTE / perMinute)));
  }

  private void refill(Bucket bucket, long now) {
    bucket.tokens =
        Math.min(
            perMinute, bucket.tokens + (double) (now - bucket.at) * perMinute / NANOS_PER_MINUTE);
    bucket.at = now;
  }

  /** A full bucket is the same as none: forget it. */
  private void dropFull(long now) {
    buckets
        .values()
        .removeIf(
            bucket -> {
              refill(bucket, now);
              return bucket.tokens >= perMinute;
            });
  }
}
