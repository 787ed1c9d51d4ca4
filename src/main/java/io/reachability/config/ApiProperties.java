package io.reachability.config;

import io.reachability.api.BodyLimitFilter;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The HTTP side of the service ({@code reach.api.*}).
 *
 * @param maxBodyBytes the largest request body accepted, on every path; a larger one is answered
 *     413 before it is read (default {@value BodyLimitFilter#DEFAULT_MAX_BODY_BYTES})
 */
@ConfigurationProperties("reach.api")
public record ApiProperties(
    @DefaultValue("" + BodyLimitFilter.DEFAULT_MAX_BODY_BYTES) int maxBodyBytes) {

  /** Below this not even a check request of one address fits. */
  static final int MIN_MAX_BODY_BYTES = 1024;

  /** Above this the limit no longer protects the heap (a body is held whole while it is parsed). */
  static final int MAX_MAX_BODY_BYTES = 16 * 1024 * 1024;

  public ApiProperties {
    if (maxBodyBytes < MIN_MAX_BODY_BYTES || maxBodyBytes > MAX_MAX_BODY_BYTES) {
      throw new IllegalArgumentException(
          "reach.api.max-body-bytes must be in ["
              + MIN_MAX_BODY_BYTES
              + ", "
              + MAX_MAX_BODY_BYTES
              + "], was "
              + maxBodyBytes);
    }
  }
}
