package io.reachability.libp2p.ping;

import java.time.Duration;

/**
 * The ping protocol: the initiator sends 32 random bytes, the responder echoes them.
 *
 * @see <a href="https://github.com/libp2p/specs/blob/master/ping/ping.md">ping spec</a>
 */
public final class Ping {

  /** Protocol id negotiated on the stream. */
  public static final String PROTOCOL_ID = "/ipfs/ping/1.0.0";

  /** Every ping is exactly this many bytes, and the echo must match it byte for byte. */
  public static final int PAYLOAD_SIZE = 32;

  /** How long an initiator waits for its echo (stream negotiation included). */
  public static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** A responder closes a ping stream that has been silent this long (go-libp2p uses 60 s too). */
  public static final Duration RESPONDER_IDLE_TIMEOUT = Duration.ofSeconds(60);

  private Ping() {}
}
