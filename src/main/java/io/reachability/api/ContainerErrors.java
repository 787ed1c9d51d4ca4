package io.reachability.api;

import io.reachability.job.Excerpt;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;

/**
 * Words for the errors the servlet container decides itself, before or instead of Spring MVC (a
 * malformed request line or header, TRACE, a malformed chunk, an unsupported {@code
 * Transfer-Encoding} or HTTP version, an uncaught failure). The container's own message is never
 * used: it may quote the input, or the service's internals.
 */
final class ContainerErrors {

  private ContainerErrors() {}

  /**
   * The detail of a problem with {@code status}; {@code method} and {@code path} when the request
   * got that far.
   */
  static String detail(HttpStatusCode status, @Nullable String method, @Nullable String path) {
    HttpStatus known = HttpStatus.resolve(status.value());
    if (known == null) {
      return "error " + status.value();
    }
    return switch (known) {
      case BAD_REQUEST -> "the request is malformed";
      case NOT_FOUND ->
          method == null || path == null
              ? "no endpoint for this request"
              : "no endpoint for " + Excerpt.of(method) + " " + Excerpt.of(path);
      // the container's own refusal (TRACE); a forward to /error no longer carries the method
      case METHOD_NOT_ALLOWED -> "the request method is not allowed here";
      case CONTENT_TOO_LARGE -> "the request is too large";
      case REQUEST_HEADER_FIELDS_TOO_LARGE -> "the request's headers are too large";
      case URI_TOO_LONG -> "the request's URI is too long";
      case NOT_IMPLEMENTED ->
          "the request uses a feature the service does not implement (a Transfer-Encoding other"
              + " than chunked?)";
      case INTERNAL_SERVER_ERROR ->
          "the service failed to answer the request; the failure is logged";
      default -> known.getReasonPhrase();
    };
  }

  /**
   * A problem document as a map, for writers without Spring MVC's converters (a filter, a valve).
   */
  static Map<String, Object> problem(
      HttpStatusCode status, String detail, @Nullable String instance) {
    Map<String, Object> problem = new LinkedHashMap<>();
    problem.put("title", ApiExceptionHandler.title(status));
    problem.put("status", status.value());
    problem.put("detail", detail);
    if (instance != null) {
      problem.put("instance", instance);
    }
    return problem;
  }
}
