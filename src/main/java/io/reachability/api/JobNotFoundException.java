package io.reachability.api;

import java.util.UUID;

/** No job with this id (never existed, or evicted after its retention). */
final class JobNotFoundException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  JobNotFoundException(UUID id) {
    super("no check job " + id + " (unknown, or finished longer ago than reach.jobs.retention)");
  }
}
