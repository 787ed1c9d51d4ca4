package io.reachability.autonat;

import static org.assertj.core.api.Assertions.assertThat;

import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.crypto.Keys;
import io.reachability.testing.MutableClock;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Admission control with a hand-moved clock. */
class RateLimiterTest {

  private static final int MANY = 1000;

  private final MutableClock clock = new MutableClock();

  private static PeerId peer() {
    return PeerId.fromPublicKey(Keys.generateEd25519().publicKey());
  }

  private static InetAddress ip(String literal) throws Exception {
    return InetAddress.getByName(literal);
  }

  /** Acquires and releases at once: only the per-minute counts are exercised. */
  private static boolean admit(RateLimiter limiter, PeerId peer, InetAddress ip) {
    Optional<RateLimiter.Permit> permit = limiter.tryAcquire(peer, ip);
    permit.ifPresent(RateLimiter.Permit::close);
    return permit.isPresent();
  }

  @Test
  void globalLimitCountsEveryoneAndFreesUpAfterTheWindow() throws Exception {
    RateLimiter limiter =
        new RateLimiter(new RateLimiter.Limits(3, MANY, MANY, MANY, MANY, MANY), clock);
    assertThat(admit(limiter, peer(), ip("1.1.1.1"))).isTrue();
    assertThat(admit(limiter, peer(), ip("2.2.2.2"))).isTrue();
    clock.advance(Duration.ofSeconds(30));
    assertThat(admit(limiter, peer(), ip("3.3.3.3"))).isTrue();
    assertThat(admit(limiter, peer(), ip("4.4.4.4"))).isFalse();
    clock.advance(Duration.ofSeconds(30)); // the first two are a minute old now
    assertThat(admit(limiter, peer(), ip("4.4.4.4"))).isTrue();
    assertThat(admit(limiter, peer(), ip("5.5.5.5"))).isTrue();
    assertThat(admit(limiter, peer(), ip("6.6.6.6"))).isFalse();
  }

  @Test
  void perPeerLimitLeavesOtherPeersAlone() throws Exception {
    RateLimiter limiter =
        new RateLimiter(new RateLimiter.Limits(MANY, 2, MANY, MANY, MANY, MANY), clock);
    PeerId greedy = peer();
    assertThat(admit(limiter, greedy, ip("1.1.1.1"))).isTrue();
    assertThat(admit(limiter, greedy, ip("2.2.2.2"))).isTrue();
    assertThat(admit(limiter, greedy, ip("3.3.3.3"))).isFalse();
    assertThat(admit(limiter, peer(), ip("1.1.1.1"))).isTrue();
    clock.advance(RateLimiter.WINDOW);
    assertThat(admit(limiter, greedy, ip("3.3.3.3"))).isTrue();
  }

  @Test
  void perIpLimitCatchesManyPeerIdsFromOneHost() throws Exception {
    RateLimiter limiter =
        new RateLimiter(new RateLimiter.Limits(MANY, MANY, 2, MANY, MANY, MANY), clock);
    assertThat(admit(limiter, peer(), ip("1.1.1.1"))).isTrue();
    assertThat(admit(limiter, peer(), ip("1.1.1.1"))).isTrue();
    assertThat(admit(limiter, peer(), ip("1.1.1.1"))).isFalse();
    assertThat(admit(limiter, peer(), ip("1.1.1.2"))).isTrue();
  }

  @Test
  void perSubnetLimitIsPer24ForIpv4AndPer56ForIpv6() throws Exception {
    RateLimiter limiter =
        new RateLimiter(new RateLimiter.Limits(MANY, MANY, MANY, 2, MANY, MANY), clock);
    assertThat(admit(limiter, peer(), ip("10.0.0.1"))).isTrue();
    assertThat(admit(limiter, peer(), ip("10.0.0.200"))).isTrue();
    assertThat(admit(limiter, peer(), ip("10.0.0.3"))).isFalse();
    assertThat(admit(limiter, peer(), ip("10.0.1.1"))).isTrue();

    assertThat(admit(limiter, peer(), ip("2001:db8:0:ff::1"))).isTrue();
    assertThat(admit(limiter, peer(), ip("2001:db8:0:1::2")))
        .isTrue(); // same /56 (2001:db8:0:0000–00ff)
    assertThat(admit(limiter, peer(), ip("2001:db8:0:42::3"))).isFalse();
    assertThat(admit(limiter, peer(), ip("2001:db8:0:100::1"))).isTrue(); // next /56
  }

  @Test
  void dialDataBudgetIsGlobalPerMinute() {
    RateLimiter limiter =
        new RateLimiter(new RateLimiter.Limits(MANY, MANY, MANY, MANY, 12, MANY), clock);
    for (int i = 0; i < 12; i++) {
      assertThat(limiter.tryAcquireDialData()).as("request %d", i).isTrue();
    }
    assertThat(limiter.tryAcquireDialData()).isFalse();
    clock.advance(Duration.ofSeconds(59));
    assertThat(limiter.tryAcquireDialData()).isFalse();
    clock.advance(Duration.ofSeconds(1));
    assertThat(limiter.tryAcquireDialData()).isTrue();
  }

  @Test
  void concurrencyPerPeerIsFreedByClosingThePermitOnce() throws Exception {
    RateLimiter limiter =
        new RateLimiter(new RateLimiter.Limits(MANY, MANY, MANY, MANY, MANY, 2), clock);
    PeerId peer = peer();
    RateLimiter.Permit first = limiter.tryAcquire(peer, ip("1.1.1.1")).orElseThrow();
    RateLimiter.Permit second = limiter.tryAcquire(peer, ip("1.1.1.1")).orElseThrow();
    assertThat(limiter.tryAcquire(peer, ip("1.1.1.1"))).isEmpty();
    assertThat(limiter.tryAcquire(peer(), ip("1.1.1.1"))).isPresent();
    first.close();
    first.close(); // idempotent: must not free the second's slot
    RateLimiter.Permit third = limiter.tryAcquire(peer, ip("1.1.1.1")).orElseThrow();
    assertThat(limiter.tryAcquire(peer, ip("1.1.1.1"))).isEmpty();
    second.close();
    third.close();
  }

  @Test
  void rejectedRequestsAreNotCountedAndStateIsDroppedAfterTheWindow() throws Exception {
    RateLimiter limiter =
        new RateLimiter(new RateLimiter.Limits(MANY, 1, MANY, MANY, MANY, MANY), clock);
    PeerId peer = peer();
    assertThat(admit(limiter, peer, ip("1.1.1.1"))).isTrue();
    for (int i = 0; i < 100; i++) {
      assertThat(admit(limiter, peer, ip("1.1.1.1"))).isFalse();
    }
    clock.advance(RateLimiter.WINDOW);
    assertThat(admit(limiter, peer, ip("1.1.1.1")))
        .isTrue(); // the 100 refusals did not extend the ban
    assertThat(limiter.trackedKeys()).isEqualTo(3); // peer, IP, subnet
    clock.advance(RateLimiter.WINDOW);
    assertThat(limiter.trackedKeys()).isZero();
  }
}
