package io.reachability.api;

import io.reachability.job.FieldError;
import io.reachability.job.InvalidCheckRequestException;
import io.reachability.job.JobRejectedException;
import java.util.List;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;

/** Every API error as RFC 9457 {@code application/problem+json}; field errors under {@code errors}. */
@RestControllerAdvice(basePackageClasses = ApiExceptionHandler.class)
class ApiExceptionHandler {

  /** The problem-detail property that lists field errors. */
  static final String ERRORS = "errors";

  @ExceptionHandler(InvalidCheckRequestException.class)
  ProblemDetail invalid(InvalidCheckRequestException e) {
    return badRequest("the request has invalid fields", e.errors());
  }

  @ExceptionHandler(HttpMessageNotReadableException.class)
  ProblemDetail unreadable(HttpMessageNotReadableException e) {
    return badRequest("the request body is not valid JSON for a check request", List.of(new FieldError("body", null, "malformed JSON or wrong types")));
  }

  @ExceptionHandler(MethodArgumentTypeMismatchException.class)
  ProblemDetail mismatch(MethodArgumentTypeMismatchException e) {
    Object value = e.getValue();
    return badRequest(
        "a parameter has the wrong form",
        List.of(new FieldError(e.getName(), value == null ? null : value.toString(), "not a valid " + typeName(e))));
  }

  @ExceptionHandler(JobNotFoundException.class)
  ProblemDetail notFound(JobNotFoundException e) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, e.getMessage());
    problem.setTitle("Check job not found");
    return problem;
  }

  @ExceptionHandler(JobRejectedException.class)
  ResponseEntity<ProblemDetail> rejected(JobRejectedException e) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE, e.getMessage());
    problem.setTitle("Check job not accepted");
    return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
        .header(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, e.retryAfter().toSeconds())))
        .body(problem);
  }

  private static ProblemDetail badRequest(String detail, List<FieldError> errors) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail);
    problem.setTitle("Invalid request");
    problem.setProperty(ERRORS, errors);
    return problem;
  }

  private static String typeName(MethodArgumentTypeMismatchException e) {
    Class<?> type = e.getRequiredType();
    if (type == null) {
      return "value";
    }
    if (type.isEnum()) {
      return type.getSimpleName() + " (one of " + List.of(type.getEnumConstants()) + ")";
    }
    return type.getSimpleName();
  }
}
