package io.reachability.job;

import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

/**
 * What is wrong with one field of a submission. Everything in it is echoed to the client, so every
 * component is cut to an {@link Excerpt}: a 10 MB value must not become a 10 MB answer.
 *
 * @param field the field as the client named it, with an index for list items ({@code
 *     addresses[2]})
 * @param value the offending value as given (null when it was missing or null), at most {@link
 *     Excerpt#MAX_CHARS} characters of it
 * @param reason why it is refused, in words, at most {@link Excerpt#MAX_REASON_CHARS} characters
 */
@Schema(description = "What is wrong with one field.")
public record FieldError(
    @Schema(
            description =
                """
                The field as the client named it, with an index for list items (`addresses[2]`,
                `servers[0]`); `body` for unreadable JSON; the parameter name (`id`, `state`, `page`,
                `size`) for path and query parameters.\
                """,
            example = "addresses[2]")
        String field,
    @Schema(
            description =
                """
                The offending value as text (null when missing, null, or the body was unreadable; for
                a too-long list a description such as `51 addresses`). A value longer than 128
                characters is cut to its first 128, followed by `… (<length> chars)`.\
                """)
        @Nullable String value,
    @Schema(description = "Why it is refused, in words (at most 512 characters, cut like `value`).")
        String reason) {

  public FieldError {
    field = Excerpt.of(field);
    value = Excerpt.ofNullable(value);
    reason = Excerpt.of(reason, Excerpt.MAX_REASON_CHARS);
  }
}
