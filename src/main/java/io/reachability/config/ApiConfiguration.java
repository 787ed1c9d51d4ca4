package io.reachability.config;

import io.reachability.access.SecurityConfiguration;
import io.reachability.api.BodyLimitFilter;
import io.reachability.api.CorsPolicy;
import io.reachability.api.ProblemErrorReportValve;
import org.apache.catalina.Pipeline;
import org.apache.catalina.Valve;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.cors.CorsConfigurationSource;
import org.springframework.web.cors.CorsProcessor;
import tools.jackson.databind.json.JsonMapper;

/**
 * The HTTP side's own wiring: the request body limit, ahead of every other filter, and problem
 * documents for what Tomcat rejects before any servlet sees it.
 */
@Configuration(proxyBeanMethods = false)
class ApiConfiguration {

  @Bean
  FilterRegistrationBean<BodyLimitFilter> bodyLimitFilter(ApiProperties api, JsonMapper json) {
    FilterRegistrationBean<BodyLimitFilter> registration =
        new FilterRegistrationBean<>(new BodyLimitFilter(api.maxBodyBytes(), json));
    registration.setOrder(Ordered.HIGHEST_PRECEDENCE); // before anything that could read the body
    return registration;
  }

  /** Which origins browsers may call the API from ({@code reach.api.cors.allowed-origins}). */
  @Bean(SecurityConfiguration.API_CORS)
  CorsConfigurationSource apiCors(ApiProperties api) {
    return CorsPolicy.source(api.cors().allowedOrigins());
  }

  @Bean
  CorsProcessor corsProcessor() {
    return CorsPolicy.processor();
  }

  /**
   * Replaces Tomcat's HTML error report on the host (Spring Boot installs one without details) with
   * {@link ProblemErrorReportValve}. Runs after Boot's own customizer, whose valve it removes.
   */
  @Bean
  WebServerFactoryCustomizer<TomcatServletWebServerFactory> problemErrorReports(JsonMapper json) {
    return new WebServerFactoryCustomizer<>() {
      @Override
      public void customize(TomcatServletWebServerFactory factory) {
        factory.addContextCustomizers(
            context -> {
              Pipeline host = context.getParent().getPipeline();
              for (Valve valve : host.getValves()) {
                if (valve instanceof ErrorReportValve
                    && !(valve instanceof ProblemErrorReportValve)) {
                  host.removeValve(valve);
                }
              }
              host.addValve(new ProblemErrorReportValve(json));
              if (context.getParent() instanceof StandardHost standard) {
                // the host adds its default report (with server info) at start unless one of this
                // class is there
                standard.setErrorReportValveClass(ProblemErrorReportValve.class.getName());
              }
            });
      }
    };
  }
}
