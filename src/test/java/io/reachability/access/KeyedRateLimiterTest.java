package io.reachability.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Rates per key: all-or-nothing for several keys, and a bound on the keys kept. */
class KeyedRateLimiterTest {

  private final AtomicLong now = new AtomicLong();

  @Test
  void severalKeysAreTakenAllOrNone() {
    KeyedRateLimiter limiter = new KeyedRateLimiter(2, now::get);
    assertThat(limiter.tryAcquireAll(List.of("peer:a", "ip4:1.2.3.4"))).isEmpty();
    assertThat(limiter.tryAcquireAll(List.of("peer:b", "ip4:1.2.3.4"))).isEmpty();
    // the IP is spent: peer c is refused, and keeps its own budget whole
    assertThat(limiter.tryAcquireAll(List.of("peer:c", "ip4:1.2.3.4"))).isPresent();
    assertThat(limiter.tryAcquire("peer:c")).isEmpty();
    assertThat(limiter.tryAcquire("peer:c")).isEmpty();
    assertThat(limiter.tryAcquire("peer:c")).isPresent();
    // a key named twice costs one
    assertThat(limiter.tryAcquireAll(List.of("ip4:5.6.7.8", "ip4:5.6.7.8"))).isEmpty();
    assertThat(limiter.tryAcquire("ip4:5.6.7.8")).isEmpty();
  }

  @Test
  void whenFullTheLeastRecentlyUsedKeyIsForgottenNotEveryoneRefused() {
    KeyedRateLimiter limiter = new KeyedRateLimiter(1, 2, now::get);
    assertThat(limiter.tryAcquire("a")).isEmpty();
    assertThat(limiter.tryAcquire("b")).isEmpty();
    assertThat(limiter.tryAcquire("a")).isPresent(); // a is spent, and now the most recently used
    assertThat(limiter.tryAcquire("c")).as("a new key is served").isEmpty();
    assertThat(limiter.keys()).isEqualTo(2);
    assertThat(limiter.tryAcquire("a")).as("a was kept").isPresent();
    assertThat(limiter.tryAcquire("b")).as("b was forgotten: whole again").isEmpty();
  }
}
