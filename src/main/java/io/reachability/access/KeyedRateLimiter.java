package io.reachability.access;

import java.time.Duration;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * A rate per key (a client's name, a requester's IP, a target): a token bucket per key holding up
 * to a minute's worth, refilled at {@code perMinute} a minute. Buckets that are full again are
 * dropped, so only keys used within the last minute are kept, and at most {@code maxKeys} of them
 * (keys may come from the network, and must not grow the heap): when that many are in use, the
 * least recently used is forgotten for a new one.
 */
public final class KeyedRateLimiter {

  /** Keys kept at most by default: far more than API keys, enough for a busy public instance. */
  public static final int DEFAULT_MAX_KEYS = 10_000;

  private static final long NANOS_PER_MINUTE = Duration.ofMinutes(1).toNanos();

  private final int perMinute;
  private final int maxKeys;
  private final LongSupplier nanoTime;

  /** In access order: the least recently used key first. */
  private final LinkedHashMap<String, Bucket> buckets = new LinkedHashMap<>(16, 0.75f, true);

  private static final class Bucket {
    double tokens;
    long at;

    Bucket(double tokens, long at) {
      this.tokens = tokens;
      this.at = at;
    }
  }

  public KeyedRateLimiter(int perMinute) {
    this(perMinute, DEFAULT_MAX_KEYS, System::nanoTime);
  }

  /** For tests: an injected monotonic clock. */
  KeyedRateLimiter(int perMinute, LongSupplier nanoTime) {
    this(perMinute, DEFAULT_MAX_KEYS, nanoTime);
  }

  /** For tests: a bound on keys and an injected monotonic clock. */
  KeyedRateLimiter(int perMinute, int maxKeys, LongSupplier nanoTime) {
    if (perMinute < 1) {
      throw new IllegalArgumentException("perMinute must be at least 1, was " + perMinute);
    }
    if (maxKeys < 1) {
      throw new IllegalArgumentException("maxKeys must be at least 1, was " + maxKeys);
    }
    this.perMinute = perMinute;
    this.maxKeys = maxKeys;
    this.nanoTime = nanoTime;
  }

  public int perMinute() {
    return perMinute;
  }

  /**
   * Takes one from {@code key}'s budget.
   *
   * @return empty when it may go ahead; otherwise how long until it may
   */
  public Optional<Duration> tryAcquire(String key) {
    return tryAcquireAll(List.of(key));
  }

  /**
   * Takes one from each of {@code keys}' budgets, all or none: when one key has nothing left,
   * nothing is taken from the others.
   *
   * @return empty when it may go ahead; otherwise how long until every key has one again
   */
  public synchronized Optional<Duration> tryAcquireAll(Collection<String> keys) {
    long now = nanoTime.getAsLong();
    dropFull(now);
    double fewest = perMinute;
    for (String key : keys) {
      Bucket bucket = buckets.get(key); // an access: the key becomes the most recently used
      if (bucket == null) {
        // full: the least recently used key is forgotten (its budget starts whole again) rather
        // than every new key being refused, which would refuse everyone
        Iterator<String> eldest = buckets.keySet().iterator();
        while (buckets.size() >= maxKeys && eldest.hasNext()) {
          eldest.next();
          eldest.remove();
        }
        bucket = new Bucket(perMinute, now);
        buckets.put(key, bucket);
      }
      refill(bucket, now);
      fewest = Math.min(fewest, bucket.tokens);
    }
    if (fewest < 1) {
      double missing = 1 - fewest;
      return Optional.of(
          Duration.ofNanos((long) Math.ceil(missing * NANOS_PER_MINUTE / perMinute)));
    }
    for (String key : keys.stream().distinct().toList()) {
      java.util.Objects.requireNonNull(buckets.get(key)).tokens -= 1;
    }
    return Optional.empty();
  }

  /** Keys with a bucket now (tests, and a bound check). */
  synchronized int keys() {
    dropFull(nanoTime.getAsLong());
    return buckets.size();
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
