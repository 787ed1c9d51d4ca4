package io.reachability.api;

import io.reachability.job.CheckJob;
import io.reachability.job.JobPage;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

/** One page of jobs, newest first; an empty page is a normal answer. */
@Schema(name = "JobPage", description = "One page of jobs, newest first.")
public record JobPageView(
    List<JobView> items,
    @Schema(description = "The page number, from 0.") int page,
    @Schema(description = "The page size asked for.") int size,
    @Schema(description = "Jobs matching the query across all pages.") long total) {

  static JobPageView of(JobPage<CheckJob> page) {
    return new JobPageView(
        page.items().stream().map(JobView::of).toList(), page.page(), page.size(), page.total());
  }
}
