package io.reachability.api;

import io.reachability.autonat.DialStatus;
import io.reachability.autonat.ResponseStatus;
import io.reachability.job.AddressResult;
import io.reachability.job.Attempt;
import io.reachability.job.CheckJob;
import io.reachability.job.CheckRequest;
import io.reachability.job.JobState;
import io.reachability.job.Verdict;
import io.reachability.libp2p.core.Multiaddr;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** A check job as the REST API shows it: multiaddrs as text, durations in whole units. */
public record JobView(
    UUID id,
    JobState state,
    Instant createdAt,
    @Nullable Instant startedAt,
    @Nullable Instant finishedAt,
    RequestView request,
    List<ResultView> results,
    @Nullable String error) {

  /** The request as accepted (after validation: duplicates removed, own /p2p suffixes dropped). */
  public record RequestView(
      List<String> addresses,
      List<String> servers,
      @Nullable Integer confirmations,
      @Nullable Long timeoutSeconds,
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
  public record ResultView(String address, Verdict verdict, List<String> warnings, List<AttemptView> attempts) {

    static ResultView of(AddressResult result) {
      return new ResultView(
          result.address().toString(), result.verdict(), result.warnings(), result.attempts().stream().map(AttemptView::of).toList());
    }
  }

  /** One server's answer about one address. */
  public record AttemptView(
      String server,
      @Nullable ResponseStatus responseStatus,
      @Nullable DialStatus dialStatus,
      boolean nonceVerified,
      @Nullable String dialBackAddress,
      long dialDataBytes,
      long durationMs,
      @Nullable String error) {

    static AttemptView of(Attempt attempt) {
      Multiaddr dialBack = attempt.dialBackAddress();
      return new AttemptView(
          attempt.server().toString(),
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
