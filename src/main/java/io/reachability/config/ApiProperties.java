package io.reachability.config;

import io.reachability.access.Origins;
import io.reachability.api.BodyLimitFilter;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The HTTP side of the service ({@code reach.api.*}).
 *
 * @param maxBodyBytes the largest request body accepted, on every path; a larger one is answered
 *     413 before it is read (default {@value BodyLimitFilter#DEFAULT_MAX_BODY_BYTES})
 * @param cors browser access from other origins
 */
@ConfigurationProperties("reach.api")
public record ApiProperties(
    @DefaultValue("" + BodyLimitFilter.DEFAULT_MAX_BODY_BYTES) int maxBodyBytes,
    @DefaultValue Cors cors) {

  /**
   * Browser access to {@code /api/**} from other origins.
   *
   * @param allowedOrigins web pages that may call the API from a browser, each an exact origin
   *     ({@code https://dash.example.org}, {@code http://localhost:3000}: scheme, host, optional
   *     port, nothing else); none by default. {@code *} is refused: with no API key configured,
   *     loopback callers may write, and a browser on the service's machine is a loopback caller for
   *     any page it shows
   */
  public record Cors(@DefaultValue List<String> allowedOrigins) {

    public Cors {
      allowedOrigins = Origins.checked("reach.api.cors.allowed-origins", allowedOrigins);
    }
  }

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
