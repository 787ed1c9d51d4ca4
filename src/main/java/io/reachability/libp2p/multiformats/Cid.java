package io.reachability.libp2p.multiformats;

/**
 * A CIDv1: {@code varint(1) varint(codec) multihash}, written as multibase text. CIDv0 (a bare
 * base58 SHA2-256 multihash) is not modelled here; peer ids handle bare multihashes themselves.
 *
 * @param codec the multicodec of the content, e.g. {@link #LIBP2P_KEY}
 * @param multihash the multihash
 * @see <a href="https://github.com/multiformats/cid">CID</a>
 */
public record Cid(long codec, Multihash multihash) {

  /** The only CID version modelled. */
  public static final int VERSION_1 = 1;

  /** Multicodec of a libp2p public key: the codec of a peer id CID. */
  public static final int LIBP2P_KEY = 0x72;

  /** Longest CID text accepted, bounding the quadratic base58/base36 decoders. */
  public static final int MAX_TEXT_LENGTH = 512;

  public Cid {
    if (codec < 0) {
      throw new MultiformatsException("negative CID codec " + codec);
    }
  }

  /** The binary CID. */
  public byte[] toBytes() {
    byte[] hash = multihash.toBytes();
    byte[] out = new byte[1 + Varint.encodedLength(codec) + hash.length];
    int pos = Varint.write(VERSION_1, out, 0);
    pos += Varint.write(codec, out, pos);
    System.arraycopy(hash, 0, out, pos, hash.length);
    return out;
  }

  /** The CID as multibase text in {@code base}. */
  public String toString(Multibase base) {
    return base.encode(toBytes());
  }

  /** Base32 text ("b…"), the default CIDv1 form. */
  @Override
  public String toString() {
    return toString(Multibase.BASE32);
  }

  /** Parses a CIDv1 from multibase text. */
  public static Cid decode(String text) {
    if (text.length() > MAX_TEXT_LENGTH) {
      throw new MultiformatsException("CID text of " + text.length() + " characters is too long");
    }
    return decode(Multibase.decode(text));
  }

  /** Parses a binary CIDv1 that must fill {@code bytes} exactly. */
  public static Cid decode(byte[] bytes) {
    Varint.Decoded version = Varint.decode(bytes, 0, bytes.length);
    if (version.needMore()) {
      throw new MultiformatsException(bytes.length == 0 ? "empty CID" : "truncated CID version");
    }
    if (version.value() != VERSION_1) {
      throw new MultiformatsException("unsupported CID version " + version.value());
    }
    Varint.Decoded codec = Varint.decode(bytes, version.length(), bytes.length);
    if (codec.needMore()) {
      throw new MultiformatsException("truncated CID codec");
    }
    int start = version.length() + codec.length();
    Multihash.Decoded hash = Multihash.decode(bytes, start, bytes.length);
    if (start + hash.length() != bytes.length) {
      throw new MultiformatsException(
          "CID followed by " + (bytes.length - start - hash.length()) + " extra bytes");
    }
    return new Cid(codec.value(), hash.multihash());
  }
}
