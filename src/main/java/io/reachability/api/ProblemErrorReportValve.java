package io.reachability.api;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;
import org.springframework.http.HttpStatusCode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Tomcat's last word on a request it rejected before any servlet saw it (a malformed request line,
 * header or URI, an unsupported {@code Transfer-Encoding} or HTTP version): a problem document
 * instead of Tomcat's HTML error page, with the same guards as the page it replaces.
 */
public final class ProblemErrorReportValve extends ErrorReportValve {

  private final JsonMapper json;

  public ProblemErrorReportValve(JsonMapper json) {
    this.json = json;
  }

  @Override
  protected void report(Request request, Response response, Throwable throwable) {
    int status = response.getStatus();
    // as Tomcat's own: nothing for a non-error status, an answer already begun, or one reported
    // already
    if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
      return;
    }
    AtomicBoolean ioAllowed = new AtomicBoolean();
    response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
    if (!ioAllowed.get()) {
      return; // nobody would read it
    }
    HttpStatusCode code = HttpStatusCode.valueOf(status);
    String path = request.getRequestURI(); // null when the request line could not be parsed
    String method = request.getMethod();
    String body =
        json.writeValueAsString(
            ContainerErrors.problem(code, ContainerErrors.detail(code, method, path), path));
    try {
      response.setContentType(ApiDocumentation.PROBLEM_JSON);
      response.setCharacterEncoding("UTF-8");
      PrintWriter writer = response.getReporter();
      if (writer != null) {
        writer.write(body);
        response.finishResponse();
      }
    } catch (IOException | IllegalStateException e) {
      // the connection is gone: nothing to tell
    }
  }
}
