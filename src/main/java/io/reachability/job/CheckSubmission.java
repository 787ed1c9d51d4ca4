package io.reachability.job;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A check request as a client sent it, every field optional and unchecked; {@link
 * CheckRequestValidator} turns it into a {@link CheckRequest} or field errors.
 */
public record CheckSubmission(
    @Nullable List<String> addresses,
    @Nullable List<String> servers,
    @Nullable Integer confirmations,
    @Nullable Integer timeoutSeconds,
    @Nullable Integer maxDialDataBytes) {}
