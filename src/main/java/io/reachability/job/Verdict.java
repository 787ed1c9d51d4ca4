package io.reachability.job;

/**
 * What a job concludes about one address from the answers of several servers.
 *
 * <p>With {@code c} confirmations wanted (after capping them at the number of servers), an address
 * is REACHABLE when at least {@code min(2, c)} servers reached it and more reached it than failed
 * to, UNREACHABLE in the mirror case, and UNKNOWN otherwise: one server's word is enough only when
 * a single confirmation was asked for, and a tie never decides.
 */
public enum Verdict {
  REACHABLE,
  UNREACHABLE,
  UNKNOWN;

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
  public static Verdict of(int successes, int failures, int confirmations) {
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
      return REACHABLE;
    }
    if (failures >= needed && failures > successes) {
      return UNREACHABLE;
    }
    return UNKNOWN;
  }
}
