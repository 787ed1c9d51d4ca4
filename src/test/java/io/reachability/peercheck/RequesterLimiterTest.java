package io.reachability.peercheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** Requesters are counted by IP, an IPv6 one by its /64. */
class RequesterLimiterTest {

  @Test
  void oneIpv6SiteIsOneRequester() throws Exception {
    RequesterLimiter limiter = new RequesterLimiter(2);
    limiter.acquire(InetAddress.getByName("2001:db8:1:2::1"));
    limiter.acquire(InetAddress.getByName("2001:db8:1:2:ffff::9"));
    assertThatExceptionOfType(PeerCheckLimitedException.class)
        .isThrownBy(() -> limiter.acquire(InetAddress.getByName("2001:db8:1:2::77")))
        .withMessageContaining("reach.peer-checks.per-requester-per-minute")
        .satisfies(e -> assertThat(e.retryAfter()).isPositive());
    limiter.acquire(InetAddress.getByName("2001:db8:1:3::1")); // another /64
    limiter.acquire(InetAddress.getByName("192.0.2.1"));
    limiter.acquire(InetAddress.getByName("192.0.2.2")); // IPv4: each address its own
  }

  @Test
  void ipKeysNameTheAddressOrTheSlash64() throws Exception {
    assertThat(TargetRules.ipKey(InetAddress.getByName("198.51.100.7")))
        .isEqualTo("ip4:198.51.100.7");
    assertThat(TargetRules.ipKey(InetAddress.getByName("2001:db8:a:b:c:d:e:f")))
        .isEqualTo("ip6:20010db8000a000b/64");
  }
}
