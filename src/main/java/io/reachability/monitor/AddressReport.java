package io.reachability.monitor;

import io.reachability.autonat.Reachability;
import io.reachability.libp2p.core.Multiaddr;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One tracked address as the monitor sees it now.
 *
 * @param verdict from the window (a secondary with a reachable primary is reachable)
 * @param confidence |successes − failures| in the window
 * @param secondary shares IP and port with a primary address that decides for it when reachable
 * @param probesInFlight probes of this address under way
 * @param lastProbeAt when it was last probed (or a job's outcome about it arrived)
 * @param nextProbeAt when it will be probed next; null when nothing is planned
 * @param history recent outcomes, oldest first, refusals and errors included
 */
public record AddressReport(
    Multiaddr address,
    Reachability verdict,
    int confidence,
    int successes,
    int failures,
    boolean secondary,
    int probesInFlight,
    @Nullable Instant lastProbeAt,
    @Nullable Instant nextProbeAt,
    List<ProbeRecord> history) {}
