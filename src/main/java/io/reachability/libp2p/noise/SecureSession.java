package io.reachability.libp2p.noise;

import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.crypto.PublicKey;

/**
 * The outcome of a successful Noise handshake: who is on the other end, authenticated by a
 * signature of its identity key over its static Noise key.
 *
 * @param remotePeer the peer id derived from {@code remotePublicKey}
 * @param remotePublicKey the remote identity key from the handshake payload
 */
public record SecureSession(PeerId remotePeer, PublicKey remotePublicKey) {}
