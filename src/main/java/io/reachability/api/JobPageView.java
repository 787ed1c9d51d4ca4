package io.reachability.api;

import io.reachability.job.JobPage;
import java.util.List;

/** One page of jobs, newest first; an empty page is a normal answer. */
public record JobPageView(List<JobView> items, int page, int size, long total) {

  static JobPageView of(JobPage page) {
    return new JobPageView(page.items().stream().map(JobView::of).toList(), page.page(), page.size(), page.total());
  }
}
