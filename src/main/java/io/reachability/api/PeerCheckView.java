package io.reachability.api;

import io.reachability.autonat.AddressClass;
import io.reachability.job.JobState;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.PeerId;
import io.reachability.peercheck.AddressOutcome;
import io.reachability.peercheck.AddressSource;
import io.reachability.peercheck.AddressVerdict;
import io.reachability.peercheck.PeerAddress;
import io.reachability.peercheck.PeerCheckJob;
import io.reachability.peercheck.PeerVerdict;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** A peer check as the REST API shows it: one entry per address, with where it came from. */
@Schema(name = "PeerCheck", description = "A peer check: is another node reachable from here?")
public record PeerCheckView(
    UUID id,
    @Schema(description = "Who submitted it (an API key's name, or `local`).") String owner,
    JobState state,
    @Schema(description = "When the check was accepted.") Instant createdAt,
    @Schema(description = "When it started running; null while queued.")
        @Nullable Instant startedAt,
    @Schema(description = "When it reached a terminal state; set exactly then.")
        @Nullable Instant finishedAt,
    @Schema(description = "The peer id checked.") String peer,
    @Schema(
            description =
                """
                The peer's verdict: set when the check SUCCEEDED, or earlier as soon as one address
                reached the peer (REACHABLE); null otherwise.\
                """)
        @Nullable PeerVerdict verdict,
    @Schema(
            description =
                "Whether the addresses were looked up in the DHT (the request named none).")
        boolean lookedUp,
    @Schema(description = "What the peer runs, from identify on the first address that reached it.")
        @Nullable String agentVersion,
    @Schema(
            description =
                "Whether the peer serves AutoNAT v2 (identify lists its dial-request protocol): it"
                    + " could then be one of the pool's servers.")
        boolean servesAutonatV2,
    @Schema(
            description =
                """
                Every address considered, in order: named in the request or found in the DHT, dialed
                (with its verdict once done) or skipped (with the reason).\
                """)
        List<PeerAddressView> addresses,
    @Schema(description = "The request's own timeout in seconds; null = the setting's.")
        @Nullable Long timeoutSeconds,
    @Schema(
            description =
                "Why the check FAILED (timeout, DHT not answering) or was CANCELLED; null"
                    + " otherwise.")
        @Nullable String error) {

  /** One address of a peer check. */
  @Schema(name = "PeerAddress", description = "One address of a peer check, dialed on its own.")
  public record PeerAddressView(
      @Schema(
              description = "The address dialed (or skipped), without /p2p.",
              example = "/ip6/3fff:0:200::2/tcp/4001")
          String address,
      @Schema(
              description = ApiDocumentation.TRANSPORT_DESCRIPTION,
              allowableValues = {AddressClass.TCP, AddressClass.QUIC_V1, AddressClass.OTHER})
          String transport,
      AddressSource source,
      @Schema(description = "The DNS address it was resolved from; null when it was an IP.")
          @Nullable String resolvedFrom,
      @Schema(description = "Why it was not dialed; null when it was (or will be).")
          @Nullable String skipped,
      @Schema(description = "What the dial showed; null while pending and when skipped.")
          @Nullable AddressVerdict verdict,
      @Schema(description = "Milliseconds from the dial to a secured, multiplexed connection.")
          @Nullable Long connectTimeMs,
      @Schema(description = "The peer id the handshake proved (another one = WRONG_PEER).")
          @Nullable String provenPeer,
      @Schema(description = "Security protocol negotiated: `/noise`, `/tls/1.0.0` or `quic-v1`.")
          @Nullable String securityProtocol,
      @Schema(description = "Stream muxer negotiated: `/yamux/1.0.0`, or `quic-v1`.")
          @Nullable String muxer,
      @Schema(description = "identify's agent version; null when identify did not answer.")
          @Nullable String agentVersion,
      @Schema(description = "identify's protocol list.") List<String> protocols,
      @Schema(description = "identify's listen addresses.") List<String> listenAddresses,
      @Schema(description = "The address the peer observed for this service.")
          @Nullable String observedAddress,
      @Schema(description = "Whether identify lists the AutoNAT v2 dial-request protocol.")
          boolean servesAutonatV2,
      @Schema(description = "One ping's round trip in milliseconds; null when ping did not answer.")
          @Nullable Double pingRttMs,
      @Schema(description = "What went wrong (dial, identify or ping); null when all went well.")
          @Nullable String error) {

    static PeerAddressView of(PeerAddress address, @Nullable AddressOutcome outcome) {
      String transport = AddressClass.transport(address.address());
      String resolvedFrom = text(address.resolvedFrom());
      if (outcome == null) {
        return new PeerAddressView(
            address.address().toString(),
            transport,
            address.source(),
            resolvedFrom,
            address.skipped(),
            null,
            null,
            null,
            null,
            null,
            null,
            List.of(),
            List.of(),
            null,
            false,
            null,
            null);
      }
      Duration connect = outcome.connectTime();
      Duration rtt = outcome.pingRtt();
      PeerId proven = outcome.provenPeer();
      return new PeerAddressView(
          address.address().toString(),
          transport,
          address.source(),
          resolvedFrom,
          null,
          outcome.verdict(),
          connect == null ? null : connect.toMillis(),
          proven == null ? null : proven.toString(),
          outcome.securityProtocol(),
          outcome.muxer(),
          outcome.agentVersion(),
          outcome.protocols(),
          JobView.text(outcome.listenAddresses()),
          text(outcome.observedAddress()),
          outcome.servesAutonatV2(),
          rtt == null ? null : rtt.toNanos() / NANOS_PER_MILLI,
          outcome.error());
    }
  }

  private static final double NANOS_PER_MILLI = 1_000_000.0;

  public static PeerCheckView of(PeerCheckJob job) {
    Map<Multiaddr, AddressOutcome> outcomes = new HashMap<>();
    for (AddressOutcome outcome : job.results()) {
      outcomes.put(outcome.address(), outcome);
    }
    List<PeerAddressView> addresses = new ArrayList<>();
    for (PeerAddress address : job.addresses()) {
      addresses.add(
          PeerAddressView.of(address, address.isDialed() ? outcomes.get(address.address()) : null));
    }
    AddressOutcome first =
        job.results().stream()
            .filter(o -> o.verdict() == AddressVerdict.REACHABLE)
            .findFirst()
            .orElse(null);
    Duration timeout = job.request().timeout();
    return new PeerCheckView(
        job.id(),
        job.owner(),
        job.state(),
        job.createdAt(),
        job.startedAt(),
        job.finishedAt(),
        job.request().peer().toString(),
        job.verdict(),
        job.lookedUp(),
        first == null ? null : first.agentVersion(),
        job.results().stream()
            .anyMatch(o -> o.verdict() == AddressVerdict.REACHABLE && o.servesAutonatV2()),
        addresses,
        timeout == null ? null : timeout.toSeconds(),
        job.error());
  }

  private static @Nullable String text(@Nullable Multiaddr address) {
    return address == null ? null : address.toString();
  }
}
