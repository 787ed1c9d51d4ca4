package io.reachability.access;

import jakarta.servlet.DispatcherType;
import java.util.List;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.annotation.web.configurers.HeadersConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.header.HeaderWriterFilter;
import org.springframework.security.web.header.writers.DelegatingRequestMatcherHeaderWriter;
import org.springframework.security.web.header.writers.StaticHeadersWriter;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.NegatedRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.cors.CorsConfigurationSource;
import org.springframework.web.cors.CorsProcessor;
import org.springframework.web.filter.CorsFilter;
import org.springframework.web.servlet.HandlerExceptionResolver;

/**
 * Who may call what ({@code reach.access.*}):
 *
 * <ul>
 *   <li>writes ({@code POST}, {@code DELETE} and anything but reads under {@code /api/}): a caller
 *       with an API key once any is configured; with none configured, loopback callers only;
 *   <li>reads ({@code GET /api/**}, {@code /actuator/prometheus}): anyone, or what writes need with
 *       {@code reach.access.protect-reads};
 *   <li>everything else (health, info, Swagger UI, the API document): anyone; health details only
 *       for an identified caller ({@code management.endpoint.health.show-details:
 *       when-authorized}).
 * </ul>
 *
 * Refusals are problem+json from the API's exception handler: 401 with {@code WWW-Authenticate:
 * Bearer} when a key would help, 403 when none is configured. No sessions, no cookies, no CSRF
 * (nothing is authenticated by the browser on its own); Spring Security's default headers ({@code
 * X-Content-Type-Options}, {@code X-Frame-Options: DENY}, {@code Cache-Control}) and a {@link
 * #CONTENT_SECURITY_POLICY} without inline scripts on every answer; framing only by the origins of
 * {@code reach.access.frame-ancestors}. Browsers on other origins: only those of {@code
 * reach.api.cors.allowed-origins} (a {@link CorsConfigurationSource} bean), answered ahead of the
 * key check.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSecurity
@EnableConfigurationProperties(
    AccessProperties.class) // also for @WebMvcTest slices that import this
public class SecurityConfiguration {

  /**
   * What a page of the service may load: its own scripts, styles and images (Swagger UI's icons are
   * {@code data:} images) and nothing inline, so an injected {@code <script>} or {@code onclick}
   * does not run; calls to its own origin only; no plugins, no {@code <base>}; forms post here.
   */
  static final String CONTENT_SECURITY_POLICY =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'";

  /**
   * Swagger UI's pages: the same, but its script sets {@code style} attributes, which {@code
   * style-src 'self'} blocks. Inline styles only; scripts stay the page's own files.
   */
  static final String SWAGGER_UI_POLICY =
      CONTENT_SECURITY_POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'");

  static final String CSP = "Content-Security-Policy";

  /** Where Swagger UI's pages are (springdoc). */
  static final String SWAGGER_UI_PATHS = "/swagger-ui/**";

  /**
   * The name of the {@code CorsConfigurationSource} bean naming the origins browsers may call from
   * (config's; none in test slices). A name of its own: Spring MVC's handler-mapping introspector
   * is a {@code CorsConfigurationSource} too.
   */
  public static final String API_CORS = "apiCors";

  @Bean
  ApiKeys apiKeys(AccessProperties access) {
    return new ApiKeys(access.keys());
  }

  @Bean
  KeyedRateLimiter submissionRateLimiter(AccessProperties access) {
    return new KeyedRateLimiter(access.submissionsPerMinute());
  }

  /**
   * No observation of every security filter of every request: Micrometer's wrapping of each filter
   * took about a tenth of the HTTP threads' CPU (profiled under REST load), for timers nobody
   * reads. {@code http.server.requests} still times every request.
   */
  @Bean
  SecurityObservationSettings securityObservationSettings() {
    return SecurityObservationSettings.noObservations();
  }

  @Bean
  SecurityFilterChain apiSecurity(
      HttpSecurity http,
      ApiKeys keys,
      AccessProperties access,
      @Qualifier("handlerExceptionResolver") HandlerExceptionResolver problems,
      @Qualifier(API_CORS) ObjectProvider<CorsConfigurationSource> cors,
      ObjectProvider<CorsProcessor> corsProcessor)
      throws Exception {
    AuthenticationEntryPoint anonymous =
        (request, response, e) ->
            problems.resolveException(
                request,
                response,
                null,
                keys.any()
                    ? AccessDeniedProblem.keyRequired()
                    : request.getAttribute(ApiKeyAuthenticationFilter.LOCAL_CALLER_BY_NAME) != null
                        ? AccessDeniedProblem.localCallerByName()
                        : AccessDeniedProblem.loopbackOnly());
    AccessDeniedHandler denied =
        (request, response, e) ->
            problems.resolveException(request, response, null, AccessDeniedProblem.forbidden());
    AuthorizationManager<RequestAuthorizationContext> client = SecurityConfiguration::identified;
    AuthorizationManager<RequestAuthorizationContext> reads =
        access.protectReads()
            ? client
            : (authentication, context) -> new AuthorizationDecision(true);
    CorsConfigurationSource origins = cors.getIfAvailable();
    if (origins != null) {
      // before the key filter: a preflight carries no key, and is answered here
      CorsFilter corsFilter = new CorsFilter(origins);
      corsProcessor.ifAvailable(corsFilter::setCorsProcessor);
      http.addFilterAfter(corsFilter, HeaderWriterFilter.class);
    }
    List<String> framers = access.frameAncestors();
    http.headers(
        headers -> {
          String framing = "; " + frameAncestors(framers);
          RequestMatcher swaggerUi =
              PathPatternRequestMatcher.withDefaults().matcher(SWAGGER_UI_PATHS);
          headers.addHeaderWriter(
              new DelegatingRequestMatcherHeaderWriter(
                  swaggerUi, new StaticHeadersWriter(CSP, SWAGGER_UI_POLICY + framing)));
          headers.addHeaderWriter(
              new DelegatingRequestMatcherHeaderWriter(
                  new NegatedRequestMatcher(swaggerUi),
                  new StaticHeadersWriter(CSP, CONTENT_SECURITY_POLICY + framing)));
          // X-Frame-Options cannot name origins: it stays DENY unless some may frame the pages,
          // then CSP's frame-ancestors alone decides (every browser of today reads it)
          if (!framers.isEmpty()) {
            headers.frameOptions(HeadersConfigurer.FrameOptionsConfig::disable);
          }
        });
    http.csrf(AbstractHttpConfigurer::disable)
        .httpBasic(AbstractHttpConfigurer::disable)
        .formLogin(AbstractHttpConfigurer::disable)
        .logout(AbstractHttpConfigurer::disable)
        .requestCache(AbstractHttpConfigurer::disable)
        .sessionManagement(
            sessions -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .addFilterBefore(
            new ApiKeyAuthenticationFilter(keys, problems), AnonymousAuthenticationFilter.class)
        .authorizeHttpRequests(
            requests ->
                requests
                    // error pages and the async dispatches of the event stream were authorized on
                    // the way in
                    .dispatcherTypeMatchers(DispatcherType.ERROR, DispatcherType.ASYNC)
                    .permitAll()
                    .requestMatchers(HttpMethod.GET, "/api/**")
                    .access(reads)
                    .requestMatchers(HttpMethod.HEAD, "/api/**")
                    .access(reads)
                    .requestMatchers("/api/**")
                    .access(client)
                    .requestMatchers("/actuator/prometheus")
                    .access(reads)
                    .anyRequest()
                    .permitAll())
        .exceptionHandling(
            errors -> errors.authenticationEntryPoint(anonymous).accessDeniedHandler(denied));
    return http.build();
  }

  /** The CSP directive naming who may frame the service's pages: nobody, or those origins. */
  static String frameAncestors(List<String> origins) {
    return "frame-ancestors " + (origins.isEmpty() ? "'none'" : String.join(" ", origins));
  }

  /** A key holder, or the local caller: someone {@link ApiKeyAuthenticationFilter} identified. */
  private static AuthorizationDecision identified(
      Supplier<? extends @Nullable Authentication> authentication,
      RequestAuthorizationContext context) {
    Authentication caller = authentication.get();
    return new AuthorizationDecision(
        caller != null && caller.isAuthenticated() && caller.getPrincipal() instanceof ApiClient);
  }
}
