package io.reachability.libp2p.multistream;

import java.time.Duration;

/**
 * multistream-select 1.0: the protocol id, the reserved messages and every limit this package
 * enforces.
 *
 * @see <a href="https://github.com/multiformats/multistream-select">multistream-select
 *     specification</a>
 */
public final class Multistream {

  /**
   * The header both sides send first; also the protocol id of multistream-select itself.
   *
   * @see <a href="https://github.com/multiformats/multistream-select#protocol">spec: Protocol</a>
   */
  public static final String PROTOCOL_ID = "/multistream/1.0.0";

  /**
   * The responder's answer to a proposal it does not support ("not available").
   *
   * @see <a href="https://github.com/multiformats/multistream-select#protocol">spec: Protocol</a>
   */
  public static final String NA = "na";

  /**
   * The optional request for the responder's protocol list. Our responder answers it with the list
   * (see {@link #MAX_LS_RESPONSE_LENGTH}); our initiator never sends it.
   *
   * @see <a href="https://github.com/multiformats/multistream-select#listing">spec: Listing</a>
   */
  public static final String LS = "ls";

  /**
   * Largest accepted length prefix of one message, in bytes, counting the trailing {@code '\n'}.
   * The spec sets no limit; go-multistream and js-libp2p reject prefixes above 1024, so we do the
   * same for interoperability. A protocol id can therefore be at most {@link
   * #MAX_PROTOCOL_ID_LENGTH} bytes.
   *
   * @see <a
   *     href="https://github.com/multiformats/go-multistream/blob/master/multistream.go">go-multistream
   *     lpReadBuf</a>
   */
  public static final int MAX_MESSAGE_LENGTH = 1024;

  /**
   * Longest protocol id we send or accept, in UTF-8 bytes: {@link #MAX_MESSAGE_LENGTH} minus the
   * {@code '\n'}.
   *
   * @see <a href="https://github.com/multiformats/multistream-select#protocol">spec: Protocol (note
   *     2)</a>
   */
  public static final int MAX_PROTOCOL_ID_LENGTH = MAX_MESSAGE_LENGTH - 1;

  /**
   * Largest {@code ls} answer our responder sends, in bytes (the outer length prefix's value). When
   * the supported list would not fit, the responder answers {@link #NA} instead of a truncated
   * list.
   *
   * @see <a href="https://github.com/multiformats/multistream-select#ls-example-in-detail">spec: ls
   *     example in detail</a>
   */
  public static final int MAX_LS_RESPONSE_LENGTH = 64 * 1024;

  /**
   * How many proposals (and {@code ls} requests) a responder answers with {@link #NA} or a list
   * before it gives up and closes the channel. The spec sets no limit; the timeout alone would let
   * a peer make us write many answers, and real initiators propose a handful of ids at most.
   *
   * @see <a
   *     href="https://github.com/libp2p/specs/blob/master/connections/README.md#protocol-negotiation">libp2p
   *     connections: protocol negotiation</a>
   */
  public static final int MAX_PROPOSALS = 32;

  /**
   * Default time allowed for one negotiation, from the start of the handler to the selected
   * protocol; the same as go-libp2p's {@code DefaultNegotiationTimeout}.
   *
   * @see <a
   *     href="https://github.com/libp2p/go-libp2p/blob/master/p2p/host/basic/basic_host.go">go-libp2p
   *     basic_host.go</a>
   */
  public static final Duration DEFAULT_NEGOTIATION_TIMEOUT = Duration.ofSeconds(10);

  private Multistream() {}
}
