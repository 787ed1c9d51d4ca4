package io.reachability.libp2p.host;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs user callbacks so that one that throws is logged and cannot break the host's work. */
final class Listeners {

  private static final Logger log = LoggerFactory.getLogger(Listeners.class);

  private Listeners() {}

  static void safely(String what, Runnable action) {
    try {
      action.run();
    } catch (RuntimeException e) {
      log.warn("{} failed", what, e);
    }
  }
}
