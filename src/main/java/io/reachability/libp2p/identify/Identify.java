package io.reachability.libp2p.identify;

import java.time.Duration;

/**
 * The identify protocol: on request, a peer tells what it is, which addresses it listens on, which
 * protocols it serves, and the address it observed for the requester.
 *
 * @see <a href="https://github.com/libp2p/specs/blob/master/identify/README.md">identify spec</a>
 */
public final class Identify {

  /** Protocol id negotiated on the stream. */
  public static final String PROTOCOL_ID = "/ipfs/id/1.0.0";

  /** The protocol version we announce, as go-libp2p and js-libp2p do. */
  public static final String PROTOCOL_VERSION = "ipfs/0.1.0";

  /** Largest identify message accepted (go-libp2p and js-libp2p use the same bound). */
  public static final int MAX_MESSAGE_SIZE = 8192;

  /** Messages accepted on one identify stream before it is reset (a responder sends one). */
  public static final int MAX_MESSAGES = 4;

  /** How long an initiator waits for the complete answer. */
  public static final Duration TIMEOUT = Duration.ofSeconds(10);

  private Identify() {}
}
