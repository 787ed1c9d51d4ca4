package io.reachability.api;

import io.reachability.job.Excerpt;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UnsupportedEncodingException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Bounds every request body, on every path, before anything reads it: a body that declares more
 * than the limit is answered 413 without reading a byte; a body without a declared length (chunked)
 * is read up to the limit here and answered 413 as soon as it passes it. Either way the rest of the
 * service never holds more than the limit of one request's body.
 *
 * <p>A chunked body that cannot be read (a malformed chunk) is a 400 from here too. These answers
 * are problem details like every other error, and close the connection: what the client still sends
 * is not read.
 */
public final class BodyLimitFilter extends OncePerRequestFilter {

  private static final Logger log = LoggerFactory.getLogger(BodyLimitFilter.class);

  /**
   * Default of {@code reach.api.max-body-bytes}: the largest valid check request (50 addresses and
   * 50 servers, each a long multiaddr ending in a peer id, about 11 KB) with room to spare.
   */
  public static final int DEFAULT_MAX_BODY_BYTES = 64 * 1024;

  private final long maxBytes;
  private final JsonMapper json;

  public BodyLimitFilter(long maxBytes, JsonMapper json) {
    if (maxBytes < 1) {
      throw new IllegalArgumentException("maxBytes must be at least 1, was " + maxBytes);
    }
    this.maxBytes = maxBytes;
    this.json = json;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    long declared = request.getContentLengthLong();
    if (declared > maxBytes) {
      tooLarge(request, response, declared + " bytes");
      return;
    }
    if (declared < 0 && request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null) {
      byte[] body;
      try {
        body = readAtMost(request.getInputStream(), maxBytes + 1);
      } catch (IOException e) {
        // a malformed chunk, or the client went away: a client's problem, not worth a stack trace
        log.debug(
            "unreadable request body for {} {}: {}",
            request.getMethod(),
            Excerpt.of(request.getRequestURI()),
            e.toString());
        reject(
            request,
            response,
            HttpStatus.BAD_REQUEST,
            "the request body cannot be read (malformed chunked encoding)");
        return;
      }
      if (body.length > maxBytes) {
        tooLarge(request, response, "more than " + maxBytes + " bytes");
        return;
      }
      request = new ReadBody(request, body);
    }
    chain.doFilter(request, response);
  }

  private void tooLarge(HttpServletRequest request, HttpServletResponse response, String size)
      throws IOException {
    reject(
        request,
        response,
        HttpStatus.CONTENT_TOO_LARGE,
        "the request body has "
            + size
            + "; at most "
            + maxBytes
            + " bytes are accepted (reach.api.max-body-bytes)");
  }

  private void reject(
      HttpServletRequest request, HttpServletResponse response, HttpStatus status, String detail)
      throws IOException {
    if (response.isCommitted()) {
      return;
    }
    response.reset();
    response.setStatus(status.value());
    // what the client still sends is not read: close rather than drain it
    response.setHeader(HttpHeaders.CONNECTION, "close");
    response.setContentType(ApiDocumentation.PROBLEM_JSON);
    // as every other problem, the instance is the path as requested (the container bounds its
    // length)
    Map<String, Object> problem = ContainerErrors.problem(status, detail, request.getRequestURI());
    byte[] body = json.writeValueAsBytes(problem);
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
    response.flushBuffer();
  }

  /** At most {@code limit} bytes of {@code in}: fewer when it ends first. */
  static byte[] readAtMost(InputStream in, long limit) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    long left = limit;
    while (left > 0) {
      int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
      if (n < 0) {
        break;
      }
      out.write(buffer, 0, n);
      left -= n;
    }
    return out.toByteArray();
  }

  /** The request with its body already read (and within the limit). */
  private static final class ReadBody extends HttpServletRequestWrapper {
    private final byte[] body;

    ReadBody(HttpServletRequest request, byte[] body) {
      super(request);
      this.body = body;
    }

    @Override
    public ServletInputStream getInputStream() {
      ByteArrayInputStream in = new ByteArrayInputStream(body);
      return new ServletInputStream() {
        @Override
        public int read() {
          return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) {
          return in.read(b, off, len);
        }

        @Override
        public boolean isFinished() {
          return in.available() == 0;
        }

        @Override
        public boolean isReady() {
          return true;
        }

        @Override
        public void setReadListener(ReadListener listener) {
          throw new UnsupportedOperationException("the body was read already");
        }
      };
    }

    @Override
    public BufferedReader getReader() throws UnsupportedEncodingException {
      String encoding = getCharacterEncoding();
      Charset charset;
      try {
        charset = encoding == null ? StandardCharsets.UTF_8 : Charset.forName(encoding);
      } catch (IllegalArgumentException e) {
        throw new UnsupportedEncodingException(
            Excerpt.of(encoding)); // as the container's own getReader does
      }
      return new BufferedReader(new InputStreamReader(getInputStream(), charset));
    }

    @Override
    public int getContentLength() {
      return body.length;
    }

    @Override
    public long getContentLengthLong() {
      return body.length;
    }
  }
}
