package io.reachability.libp2p.core;

import io.reachability.libp2p.crypto.PublicKey;
import io.reachability.libp2p.multiformats.Base58;
import io.reachability.libp2p.multiformats.Cid;
import io.reachability.libp2p.multiformats.Multibase;
import io.reachability.libp2p.multiformats.MultiformatsException;
import io.reachability.libp2p.multiformats.Multihash;
import java.util.Arrays;
import java.util.Optional;

/**
 * A libp2p peer id: the multihash of the peer's marshalled public key — the identity multihash (the
 * key itself) when the key is at most {@value #MAX_INLINE_KEY_LENGTH} bytes, else its SHA2-256.
 * Immutable; equality and order are on the multihash bytes.
 *
 * <p>Text forms: bare base58btc multihash ({@code 12D3KooW…} for Ed25519, {@code Qm…} for hashed
 * keys), the canonical form returned by {@link #toString()}; or a CIDv1 with codec libp2p-key in
 * any supported multibase ({@code bafz…} base32, {@code k51…} base36).
 *
 * @see <a href="https://github.com/libp2p/specs/blob/master/peer-ids/peer-ids.md#peer-ids">peer
 *     ids</a>
 */
public final class PeerId implements Comparable<PeerId> {

  /**
   * Longest marshalled public key that is inlined with the identity multihash; longer keys are
   * hashed.
   *
   * @see <a href="https://github.com/libp2p/specs/blob/master/peer-ids/peer-ids.md#peer-ids">peer
   *     ids</a>
   */
  public static final int MAX_INLINE_KEY_LENGTH = 42;

  /**
   * Longest peer id text accepted (the longest real form, base32 CID of an inlined key, is ~75).
   */
  public static final int MAX_TEXT_LENGTH = 256;

  private final byte[] bytes;
  private final Multihash multihash;
  private final String base58;

  private PeerId(byte[] bytes, Multihash multihash) {
    this.bytes = bytes;
    this.multihash = multihash;
    this.base58 = Base58.encode(bytes);
  }

  /**
   * The peer id with this multihash: an identity multihash of 1 to {@value #MAX_INLINE_KEY_LENGTH}
   * bytes or a SHA2-256 multihash.
   *
   * @throws PeerIdException otherwise
   */
  public static PeerId fromBytes(byte[] multihash) {
    byte[] copy = multihash.clone();
    Multihash decoded;
    try {
      decoded = Multihash.decode(copy);
    } catch (MultiformatsException e) {
      throw new PeerIdException("invalid peer id multihash: " + e.getMessage(), e);
    }
    if (decoded.code() == Multihash.IDENTITY) {
      if (decoded.digestLength() == 0 || decoded.digestLength() > MAX_INLINE_KEY_LENGTH) {
        throw new PeerIdException(
            "identity peer id must carry 1 to "
                + MAX_INLINE_KEY_LENGTH
                + " bytes of public key, not "
                + decoded.digestLength());
      }
    } else if (decoded.code() != Multihash.SHA2_256) {
      throw new PeerIdException(
          "peer id multihash must be identity or sha2-256, not code 0x"
              + Long.toHexString(decoded.code()));
    }
    return new PeerId(copy, decoded);
  }

  /**
   * Parses a base58btc multihash ("12D3KooW…", "Qm…") or a CIDv1 with codec libp2p-key (0x72) in
   * any supported multibase ("bafz…", "k51…").
   *
   * @throws PeerIdException naming the problem
   */
  public static PeerId fromString(String text) {
    if (text.isEmpty()) {
      throw new PeerIdException("empty peer id");
    }
    if (text.length() > MAX_TEXT_LENGTH) {
      throw new PeerIdException("peer id text of " + text.length() + " characters is too long");
    }
    try {
      if (text.startsWith("Qm") || text.startsWith("1")) {
        return fromBytes(Base58.decode(text));
      }
      Cid cid = Cid.decode(text);
      if (cid.codec() != Cid.LIBP2P_KEY) {
        throw new PeerIdException(
            "CID codec 0x" + Long.toHexString(cid.codec()) + " is not libp2p-key (0x72)");
      }
      return fromBytes(cid.multihash().toBytes());
    } catch (MultiformatsException | PeerIdException e) {
      throw new PeerIdException("invalid peer id \"" + text + "\": " + e.getMessage(), e);
    }
  }

  /**
   * The peer id of {@code key}: the identity multihash of its {@link PublicKey#marshal()} when it
   * is at most 42 bytes (Ed25519, secp256k1), else its SHA-256 multihash (RSA, ECDSA).
   *
   * @see <a
   *     href="https://github.com/libp2p/specs/blob/master/peer-ids/peer-ids.md#peer-ids">peer-ids
   *     spec: peer ids</a>
   */
  public static PeerId fromPublicKey(PublicKey key) {
    return fromPublicKey(key.marshal());
  }

  /**
   * The peer id of a marshalled protobuf {@code PublicKey}: the identity multihash when it is at
   * most {@value #MAX_INLINE_KEY_LENGTH} bytes, else its SHA2-256 multihash.
   */
  public static PeerId fromPublicKey(byte[] marshalledPublicKey) {
    if (marshalledPublicKey.length == 0) {
      throw new PeerIdException("empty public key");
    }
    Multihash hash =
        marshalledPublicKey.length <= MAX_INLINE_KEY_LENGTH
            ? Multihash.identity(marshalledPublicKey)
            : Multihash.sha256(marshalledPublicKey);
    return new PeerId(hash.toBytes(), hash);
  }

  /** The multihash bytes (a copy). */
  public byte[] toBytes() {
    return bytes.clone();
  }

  /** The multihash. */
  public Multihash multihash() {
    return multihash;
  }

  /** The canonical text form: the base58btc multihash. */
  public String toBase58() {
    return base58;
  }

  /** CIDv1 (libp2p-key) in base32, e.g. "bafz…". */
  public String toCidString() {
    return toCidString(Multibase.BASE32);
  }

  /** CIDv1 (libp2p-key) in the given multibase, e.g. {@link Multibase#BASE36} for "k51…". */
  public String toCidString(Multibase base) {
    return new Cid(Cid.LIBP2P_KEY, multihash).toString(base);
  }

  /** The marshalled protobuf public key when it is inlined (identity multihash), else empty. */
  public Optional<byte[]> embeddedPublicKey() {
    return multihash.code() == Multihash.IDENTITY
        ? Optional.of(multihash.digest())
        : Optional.empty();
  }

  /** Unsigned lexicographic order of the multihash bytes. */
  @Override
  public int compareTo(PeerId other) {
    return Arrays.compareUnsigned(bytes, other.bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PeerId peerId && Arrays.equals(bytes, peerId.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  /** Same as {@link #toBase58()}. */
  @Override
  public String toString() {
    return base58;
  }
}
