package io.reachability.libp2p.crypto;

import java.security.SecureRandom;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * The one-time set-up of BouncyCastle's Ed25519 and the shared random source for key generation.
 */
final class Ed25519Support {

  /** A thread-safe, non-blocking source (NativePRNG on Linux) shared by every key generation. */
  static final SecureRandom RANDOM = new SecureRandom();

  static {
    // builds the base-point tables once per JVM instead of lazily on the first sign (tens of ms)
    Ed25519.precompute();
  }

  private Ed25519Support() {}

  /** Triggers the class initialisation above; cheap after the first call. */
  static void init() {
    // nothing: loading this class did the work
  }
}
