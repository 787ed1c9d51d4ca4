package io.reachability.peercheck;

import java.time.Duration;
import java.util.Objects;

/**
 * How peer checks run and what they may dial ({@code reach.peer-checks.*}).
 *
 * @param allowPrivateAddresses dial loopback, private, link-local, CGNAT, documentation … addresses
 *     too (labs and tests only: otherwise the service could be made to probe the network it runs
 *     in)
 * @param maxAddresses addresses dialed per check; more in a request is a 400, more found in the DHT
 *     are listed as skipped
 * @param maxConcurrentDials dials in flight over all peer checks; checks take free ones in turn
 * @param maxRunning peer checks running at once; the rest wait, one client at a time
 * @param queueCapacity peer checks waiting, all clients together; beyond it a submission is a 503
 * @param maxUnfinishedPerClient queued and running peer checks of one client; beyond it a 429
 * @param perTargetPerMinute checks of one peer id, and of one target IP, per minute
 * @param perRequesterPerMinute submissions from one requester IP per minute
 * @param defaultTimeout bound on a check that does not name its own
 */
public record PeerCheckSettings(
    boolean allowPrivateAddresses,
    int maxAddresses,
    int maxConcurrentDials,
    int maxRunning,
    int queueCapacity,
    int maxUnfinishedPerClient,
    int perTargetPerMinute,
    int perRequesterPerMinute,
    Duration defaultTimeout) {

  public PeerCheckSettings {
    Objects.requireNonNull(defaultTimeout, "defaultTimeout");
    require(maxAddresses, 1, PeerChecks.MAX_ADDRESSES, "maxAddresses");
    require(maxConcurrentDials, 1, PeerChecks.MAX_CONCURRENCY, "maxConcurrentDials");
    require(maxRunning, 1, PeerChecks.MAX_CONCURRENCY, "maxRunning");
    require(queueCapacity, 0, PeerChecks.MAX_WAITING, "queueCapacity");
    require(maxUnfinishedPerClient, 1, PeerChecks.MAX_WAITING, "maxUnfinishedPerClient");
    require(perTargetPerMinute, 1, PeerChecks.MAX_CONCURRENCY, "perTargetPerMinute");
    require(perRequesterPerMinute, 1, PeerChecks.MAX_CONCURRENCY, "perRequesterPerMinute");
    if (defaultTimeout.isNegative()
        || defaultTimeout.isZero()
        || defaultTimeout.toSeconds() > PeerChecks.MAX_TIMEOUT_SECONDS) {
      throw new IllegalArgumentException(
          "defaultTimeout must be in (0, "
              + PeerChecks.MAX_TIMEOUT_SECONDS
              + " s], was "
              + defaultTimeout);
    }
  }

  /** Every default: public targets only. */
  public static PeerCheckSettings defaults() {
    return new PeerCheckSettings(
        false,
        PeerChecks.DEFAULT_MAX_ADDRESSES,
        PeerChecks.DEFAULT_MAX_CONCURRENT_DIALS,
        PeerChecks.DEFAULT_MAX_RUNNING,
        PeerChecks.DEFAULT_QUEUE_CAPACITY,
        PeerChecks.DEFAULT_MAX_UNFINISHED_PER_CLIENT,
        PeerChecks.DEFAULT_PER_TARGET_PER_MINUTE,
        PeerChecks.DEFAULT_PER_REQUESTER_PER_MINUTE,
        PeerChecks.DEFAULT_TIMEOUT);
  }

  /** These settings with private targets allowed or not. */
  public PeerCheckSettings withAllowPrivateAddresses(boolean allow) {
    return new PeerCheckSettings(
        allow,
        maxAddresses,
        maxConcurrentDials,
        maxRunning,
        queueCapacity,
        maxUnfinishedPerClient,
        perTargetPerMinute,
        perRequesterPerMinute,
        defaultTimeout);
  }

  private static void require(int value, int min, int max, String name) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          name + " must be in [" + min + ", " + max + "], was " + value);
    }
  }
}
