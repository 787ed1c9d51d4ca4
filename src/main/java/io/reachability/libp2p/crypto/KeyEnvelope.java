package io.reachability.libp2p.crypto;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import io.reachability.libp2p.crypto.pb.KeyProtos;
import java.util.List;

/**
 * Reads and writes the {@code PublicKey}/{@code PrivateKey} protobuf envelopes, with errors that
 * name the problem. Reading is tolerant like go-libp2p's (field order, unknown fields); writing is
 * the spec's deterministic form (Type then Data, minimal varints), so a peer id computed from
 * {@link PublicKey#marshal()} is the same in every implementation.
 */
final class KeyEnvelope {

  /** The {@code Type} field number in both envelopes. */
  private static final int TYPE_FIELD = 1;

  /** The parsed {@code Type} and {@code Data} of an envelope (never compared or hashed). */
  @SuppressWarnings("ArrayRecordComponent")
  record Parsed(KeyType type, byte[] data) {}

  private KeyEnvelope() {}

  static Parsed parsePublic(byte[] protobuf) {
    checkSize(protobuf, Keys.MAX_PUBLIC_KEY_BYTES, "public");
    KeyProtos.PublicKey message;
    try {
      // partial: a missing required field is reported below with a precise message
      message = KeyProtos.PublicKey.parser().parsePartialFrom(protobuf);
    } catch (InvalidProtocolBufferException e) {
      throw new CryptoException("malformed public key protobuf: " + e.getMessage(), e);
    }
    KeyType type = type(message.hasType(), message.getType(), message.getUnknownFields(), "public");
    if (!message.hasData()) {
      throw new CryptoException("public key protobuf has no Data field");
    }
    return new Parsed(type, message.getData().toByteArray());
  }

  static Parsed parsePrivate(byte[] protobuf) {
    checkSize(protobuf, Keys.MAX_PRIVATE_KEY_BYTES, "private");
    KeyProtos.PrivateKey message;
    try {
      message = KeyProtos.PrivateKey.parser().parsePartialFrom(protobuf);
    } catch (InvalidProtocolBufferException e) {
      // the protobuf library's message does not quote the bytes, so it is safe to pass on
      throw new CryptoException("malformed private key protobuf: " + e.getMessage(), e);
    }
    KeyType type =
        type(message.hasType(), message.getType(), message.getUnknownFields(), "private");
    if (!message.hasData()) {
      throw new CryptoException("private key protobuf has no Data field");
    }
    return new Parsed(type, message.getData().toByteArray());
  }

  static byte[] marshalPublic(KeyType type, byte[] data) {
    return KeyProtos.PublicKey.newBuilder()
        .setType(KeyProtos.KeyType.forNumber(type.code()))
        .setData(ByteString.copyFrom(data))
        .build()
        .toByteArray();
  }

  static byte[] marshalPrivate(KeyType type, byte[] data) {
    return KeyProtos.PrivateKey.newBuilder()
        .setType(KeyProtos.KeyType.forNumber(type.code()))
        .setData(ByteString.copyFrom(data))
        .build()
        .toByteArray();
  }

  private static void checkSize(byte[] protobuf, int max, String kind) {
    if (protobuf.length == 0) {
      throw new CryptoException("empty " + kind + " key protobuf");
    }
    if (protobuf.length > max) {
      throw new CryptoException(
          kind
              + " key protobuf of "
              + protobuf.length
              + " bytes is over the limit of "
              + max
              + " bytes");
    }
  }

  private static KeyType type(
      boolean has, KeyProtos.KeyType known, UnknownFieldSet unknown, String kind) {
    if (has) {
      return KeyType.fromCode(known.getNumber());
    }
    // proto2 moves an enum value it does not know into the unknown fields
    if (unknown.hasField(TYPE_FIELD)) {
      List<Long> values = unknown.getField(TYPE_FIELD).getVarintList();
      if (!values.isEmpty()) {
        throw new CryptoException(
            "unknown key type " + Long.toUnsignedString(values.get(values.size() - 1)));
      }
    }
    throw new CryptoException(kind + " key protobuf has no Type field");
  }
}
