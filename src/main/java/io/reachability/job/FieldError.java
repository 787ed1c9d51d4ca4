package io.reachability.job;

import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;

/**
 * What is wrong with one field of a submission.
 *
 * @param field the field as the client named it, with an index for list items ({@code addresses[2]})
 * @param value the offending value as given (null when it was missing or null)
 * @param reason why it is refused, in words
 */
@Schema(description = "What is wrong with one field.")
public record FieldError(
    @Schema(
            description =
                """
                The field as the client named it, with an index for list items (`addresses[2]`,
                `servers[0]`); `body` for unreadable JSON; the parameter name (`id`, `state`, `page`,
                `size`) for path and query parameters.""",
            example = "addresses[2]")
        String field,
    @Schema(
            description =
                """
                The offending value as text (null when missing, null, or the body was unreadable; for
                a too-long list a description such as `51 addresses`).""")
        @Nullable String value,
    @Schema(description = "Why it is refused, in words.") String reason) {}
