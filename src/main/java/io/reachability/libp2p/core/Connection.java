package io.reachability.libp2p.core;

import io.reachability.libp2p.crypto.PublicKey;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A secured, multiplexed connection to one authenticated peer. */
public interface Connection {

  /** The authenticated remote peer. */
  PeerId remotePeer();

  /** The remote peer's identity key, as proven in the security handshake. */
  PublicKey remotePublicKey();

  /** This side's address of the connection (without {@code /p2p}). */
  Multiaddr localAddress();

  /** The remote side's address as this node observes it (without {@code /p2p}). */
  Multiaddr remoteAddress();

  Direction direction();

  /**
   * The security protocol negotiated ({@code /noise}, {@code /tls/1.0.0}); {@code quic-v1} on QUIC,
   * which secures itself.
   */
  String securityProtocol();

  /** The stream muxer negotiated ({@code /yamux/1.0.0}); {@code quic-v1} on QUIC. */
  String muxerProtocol();

  /**
   * {@link System#nanoTime()} when the connection became usable, to tell older connections from
   * newer.
   */
  long openedAtNanos();

  boolean isOpen();

  /**
   * Opens a stream and negotiates the first of {@code protocols} the remote supports. The handler
   * is called on the connection's event loop as soon as a protocol is agreed and before any
   * application byte is delivered, so it can install its pipeline without a race.
   */
  CompletableFuture<Stream> newStream(List<String> protocols, ProtocolHandler handler);

  /** Closes the connection and every stream on it; completes when the socket is closed. */
  CompletableFuture<Void> close();

  /** Completes when the connection has closed, for whatever reason. */
  CompletableFuture<Void> closeFuture();
}
