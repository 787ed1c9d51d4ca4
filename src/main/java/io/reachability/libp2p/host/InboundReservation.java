package io.reachability.libp2p.host;

import io.netty.channel.Channel;
import io.netty.util.concurrent.ScheduledFuture;
import io.reachability.libp2p.core.ProtocolHandler;
import io.reachability.libp2p.core.Stream;
import io.reachability.libp2p.transport.StreamHandlerRegistry;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Inbound slots kept for one protocol ({@link Host#reserveInboundSlots}): while the owner wants
 * them, an inbound connection every other bound would turn away is admitted here instead, on these
 * terms:
 *
 * <ul>
 *   <li><b>Probation.</b> It must open a stream for the protocol within the probation (the host's
 *       upgrade timeout, counted from TCP accept), or it is closed.
 *   <li><b>One stream of one protocol.</b> It is served that protocol once and nothing else (not
 *       even identify), and it is closed {@link Host#RESERVED_LINGER} after that stream ends, or
 *       {@link Host#RESERVED_USE_TIMEOUT} after the stream opened, whichever comes first.
 *   <li><b>Room for newcomers.</b> When every slot is taken, a newcomer takes the place of a member
 *       that is done with its stream, else of one upgraded {@link #OPENING_GRACE} ago or more that
 *       has not opened the protocol (a genuine dialer opens it at once; the oldest first), else of
 *       a member still in its handshake: one from the subnet (/24, /64) that would hold the most
 *       members with the newcomer counted, the oldest of those; else of the member upgraded first.
 *       Members from the addresses the protocol is expected from (the servers whose dial-backs are
 *       awaited) go last, and only a newcomer from one of those addresses may push them out. A
 *       member using the protocol right now is never pushed out; with all of them at work the
 *       newcomer is turned away.
 * </ul>
 *
 * So to keep a genuine newcomer out an attacker must either out-race its upgrade with fresh
 * connections from more subnets than the genuine one's, or hold every slot by using the protocol,
 * which costs it a fresh connection each time the protocol's handler gives up on it. {@link
 * #close()} stops admitting; members already in stay until their own bounds end them.
 */
public final class InboundReservation implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(InboundReservation.class);

  /** Where a member is: waiting to open the protocol, using it, done with it. */
  private enum State {
    PROBATION,
    SERVING,
    DONE
  }

  /** One connection admitted into the reserve. */
  static final class Member {
    final Channel channel;
    final InboundLimits.Subnet subnet;
    final long sequence;

    /** From an address the protocol's connections are expected from when it was admitted. */
    final boolean expected;

    State state = State.PROBATION; // guarded by the reservation

    /**
     * When the upgrade (Noise, yamux) was done ({@link System#nanoTime()}); 0 = not yet. Guarded by
     * the reservation.
     */
    long upgradedAt;

    @Nullable ScheduledFuture<?> timer; // read and written on the channel's event loop only

    Member(Channel channel, InboundLimits.Subnet subnet, long sequence, boolean expected) {
      this.channel = channel;
      this.subnet = subnet;
      this.sequence = sequence;
      this.expected = expected;
    }
  }

  private final String protocolId;
  private final int slots;
  private final BooleanSupplier wanted;
  private final Predicate<InetAddress> expected;
  private final Duration probation;
  private final Consumer<InboundReservation> onClose;
  private final Runnable onEvict;

  // guarded by this
  private final List<Member> members = new ArrayList<>();
  private long admitted;
  private boolean closed;

  InboundReservation(
      String protocolId,
      int slots,
      BooleanSupplier wanted,
      Predicate<InetAddress> expected,
      Duration probation,
      Consumer<InboundReservation> onClose,
      Runnable onEvict) {
    this.protocolId = protocolId;
    this.expected = expected;
    this.onEvict = onEvict;
    this.slots = slots;
    this.wanted = wanted;
    this.probation = probation;
    this.onClose = onClose;
  }

  public String protocolId() {
    return protocolId;
  }

  public int slots() {
    return slots;
  }

  /** Connections in the reserve now. */
  public synchronized int members() {
    return members.size();
  }

  /** Stops admitting connections; members already in stay until their bounds end them. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    onClose.accept(this);
  }

  private boolean isWanted() {
    try {
      return wanted.getAsBoolean();
    } catch (RuntimeException e) {
      log.warn(
          "the reserve for {} could not tell whether it is wanted; not admitting", protocolId, e);
      return false;
    }
  }

  /**
   * Admits {@code channel} (just accepted, from {@code ip}) when the reserve is wanted and has or
   * can make room; null when not. Runs on the channel's event loop.
   */
  @Nullable Member admit(Channel channel, InetAddress ip) {
    if (!isWanted()) {
      return null;
    }
    InboundLimits.Subnet subnet = InboundLimits.subnet(ip);
    boolean fromExpected = isExpected(ip);
    Member member;
    Member evicted = null;
    synchronized (this) {
      if (closed) {
        return null;
      }
      if (members.size() >= slots) {
        evicted = victim(subnet, fromExpected);
        if (evicted == null) {
          return null;
        }
        members.remove(evicted);
      }
      member = new Member(channel, subnet, admitted++, fromExpected);
      members.add(member);
    }
    if (evicted != null) {
      log.debug(
          "reserve for {} full: {} makes room for {}",
          protocolId,
          evicted.channel.remoteAddress(),
          channel.remoteAddress());
      onEvict.run();
      evicted.channel.close();
    }
    channel.closeFuture().addListener(f -> leave(member));
    member.timer =
        channel
            .eventLoop()
            .schedule(() -> probationOver(member), probation.toNanos(), TimeUnit.NANOSECONDS);
    return member;
  }

  /** The member's connection is upgraded; a genuine dialer opens the protocol right after this. */
  void upgraded(Member member) {
    synchronized (this) {
      member.upgradedAt = Math.max(1, System.nanoTime());
    }
  }

  /**
   * How long after its upgrade a member still counts as a dialer about to open its stream (one
   * round trip, with room for a loaded machine); after that, silent, it is an idle holder.
   */
  static final Duration OPENING_GRACE = Duration.ofSeconds(2);

  private boolean isExpected(InetAddress ip) {
    try {
      return expected.test(ip);
    } catch (RuntimeException e) {
      log.warn("the reserve for {} could not tell whether {} is expected", protocolId, ip, e);
      return false;
    }
  }

  /**
   * Who makes room for a newcomer from {@code subnet}: see the class comment. Members from
   * unexpected addresses go first; a newcomer from an unexpected address may push out only those.
   */
  private @Nullable Member victim(InboundLimits.Subnet subnet, boolean fromExpected) {
    Member victim = victim(subnet, members.stream().filter(m -> !m.expected).toList());
    if (victim == null && fromExpected) {
      victim = victim(subnet, members.stream().filter(m -> m.expected).toList());
    }
    return victim;
  }

  private static @Nullable Member victim(InboundLimits.Subnet subnet, List<Member> members) {
    Optional<Member> done =
        members.stream()
            .filter(m -> m.state == State.DONE)
            .min(Comparator.comparingLong(m -> m.sequence));
    if (done.isPresent()) {
      return done.get();
    }
    // upgraded and silent for a while: a genuine dial-back opens its stream the moment it is
    // upgraded, so these are idle holders; pushing them out first spares a dial-back still in its
    // handshake, or just upgraded and opening its stream
    long now = System.nanoTime();
    Optional<Member> idle =
        members.stream()
            .filter(
                m ->
                    m.state == State.PROBATION
                        && m.upgradedAt != 0
                        && now - m.upgradedAt >= OPENING_GRACE.toNanos())
            .min(Comparator.comparingLong(m -> m.sequence));
    if (idle.isPresent()) {
      return idle.get();
    }
    Map<InboundLimits.Subnet, Integer> held = new HashMap<>();
    for (Member m : members) {
      held.merge(m.subnet, 1, Integer::sum);
    }
    held.merge(subnet, 1, Integer::sum); // the newcomer counts for its subnet
    Optional<Member> handshaking =
        members.stream()
            .filter(m -> m.state == State.PROBATION && m.upgradedAt == 0)
            .min(
                Comparator.<Member>comparingInt(m -> -held.getOrDefault(m.subnet, 0))
                    .thenComparingLong(m -> m.sequence));
    if (handshaking.isPresent()) {
      return handshaking.get();
    }
    return members.stream()
        .filter(m -> m.state == State.PROBATION)
        .min(Comparator.comparingLong(m -> m.upgradedAt))
        .orElse(null);
  }

  private void leave(Member member) {
    synchronized (this) {
      members.remove(member);
    }
    cancelTimer(member);
  }

  private void probationOver(Member member) {
    synchronized (this) {
      if (member.state != State.PROBATION) {
        return;
      }
    }
    log.debug(
        "{} did not open {} within {}: closing it",
        member.channel.remoteAddress(),
        protocolId,
        probation);
    member.channel.close();
  }

  /** The member opened the protocol: true the first time (it is served), false after. */
  private boolean opened(Member member) {
    synchronized (this) {
      if (member.state != State.PROBATION) {
        return false;
      }
      member.state = State.SERVING;
    }
    cancelTimer(member);
    member.timer =
        member
            .channel
            .eventLoop()
            .schedule(
                () -> close(member), Host.RESERVED_USE_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS);
    return true;
  }

  /**
   * The member's stream closed on our side: it is done; it lingers so the dialer can read our last
   * answer.
   */
  private void done(Member member) {
    synchronized (this) {
      member.state = State.DONE;
    }
    cancelTimer(member);
    if (member.channel
        .isActive()) { // else the stream ended with its connection: nothing to wait for
      member.timer =
          member
              .channel
              .eventLoop()
              .schedule(() -> close(member), Host.RESERVED_LINGER.toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  private static void close(Member member) {
    member.channel.close();
  }

  private static void cancelTimer(Member member) {
    ScheduledFuture<?> timer = member.timer;
    if (timer != null) {
      timer.cancel(false);
    }
  }

  /** What {@code member}'s connection serves: the reserved protocol from {@code all}, once. */
  StreamHandlerRegistry registry(Member member, StreamHandlerRegistry all) {
    return new StreamHandlerRegistry() {
      @Override
      public Collection<String> protocols() {
        boolean unused;
        synchronized (InboundReservation.this) {
          unused = member.state == State.PROBATION;
        }
        return unused && all.handler(protocolId).isPresent() ? List.of(protocolId) : List.of();
      }

      @Override
      public Optional<ProtocolHandler> handler(String protocol) {
        if (!protocolId.equals(protocol)) {
          return Optional.empty();
        }
        Optional<ProtocolHandler> handler = all.handler(protocol);
        if (handler.isEmpty() || !opened(member)) {
          return Optional.empty();
        }
        return Optional.of(stream -> serve(member, stream, handler.get()));
      }
    };
  }

  private void serve(Member member, Stream stream, ProtocolHandler handler) {
    stream.channel().closeFuture().addListener(f -> done(member));
    handler.initStream(stream);
  }
}
