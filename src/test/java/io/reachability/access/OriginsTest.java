package io.reachability.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Origins in settings: exact ones only, a bounded number, the bad one named. */
class OriginsTest {

  private static AccessProperties framedBy(List<String> origins) {
    return new AccessProperties(
        List.of(), false, false, false, AccessProperties.DEFAULT_SUBMISSIONS_PER_MINUTE, origins);
  }

  @Test
  void exactOriginsAreKept() {
    assertThat(framedBy(List.of("https://wall.example.org", "http://[::1]:3000")).frameAncestors())
        .containsExactly("https://wall.example.org", "http://[::1]:3000");
  }

  @Test
  void wildcardsPathsAndOtherSchemesAreRefusedByIndex() {
    for (String bad :
        List.of(
            "*",
            "https://*.example.org",
            "https://example.org/",
            "javascript:x",
            "'self'",
            "https://a.example.org; script-src *",
            "https://a.example.org https://b.example.org",
            "https://a.example.org\r\nX: y",
            "http://x:99999",
            "http://-",
            "http://a..b",
            "")) {
      assertThatThrownBy(() -> framedBy(List.of("https://ok.example.org", bad)))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("reach.access.frame-ancestors[1] = ");
    }
  }

  @Test
  void atMostSixtyFourOrigins() {
    List<String> many = Collections.nCopies(Origins.MAX_ORIGINS + 1, "https://a.example.org");
    assertThatThrownBy(() -> framedBy(many))
        .hasMessage("reach.access.frame-ancestors names 65 origins, at most 64");
  }
}
