package io.reachability.api;

import io.reachability.autonat.AddressClass;
import io.reachability.autonat.DialStatus;
import io.reachability.autonat.Reachability;
import io.reachability.autonat.ResponseStatus;
import io.reachability.job.AddressResult;
import io.reachability.job.Attempt;
import io.reachability.job.CheckJob;
import io.reachability.job.CheckRequest;
import io.reachability.job.JobState;
import io.reachability.libp2p.core.Multiaddr;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** A check job as the REST API shows it: multiaddrs as text, durations in whole units. */
@Schema(name = "Job", description = "A check job.")
public record JobView(
    UUID id,
    @Schema(
            description =
                """
                Who submitted it: the name of the API key it came with, or `local` (a caller on this
                machine while no key is configured). Only its owner and admin keys see it.\
                """)
        String owner,
    JobState state,
    @Schema(description = "When the job was accepted.") Instant createdAt,
    @Schema(
            description =
                "When it started running; null while queued (and for a job cancelled while"
                    + " queued).")
        @Nullable Instant startedAt,
    @Schema(
            description =
                "When it reached a terminal state; set exactly when the state is terminal.")
        @Nullable Instant finishedAt,
    RequestView request,
    @Schema(description = "One per address checked so far, in the order they finished.")
        List<ResultView> results,
    @Schema(
            description =
                "Why the job FAILED or was CANCELLED (`cancelled` for a user's cancel); null"
                    + " otherwise.")
        @Nullable String error) {

  /** The request as accepted (after validation: duplicates removed, own /p2p suffixes dropped). */
  @Schema(
      name = "AcceptedRequest",
      description =
          """
          The request as accepted, after validation: duplicates removed, the node's own `/p2p`
          suffix dropped from addresses. Fields the client left out stay empty/null (the service's
          defaults apply when the job runs).\
          """)
  public record RequestView(
      @Schema(
              description =
                  "Multiaddrs; empty = the node's candidate addresses at the time the job runs.")
          List<String> addresses,
      @Schema(description = "Multiaddrs; empty = the pool.") List<String> servers,
      @Schema(description = "Null = the default (3).") @Nullable Integer confirmations,
      @Schema(description = "Null = the setting `reach.jobs.default-timeout` (default 60 s).")
          @Nullable Long timeoutSeconds,
      @Schema(description = "Null = `reach.client.max-dial-data-bytes`.")
          @Nullable Integer maxDialDataBytes) {

    static RequestView of(CheckRequest request) {
      return new RequestView(
          text(request.addresses()),
          text(request.servers()),
          request.confirmations(),
          request.timeout() == null ? null : request.timeout().toSeconds(),
          request.maxDialDataBytes());
    }
  }

  /** One address: its verdict, warnings and every server's answer. */
  @Schema(
      name = "AddressResult",
      description = "One address: its verdict, warnings and every server's answer.")
  public record ResultView(
      @Schema(description = "The address as a multiaddr.", example = "/ip4/127.0.0.1/tcp/4001")
          String address,
      @Schema(
              description = ApiDocumentation.TRANSPORT_DESCRIPTION,
              allowableValues = {AddressClass.TCP, AddressClass.QUIC_V1},
              example = AddressClass.TCP)
          String transport,
      @Schema(
              description =
                  """
                  What the job concludes about the address. With `c` confirmations wanted (capped
                  at the number of servers): REACHABLE when at least min(2, c) servers reached it
                  with a verified nonce and more reached it than failed to; UNREACHABLE in the
                  mirror case; UNKNOWN otherwise.\
                  """)
          Reachability verdict,
      @Schema(
              description =
                  """
                  Things to know about the address independent of the servers' answers, e.g.
                  `the node does not listen on tcp/9; a dial-back cannot succeed`.\
                  """)
          List<String> warnings,
      @Schema(description = "Every server asked, in the order the answers came.")
          List<AttemptView> attempts) {

    static ResultView of(AddressResult result) {
      return new ResultView(
          result.address().toString(),
          AddressClass.transport(result.address()),
          result.verdict(),
          result.warnings(),
          result.attempts().stream().map(AttemptView::of).toList());
    }
  }

  /** One server's answer about one address. */
  @Schema(name = "Attempt", description = "One server's answer about one address.")
  public record AttemptView(
      @Schema(
              description =
                  """
                  The server's multiaddr, ending in `/p2p/<peer id>`, as the node reached it: an open
                  connection to the same peer id is reused, so this can differ from the address the
                  request named.\
                  """)
          String server,
      @Schema(description = "What this answer says about the address.") Reachability reachability,
      @Schema(description = "The server's response status; null when none arrived.")
          @Nullable ResponseStatus responseStatus,
      @Schema(description = "The server's dial status; null when there was none.")
          @Nullable DialStatus dialStatus,
      @Schema(description = "Whether the nonce really arrived on a dial-back.")
          boolean nonceVerified,
      @Schema(description = "The node's local address the dial-back arrived on; null without one.")
          @Nullable String dialBackAddress,
      @Schema(description = "Dial data paid to the server.") long dialDataBytes,
      @Schema(description = "Milliseconds from asking to the answer.") long durationMs,
      @Schema(
              description =
                  """
                  Why this answer decides nothing (refused, rejected, unreachable server, timeout
                  ...); null when it counts as a success or a failure.\
                  """)
          @Nullable String error) {

    static AttemptView of(Attempt attempt) {
      Multiaddr dialBack = attempt.dialBackAddress();
      return new AttemptView(
          attempt.server().toString(),
          attempt.reachability(),
          attempt.responseStatus(),
          attempt.dialStatus(),
          attempt.nonceVerified(),
          dialBack == null ? null : dialBack.toString(),
          attempt.dialDataBytes(),
          attempt.durationMs(),
          attempt.error());
    }
  }

  public static JobView of(CheckJob job) {
    return new JobView(
        job.id(),
        job.owner(),
        job.state(),
        job.createdAt(),
        job.startedAt(),
        job.finishedAt(),
        RequestView.of(job.request()),
        job.results().stream().map(ResultView::of).toList(),
        job.error());
  }

  static List<String> text(List<Multiaddr> addresses) {
    return addresses.stream().map(Multiaddr::toString).toList();
  }
}
