package io.reachability.job;

import org.jspecify.annotations.Nullable;

/**
 * Input echoed back to a client (a field error's value and reason, a problem's detail) is cut to a
 * bounded excerpt, so no error answer, log line or exception message copies unbounded input.
 */
public final class Excerpt {

  /** Characters of a client's input kept when it is echoed: enough to recognise it. */
  public static final int MAX_CHARS = 128;

  /**
   * Characters kept of a reason: the service's own words (every fixed reason is far shorter) plus
   * whatever a parser quoted from the input.
   */
  public static final int MAX_REASON_CHARS = 512;

  private Excerpt() {}

  /**
   * {@code text} when it has at most {@link #MAX_CHARS} characters, else its start and its length:
   * {@code "/ip4/…… (10485760 chars)"}.
   */
  public static String of(String text) {
    return of(text, MAX_CHARS);
  }

  public static @Nullable String ofNullable(@Nullable String text) {
    return text == null ? null : of(text);
  }

  /**
   * {@code text} cut to {@code max} characters (never in the middle of a surrogate pair), followed
   * by its length.
   */
  public static String of(String text, int max) {
    if (text.length() <= max) {
      return text;
    }
    int end = Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max;
    return text.substring(0, end) + "… (" + text.length() + " chars)";
  }
}
