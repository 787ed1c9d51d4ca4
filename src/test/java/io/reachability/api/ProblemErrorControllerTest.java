package io.reachability.api;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.RequestDispatcher;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/**
 * What reaches {@code /error}: a problem document, never the container's message or the exception.
 */
class ProblemErrorControllerTest {

  private final ProblemErrorController controller = new ProblemErrorController();

  @Test
  void anUncaughtFailureIsA500ThatTellsNothingOfIt() {
    MockHttpServletRequest request = new MockHttpServletRequest("POST", "/error");
    request.setAttribute(RequestDispatcher.ERROR_STATUS_CODE, 500);
    request.setAttribute(RequestDispatcher.ERROR_REQUEST_URI, "/api/v1/checks");
    request.setAttribute(RequestDispatcher.ERROR_MESSAGE, "secret internals: /etc/passwd");
    request.setAttribute(
        RequestDispatcher.ERROR_EXCEPTION, new IllegalStateException("secret internals"));

    ResponseEntity<ProblemDetail> answer = controller.error(request, new MockHttpServletResponse());

    assertThat(answer.getStatusCode()).isEqualTo(HttpStatus.INTERNAL_SERVER_ERROR);
    assertThat(answer.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
    ProblemDetail problem = answer.getBody();
    assertThat(problem.getTitle()).isEqualTo("Internal server error");
    assertThat(problem.getDetail())
        .isEqualTo("the service failed to answer the request; the failure is logged");
    assertThat(problem.getInstance()).hasToString("/api/v1/checks");
  }

  @Test
  void aMethodRefusedByTheContainerKeepsItsAllowHeader() {
    MockHttpServletRequest request = new MockHttpServletRequest("GET", "/error");
    request.setAttribute(RequestDispatcher.ERROR_STATUS_CODE, 405);
    request.setAttribute(RequestDispatcher.ERROR_REQUEST_URI, "/api/v1/node");
    MockHttpServletResponse response = new MockHttpServletResponse();
    response.setHeader("Allow", "GET, HEAD, OPTIONS");

    ResponseEntity<ProblemDetail> answer = controller.error(request, response);

    assertThat(answer.getStatusCode()).isEqualTo(HttpStatus.METHOD_NOT_ALLOWED);
    assertThat(answer.getHeaders().getFirst("Allow")).isEqualTo("GET, HEAD, OPTIONS");
    assertThat(answer.getBody().getDetail()).isEqualTo("the request method is not allowed here");
  }

  @Test
  void aStatusThatIsNoErrorBecomesA500() {
    MockHttpServletRequest request = new MockHttpServletRequest("GET", "/error");
    request.setAttribute(RequestDispatcher.ERROR_STATUS_CODE, 999);
    assertThat(controller.error(request, new MockHttpServletResponse()).getStatusCode())
        .isEqualTo(HttpStatus.INTERNAL_SERVER_ERROR);
  }
}
