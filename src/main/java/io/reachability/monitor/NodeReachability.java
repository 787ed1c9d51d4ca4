package io.reachability.monitor;

import io.reachability.autonat.Reachability;
import java.util.Collection;

/** The node as a whole, from its addresses' verdicts. */
public enum NodeReachability {
  /** At least one address is reachable from outside. */
  PUBLIC,
  /** Every tracked address is unreachable. */
  PRIVATE,
  /** Neither yet (no address, or none decided reachable while some are undecided). */
  UNKNOWN;

  public static NodeReachability of(Collection<Reachability> verdicts) {
    if (verdicts.contains(Reachability.REACHABLE)) {
      return PUBLIC;
    }
    if (!verdicts.isEmpty() && verdicts.stream().allMatch(v -> v == Reachability.UNREACHABLE)) {
      return PRIVATE;
    }
    return UNKNOWN;
  }
}
