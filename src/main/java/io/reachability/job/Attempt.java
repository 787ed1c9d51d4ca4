package io.reachability.job;

import io.reachability.autonat.CheckResult;
import io.reachability.autonat.DialStatus;
import io.reachability.autonat.Reachability;
import io.reachability.autonat.ResponseStatus;
import io.reachability.libp2p.core.Multiaddr;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One server asked about one address: the evidence behind a verdict.
 *
 * @param server the server's address (ending in {@code /p2p/<peer id>}) the node really talked to:
 *     for a finished check the address of the connection it used, which is not the requested one
 *     when an open connection to the same peer id was reused
 * @param reachability what this one answer says about the address
 * @param responseStatus the server's response status; null when none arrived
 * @param dialStatus the server's dial status; null when there was none
 * @param nonceVerified whether the nonce really arrived on a dial-back
 * @param dialBackAddress our local address the dial-back arrived on; null without one
 * @param dialDataBytes dial data paid to the server
 * @param durationMs from asking to the answer
 * @param error why this answer decides nothing (refused, rejected, unreachable server, timeout …);
 *     null when it counts as a success or a failure
 */
public record Attempt(
    Multiaddr server,
    Reachability reachability,
    @Nullable ResponseStatus responseStatus,
    @Nullable DialStatus dialStatus,
    boolean nonceVerified,
    @Nullable Multiaddr dialBackAddress,
    long dialDataBytes,
    long durationMs,
    @Nullable String error) {

  public Attempt {
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(reachability, "reachability");
  }

  /** The evidence of a finished check, naming the server address it used. */
  public static Attempt of(CheckResult result) {
    return new Attempt(
        result.serverAddress(),
        result.reachability(),
        result.responseStatus(),
        result.dialStatus(),
        result.nonceVerified(),
        result.dialBackAddress(),
        result.dialDataBytes(),
        result.duration().toMillis(),
        result.reachability() == Reachability.UNKNOWN ? result.reason() : null);
  }

  /** This attempt with another {@code error} text. */
  public Attempt withError(@Nullable String value) {
    return new Attempt(
        server,
        reachability,
        responseStatus,
        dialStatus,
        nonceVerified,
        dialBackAddress,
        dialDataBytes,
        durationMs,
        value);
  }

  /** A check that produced no result (it failed, or the job ended before it answered). */
  public static Attempt failed(Multiaddr server, String error, Duration duration) {
    return new Attempt(
        server, Reachability.UNKNOWN, null, null, false, null, 0, duration.toMillis(), error);
  }
}
