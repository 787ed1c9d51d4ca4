package io.reachability.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Keys, their settings and the per-client submission budget, without Spring. */
class ApiKeysTest {

  static final String ALICE_SECRET = "alice-0123456789abcdef";
  static final String ROOT_SECRET = "root-0123456789abcdef0";

  private static AccessProperties keys(AccessProperties.Key... keys) {
    return new AccessProperties(
        List.of(keys),
        false,
        false,
        false,
        AccessProperties.DEFAULT_SUBMISSIONS_PER_MINUTE,
        List.of());
  }

  @Test
  void aKnownSecretIsItsHolderAndNothingElseIsAnyone() {
    ApiKeys keys =
        new ApiKeys(
            keys(
                    new AccessProperties.Key("alice", ALICE_SECRET, false),
                    new AccessProperties.Key("root", ROOT_SECRET, true))
                .keys());
    assertThat(keys.any()).isTrue();
    assertThat(keys.authenticate(ALICE_SECRET)).contains(new ApiClient("alice", false));
    assertThat(keys.authenticate(ROOT_SECRET)).contains(new ApiClient("root", true));
    assertThat(keys.authenticate(ALICE_SECRET + "x")).isEmpty();
    assertThat(keys.authenticate(ALICE_SECRET.substring(1))).isEmpty();
    assertThat(keys.authenticate("")).isEmpty();
    assertThat(keys.authenticate("a".repeat(AccessProperties.MAX_SECRET_LENGTH + 1))).isEmpty();
    assertThat(new ApiKeys(List.of()).any()).isFalse();
  }

  @Test
  void weakOrAmbiguousKeysAreRefusedWithoutShowingTheSecret() {
    assertThatThrownBy(() -> keys(new AccessProperties.Key("alice", "short", false)))
        .hasMessage(
            "reach.access.keys[0].secret must be 16-256 visible ASCII characters without spaces"
                + " (e.g. openssl rand -hex 32)");
    assertThatThrownBy(() -> keys(new AccessProperties.Key("alice", "has a space in it!!", false)))
        .hasMessageStartingWith("reach.access.keys[0].secret must be")
        .hasMessageNotContaining("space in it");
    assertThatThrownBy(() -> keys(new AccessProperties.Key(null, ALICE_SECRET, false)))
        .hasMessageStartingWith("reach.access.keys[0].name must be");
    assertThatThrownBy(() -> keys(new AccessProperties.Key("local", ALICE_SECRET, false)))
        .hasMessage("reach.access.keys[0].name \"local\" is reserved");
    assertThatThrownBy(
            () ->
                keys(
                    new AccessProperties.Key("a", ALICE_SECRET, false),
                    new AccessProperties.Key("a", ROOT_SECRET, false)))
        .hasMessage("reach.access.keys[1].name \"a\" is used by another key");
    assertThatThrownBy(
            () ->
                keys(
                    new AccessProperties.Key("a", ALICE_SECRET, false),
                    new AccessProperties.Key("b", ALICE_SECRET, false)))
        .hasMessage("reach.access.keys[1].secret is the secret of another key");
    assertThatThrownBy(() -> new AccessProperties(List.of(), false, false, false, 0, List.of()))
        .hasMessage("reach.access.submissions-per-minute must be in [1, 60000], was 0");
  }

  @Test
  void submissionsAreBudgetedPerClient() {
    AtomicLong now = new AtomicLong();
    KeyedRateLimiter limiter = new KeyedRateLimiter(3, now::get);
    for (int i = 0; i < 3; i++) {
      assertThat(limiter.tryAcquire("alice")).isEmpty();
    }
    assertThat(limiter.tryAcquire("alice"))
        .contains(Duration.ofSeconds(20)); // one comes back every 20 s
    assertThat(limiter.tryAcquire("bob")).as("another client's budget is its own").isEmpty();
    now.addAndGet(Duration.ofSeconds(20).toNanos());
    assertThat(limiter.tryAcquire("alice")).isEmpty();
    assertThat(limiter.tryAcquire("alice")).isPresent();
    now.addAndGet(Duration.ofMinutes(10).toNanos());
    for (int i = 0; i < 3; i++) {
      assertThat(limiter.tryAcquire("alice")).as("refilled to a burst, no more").isEmpty();
    }
    assertThat(limiter.tryAcquire("alice")).isPresent();
  }

  @Test
  void loopbackIsReadFromTheLiteralOnly() {
    assertThat(ApiKeyAuthenticationFilter.isLoopback("127.0.0.1")).isTrue();
    assertThat(ApiKeyAuthenticationFilter.isLoopback("127.9.8.7")).isTrue();
    assertThat(ApiKeyAuthenticationFilter.isLoopback("0:0:0:0:0:0:0:1")).isTrue();
    assertThat(ApiKeyAuthenticationFilter.isLoopback("[::1]")).isTrue();
    assertThat(ApiKeyAuthenticationFilter.isLoopback("::ffff:127.0.0.1")).isTrue();
    assertThat(ApiKeyAuthenticationFilter.isLoopback("192.0.2.1")).isFalse();
    assertThat(ApiKeyAuthenticationFilter.isLoopback("localhost"))
        .as("a name is never looked up")
        .isFalse();
    assertThat(ApiKeyAuthenticationFilter.isLoopback(null)).isFalse();
  }
}
