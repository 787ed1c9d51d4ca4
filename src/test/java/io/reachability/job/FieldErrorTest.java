package io.reachability.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Whatever a client sends, an error echoes a bounded excerpt of it. */
class FieldErrorTest {

  static final String HUGE = "/ip4/" + "9".repeat(1_000_000);

  @Test
  void valueFieldAndReasonAreCut() {
    FieldError error = new FieldError(HUGE, HUGE, "not a multiaddr: " + HUGE);
    assertThat(error.value())
        .isEqualTo(HUGE.substring(0, Excerpt.MAX_CHARS) + "… (" + HUGE.length() + " chars)");
    assertThat(error.field()).hasSizeLessThan(Excerpt.MAX_CHARS + 30);
    assertThat(error.reason())
        .startsWith("not a multiaddr: /ip4/999")
        .hasSizeLessThan(Excerpt.MAX_REASON_CHARS + 30);
  }

  @Test
  void shortTextIsKeptAsItIs() {
    FieldError error = new FieldError("confirmations", "0", "must be in [1, 10]");
    assertThat(error).isEqualTo(new FieldError("confirmations", "0", "must be in [1, 10]"));
    assertThat(error.value()).isEqualTo("0");
    assertThat(new FieldError("addresses[0]", null, "required").value()).isNull();
  }

  @Test
  void aSurrogatePairIsNeverSplit() {
    String text = "a".repeat(Excerpt.MAX_CHARS - 1) + "😀" + "b";
    assertThat(Excerpt.of(text)).startsWith("a".repeat(Excerpt.MAX_CHARS - 1) + "…");
  }

  @Test
  void theExceptionMessageStaysSmall() {
    List<FieldError> errors =
        java.util.stream.IntStream.range(0, 100)
            .mapToObj(i -> new FieldError("addresses[" + i + "]", HUGE, "bad"))
            .toList();
    InvalidCheckRequestException e = new InvalidCheckRequestException(errors);
    assertThat(e.getMessage())
        .startsWith("invalid check request: 100 field error(s), the first: ")
        .hasSizeLessThan(1_000);
    assertThat(e.errors()).hasSize(100);
  }
}
