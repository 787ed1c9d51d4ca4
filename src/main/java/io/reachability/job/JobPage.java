package io.reachability.job;

import java.util.List;

/**
 * One page of jobs, newest first.
 *
 * @param page the page number, from 0
 * @param size the page size asked for
 * @param total jobs matching the query across all pages
 */
public record JobPage<J extends Job>(List<J> items, int page, int size, long total) {

  public JobPage {
    items = List.copyOf(items);
  }
}
