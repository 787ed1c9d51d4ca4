package io.reachability.job;

import io.reachability.autonat.Reachability;

/**
 * How a job concludes about one address from the answers of several servers: its verdict is a
 * {@link Reachability}, the same type one server's answer and the monitor give.
 *
 * <p>With {@code c} confirmations wanted (after capping them at the number of servers), an address
 * is REACHABLE when at least {@code min(2, c)} servers reached it and more reached it than failed
 * to, UNREACHABLE in the mirror case, and UNKNOWN otherwise: one server's word is enough only when
 * a single confirmation was asked for, and a tie never decides.
 */
public final class Agreement {

  /**
   * Servers that must agree before a verdict is given, when more than one confirmation is wanted.
   */
  public static final int AGREEMENT = 2;

  /**
   * The verdict of {@code successes} and {@code failures}.
   *
   * @param successes servers that dialed the address back with a verified nonce
   * @param failures servers that tried and could not connect
   * @param confirmations confirmations wanted (at least 1)
   */
  public static Reachability verdict(int successes, int failures, int confirmations) {
    if (successes < 0 || failures < 0 || confirmations < 1) {
      throw new IllegalArgumentException(
          "need successes, failures >= 0 and confirmations >= 1, was "
              + successes
              + ", "
              + failures
              + ", "
              + confirmations);
    }
    int needed = Math.min(AGREEMENT, confirmations);
    if (successes >= needed && successes > failures) {
      return Reachability.REACHABLE;
    }
    if (failures >= needed && failures > successes) {
      return Reachability.UNREACHABLE;
    }
    return Reachability.UNKNOWN;
  }

  private Agreement() {}
}
