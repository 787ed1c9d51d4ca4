package io.reachability.libp2p.crypto;

import java.io.IOException;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;

/**
 * Reads untrusted DER with BouncyCastle's ASN.1 classes, turning every parse failure into a
 * CryptoException.
 */
final class Der {

  /** Reads a value out of a parsed SEQUENCE; may throw whatever BouncyCastle throws. */
  @FunctionalInterface
  interface Reader<T> {
    T read(ASN1Sequence sequence) throws IOException;
  }

  private Der() {}

  /**
   * Parses {@code data} as one DER SEQUENCE (nothing after it) and applies {@code reader} to it.
   *
   * @param what names the structure in the error, e.g. "RSA public key"
   * @throws CryptoException when the bytes or the structure are malformed
   */
  static <T> T read(byte[] data, String what, Reader<T> reader) {
    try {
      // null for an end-of-contents marker; IOException for trailing bytes or bad lengths
      ASN1Primitive primitive = ASN1Primitive.fromByteArray(data);
      if (!(primitive instanceof ASN1Sequence aSN1Sequence)) {
        throw new CryptoException(what + " is not a DER SEQUENCE");
      }
      T value = reader.read(aSN1Sequence);
      if (value == null) {
        throw new CryptoException(what + " is malformed");
      }
      return value;
    } catch (CryptoException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      // BouncyCastle reports malformed input with IOException and several unchecked types
      // (IllegalArgumentException, IllegalStateException, ClassCastException, ...), some only when
      // an accessor decodes a field lazily, so readers call every accessor they need inside here
      throw new CryptoException(
          what + " is malformed DER (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")",
          e);
    }
  }
}
