package io.reachability.libp2p.noise;

import io.reachability.libp2p.crypto.PrivateKey;
import java.security.SecureRandom;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * This side's long-lived Noise credentials: a static X25519 key pair and the signed handshake
 * payload that vouches for it. Creating one costs a key generation and a signature; every handshake
 * that reuses it then costs only one ephemeral key generation, three DH operations and one
 * signature verification.
 *
 * <p>The spec allows one static key for all sessions and advises against persisting it; this object
 * lives in memory only. Thread-safe and immutable; share one per identity key.
 *
 * @see <a
 *     href="https://github.com/libp2p/specs/blob/master/noise/README.md#static-key-authentication">noise-libp2p:
 *     static key authentication</a>
 */
public final class NoiseIdentity {

  static final SecureRandom RANDOM = new SecureRandom();

  /**
   * Identities made for {@link NoiseHandshakeHandler}'s convenience constructor, held weakly by
   * their identity key (the value never references the key, so an entry goes when its key does).
   */
  private static final Map<PrivateKey, NoiseIdentity> CACHE =
      Collections.synchronizedMap(new WeakHashMap<>());

  private final X25519KeyPair staticKey;
  private final byte[] payload;

  private NoiseIdentity(X25519KeyPair staticKey, byte[] payload) {
    this.staticKey = staticKey;
    this.payload = payload;
  }

  /** A new static key for {@code identity}, signed once. */
  public static NoiseIdentity create(PrivateKey identity) {
    X25519KeyPair staticKey = X25519KeyPair.generate(RANDOM);
    return new NoiseIdentity(staticKey, HandshakePayload.create(identity, staticKey.publicKey()));
  }

  /** Credentials from parts (tests build inconsistent ones to exercise verification). */
  static NoiseIdentity of(X25519KeyPair staticKey, byte[] payload) {
    return new NoiseIdentity(staticKey, payload);
  }

  /** The identity last created for {@code identity} by this method, or a new one. */
  static NoiseIdentity cached(PrivateKey identity) {
    return CACHE.computeIfAbsent(identity, NoiseIdentity::create);
  }

  X25519KeyPair staticKey() {
    return staticKey;
  }

  /** The encoded handshake payload; callers must not modify it. */
  byte[] payload() {
    return payload;
  }
}
