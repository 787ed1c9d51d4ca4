package io.reachability.libp2p.core;

import io.reachability.libp2p.Libp2pException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/** Helpers for the common shape of a request on a fresh stream. */
public final class Streams {

  private Streams() {}

  /**
   * Opens a stream for {@code protocolId} and lets {@code exchange} drive it; the result fails if
   * the stream cannot be opened or the exchange does not finish within {@code timeout}, and then
   * the stream is reset (on its event loop) so nothing is left open.
   *
   * @param exchange called on the stream's event loop before any byte arrives: installs handlers
   *     and completes the future it is given
   */
  public static <T> CompletableFuture<T> request(
      Connection connection,
      String protocolId,
      Duration timeout,
      BiConsumer<Stream, CompletableFuture<T>> exchange) {
    CompletableFuture<T> result = new CompletableFuture<>();
    connection
        .newStream(
            List.of(protocolId),
            stream -> {
              var timer =
                  stream
                      .channel()
                      .eventLoop()
                      .schedule(
                          () ->
                              result.completeExceptionally(
                                  new Libp2pException(protocolId + " timed out after " + timeout)),
                          timeout.toMillis(),
                          TimeUnit.MILLISECONDS);
              result.whenComplete(
                  (value, error) -> {
                    timer.cancel(false);
                    if (error != null) {
                      stream.channel().eventLoop().execute(stream::reset);
                    }
                  });
              exchange.accept(stream, result);
            })
        .whenComplete(
            (stream, error) -> {
              if (error != null) {
                result.completeExceptionally(error);
              }
            });
    // covers the negotiation too: a peer that never answers it does not hold the caller forever
    return result.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }
}
