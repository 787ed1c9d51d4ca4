package io.reachability.api;

/** The reachability monitor is switched off in this deployment. */
final class MonitorDisabledException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  MonitorDisabledException() {
    super("the reachability monitor is off (reach.monitor.enabled=false)");
  }
}
