package io.reachability.job;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What an attempt's {@code error} tells a caller. Reaching a server fails in ways that describe the
 * host behind the address (refused = closed port, a reset during the upgrade = something listens, a
 * timeout = filtered, a garbled multistream line = another protocol); for a server a request named
 * that would make the service a port scanner. The stage that failed is kept, the transport's own
 * words are not (they are in the debug log).
 */
final class AttemptErrors {

  /** Failures before the server said anything about the address: only the stage is shown. */
  static final List<String> STAGES =
      List.of("cannot connect to the server", "cannot open a ", "cannot send the request");

  private AttemptErrors() {}

  static @Nullable String forCaller(@Nullable String error) {
    if (error == null) {
      return null;
    }
    int colon = error.indexOf(": ");
    boolean early = colon > 0 && STAGES.stream().anyMatch(error::startsWith);
    return early ? error.substring(0, colon) : error;
  }
}
