package io.reachability.job;

import java.time.Duration;
import java.util.Objects;

/**
 * How {@link JobService} runs jobs. No job holds a thread: a running job is a few futures and a
 * timer, so these bound memory and the load sent to servers, not threads.
 *
 * @param maxRunning jobs running at the same time; the rest wait, taken one client at a time
 * @param queueCapacity jobs waiting to run, all clients together; a submission beyond it is turned
 *     away
 * @param maxChecksInFlight AutoNAT checks in flight over all running jobs; when they are all taken,
 *     jobs get the next free one in turn
 * @param maxUnfinishedPerClient queued and running jobs of one client; beyond it that client's
 *     submissions are turned away, so one client cannot fill the queue
 * @param defaultTimeout bound on a job that does not name its own
 * @param shutdownGrace on shutdown, how long queued and running jobs get to finish before the rest
 *     is cancelled
 */
public record JobSettings(
    int maxRunning,
    int queueCapacity,
    int maxChecksInFlight,
    int maxUnfinishedPerClient,
    Duration defaultTimeout,
    Duration shutdownGrace) {

  /**
   * Distinct servers asked per address when a request does not say (the reference's confidence).
   */
  public static final int DEFAULT_CONFIRMATIONS = 3;

  /**
   * Most confirmations a request may ask for: beyond a handful more servers add load, not
   * certainty.
   */
  public static final int MAX_CONFIRMATIONS = 10;

  /**
   * Jobs running at once by default: enough that a burst of jobs waiting on slow or silent servers
   * all wait at the same time (each costs a few objects, no thread).
   */
  public static final int DEFAULT_MAX_RUNNING = 256;

  /** Jobs waiting to run by default. */
  public static final int DEFAULT_QUEUE_CAPACITY = 1000;

  /**
   * Checks in flight by default: one per running job, more for jobs asking several servers at once
   * while others wait on silent ones.
   */
  public static final int DEFAULT_MAX_CHECKS_IN_FLIGHT = 256;

  /** Unfinished jobs one client may have by default: a tenth of the queue. */
  public static final int DEFAULT_MAX_UNFINISHED_PER_CLIENT = 100;

  /**
   * Upper bound of {@link #maxRunning()} and {@link #maxChecksInFlight()}: memory, and load on
   * servers.
   */
  public static final int MAX_CONCURRENCY = 4096;

  /**
   * Default job timeout: room for an address whose servers answer slowly plus a replacement round
   * (one check is bounded by the 15 s AutoNAT v2 exchange timeout).
   */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

  /** Longest timeout a request may ask for, in seconds (the API documents it as a number). */
  public static final int MAX_TIMEOUT_SECONDS = 600;

  /** Longest timeout a request may ask for. */
  public static final Duration MAX_TIMEOUT = Duration.ofSeconds(MAX_TIMEOUT_SECONDS);

  /** Default of {@link #shutdownGrace()}: long enough for jobs already at their last check. */
  public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(10);

  /** What a turned-away client is told to wait (Retry-After): about one check's time. */
  public static final Duration RETRY_AFTER = Duration.ofSeconds(5);

  public JobSettings {
    Objects.requireNonNull(defaultTimeout, "defaultTimeout");
    Objects.requireNonNull(shutdownGrace, "shutdownGrace");
    requireIn("maxRunning", maxRunning, MAX_CONCURRENCY);
    requireIn("maxChecksInFlight", maxChecksInFlight, MAX_CONCURRENCY);
    atLeastOne("queueCapacity", queueCapacity);
    atLeastOne("maxUnfinishedPerClient", maxUnfinishedPerClient);
    if (defaultTimeout.isNegative()
        || defaultTimeout.isZero()
        || defaultTimeout.compareTo(MAX_TIMEOUT) > 0) {
      throw new IllegalArgumentException(
          "defaultTimeout must be positive and at most "
              + MAX_TIMEOUT
              + " (the longest a request may ask for), was "
              + defaultTimeout);
    }
    if (shutdownGrace.isNegative()) {
      throw new IllegalArgumentException(
          "shutdownGrace must not be negative, was " + shutdownGrace);
    }
  }

  private static void atLeastOne(String name, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be at least 1, was " + value);
    }
  }

  private static void requireIn(String name, int value, int max) {
    if (value < 1 || value > max) {
      throw new IllegalArgumentException(name + " must be in [1, " + max + "], was " + value);
    }
  }

  /** The defaults: {@code DEFAULT_*} above. */
  public static JobSettings defaults() {
    return new Builder().build();
  }

  /**
   * The defaults with {@code maxRunning} and {@code queueCapacity} set, and no bound per client.
   */
  public static JobSettings of(int maxRunning, int queueCapacity) {
    return new Builder()
        .maxRunning(maxRunning)
        .queueCapacity(queueCapacity)
        .maxUnfinishedPerClient(Integer.MAX_VALUE)
        .build();
  }

  /** A builder starting from these settings. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Settings one by one, from the defaults; {@link #build()} checks them all at once. */
  public static final class Builder {
    private int maxRunning = DEFAULT_MAX_RUNNING;
    private int queueCapacity = DEFAULT_QUEUE_CAPACITY;
    private int maxChecksInFlight = DEFAULT_MAX_CHECKS_IN_FLIGHT;
    private int maxUnfinishedPerClient = DEFAULT_MAX_UNFINISHED_PER_CLIENT;
    private Duration defaultTimeout = DEFAULT_TIMEOUT;
    private Duration shutdownGrace = DEFAULT_SHUTDOWN_GRACE;

    /** From the defaults. */
    public Builder() {}

    private Builder(JobSettings from) {
      maxRunning = from.maxRunning;
      queueCapacity = from.queueCapacity;
      maxChecksInFlight = from.maxChecksInFlight;
      maxUnfinishedPerClient = from.maxUnfinishedPerClient;
      defaultTimeout = from.defaultTimeout;
      shutdownGrace = from.shutdownGrace;
    }

    public Builder maxRunning(int value) {
      maxRunning = value;
      return this;
    }

    public Builder queueCapacity(int value) {
      queueCapacity = value;
      return this;
    }

    public Builder maxChecksInFlight(int value) {
      maxChecksInFlight = value;
      return this;
    }

    public Builder maxUnfinishedPerClient(int value) {
      maxUnfinishedPerClient = value;
      return this;
    }

    public Builder defaultTimeout(Duration value) {
      defaultTimeout = value;
      return this;
    }

    public Builder shutdownGrace(Duration value) {
      shutdownGrace = value;
      return this;
    }

    /** The settings; throws {@link IllegalArgumentException} naming the first bad value. */
    public JobSettings build() {
      return new JobSettings(
          maxRunning,
          queueCapacity,
          maxChecksInFlight,
          maxUnfinishedPerClient,
          defaultTimeout,
          shutdownGrace);
    }
  }
}
