package io.reachability.api;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.net.URI;
import java.net.URISyntaxException;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.RequestMapping;

/**
 * What the container forwards to {@code /error}: requests it rejected itself (TRACE, a malformed
 * chunk, …) and failures no exception handler took. Replaces Spring Boot's {@code
 * BasicErrorController}, so these answers are problem details like every other error, whatever the
 * request's {@code Accept}. The container's message and the exception are never echoed (they may
 * quote the input or the service's internals); a 5xx has been logged already.
 *
 * <p>A {@code @Controller}, not a {@code @RestController}: {@code /error} is no part of the
 * documented API.
 */
@Controller
class ProblemErrorController implements ErrorController {

  static final String PATH = "${server.error.path:/error}";

  @RequestMapping(PATH)
  ResponseEntity<ProblemDetail> error(HttpServletRequest request, HttpServletResponse response) {
    Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
    if (!(code instanceof Integer value)) {
      // asked for directly, not forwarded: there is no such endpoint
      return problem(
          HttpStatus.NOT_FOUND,
          ContainerErrors.detail(
              HttpStatus.NOT_FOUND, request.getMethod(), request.getRequestURI()),
          request.getRequestURI(),
          null);
    }
    HttpStatus status = HttpStatus.resolve(value);
    if (status == null || !status.isError()) {
      status = HttpStatus.INTERNAL_SERVER_ERROR;
    }
    Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
    String path = uri instanceof String s ? s : request.getRequestURI();
    String allow = response.getHeader(HttpHeaders.ALLOW);
    String detail = ContainerErrors.detail(status, request.getMethod(), path);
    return problem(status, detail, path, allow);
  }

  private static ResponseEntity<ProblemDetail> problem(
      HttpStatus status, String detail, String path, @Nullable String allow) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
    problem.setTitle(ApiExceptionHandler.title(status));
    try {
      problem.setInstance(
          new URI(path)); // as every other problem: the path as requested (the container bounds its
      // length)
    } catch (URISyntaxException e) {
      // not a URI: leave it out
    }
    ResponseEntity.BodyBuilder builder =
        ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON);
    if (allow != null) {
      builder.header(HttpHeaders.ALLOW, allow);
    }
    return builder.body(problem);
  }
}
