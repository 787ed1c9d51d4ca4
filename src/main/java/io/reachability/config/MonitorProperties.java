package io.reachability.config;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The reachability monitor ({@code reach.monitor.*}); reserved: the monitor itself comes with its
 * own issue, the switch exists now so deployments can set it already.
 *
 * @param enabled keep re-checking the node's own candidate addresses in the background
 */
@ConfigurationProperties("reach.monitor")
public record MonitorProperties(@DefaultValue("true") boolean enabled) {}
