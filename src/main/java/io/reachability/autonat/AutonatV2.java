package io.reachability.autonat;

import java.time.Duration;

/**
 * AutoNAT v2 protocol ids and every limit the client and server apply, with where each comes from.
 *
 * @see <a href="https://github.com/libp2p/specs/blob/master/autonat/autonat-v2.md">AutoNAT v2
 *     spec</a>
 */
public final class AutonatV2 {

  /** The stream a client opens to ask a server for a check. */
  public static final String DIAL_REQUEST_PROTOCOL = "/libp2p/autonat/2/dial-request";

  /** The stream a server opens on the dial-back connection to deliver the nonce. */
  public static final String DIAL_BACK_PROTOCOL = "/libp2p/autonat/2/dial-back";

  /** Largest message on a dial-request stream (go-libp2p and js-libp2p use the same bound). */
  public static final int MAX_MESSAGE_SIZE = 8192;

  /** Largest message on a dial-back stream: a DialBack is 9 bytes, so 1 KiB is generous. */
  public static final int MAX_DIAL_BACK_MESSAGE_SIZE = 1024;

  /** A server looks at no more than this many addresses of a request (go-libp2p's bound). */
  public static final int MAX_ADDRESSES_INSPECTED = 50;

  /** Smallest dial-data amount a server asks for ("servers SHOULD ask for 30k to 100k bytes"). */
  public static final int MIN_DIAL_DATA_BYTES = 30_000;

  /** Upper bound (exclusive) of the dial-data amount a server asks for. */
  public static final int MAX_DIAL_DATA_BYTES = 100_000;

  /** The spec limits the {@code data} field of one DialDataResponse to this many bytes. */
  public static final int MAX_DIAL_DATA_CHUNK = 4096;

  /**
   * While more data is owed, a DialDataResponse carrying fewer data bytes than this is refused: a
   * client drip-feeding tiny frames would hold a server slot for the price of protobuf headers
   * (go-libp2p applies the same floor).
   */
  public static final int MIN_DIAL_DATA_FRAME = 100;

  /** Default cap on the dial data a client pays for one check (go-libp2p's default). */
  public static final int DEFAULT_CLIENT_MAX_DIAL_DATA_BYTES = 100_000;

  /** Bound on one whole exchange, from the request to the response (go-libp2p: 15 s). */
  public static final Duration EXCHANGE_TIMEOUT = Duration.ofSeconds(15);

  /** Connect timeout of a server's dial-back (go-libp2p: 10 s). */
  public static final Duration DIAL_BACK_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  /** Bound on the dial-back stream: negotiation, DialBack, DialBackResponse (go-libp2p: 5 s). */
  public static final Duration DIAL_BACK_STREAM_TIMEOUT = Duration.ofSeconds(5);

  private AutonatV2() {}
}
