package io.reachability.libp2p.multiformats;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A multihash: {@code varint(code) varint(digest length) digest}. Immutable; equality is on the
 * bytes.
 *
 * @see <a href="https://github.com/multiformats/multihash">multihash</a>
 */
public final class Multihash {

  /** The identity "hash": the digest is the data itself. */
  public static final int IDENTITY = 0x00;

  /** SHA2-256, digest of {@value #SHA2_256_LENGTH} bytes. */
  public static final int SHA2_256 = 0x12;

  /** Digest length of {@link #SHA2_256}. */
  public static final int SHA2_256_LENGTH = 32;

  /**
   * Longest digest accepted when decoding; real hashes are at most 64 bytes and libp2p identity
   * multihashes at most 42, so this only keeps a length prefix from asking for an absurd
   * allocation.
   */
  public static final int MAX_DIGEST_LENGTH = 1024;

  private final long code;
  private final byte[] digest;
  private final byte[] bytes;

  private Multihash(long code, byte[] digest) {
    this.code = code;
    this.digest = digest;
    int codeLength = Varint.encodedLength(code);
    int lengthLength = Varint.encodedLength(digest.length);
    this.bytes = new byte[codeLength + lengthLength + digest.length];
    Varint.write(code, bytes, 0);
    Varint.write(digest.length, bytes, codeLength);
    System.arraycopy(digest, 0, bytes, codeLength + lengthLength, digest.length);
  }

  /** A multihash from a code and an already computed digest; checks the SHA2-256 length. */
  public static Multihash of(long code, byte[] digest) {
    if (code < 0) {
      throw new MultiformatsException("negative multihash code " + code);
    }
    if (digest.length > MAX_DIGEST_LENGTH) {
      throw new MultiformatsException(
          "multihash digest of " + digest.length + " bytes is too long");
    }
    if (code == SHA2_256 && digest.length != SHA2_256_LENGTH) {
      throw new MultiformatsException("sha2-256 digest must be 32 bytes, not " + digest.length);
    }
    return new Multihash(code, digest.clone());
  }

  /** The identity multihash of {@code data}. */
  public static Multihash identity(byte[] data) {
    return of(IDENTITY, data);
  }

  /** The SHA2-256 multihash of {@code data}. */
  public static Multihash sha256(byte[] data) {
    try {
      return new Multihash(SHA2_256, MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /** Decodes a multihash that must fill {@code bytes} exactly. */
  public static Multihash decode(byte[] bytes) {
    Decoded decoded = decode(bytes, 0, bytes.length);
    if (decoded.length() != bytes.length) {
      throw new MultiformatsException(
          "multihash followed by " + (bytes.length - decoded.length()) + " extra bytes");
    }
    return decoded.multihash();
  }

  /**
   * A multihash decoded from part of a byte array, with the number of bytes it took.
   *
   * @param multihash the multihash
   * @param length its encoded length in bytes
   */
  public record Decoded(Multihash multihash, int length) {}

  /** Decodes the multihash starting at {@code offset}, reading no further than {@code end}. */
  public static Decoded decode(byte[] in, int offset, int end) {
    Varint.Decoded code = Varint.decode(in, offset, end);
    if (code.needMore()) {
      throw new MultiformatsException(
          offset == end ? "empty multihash" : "truncated multihash code");
    }
    int pos = offset + code.length();
    Varint.Decoded length = Varint.decode(in, pos, end);
    if (length.needMore()) {
      throw new MultiformatsException("truncated multihash length");
    }
    pos += length.length();
    if (length.value() > MAX_DIGEST_LENGTH) {
      throw new MultiformatsException("multihash digest length " + length.value() + " is too long");
    }
    if (length.value() > end - pos) {
      throw new MultiformatsException(
          "multihash digest length "
              + length.value()
              + " but only "
              + (end - pos)
              + " bytes follow");
    }
    int digestLength = (int) length.value();
    Multihash multihash = of(code.value(), Arrays.copyOfRange(in, pos, pos + digestLength));
    return new Decoded(multihash, pos + digestLength - offset);
  }

  /** The hash function code. */
  public long code() {
    return code;
  }

  /** The digest (a copy). */
  public byte[] digest() {
    return digest.clone();
  }

  /** Digest length in bytes. */
  public int digestLength() {
    return digest.length;
  }

  /** The encoded multihash (a copy). */
  public byte[] toBytes() {
    return bytes.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Multihash multihash && Arrays.equals(bytes, multihash.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  /** Hex of the encoded bytes, for logs. */
  @Override
  public String toString() {
    return HexFormat.of().formatHex(bytes);
  }
}
