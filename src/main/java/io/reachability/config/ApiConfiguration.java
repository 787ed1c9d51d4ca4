package io.reachability.config;

import io.reachability.api.BodyLimitFilter;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import tools.jackson.databind.json.JsonMapper;

/** The HTTP side's own wiring: the request body limit, ahead of every other filter. */
@Configuration(proxyBeanMethods = false)
class ApiConfiguration {

  @Bean
  FilterRegistrationBean<BodyLimitFilter> bodyLimitFilter(ApiProperties api, JsonMapper json) {
    FilterRegistrationBean<BodyLimitFilter> registration = new FilterRegistrationBean<>(new BodyLimitFilter(api.maxBodyBytes(), json));
    registration.setOrder(Ordered.HIGHEST_PRECEDENCE); // before anything that could read the body
    return registration;
  }
}
