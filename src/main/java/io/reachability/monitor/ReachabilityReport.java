package io.reachability.monitor;

import java.util.List;

/** The node's reachability and every tracked address, in candidate order. */
public record ReachabilityReport(NodeReachability reachability, List<AddressReport> addresses) {}
