package io.reachability.testing;

import java.time.Duration;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

/** The one way tests wait for something asynchronous: Awaitility, polled often, bounded. */
public final class Waiting {

  /** How often a condition is looked at again. */
  public static final Duration POLL = Duration.ofMillis(10);

  private Waiting() {}

  /** Waits at most {@code bound}, looking at once and then every {@link #POLL}. */
  public static ConditionFactory within(Duration bound) {
    return Awaitility.await().atMost(bound).pollDelay(Duration.ZERO).pollInterval(POLL);
  }
}
