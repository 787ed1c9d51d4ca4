package io.reachability.monitor;

import io.reachability.autonat.CheckResult;
import io.reachability.autonat.Reachability;
import io.reachability.autonat.ResponseStatus;
import org.jspecify.annotations.Nullable;

/** What one probe of one address by one server came to, as the monitor counts it. */
public enum ProbeOutcome {
  /** The server dialed the address back and the nonce arrived: counts for reachable. */
  SUCCESS,
  /** The server tried and could not connect: counts for unreachable. */
  FAILURE,
  /** The server would not dial the address ({@code E_DIAL_REFUSED}): counts toward a pause. */
  REFUSED,
  /**
   * No answer about the address (server unreachable, rejected, reset, unverifiable): counts for
   * nothing.
   */
  ERROR;

  /** Whether the outcome enters the sliding window. */
  public boolean decides() {
    return this == SUCCESS || this == FAILURE;
  }

  public static ProbeOutcome of(CheckResult result) {
    return of(result.reachability(), result.responseStatus());
  }

  public static ProbeOutcome of(Reachability reachability, @Nullable ResponseStatus status) {
    if (reachability == Reachability.REACHABLE) {
      return SUCCESS;
    }
    if (reachability == Reachability.UNREACHABLE) {
      return FAILURE;
    }
    return status == ResponseStatus.E_DIAL_REFUSED ? REFUSED : ERROR;
  }
}
