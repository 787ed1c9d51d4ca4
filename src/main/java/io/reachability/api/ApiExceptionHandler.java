package io.reachability.api;

import io.reachability.access.AccessDeniedProblem;
import io.reachability.access.SubmissionsLimitedException;
import io.reachability.job.Excerpt;
import io.reachability.job.FieldError;
import io.reachability.job.InvalidCheckRequestException;
import io.reachability.job.JobRejectedException;
import io.reachability.job.TooManyJobsException;
import io.reachability.peercheck.PeerCheckLimitedException;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.multipart.MultipartException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.servlet.resource.NoResourceFoundException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.InputCoercionException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.MismatchedInputException;

/**
 * Every API error as RFC 9457 {@code application/problem+json}; field errors under {@code errors}.
 *
 * <p>Besides the API's own errors this covers the ones Spring MVC raises itself (the base class):
 * wrong method (405, with {@code Allow}), unsupported {@code Content-Type} (415), nothing
 * acceptable to produce (406), no endpoint at the path (404), unreadable bodies and parameters of
 * the wrong form or missing (400, with {@code errors}). Not scoped to this package on purpose: a
 * 405 or a 404 for an unmapped path is raised before any controller is chosen, and a scoped advice
 * never sees it. Actuator endpoints answer such errors the same way.
 */
@RestControllerAdvice
class ApiExceptionHandler extends ResponseEntityExceptionHandler {

  private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);

  /** The problem-detail property that lists field errors. */
  static final String ERRORS = "errors";

  /** Title of every 400. */
  static final String INVALID_REQUEST = "Invalid request";

  /**
   * Reasons of a body error: a value of the wrong JSON type where the request wants an integer, …
   */
  static final String NOT_AN_INTEGER =
      "must be a JSON integer within 32 bits (not a fraction, a string or a boolean)";

  static final String NOT_A_STRING = "must be a JSON string";

  static final String NOT_A_LIST = "must be a JSON array of strings";

  /** … and a body that is no JSON, or no JSON object. */
  static final String MALFORMED = "malformed JSON or wrong types";

  @ExceptionHandler(InvalidCheckRequestException.class)
  ResponseEntity<ProblemDetail> invalid(InvalidCheckRequestException e) {
    return respond(badRequest("the request has invalid fields", e.errors()));
  }

  @ExceptionHandler(JobNotFoundException.class)
  ResponseEntity<ProblemDetail> notFound(JobNotFoundException e) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, e.getMessage());
    String kind = e.kind();
    problem.setTitle(Character.toUpperCase(kind.charAt(0)) + kind.substring(1) + " not found");
    return respond(problem);
  }

  @ExceptionHandler(MonitorDisabledException.class)
  ResponseEntity<ProblemDetail> monitorOff(MonitorDisabledException e) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, e.getMessage());
    problem.setTitle("Reachability monitor disabled");
    return respond(problem);
  }

  /**
   * A multipart body that cannot be parsed. Multipart parsing is off (the API takes JSON only), so
   * this comes only from a multipart resolver someone switches on again: still the client's
   * problem, a 400 without a stack trace in the log.
   */
  @ExceptionHandler(MultipartException.class)
  ResponseEntity<ProblemDetail> multipart(MultipartException e) {
    log.debug("unreadable multipart body: {}", e.toString());
    return respond(
        badRequest(
            "the multipart body cannot be read",
            List.of(new FieldError("body", null, "malformed multipart body"))));
  }

  @ExceptionHandler(TooManySubscribersException.class)
  ResponseEntity<ProblemDetail> tooManySubscribers(TooManySubscribersException e) {
    return retryLater(
        HttpStatus.SERVICE_UNAVAILABLE,
        "Event stream full",
        e.getMessage(),
        ReachabilityEvents.HEARTBEAT);
  }

  @ExceptionHandler(TooManySubscriptionsException.class)
  ResponseEntity<ProblemDetail> tooManySubscriptions(TooManySubscriptionsException e) {
    return retryLater(
        HttpStatus.TOO_MANY_REQUESTS,
        "Too many event streams",
        e.getMessage(),
        ReachabilityEvents.HEARTBEAT);
  }

  /** 401 (with a Bearer challenge) or 403: who is calling may not do this. */
  @ExceptionHandler(AccessDeniedProblem.class)
  ResponseEntity<ProblemDetail> accessDenied(AccessDeniedProblem e) {
    HttpStatus status = e.challenge() ? HttpStatus.UNAUTHORIZED : HttpStatus.FORBIDDEN;
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, e.getMessage());
    problem.setTitle(e.challenge() ? "API key required" : "Forbidden");
    ResponseEntity.BodyBuilder response =
        ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON);
    if (e.challenge()) {
      response.header(HttpHeaders.WWW_AUTHENTICATE, BEARER_CHALLENGE);
    }
    return response.body(problem);
  }

  /** What a 401 asks for (RFC 6750). */
  static final String BEARER_CHALLENGE = "Bearer realm=\"reachability\"";

  @ExceptionHandler(SubmissionsLimitedException.class)
  ResponseEntity<ProblemDetail> submissionsLimited(SubmissionsLimitedException e) {
    return retryLater(
        HttpStatus.TOO_MANY_REQUESTS, "Too many submissions", e.getMessage(), e.retryAfter());
  }

  /** A target checked too often, or a requester asking too often: 429. */
  @ExceptionHandler(PeerCheckLimitedException.class)
  ResponseEntity<ProblemDetail> peerChecksLimited(PeerCheckLimitedException e) {
    return retryLater(
        HttpStatus.TOO_MANY_REQUESTS, "Too many peer checks", e.getMessage(), e.retryAfter());
  }

  @ExceptionHandler(PeerChecksDisabledException.class)
  ResponseEntity<ProblemDetail> peerChecksOff(PeerChecksDisabledException e) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, e.getMessage());
    problem.setTitle("Peer checks disabled");
    return respond(problem);
  }

  /** One client's own limit: the others are not affected, so 429 rather than 503. */
  @ExceptionHandler(TooManyJobsException.class)
  ResponseEntity<ProblemDetail> tooManyJobs(TooManyJobsException e) {
    return retryLater(
        HttpStatus.TOO_MANY_REQUESTS, "Too many unfinished jobs", e.getMessage(), e.retryAfter());
  }

  /** A 429 or 503 problem that tells the client when to come back ({@code Retry-After}). */
  private static ResponseEntity<ProblemDetail> retryLater(
      HttpStatus status, String title, @Nullable String detail, Duration retryAfter) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
    problem.setTitle(title);
    return ResponseEntity.status(status)
        .contentType(MediaType.APPLICATION_PROBLEM_JSON)
        .header(HttpHeaders.RETRY_AFTER, Long.toString(retryAfterSeconds(retryAfter)))
        .body(problem);
  }

  /**
   * Whole seconds, rounded up (a client that waits exactly this long is not turned away again), at
   * least 1.
   */
  static long retryAfterSeconds(Duration wait) {
    long millis = Math.max(0, wait.toMillis());
    return Math.max(1, (millis + 999) / 1000);
  }

  @ExceptionHandler(JobRejectedException.class)
  ResponseEntity<ProblemDetail> rejected(JobRejectedException e, HttpServletRequest request) {
    String kind =
        request.getRequestURI().startsWith(PeerCheckController.PATH) ? "Peer check" : "Check job";
    return retryLater(
        HttpStatus.SERVICE_UNAVAILABLE, kind + " not accepted", e.getMessage(), e.retryAfter());
  }

  @Override
  protected @Nullable ResponseEntity<Object> handleHttpMessageNotReadable(
      HttpMessageNotReadableException ex,
      HttpHeaders headers,
      HttpStatusCode status,
      WebRequest request) {
    ProblemDetail problem =
        badRequest(
            "the request body is not valid JSON for a check request", List.of(bodyError(ex)));
    return handleExceptionInternal(ex, problem, headers, status, request);
  }

  /**
   * A value of the wrong type names its field ({@code confirmations}, {@code addresses[1]}) and
   * what it must be; anything else (not JSON, not an object) is one error on {@code body}. The
   * parser's own message is never echoed: it quotes the input.
   */
  private static FieldError bodyError(HttpMessageNotReadableException ex) {
    JacksonException jackson = cause(ex, JacksonException.class);
    boolean syntax =
        jackson instanceof StreamReadException && !(jackson instanceof InputCoercionException);
    if (jackson == null || syntax || jackson.getPath().isEmpty()) {
      return new FieldError("body", null, MALFORMED);
    }
    StringBuilder field = new StringBuilder();
    for (JacksonException.Reference reference : jackson.getPath()) {
      if (reference.getPropertyName() != null) {
        field.append(field.length() == 0 ? "" : ".").append(reference.getPropertyName());
      } else if (reference.getIndex() >= 0) {
        field.append('[').append(reference.getIndex()).append(']');
      }
    }
    Class<?> target =
        jackson instanceof MismatchedInputException mismatch
            ? mismatch.getTargetType()
            : jackson instanceof InputCoercionException coercion ? coercion.getTargetType() : null;
    String reason;
    if (target == Integer.class || target == int.class) {
      reason = NOT_AN_INTEGER;
    } else if (target == String.class) {
      reason = NOT_A_STRING;
    } else if (target != null && Collection.class.isAssignableFrom(target)) {
      reason = NOT_A_LIST;
    } else {
      reason = MALFORMED;
    }
    return new FieldError(field.length() == 0 ? "body" : field.toString(), null, reason);
  }

  private static <T extends Throwable> @Nullable T cause(Throwable error, Class<T> type) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }

  /**
   * A path or query parameter that does not convert ({@link MethodArgumentTypeMismatchException}
   * comes here).
   */
  @Override
  protected @Nullable ResponseEntity<Object> handleTypeMismatch(
      TypeMismatchException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
    String name =
        ex instanceof MethodArgumentTypeMismatchException argument
            ? argument.getName()
            : ex.getPropertyName();
    Object value = ex.getValue();
    ProblemDetail problem =
        badRequest(
            "a parameter has the wrong form",
            List.of(
                new FieldError(
                    name == null ? "value" : name,
                    value == null ? null : value.toString(),
                    "not a valid " + typeName(ex.getRequiredType()))));
    return handleExceptionInternal(ex, problem, headers, status, request);
  }

  @Override
  protected @Nullable ResponseEntity<Object> handleMissingServletRequestParameter(
      MissingServletRequestParameterException ex,
      HttpHeaders headers,
      HttpStatusCode status,
      WebRequest request) {
    ProblemDetail problem =
        badRequest(
            "a required parameter is missing",
            List.of(new FieldError(ex.getParameterName(), null, "required")));
    return handleExceptionInternal(ex, problem, headers, status, request);
  }

  @Override
  protected @Nullable ResponseEntity<Object> handleHttpRequestMethodNotSupported(
      HttpRequestMethodNotSupportedException ex,
      HttpHeaders headers,
      HttpStatusCode status,
      WebRequest request) {
    Set<HttpMethod> allowed = ex.getSupportedHttpMethods();
    String detail =
        Excerpt.of(ex.getMethod())
            + " is not supported here"
            + (allowed == null || allowed.isEmpty()
                ? ""
                : "; allowed: "
                    + allowed.stream()
                        .map(HttpMethod::name)
                        .sorted()
                        .collect(Collectors.joining(", ")));
    return handleExceptionInternal(
        ex, ProblemDetail.forStatusAndDetail(status, detail), headers, status, request);
  }

  @Override
  protected @Nullable ResponseEntity<Object> handleHttpMediaTypeNotSupported(
      HttpMediaTypeNotSupportedException ex,
      HttpHeaders headers,
      HttpStatusCode status,
      WebRequest request) {
    MediaType given = ex.getContentType();
    String detail =
        "Content-Type "
            + (given == null ? "(none)" : Excerpt.of(given.toString()))
            + " is not supported; send one of "
            + ex.getSupportedMediaTypes();
    return handleExceptionInternal(
        ex, ProblemDetail.forStatusAndDetail(status, detail), headers, status, request);
  }

  @Override
  protected @Nullable ResponseEntity<Object> handleHttpMediaTypeNotAcceptable(
      HttpMediaTypeNotAcceptableException ex,
      HttpHeaders headers,
      HttpStatusCode status,
      WebRequest request) {
    String detail =
        acceptParses(request)
            ? "none of the media types in Accept can be produced; available: "
                + ex.getSupportedMediaTypes()
            : "the Accept header is not a list of media types";
    return handleExceptionInternal(
        ex, ProblemDetail.forStatusAndDetail(status, detail), headers, status, request);
  }

  private static boolean acceptParses(WebRequest request) {
    String[] accept = request.getHeaderValues(HttpHeaders.ACCEPT);
    try {
      if (accept != null) {
        MediaType.parseMediaTypes(List.of(accept));
      }
      return true;
    } catch (InvalidMediaTypeException e) {
      return false;
    }
  }

  /**
   * No controller or endpoint at the path: Spring MVC's last resort, the static resources, found
   * nothing either.
   */
  @Override
  protected @Nullable ResponseEntity<Object> handleNoResourceFoundException(
      NoResourceFoundException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
    String path =
        request instanceof ServletWebRequest servlet
            ? servlet.getRequest().getRequestURI()
            : "/" + ex.getResourcePath();
    String detail =
        "no endpoint for " + Excerpt.of(ex.getHttpMethod().name()) + " " + Excerpt.of(path);
    return handleExceptionInternal(
        ex, ProblemDetail.forStatusAndDetail(status, detail), headers, status, request);
  }

  /**
   * Every problem Spring MVC raises gets a title in the style of the API's own, and the problem
   * media type set up front, as every answer of this class: a Content-Type chosen from the
   * request's {@code Accept} would fail for an unparsable one and leave the answer empty.
   */
  @Override
  protected @Nullable ResponseEntity<Object> handleExceptionInternal(
      Exception ex,
      @Nullable Object body,
      HttpHeaders headers,
      HttpStatusCode status,
      WebRequest request) {
    ResponseEntity<Object> response =
        super.handleExceptionInternal(ex, body, headers, status, request);
    if (response != null && response.getBody() instanceof ProblemDetail problem) {
      problem.setTitle(title(status));
      HttpHeaders withType = new HttpHeaders();
      withType.putAll(response.getHeaders());
      withType.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
      return new ResponseEntity<>(problem, withType, response.getStatusCode());
    }
    return response;
  }

  /** {@code problem} as a response of its status, as problem JSON whatever the request accepts. */
  private static ResponseEntity<ProblemDetail> respond(ProblemDetail problem) {
    return ResponseEntity.status(problem.getStatus())
        .contentType(MediaType.APPLICATION_PROBLEM_JSON)
        .body(problem);
  }

  /**
   * {@value #INVALID_REQUEST} for a 400, otherwise the status's reason phrase in sentence case
   * ("Method not allowed").
   */
  static String title(HttpStatusCode status) {
    if (status.value() == HttpStatus.BAD_REQUEST.value()) {
      return INVALID_REQUEST;
    }
    HttpStatus known = HttpStatus.resolve(status.value());
    if (known == null) {
      return "Error " + status.value();
    }
    String phrase = known.getReasonPhrase();
    return phrase.charAt(0) + phrase.substring(1).toLowerCase(Locale.ROOT);
  }

  private static ProblemDetail badRequest(String detail, List<FieldError> errors) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail);
    problem.setTitle(INVALID_REQUEST);
    problem.setProperty(ERRORS, errors);
    return problem;
  }

  private static String typeName(@Nullable Class<?> type) {
    if (type == null) {
      return "value";
    }
    if (type.isEnum()) {
      return type.getSimpleName() + " (one of " + List.of(type.getEnumConstants()) + ")";
    }
    return type.getSimpleName();
  }
}
