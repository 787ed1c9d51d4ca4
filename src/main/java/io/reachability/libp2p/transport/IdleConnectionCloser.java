package io.reachability.libp2p.transport;

import io.netty.channel.Channel;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongUnaryOperator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes an upgraded connection once it has had no stream open on our side for the idle timeout
 * ({@link UpgradeSettings#idleTimeout()}). One timer per connection on its event loop, set for the
 * earliest moment the connection can have been idle long enough; while streams are open it looks
 * again one timeout later. What keeps a connection busy is a stream one of our handlers is still
 * working on, and every handler bounds that (stream negotiation, ping's silence bound, AutoNAT's
 * exchange bounds); streams we already closed do not count, nor do yamux pings.
 */
final class IdleConnectionCloser implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(IdleConnectionCloser.class);

  private final Channel channel;
  private final LongUnaryOperator idleNanos;
  private final long timeoutNanos;
  private @Nullable ScheduledFuture<?> next;

  private IdleConnectionCloser(Channel channel, LongUnaryOperator idleNanos, Duration timeout) {
    this.channel = channel;
    this.idleNanos = idleNanos;
    this.timeoutNanos = timeout.toNanos();
  }

  /**
   * Watches {@code channel} from now on; call on its event loop. {@code idleNanos} tells, for a
   * {@link System#nanoTime()}, how long the connection has had no stream open (0 while one is).
   */
  static void watch(Channel channel, LongUnaryOperator idleNanos, Duration timeout) {
    IdleConnectionCloser closer = new IdleConnectionCloser(channel, idleNanos, timeout);
    closer.schedule(closer.timeoutNanos);
    channel.closeFuture().addListener(f -> closer.cancel());
  }

  @Override
  public void run() {
    next = null;
    if (!channel.isActive()) {
      return;
    }
    long idle = idleNanos.applyAsLong(System.nanoTime());
    if (idle >= timeoutNanos) {
      log.debug("closing {}: no open stream for {}", channel, Duration.ofNanos(idle));
      channel.close();
      return;
    }
    schedule(timeoutNanos - idle);
  }

  private void schedule(long delayNanos) {
    next = channel.eventLoop().schedule(this, delayNanos, TimeUnit.NANOSECONDS);
  }

  private void cancel() {
    ScheduledFuture<?> pending = next;
    if (pending != null) {
      pending.cancel(false);
    }
  }
}
