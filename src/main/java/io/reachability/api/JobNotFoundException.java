package io.reachability.api;

import java.util.UUID;

/** No job with this id (never existed, or evicted after its retention). */
final class JobNotFoundException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String kind;

  JobNotFoundException(UUID id) {
    this(id, "check job");
  }

  /**
   * @param kind what was looked for ({@code check job}, {@code peer check})
   */
  JobNotFoundException(UUID id, String kind) {
    super("no " + kind + " " + id + " (unknown, or finished longer ago than reach.jobs.retention)");
    this.kind = kind;
  }

  /** What was looked for, for the problem's title. */
  String kind() {
    return kind;
  }
}
