package io.reachability.peercheck;

import io.reachability.access.KeyedRateLimiter;
import java.net.InetAddress;
import java.util.Objects;

/**
 * Peer-check submissions per requester IP ({@code reach.peer-checks.per-requester-per-minute}); an
 * IPv6 requester is counted by its /64, which it can pick any address from. Counted before
 * validation: a requester sending garbage pays for it too.
 */
public final class RequesterLimiter {

  private final KeyedRateLimiter limiter;

  public RequesterLimiter(int perMinute) {
    this.limiter = new KeyedRateLimiter(perMinute);
  }

  /**
   * Takes one submission from {@code requester}'s budget.
   *
   * @throws PeerCheckLimitedException when it has none left
   */
  public void acquire(InetAddress requester) {
    Objects.requireNonNull(requester, "requester");
    limiter
        .tryAcquire(TargetRules.ipKey(requester))
        .ifPresent(
            wait -> {
              throw new PeerCheckLimitedException(
                  "at most "
                      + limiter.perMinute()
                      + " peer checks a minute from one address"
                      + " (reach.peer-checks.per-requester-per-minute); try again later",
                  wait);
            });
  }
}
