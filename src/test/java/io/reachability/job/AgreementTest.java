package io.reachability.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reachability.autonat.Reachability;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The verdict table: min(2, confirmations) must agree, and agree by a majority. */
class AgreementTest {

  @ParameterizedTest(name = "{0} successes, {1} failures, {2} confirmations -> {3}")
  @CsvSource({
    // one confirmation asked for: one server's word decides
    "1, 0, 1, REACHABLE",
    "0, 1, 1, UNREACHABLE",
    "0, 0, 1, UNKNOWN",
    // two: both must agree
    "2, 0, 2, REACHABLE",
    "0, 2, 2, UNREACHABLE",
    "1, 1, 2, UNKNOWN",
    "1, 0, 2, UNKNOWN",
    "0, 1, 2, UNKNOWN",
    // three (the default)
    "3, 0, 3, REACHABLE",
    "2, 1, 3, REACHABLE",
    "2, 0, 3, REACHABLE",
    "1, 2, 3, UNREACHABLE",
    "0, 3, 3, UNREACHABLE",
    "0, 2, 3, UNREACHABLE",
    "1, 1, 3, UNKNOWN",
    "1, 0, 3, UNKNOWN",
    "0, 1, 3, UNKNOWN",
    "0, 0, 3, UNKNOWN",
    // a tie never decides, however many agree
    "2, 2, 5, UNKNOWN",
    "3, 2, 5, REACHABLE",
    "2, 3, 5, UNREACHABLE",
  })
  void table(int successes, int failures, int confirmations, Reachability expected) {
    assertThat(Agreement.verdict(successes, failures, confirmations)).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({"-1, 0, 1", "0, -1, 1", "0, 0, 0"})
  void rejectsNonsense(int successes, int failures, int confirmations) {
    assertThatThrownBy(() -> Agreement.verdict(successes, failures, confirmations))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
