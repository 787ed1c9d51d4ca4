package io.reachability.job;

import org.jspecify.annotations.Nullable;

/**
 * What is wrong with one field of a submission.
 *
 * @param field the field as the client named it, with an index for list items ({@code addresses[2]})
 * @param value the offending value as given (null when it was missing or null)
 * @param reason why it is refused, in words
 */
public record FieldError(String field, @Nullable String value, String reason) {}
