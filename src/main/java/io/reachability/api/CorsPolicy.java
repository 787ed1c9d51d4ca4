package io.reachability.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.CorsConfigurationSource;
import org.springframework.web.cors.CorsProcessor;
import org.springframework.web.cors.DefaultCorsProcessor;
import org.springframework.web.cors.UrlBasedCorsConfigurationSource;

/**
 * Browser access from other origins ({@code reach.api.cors.allowed-origins}): none by default. The
 * origins named may call {@code /api/**} with an API key ({@code Authorization}, so a preflight
 * first) and read {@code Location} and {@code Retry-After}; no credentials (cookies) are involved,
 * the key is the page's to send. A request from another origin that a browser asks about is refused
 * with a problem document.
 */
public final class CorsPolicy {

  /** The paths browsers may call from the origins named. */
  static final String PATHS = "/api/**";

  /** How long a browser may cache a preflight's answer. */
  static final Duration PREFLIGHT_MAX_AGE = Duration.ofHours(1);

  static final List<String> METHODS =
      List.of(
          HttpMethod.GET.name(),
          HttpMethod.HEAD.name(),
          HttpMethod.POST.name(),
          HttpMethod.DELETE.name());

  static final List<String> HEADERS =
      List.of(
          HttpHeaders.AUTHORIZATION, HttpHeaders.CONTENT_TYPE, HttpHeaders.ACCEPT, "Last-Event-ID");

  static final List<String> EXPOSED = List.of(HttpHeaders.LOCATION, HttpHeaders.RETRY_AFTER);

  static final String REFUSED =
      "{\"title\":\"Forbidden\",\"status\":403,\"detail\":\"a cross-origin request from an origin"
          + " not in reach.api.cors.allowed-origins\"}";

  private CorsPolicy() {}

  /** The configuration for {@code origins} (exact origins, already checked); none = no CORS. */
  public static CorsConfigurationSource source(List<String> origins) {
    UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
    if (!origins.isEmpty()) {
      CorsConfiguration cors = new CorsConfiguration();
      cors.setAllowedOrigins(origins);
      cors.setAllowedMethods(METHODS);
      cors.setAllowedHeaders(HEADERS);
      cors.setExposedHeaders(EXPOSED);
      cors.setAllowCredentials(false);
      cors.setMaxAge(PREFLIGHT_MAX_AGE);
      source.registerCorsConfiguration(PATHS, cors);
    }
    return source;
  }

  /** Spring's CORS checks, refusing with a problem document instead of plain text. */
  public static CorsProcessor processor() {
    return new DefaultCorsProcessor() {
      @Override
      protected void rejectRequest(ServerHttpResponse response) throws IOException {
        response.setStatusCode(HttpStatus.FORBIDDEN);
        response.getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        response.getBody().write(REFUSED.getBytes(StandardCharsets.UTF_8));
        response.flush();
      }
    };
  }
}
