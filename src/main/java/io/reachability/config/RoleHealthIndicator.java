package io.reachability.config;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Actuator health component {@code role}, part of readiness: whether the service can do its job in
 * the roles it is configured for (the node listening is the {@code libp2p} component's part).
 *
 * <ul>
 *   <li>With the AutoNAT v2 server role ({@code reach.server.enabled}) the service serves checks as
 *       soon as its node listens: UP, whatever its pool. A fleet whose members are each other's
 *       pool would otherwise never get ready, each waiting for the others.
 *   <li>Without it the service only checks: UP once a pool server (embedded ones count) is
 *       connected and speaks AutoNAT v2, DOWN while none is.
 * </ul>
 *
 * The pool's own state is the {@code serverPool} component of {@code /actuator/health}.
 */
@Component("role")
class RoleHealthIndicator implements HealthIndicator {

  private final ServerPoolHealthIndicator pool;
  private final boolean serverRole;

  RoleHealthIndicator(ServerPoolHealthIndicator pool, AutonatServerProperties server) {
    this.pool = pool;
    this.serverRole = server.enabled();
  }

  @Override
  public Health health() {
    long ready = pool.readyServers();
    String role = serverRole ? (pool.pureServer() ? "server" : "server and checker") : "checker";
    Health.Builder builder = serverRole || ready > 0 ? Health.up() : Health.down();
    builder
        .withDetail("role", role)
        .withDetail("servesChecks", serverRole)
        .withDetail("readyPoolServers", ready);
    if (!serverRole && ready == 0) {
      builder.withDetail(
          "reason", "no pool server is connected and speaks AutoNAT v2: checks have nobody to ask");
    }
    return builder.build();
  }
}
