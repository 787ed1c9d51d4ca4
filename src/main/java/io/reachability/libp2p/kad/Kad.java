package io.reachability.libp2p.kad;

import java.time.Duration;

/**
 * The Kademlia DHT, as far as a client that only looks for peers needs it: {@code FIND_NODE}
 * requests on {@code /ipfs/kad/1.0.0}, one uvarint-prefixed protobuf message each way per stream.
 * Our node never claims to be a DHT server (it does not serve the protocol).
 *
 * @see <a href="https://github.com/libp2p/specs/blob/master/kad-dht/README.md">Kademlia DHT
 *     specification</a>
 */
public final class Kad {

  /** The protocol id of the public (Amino) DHT. */
  public static final String PROTOCOL_ID = "/ipfs/kad/1.0.0";

  /**
   * The replication parameter {@code k}: a {@code FIND_NODE} answer carries at most this many peers
   * (more are ignored).
   *
   * @see <a
   *     href="https://github.com/libp2p/specs/blob/master/kad-dht/README.md#replication-parameter-k">spec:
   *     replication parameter</a>
   */
  public static final int K = 20;

  /**
   * The largest answer read: {@link #K} peers with {@link #MAX_ADDRESSES_PER_PEER} addresses of
   * ~100 bytes (relay addresses) fit well within it; go-libp2p allows 4 MiB, which a client that
   * holds several answers at once need not.
   */
  public static final int MAX_MESSAGE_SIZE = 256 * 1024;

  /** Addresses kept per peer of an answer; the rest are dropped. */
  public static final int MAX_ADDRESSES_PER_PEER = 32;

  /** How long one {@code FIND_NODE} request may take, stream negotiation included. */
  public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

  /**
   * A {@code FIND_NODE} key is a binary peer id; a random one (the bootstrap walk's "random node
   * ID") is a sha2-256 multihash of this many random bytes.
   *
   * @see <a
   *     href="https://github.com/libp2p/specs/blob/master/kad-dht/README.md#bootstrap-process">spec:
   *     bootstrap process</a>
   */
  public static final int RANDOM_KEY_DIGEST_LENGTH = 32;

  private Kad() {}
}
