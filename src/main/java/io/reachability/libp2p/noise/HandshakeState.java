package io.reachability.libp2p.noise;

import java.security.SecureRandom;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * The Noise {@code HandshakeState} for the one pattern libp2p uses, XX:
 *
 * <pre>
 *   -&gt; e
 *   &lt;- e, ee, s, es
 *   -&gt; s, se
 * </pre>
 *
 * <p>Each side does one ephemeral key generation and three DH operations. The caller alternates
 * {@link #writeMessage} and {@link #readMessage} in pattern order (the initiator writes first); any
 * other order is an {@link IllegalStateException}. After the third message {@link #split()} yields
 * the transport cipher states. Malformed or unauthenticated messages throw {@link NoiseException};
 * the state is then unusable and the connection must be closed.
 *
 * @see <a href="https://noiseprotocol.org/noise.html#the-handshakestate-object">Noise: the
 *     HandshakeState object</a>
 * @see <a
 *     href="https://noiseprotocol.org/noise.html#interactive-handshake-patterns-fundamental">Noise:
 *     XX</a>
 */
final class HandshakeState {

  private static final int DH = Noise.DH_LENGTH;
  private static final int ENCRYPTED_DH = Noise.DH_LENGTH + Noise.TAG_LENGTH;
  private static final int MESSAGES = 3;

  private final boolean initiator;
  private final SymmetricState symmetric;
  private final X25519KeyPair s;
  private @Nullable X25519KeyPair e;
  private final @Nullable X25519KeyPair fixedEphemeral;
  private final SecureRandom random;
  private byte @Nullable [] re;
  private byte @Nullable [] rs;

  /** Index of the next message in the pattern, 0..3. */
  private int next;

  /** Initialize() for XX with an empty prologue, as libp2p uses it. */
  HandshakeState(boolean initiator, X25519KeyPair staticKey, SecureRandom random) {
    this(initiator, new byte[0], staticKey, null, random);
  }

  /** Initialize() with a prologue and optionally a fixed ephemeral key (test vectors only). */
  HandshakeState(
      boolean initiator,
      byte[] prologue,
      X25519KeyPair staticKey,
      @Nullable X25519KeyPair fixedEphemeral,
      SecureRandom random) {
    this.initiator = initiator;
    this.s = staticKey;
    this.fixedEphemeral = fixedEphemeral;
    this.random = random;
    this.symmetric = new SymmetricState(Noise.PROTOCOL_NAME);
    symmetric.mixHash(prologue);
  }

  /** Whether it is this side's turn to write. */
  boolean isMyTurn() {
    return next < MESSAGES && (next % 2 == 0) == initiator;
  }

  boolean isComplete() {
    return next == MESSAGES;
  }

  /** The remote static X25519 key once message 2 (initiator) or 3 (responder) has been read. */
  byte @Nullable [] remoteStaticKey() {
    return rs == null ? null : rs.clone();
  }

  byte[] handshakeHash() {
    return symmetric.handshakeHash();
  }

  /** WriteMessage(payload): the next handshake message of this side, carrying {@code payload}. */
  byte[] writeMessage(byte[] payload) {
    if (!isMyTurn()) {
      throw new IllegalStateException("not this side's turn to write (message " + (next + 1) + ")");
    }
    byte[] message;
    switch (next) {
      case 0 -> {
        // -> e
        byte[] ePub = newEphemeral();
        symmetric.mixHash(ePub);
        message = concat(ePub, symmetric.encryptAndHash(payload));
      }
      case 1 -> {
        // <- e, ee, s, es
        byte[] ePub = newEphemeral();
        symmetric.mixHash(ePub);
        symmetric.mixKey(ephemeral().agree(requireNonNull(re)));
        byte[] encryptedS = symmetric.encryptAndHash(s.publicKey());
        symmetric.mixKey(s.agree(requireNonNull(re)));
        message = concat(ePub, encryptedS, symmetric.encryptAndHash(payload));
      }
      default -> {
        // -> s, se
        byte[] encryptedS = symmetric.encryptAndHash(s.publicKey());
        symmetric.mixKey(s.agree(requireNonNull(re)));
        message = concat(encryptedS, symmetric.encryptAndHash(payload));
      }
    }
    next++;
    return message;
  }

  /** ReadMessage(message): the payload of the remote side's next handshake message. */
  byte[] readMessage(byte[] message) {
    if (next >= MESSAGES || isMyTurn()) {
      throw new IllegalStateException("not this side's turn to read (message " + (next + 1) + ")");
    }
    byte[] payload;
    switch (next) {
      case 0 -> {
        // -> e (responder reads)
        requireLength(message, DH);
        re = Arrays.copyOfRange(message, 0, DH);
        symmetric.mixHash(re);
        payload = symmetric.decryptAndHash(Arrays.copyOfRange(message, DH, message.length));
      }
      case 1 -> {
        // <- e, ee, s, es (initiator reads)
        requireLength(message, DH + ENCRYPTED_DH + Noise.TAG_LENGTH);
        re = Arrays.copyOfRange(message, 0, DH);
        symmetric.mixHash(re);
        symmetric.mixKey(ephemeral().agree(re));
        rs = symmetric.decryptAndHash(Arrays.copyOfRange(message, DH, DH + ENCRYPTED_DH));
        symmetric.mixKey(ephemeral().agree(rs));
        payload =
            symmetric.decryptAndHash(
                Arrays.copyOfRange(message, DH + ENCRYPTED_DH, message.length));
      }
      default -> {
        // -> s, se (responder reads)
        requireLength(message, ENCRYPTED_DH + Noise.TAG_LENGTH);
        rs = symmetric.decryptAndHash(Arrays.copyOfRange(message, 0, ENCRYPTED_DH));
        symmetric.mixKey(ephemeral().agree(rs));
        payload =
            symmetric.decryptAndHash(Arrays.copyOfRange(message, ENCRYPTED_DH, message.length));
      }
    }
    next++;
    return payload;
  }

  /**
   * Split() after the last message: {@code [send, receive]} for this side. Wipes the ephemeral
   * private key and the chaining key.
   */
  CipherState[] split() {
    if (!isComplete()) {
      throw new IllegalStateException("handshake not complete");
    }
    CipherState[] c = symmetric.split();
    if (e != null && e != fixedEphemeral) {
      e.destroy();
    }
    e = null;
    // c[0] encrypts initiator -> responder, c[1] the other way
    return initiator ? new CipherState[] {c[0], c[1]} : new CipherState[] {c[1], c[0]};
  }

  private byte[] newEphemeral() {
    X25519KeyPair pair = fixedEphemeral != null ? fixedEphemeral : X25519KeyPair.generate(random);
    e = pair;
    return pair.publicKey();
  }

  private X25519KeyPair ephemeral() {
    X25519KeyPair pair = e;
    if (pair == null) {
      throw new IllegalStateException("no ephemeral key yet");
    }
    return pair;
  }

  private static byte[] requireNonNull(byte @Nullable [] key) {
    if (key == null) {
      throw new IllegalStateException("remote ephemeral key not yet known");
    }
    return key;
  }

  private void requireLength(byte[] message, int minimum) {
    if (message.length < minimum) {
      throw new NoiseException(
          "handshake message "
              + (next + 1)
              + " has "
              + message.length
              + " bytes, needs at least "
              + minimum);
    }
  }

  private static byte[] concat(byte[]... parts) {
    int length = 0;
    for (byte[] part : parts) {
      length += part.length;
    }
    byte[] out = new byte[length];
    int offset = 0;
    for (byte[] part : parts) {
      System.arraycopy(part, 0, out, offset, part.length);
      offset += part.length;
    }
    return out;
  }
}
