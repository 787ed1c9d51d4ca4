package io.reachability.libp2p.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The protobuf envelopes and everything a hostile or broken peer could send in them. */
class KeysTest {

  /** The Ed25519 public key of the peer-ids spec test vectors. */
  private static final byte[] ED25519_PUBLIC =
      HexFormat.of()
          .parseHex("080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e");

  @Test
  void keyTypeCodesAreTheWireValues() {
    assertThat(KeyType.fromCode(0)).isEqualTo(KeyType.RSA);
    assertThat(KeyType.fromCode(1)).isEqualTo(KeyType.ED25519);
    assertThat(KeyType.fromCode(2)).isEqualTo(KeyType.SECP256K1);
    assertThat(KeyType.fromCode(3)).isEqualTo(KeyType.ECDSA);
    for (KeyType type : KeyType.values()) {
      assertThat(KeyType.fromCode(type.code())).isEqualTo(type);
    }
  }

  @Test
  void unknownKeyTypeCodesAreRejected() {
    assertThatThrownBy(() -> KeyType.fromCode(4))
        .isInstanceOf(CryptoException.class)
        .hasMessage("unknown key type 4");
    assertThatThrownBy(() -> KeyType.fromCode(-1)).isInstanceOf(CryptoException.class);
  }

  @Test
  void ed25519EnvelopeDecodes() {
    byte[] envelope = {
      0x08,
      0x01, // field 1 (Type) varint: Ed25519
      0x12,
      0x20, // field 2 (Data) length-delimited: 32 bytes
      0x1e,
      (byte) 0xd1,
      (byte) 0xe8,
      (byte) 0xfa,
      (byte) 0xe2,
      (byte) 0xc4,
      (byte) 0xa1,
      0x44,
      (byte) 0xb8,
      (byte) 0xbe,
      (byte) 0x8f,
      (byte) 0xd4,
      (byte) 0xb4,
      0x7b,
      (byte) 0xf3,
      (byte) 0xd3,
      (byte) 0xb3,
      0x4b,
      (byte) 0x87,
      0x1c,
      0x3c,
      (byte) 0xac,
      (byte) 0xf6,
      0x01,
      0x0f,
      0x0e,
      0x42,
      (byte) 0xd4,
      0x74,
      (byte) 0xfc,
      (byte) 0xe2,
      0x7e, // the RFC 8032 point
    };

    PublicKey key = Keys.unmarshalPublicKey(envelope);

    assertThat(key.type()).isEqualTo(KeyType.ED25519);
    assertThat(key.raw()).isEqualTo(Arrays.copyOfRange(envelope, 4, 36));
    assertThat(key.marshal()).isEqualTo(envelope).isEqualTo(ED25519_PUBLIC);
  }

  @Test
  void fieldsInReverseOrderAreReadAndWrittenBackCanonically() {
    byte[] reversed = new byte[36];
    reversed[0] = 0x12; // field 2 (Data) first
    reversed[1] = 0x20; // 32 bytes
    System.arraycopy(ED25519_PUBLIC, 4, reversed, 2, 32);
    reversed[34] = 0x08; // field 1 (Type) last
    reversed[35] = 0x01; // Ed25519

    assertThat(Keys.unmarshalPublicKey(reversed).marshal()).isEqualTo(ED25519_PUBLIC);
  }

  @Test
  void emptyIsRejected() {
    assertThatThrownBy(() -> Keys.unmarshalPublicKey(new byte[0]))
        .isInstanceOf(CryptoException.class)
        .hasMessage("empty public key protobuf");
    assertThatThrownBy(() -> Keys.unmarshalPrivateKey(new byte[0]))
        .isInstanceOf(CryptoException.class)
        .hasMessage("empty private key protobuf");
  }

  @Test
  void truncatedIsRejected() {
    for (int length = 1; length < ED25519_PUBLIC.length; length++) {
      byte[] truncated = Arrays.copyOf(ED25519_PUBLIC, length);
      assertThatThrownBy(() -> Keys.unmarshalPublicKey(truncated))
          .as("first %d bytes", length)
          .isInstanceOf(CryptoException.class);
    }
  }

  @Test
  void unknownTypeNineIsRejectedByName() {
    byte[] envelope = ED25519_PUBLIC.clone();
    envelope[1] = 0x09; // Type 9: no such key type

    assertThatThrownBy(() -> Keys.unmarshalPublicKey(envelope))
        .isInstanceOf(CryptoException.class)
        .hasMessage("unknown key type 9");
  }

  @Test
  void missingFieldsAreRejected() {
    byte[] noType = Arrays.copyOfRange(ED25519_PUBLIC, 2, 36); // only field 2 (Data)
    byte[] noData = {0x08, 0x01}; // only field 1 (Type): Ed25519

    assertThatThrownBy(() -> Keys.unmarshalPublicKey(noType))
        .isInstanceOf(CryptoException.class)
        .hasMessage("public key protobuf has no Type field");
    assertThatThrownBy(() -> Keys.unmarshalPublicKey(noData))
        .isInstanceOf(CryptoException.class)
        .hasMessage("public key protobuf has no Data field");
  }

  @Test
  void wrongDataLengthForTheTypeIsRejected() {
    byte[] envelope = {
      0x08, 0x01, // Type: Ed25519
      0x12, 0x02, // Data: 2 bytes
      0x01, 0x02,
    };

    assertThatThrownBy(() -> Keys.unmarshalPublicKey(envelope))
        .isInstanceOf(CryptoException.class)
        .hasMessage("Ed25519 public key must be 32 bytes, got 2");
  }

  @Test
  void ed25519PointNotOnTheCurveIsRejected() {
    byte[] envelope = ED25519_PUBLIC.clone();
    // y = 2^255 - 1 reduced is not canonical (y ≥ p): no valid encoding has it
    Arrays.fill(envelope, 4, 36, (byte) 0xff);
    envelope[35] = 0x7f;

    assertThatThrownBy(() -> Keys.unmarshalPublicKey(envelope))
        .isInstanceOf(CryptoException.class)
        .hasMessage("Ed25519 public key is not a valid curve point");
  }

  @Test
  void publicKeyExactlyAtTheLimitIsParsedOneOverIsNot() {
    int dataLength = Keys.MAX_PUBLIC_KEY_BYTES - 5; // 2 bytes Type + tag + 2-byte length varint
    byte[] atLimit = new byte[Keys.MAX_PUBLIC_KEY_BYTES];
    atLimit[0] = 0x08; // field 1 (Type)
    atLimit[1] = 0x01; // Ed25519
    atLimit[2] = 0x12; // field 2 (Data)
    atLimit[3] = (byte) (0x80 | (dataLength & 0x7f)); // length varint, low 7 bits
    atLimit[4] = (byte) (dataLength >>> 7); // length varint, high bits
    byte[] overLimit = Arrays.copyOf(atLimit, Keys.MAX_PUBLIC_KEY_BYTES + 1);

    // parsed: the error comes from the Ed25519 length check, not the size limit
    assertThatThrownBy(() -> Keys.unmarshalPublicKey(atLimit))
        .isInstanceOf(CryptoException.class)
        .hasMessage("Ed25519 public key must be 32 bytes, got " + dataLength);
    assertThatThrownBy(() -> Keys.unmarshalPublicKey(overLimit))
        .isInstanceOf(CryptoException.class)
        .hasMessage("public key protobuf of 2049 bytes is over the limit of 2048 bytes");
  }

  @Test
  void oversizedPrivateKeyIsRejectedBeforeParsing() {
    assertThatThrownBy(() -> Keys.unmarshalPrivateKey(new byte[Keys.MAX_PRIVATE_KEY_BYTES + 1]))
        .isInstanceOf(CryptoException.class)
        .hasMessageContaining("over the limit of " + Keys.MAX_PRIVATE_KEY_BYTES);
  }

  @Test
  void ed25519PrivateKeyForms() {
    PrivateKey key = Keys.generateEd25519();
    byte[] standard = key.marshal(); // 08 01 12 40 ‖ seed ‖ public
    byte[] seed = Arrays.copyOfRange(standard, 4, 36);
    byte[] publicKey = Arrays.copyOfRange(standard, 36, 68);

    byte[] seedOnly = envelope(KeyType.ED25519, seed);
    byte[] legacy = envelope(KeyType.ED25519, concat(seed, publicKey, publicKey));
    byte[] legacyMismatch = envelope(KeyType.ED25519, concat(seed, publicKey, new byte[32]));
    byte[] wrongPublic = envelope(KeyType.ED25519, concat(seed, new byte[32]));

    assertThat(Keys.unmarshalPrivateKey(seedOnly)).isEqualTo(key);
    assertThat(Keys.unmarshalPrivateKey(legacy)).isEqualTo(key);
    assertThat(Keys.unmarshalPrivateKey(legacy).marshal()).isEqualTo(standard);
    assertThatThrownBy(() -> Keys.unmarshalPrivateKey(legacyMismatch))
        .isInstanceOf(CryptoException.class)
        .hasMessageContaining("two copies of the public key differ");
    assertThatThrownBy(() -> Keys.unmarshalPrivateKey(wrongPublic))
        .isInstanceOf(CryptoException.class)
        .hasMessageContaining("embedded public key does not match");
    assertThatThrownBy(() -> Keys.unmarshalPrivateKey(envelope(KeyType.ED25519, new byte[63])))
        .isInstanceOf(CryptoException.class)
        .hasMessageContaining("got 63");
  }

  @Test
  void privateKeyToStringShowsNoSecret() {
    PrivateKey key = Keys.ed25519FromSeed(new byte[32]);
    assertThat(key.toString())
        .contains("public=")
        .doesNotContain("0000000000000000000000000000000000000000000000000000000000000000");
  }

  @Test
  void randomBytesOnlyEverGiveCryptoException() {
    Random random = new Random(42);
    for (int i = 0; i < 20_000; i++) {
      byte[] bytes = new byte[1 + random.nextInt(80)];
      random.nextBytes(bytes);
      if (i % 2 == 0 && bytes.length > 1) {
        // steer half of them into the per-type parsers: a valid Type, then Data
        bytes[0] = 0x08;
        bytes[1] = (byte) random.nextInt(4);
        if (bytes.length > 3) {
          bytes[2] = 0x12;
          bytes[3] = (byte) (bytes.length - 4);
        }
      }
      unmarshalQuietly(bytes);
    }
  }

  @Test
  void mutatedValidKeysOnlyEverGiveCryptoException() {
    Random random = new Random(7);
    byte[][] seeds = {
      ED25519_PUBLIC,
      SpecVectorsTest.Vector.ECDSA.publicKey,
      SpecVectorsTest.Vector.ECDSA.privateKey,
      SpecVectorsTest.Vector.SECP256K1.publicKey,
      SpecVectorsTest.Vector.SECP256K1.privateKey,
      SpecVectorsTest.Vector.RSA.publicKey,
      SpecVectorsTest.Vector.RSA.privateKey,
    };
    for (int i = 0; i < 5_000; i++) {
      byte[] bytes = seeds[i % seeds.length].clone();
      int flips = 1 + random.nextInt(3);
      for (int f = 0; f < flips; f++) {
        bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
      }
      if (random.nextInt(4) == 0) {
        bytes = Arrays.copyOf(bytes, random.nextInt(bytes.length + 1));
      }
      if (bytes.length > 0) {
        unmarshalQuietly(bytes);
      }
    }
  }

  private static void unmarshalQuietly(byte[] bytes) {
    try {
      Keys.unmarshalPublicKey(bytes).verify(bytes, bytes);
    } catch (CryptoException expected) {
      // the only allowed failure
    }
    try {
      Keys.unmarshalPrivateKey(bytes);
    } catch (CryptoException expected) {
      // the only allowed failure
    }
  }

  static byte[] envelope(KeyType type, byte[] data) {
    return KeyEnvelope.marshalPrivate(type, data);
  }

  static byte[] concat(byte[]... parts) {
    byte[] out = new byte[0];
    for (byte[] part : parts) {
      int start = out.length;
      out = Arrays.copyOf(out, start + part.length);
      System.arraycopy(part, 0, out, start, part.length);
    }
    return out;
  }
}
