package io.reachability.api;

import io.reachability.autonat.Reachability;
import io.reachability.monitor.ReachabilityMonitor;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/** The data of one {@code verdict} server-sent event. */
@Schema(
    name = "VerdictEvent",
    description =
        """
        One address's verdict: sent for every tracked address when a client connects (with
        `previous` null), then each time a verdict changes.\
        """)
public record VerdictEvent(
    @Schema(description = "The address as a multiaddr.") String address,
    Reachability verdict,
    @Schema(description = "The verdict before the change; null in the events sent on connect.")
        @Nullable Reachability previous,
    @Schema(description = "When the verdict changed (on connect: when the event was sent).")
        Instant at) {

  static VerdictEvent of(ReachabilityMonitor.VerdictChange change) {
    return new VerdictEvent(change.address().toString(), change.to(), change.from(), change.at());
  }
}
