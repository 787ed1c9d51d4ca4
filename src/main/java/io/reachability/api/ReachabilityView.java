package io.reachability.api;

import io.reachability.autonat.AddressClass;
import io.reachability.autonat.Reachability;
import io.reachability.monitor.AddressReport;
import io.reachability.monitor.Diagnosis;
import io.reachability.monitor.NodeReachability;
import io.reachability.monitor.ProbeOutcome;
import io.reachability.monitor.ProbeRecord;
import io.reachability.monitor.ReachabilityReport;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** The monitor's view of the node: {@code GET /api/v1/reachability}. */
@Schema(
    name = "ReachabilityReport",
    description = "The node's reachability as the monitor sees it now, with every tracked address.")
public record ReachabilityView(
    @Schema(
            description =
                """
                What the verdicts can prove; set while the pool includes the embedded loopback
                servers (they prove loopback reachability only), null otherwise.\
                """)
        @Nullable String notice,
    @Schema(
            description =
                "PUBLIC when an address is reachable, PRIVATE when every tracked address is"
                    + " unreachable, UNKNOWN otherwise.")
        NodeReachability reachability,
    @Schema(
            description =
                """
                What the evidence supports about why addresses are unreachable, each with its
                evidence and a fix-it hint; empty when nothing is wrong or the evidence is too thin.
                Only observations by the pool's servers count.\
                """)
        List<DiagnosisView> diagnoses,
    @Schema(
            description =
                "Every tracked candidate address, in candidate order (listen addresses, then"
                    + " announced ones).")
        List<AddressView> addresses) {

  /** One tracked address. */
  @Schema(
      name = "MonitoredAddress",
      description = "One candidate address: its verdict and the window behind it.")
  public record AddressView(
      @Schema(description = "The address as a multiaddr.", example = "/ip4/127.0.0.1/tcp/4001")
          String address,
      @Schema(
              description = ApiDocumentation.TRANSPORT_DESCRIPTION,
              allowableValues = {AddressClass.TCP, AddressClass.QUIC_V1},
              example = AddressClass.TCP)
          String transport,
      @Schema(
              description =
                  "From the sliding window: successes − failures ≥ 2 REACHABLE, failures −"
                      + " successes ≥ 2 UNREACHABLE.")
          Reachability verdict,
      @Schema(description = "|successes − failures| in the window; no more probes are needed at 3.")
          int confidence,
      @Schema(description = "Successes in the window (the last 5 outcomes younger than 5 h).")
          int successes,
      @Schema(description = "Failures in the window.") int failures,
      @Schema(
              description =
                  "Shares IP and port with a primary address, whose REACHABLE verdict it takes.")
          boolean secondary,
      @Schema(description = "Probes of this address under way.") int probesInFlight,
      @Schema(
              description =
                  "When it was last probed (or a check job's answer about it arrived); null before"
                      + " the first.")
          @Nullable Instant lastProbeAt,
      @Schema(description = "When it is probed next; null when nothing is planned.")
          @Nullable Instant nextProbeAt,
      @Schema(description = "Recent outcomes, oldest first, refusals and errors included.")
          List<OutcomeView> history) {}

  /** One diagnosis. */
  @Schema(name = "Diagnosis", description = "A likely cause, the facts behind it and what to do.")
  public record DiagnosisView(
      @Schema(
              description =
                  """
                  BEHIND_CGNAT (observed at, or living in, 100.64.0.0/10), DOUBLE_NAT (observed at
                  a private address that is not the node's own), UDP_BLOCKED (TCP reachable on an
                  IP where QUIC is not), PORT_NOT_FORWARDED (a NAT maps the node, nothing reaches
                  its port), FIREWALLED (the machine's own public address, unreachable).\
                  """)
          Diagnosis.Kind code,
      @Schema(description = "A short title.", example = "Port not forwarded") String title,
      @Schema(description = "The addresses it is about, as multiaddrs.") List<String> addresses,
      @Schema(description = "What it was concluded from, one fact each.") List<String> evidence,
      @Schema(description = "What to do about it.") String hint) {

    static DiagnosisView of(Diagnosis d) {
      return new DiagnosisView(
          d.kind(),
          d.kind().title(),
          d.addresses().stream().map(Object::toString).toList(),
          d.evidence(),
          d.hint());
    }
  }

  /** One outcome in an address's history. */
  @Schema(name = "ProbeOutcomeRecord", description = "One probe's outcome.")
  public record OutcomeView(
      Instant at,
      @Schema(description = "The server that answered, ending in `/p2p/<peer id>`.") String server,
      ProbeOutcome outcome) {}

  static ReachabilityView of(
      ReachabilityReport report, List<Diagnosis> diagnoses, @Nullable String notice) {
    return new ReachabilityView(
        notice,
        report.reachability(),
        diagnoses.stream().map(DiagnosisView::of).toList(),
        report.addresses().stream().map(ReachabilityView::address).toList());
  }

  private static AddressView address(AddressReport a) {
    return new AddressView(
        a.address().toString(),
        AddressClass.transport(a.address()),
        a.verdict(),
        a.confidence(),
        a.successes(),
        a.failures(),
        a.secondary(),
        a.probesInFlight(),
        a.lastProbeAt(),
        a.nextProbeAt(),
        a.history().stream().map(ReachabilityView::outcome).toList());
  }

  private static OutcomeView outcome(ProbeRecord record) {
    return new OutcomeView(record.at(), record.server().toString(), record.outcome());
  }
}
