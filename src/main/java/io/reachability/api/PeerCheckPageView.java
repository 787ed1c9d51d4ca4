package io.reachability.api;

import io.reachability.job.JobPage;
import io.reachability.peercheck.PeerCheckJob;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

/** One page of peer checks, newest first; an empty page is a normal answer. */
@Schema(name = "PeerCheckPage", description = "One page of peer checks, newest first.")
public record PeerCheckPageView(
    List<PeerCheckView> items,
    @Schema(description = "The page number, from 0.") int page,
    @Schema(description = "The page size asked for.") int size,
    @Schema(description = "Peer checks matching the query across all pages.") long total) {

  static PeerCheckPageView of(JobPage<PeerCheckJob> page) {
    return new PeerCheckPageView(
        page.items().stream().map(PeerCheckView::of).toList(),
        page.page(),
        page.size(),
        page.total());
  }
}
