package io.reachability.peercheck;

import java.time.Duration;

/**
 * The named limits of peer checks and their defaults ({@code reach.peer-checks.*} overrides the
 * settable ones). A peer check makes this service dial where a caller says, so every count, size
 * and time is bounded here.
 */
public final class PeerChecks {

  /** Addresses dialed per check by default (given ones, or found in the DHT). */
  public static final int DEFAULT_MAX_ADDRESSES = 16;

  /** Upper bound of {@code max-addresses}: each address is a dial of its own. */
  public static final int MAX_ADDRESSES = 64;

  /**
   * Addresses of a DHT record looked at at most (a DHT answer carries at most 32 per peer; the rest
   * would only be listed as skipped).
   */
  public static final int MAX_FOUND_ADDRESSES = 64;

  /**
   * Addresses of one IP (an IPv6 /64) one check dials at most: a node has a TCP and a QUIC port per
   * address family, sometimes a few more; a list of ports on one host is a port scan.
   */
  public static final int MAX_ADDRESSES_PER_IP = 4;

  /** Why an address over {@link #MAX_ADDRESSES_PER_IP} is not dialed. */
  public static final String TOO_MANY_OF_ONE_IP =
      "more than "
          + MAX_ADDRESSES_PER_IP
          + " addresses of one IP (or IPv6 /64) in one peer check: a node has a few ports, not"
          + " many";

  /** Dials in flight over all peer checks by default. */
  public static final int DEFAULT_MAX_CONCURRENT_DIALS = 16;

  /** Peer checks running at once by default (each holds a DHT lookup or a few dials). */
  public static final int DEFAULT_MAX_RUNNING = 16;

  /** Peer checks waiting to run by default, all clients together. */
  public static final int DEFAULT_QUEUE_CAPACITY = 100;

  /** Unfinished peer checks one client may have by default. */
  public static final int DEFAULT_MAX_UNFINISHED_PER_CLIENT = 10;

  /** Upper bound of the concurrency settings. */
  public static final int MAX_CONCURRENCY = 1024;

  /** Upper bound of the queue and per-client settings: what waits costs a few objects each. */
  public static final int MAX_WAITING = MAX_CONCURRENCY * 10;

  /**
   * Checks of one target per minute by default: of one peer id, and of one IP (an IPv6 /64 counts
   * as one IP). A few operators looking at one node at once are fine; a loop hammering it is not.
   */
  public static final int DEFAULT_PER_TARGET_PER_MINUTE = 6;

  /** Peer-check submissions from one requester IP (an IPv6 /64) per minute by default. */
  public static final int DEFAULT_PER_REQUESTER_PER_MINUTE = 10;

  /** Default bound on one peer check, lookup included. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

  /** Longest timeout a request may ask for, in seconds. */
  public static final int MAX_TIMEOUT_SECONDS = 300;

  /** Bound on the DHT lookup of a peer given by id alone. */
  public static final Duration LOOKUP_TIMEOUT = Duration.ofSeconds(30);

  /**
   * How long resolving a DNS address named in a request may hold the submission (it is resolved
   * then, so that what is judged public is what is dialed).
   */
  public static final Duration RESOLUTION_TIMEOUT = Duration.ofSeconds(10);

  /** Bits of an IPv6 address that name one target or one requester: one /64, one site. */
  public static final int IPV6_KEY_PREFIX_BITS = 64;

  /** What a turned-away client is told to wait (Retry-After) when the queue is full. */
  public static final Duration RETRY_AFTER = Duration.ofSeconds(10);

  private PeerChecks() {}
}
