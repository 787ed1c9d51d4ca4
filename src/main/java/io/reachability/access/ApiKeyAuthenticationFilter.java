package io.reachability.access;

import io.reachability.libp2p.multiformats.IpLiterals;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.HandlerExceptionResolver;

/**
 * Who is calling: {@code Authorization: Bearer <key>} makes the key's holder the principal (any
 * other Authorization is a 401 at once, whatever the endpoint); without one, a loopback caller is
 * {@link ApiClient#LOCAL} while no key is configured and it names the service as {@code localhost}
 * or by an IP address (not by a DNS name a web page could rebind), and anyone else stays anonymous.
 * What each may do is {@link SecurityConfiguration}'s business.
 */
final class ApiKeyAuthenticationFilter extends OncePerRequestFilter {

  static final String BEARER = "Bearer ";

  /**
   * Set on a loopback request that named the service by another host name: anonymous, and told why
   * ({@link AccessDeniedProblem#localCallerByName()}).
   */
  static final String LOCAL_CALLER_BY_NAME = "reach.access.localCallerByName";

  private static final String LOCALHOST = "localhost";

  static final GrantedAuthority CLIENT = new SimpleGrantedAuthority("ROLE_CLIENT");
  static final GrantedAuthority ADMIN = new SimpleGrantedAuthority("ROLE_ADMIN");

  private final ApiKeys keys;
  private final HandlerExceptionResolver problems;

  ApiKeyAuthenticationFilter(ApiKeys keys, HandlerExceptionResolver problems) {
    this.keys = keys;
    this.problems = problems;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String header = request.getHeader(HttpHeaders.AUTHORIZATION);
    if (header != null) {
      Optional<ApiClient> client = bearerToken(header).flatMap(keys::authenticate);
      if (client.isEmpty()) {
        SecurityContextHolder.clearContext();
        problems.resolveException(request, response, null, AccessDeniedProblem.badKey());
        return;
      }
      authenticate(client.get());
    } else if (!keys.any() && isLoopback(request.getRemoteAddr())) {
      if (namesThisMachine(request.getServerName())) {
        authenticate(ApiClient.LOCAL);
      } else {
        request.setAttribute(LOCAL_CALLER_BY_NAME, true);
      }
    }
    chain.doFilter(request, response);
  }

  private static Optional<String> bearerToken(String header) {
    if (header.length() <= BEARER.length()
        || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return Optional.empty();
    }
    return Optional.of(header.substring(BEARER.length()).trim());
  }

  private static void authenticate(ApiClient client) {
    List<GrantedAuthority> roles = client.admin() ? List.of(CLIENT, ADMIN) : List.of(CLIENT);
    SecurityContext context = SecurityContextHolder.createEmptyContext();
    context.setAuthentication(
        UsernamePasswordAuthenticationToken.authenticated(client, null, roles));
    SecurityContextHolder.setContext(context);
  }

  /**
   * Whether the request's Host names this machine in a way no web page can borrow: {@code
   * localhost} (or a name under it, which resolvers keep on loopback), or an IP literal. A page
   * that rebinds its own DNS name to 127.0.0.1 still sends that name, and is refused.
   */
  static boolean namesThisMachine(@Nullable String serverName) {
    if (serverName == null || serverName.isEmpty()) {
      return false;
    }
    String host = serverName.toLowerCase(Locale.ROOT);
    if (host.endsWith(".")) {
      host = host.substring(0, host.length() - 1);
    }
    if (host.equals(LOCALHOST) || host.endsWith("." + LOCALHOST)) {
      return true;
    }
    String literal =
        host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    return IpLiterals.parseIp4(literal) != null || IpLiterals.parseIp6(literal) != null;
  }

  /**
   * The servlet container's remote address is a literal; parsed as one, so no name lookup happens.
   */
  static boolean isLoopback(@Nullable String remoteAddress) {
    if (remoteAddress == null) {
      return false;
    }
    String literal =
        remoteAddress.startsWith("[") && remoteAddress.endsWith("]")
            ? remoteAddress.substring(1, remoteAddress.length() - 1)
            : remoteAddress;
    byte[] bytes = IpLiterals.parseIp4(literal);
    if (bytes == null) {
      bytes = IpLiterals.parseIp6(literal);
    }
    if (bytes == null) {
      return false;
    }
    try {
      return InetAddress.getByAddress(bytes).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
