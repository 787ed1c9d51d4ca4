package io.reachability.peercheck;

import io.netty.channel.ConnectTimeoutException;
import io.reachability.libp2p.Libp2pException;
import io.reachability.libp2p.core.Errors;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * What a failed peer-check dial tells the caller: the class of failure an operator needs (nothing
 * listens, something drops the packets, no route, connected but not libp2p or no common protocol),
 * never the operating system's or a library's own words, which would say more about the host behind
 * the address than whether a libp2p node is reachable there.
 */
final class DialErrors {

  static final String NO_CONNECTION = "no connection";
  static final String REFUSED = "connection refused: nothing listens on that port";
  static final String TIMED_OUT =
      "no answer in time: nothing answered, or a firewall drops the packets";
  static final String NO_ROUTE = "no route to the address";
  static final String UPGRADE_TIMED_OUT =
      "connected, but no libp2p handshake in time: something listens there that does not speak"
          + " libp2p, or answers too slowly";
  static final String UPGRADE_FAILED = "connected, but the connection failed during its upgrade";
  static final String UPGRADE_PREFIX = "connected, but the libp2p upgrade failed: ";

  private DialErrors() {}

  /**
   * {@link #describe(Throwable)}, where a TCP socket that connected before time ran out is not
   * "nothing answered": the remote accepted, and the libp2p upgrade did not finish.
   */
  static String describe(@Nullable Throwable error, boolean tcpConnected) {
    String words = describe(error);
    return tcpConnected && TIMED_OUT.equals(words) ? UPGRADE_TIMED_OUT : words;
  }

  static String describe(@Nullable Throwable error) {
    if (error == null) {
      return NO_CONNECTION;
    }
    Throwable top = error;
    while ((top instanceof CompletionException || top instanceof ExecutionException)
        && top.getCause() != null
        && top.getCause() != top) {
      top = top.getCause();
    }
    for (Throwable t = top; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof TimeoutException
          || t instanceof ConnectTimeoutException
          || t instanceof SocketTimeoutException) {
        return TIMED_OUT;
      }
      if (t instanceof NoRouteToHostException) {
        return NO_ROUTE;
      }
      if (t instanceof ConnectException) {
        String words = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
        if (words.contains("refused")) {
          return REFUSED;
        }
        return words.contains("unreachable") || words.contains("no route")
            ? NO_ROUTE
            : NO_CONNECTION;
      }
    }
    if (top instanceof Libp2pException) {
      // our own stack's words: which negotiation or handshake step failed
      return UPGRADE_PREFIX + Errors.describe(top);
    }
    return UPGRADE_FAILED;
  }
}
