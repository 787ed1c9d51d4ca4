package io.reachability.libp2p.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reachability.libp2p.multiformats.Base58;
import io.reachability.libp2p.multiformats.Multibase;
import io.reachability.libp2p.multiformats.Multihash;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PeerIdTest {

  // Examples in libp2p/specs peer-ids/peer-ids.md, "Decoding".
  private static final String SPEC_SHA256_BASE58 = "QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N";
  private static final String SPEC_SHA256_CID =
      "bafzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxe";
  private static final String SPEC_ED25519_BASE58 =
      "12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA";

  // An Ed25519 peer id and its base32 CID, from a third-party Rust project's peer id tests
  // (computed there with rust-libp2p's libp2p-identity and the multibase crate).
  private static final String ED25519_BASE58 =
      "12D3KooW9pte76rpnggcLYkFaawuTEs5DC5axHkg3cK3cewGxxHd";
  private static final String ED25519_CID =
      "bafzaajaiaejcaabcornvmd5g5bolzmcr6smsje7owdd3xk7lojqydmthdt47iqmi";

  // A marshalled Ed25519 PublicKey (base64) and its peer id, from peergos' CidTests (Java, IPFS).
  private static final String PEERGOS_PUBLIC_KEY =
      "CAESIA2UgZjCUFpg3P2C4EC+kFNq9KwzTVTpTHu51Y7fQAFg";
  private static final String PEERGOS_PEER_ID =
      "12D3KooWAjNorDWXZJx8Jhzrq9onKbrmYf9XSmteb4yKnbXfSD8K";

  // A marshalled secp256k1 PublicKey as an identity multihash, from lodestar's test utils
  // (peer.ts).
  private static final String SECP256K1_IDENTITY_MULTIHASH =
      "002508021221039481269fe831799b1a0f1d521c1395b4831514859e4559c44d155eae46f03819";

  @Test
  void specExamplesParse() {
    PeerId sha = PeerId.fromString(SPEC_SHA256_BASE58);
    assertThat(sha.multihash().code()).isEqualTo(Multihash.SHA2_256);
    assertThat(sha.toBase58()).isEqualTo(SPEC_SHA256_BASE58);
    assertThat(sha.embeddedPublicKey()).isEmpty();

    PeerId fromCid = PeerId.fromString(SPEC_SHA256_CID);
    assertThat(fromCid.multihash().code()).isEqualTo(Multihash.SHA2_256);
    assertThat(fromCid.toCidString()).isEqualTo(SPEC_SHA256_CID);
    assertThat(fromCid).isEqualTo(sha); // the two spec examples name the same peer

    PeerId ed = PeerId.fromString(SPEC_ED25519_BASE58);
    assertThat(ed.multihash().code()).isEqualTo(Multihash.IDENTITY);
    assertThat(ed.toString()).isEqualTo(SPEC_ED25519_BASE58);
    byte[] key = ed.embeddedPublicKey().orElseThrow();
    assertThat(key).hasSize(36);
    assertThat(key[0]).isEqualTo((byte) 0x08); // PublicKey.Type field
    assertThat(key[1]).isEqualTo((byte) 0x01); // Ed25519
    assertThat(key[2]).isEqualTo((byte) 0x12); // PublicKey.Data field
    assertThat(key[3]).isEqualTo((byte) 0x20); // 32 bytes
    assertThat(PeerId.fromPublicKey(key)).isEqualTo(ed);
  }

  @Test
  void base58AndCidFormsNameTheSamePeer() {
    PeerId peer = PeerId.fromString(ED25519_BASE58);
    assertThat(peer.toCidString()).isEqualTo(ED25519_CID);
    assertThat(PeerId.fromString(ED25519_CID)).isEqualTo(peer);
    // any supported multibase of the same CID
    for (Multibase base :
        new Multibase[] {Multibase.BASE36, Multibase.BASE32_UPPER, Multibase.BASE58BTC}) {
      String text = peer.toCidString(base);
      assertThat(PeerId.fromString(text)).as(text).isEqualTo(peer);
    }
    assertThat(peer.toCidString(Multibase.BASE36)).startsWith("k51");
  }

  @Test
  void fromPublicKeyInlinesSmallKeys() {
    byte[] marshalled = Base64.getDecoder().decode(PEERGOS_PUBLIC_KEY);
    PeerId peer = PeerId.fromPublicKey(marshalled);
    assertThat(peer.toBase58()).isEqualTo(PEERGOS_PEER_ID);
    assertThat(peer.embeddedPublicKey()).hasValue(marshalled);
    assertThat(peer.toBytes()).startsWith(0x00, 0x24); // identity, 36 bytes
  }

  @Test
  void secp256k1IdentityPeerId() {
    byte[] multihash = HexFormat.of().parseHex(SECP256K1_IDENTITY_MULTIHASH);
    PeerId peer = PeerId.fromBytes(multihash);
    assertThat(peer.embeddedPublicKey().orElseThrow())
        .hasSize(37)
        .startsWith(0x08, 0x02); // Type = Secp256k1
    assertThat(peer.toBase58()).startsWith("16Uiu2HA"); // the well-known secp256k1 prefix
    assertThat(PeerId.fromString(peer.toBase58())).isEqualTo(peer);
  }

  @Test
  void fromPublicKeyHashesKeysOver42Bytes() {
    byte[] exactly42 = new byte[42];
    byte[] over42 = new byte[43];
    new Random(1).nextBytes(over42);
    assertThat(PeerId.fromPublicKey(exactly42).multihash().code()).isEqualTo(Multihash.IDENTITY);
    PeerId hashed = PeerId.fromPublicKey(over42);
    assertThat(hashed.multihash()).isEqualTo(Multihash.sha256(over42));
    assertThat(hashed.embeddedPublicKey()).isEmpty();
    assertThat(hashed.toBase58()).startsWith("Qm");
    assertThatThrownBy(() -> PeerId.fromPublicKey(new byte[0])).isInstanceOf(PeerIdException.class);
  }

  @Test
  void fromBytesValidatesTheMultihash() {
    byte[] identity43 = new byte[45];
    identity43[0] = 0x00; // identity
    identity43[1] = 43; // one byte over the inline limit
    assertThatThrownBy(() -> PeerId.fromBytes(identity43))
        .isInstanceOf(PeerIdException.class)
        .hasMessageContaining("1 to 42 bytes");
    assertThatThrownBy(() -> PeerId.fromBytes(new byte[] {0x00, 0x00})) // empty identity
        .isInstanceOf(PeerIdException.class);
    byte[] sha1 = new byte[22];
    sha1[0] = 0x11; // sha1
    sha1[1] = 20;
    assertThatThrownBy(() -> PeerId.fromBytes(sha1))
        .isInstanceOf(PeerIdException.class)
        .hasMessage("peer id multihash must be identity or sha2-256, not code 0x11");
    assertThatThrownBy(() -> PeerId.fromBytes(new byte[0])).isInstanceOf(PeerIdException.class);
  }

  @Test
  void toBytesIsADefensiveCopy() {
    PeerId peer = PeerId.fromString(ED25519_BASE58);
    byte[] bytes = peer.toBytes();
    bytes[5] ^= 1;
    assertThat(peer.toBytes()).isNotEqualTo(bytes);
    assertThat(peer).isEqualTo(PeerId.fromString(ED25519_BASE58));
    assertThat(peer.hashCode()).isEqualTo(PeerId.fromString(ED25519_CID).hashCode());
  }

  @Test
  void ordersByUnsignedBytes() {
    PeerId identity = PeerId.fromString(SPEC_ED25519_BASE58); // starts 0x00
    PeerId sha = PeerId.fromString(SPEC_SHA256_BASE58); // starts 0x12
    assertThat(identity).isLessThan(sha);
    assertThat(sha.compareTo(sha)).isZero();
  }

  @Test
  void refusesACidOfAnotherCodec() {
    // go-libp2p core/peer/peer_test.go TestIDEncoding: a raw (0x55) CID is not a peer id
    assertThatThrownBy(
            () -> PeerId.fromString("bafkreifoybygix7fh3r3g5rqle3wcnhqldgdg4shzf4k3ulyw3gn7mabt4"))
        .isInstanceOf(PeerIdException.class)
        .hasMessageContaining("CID codec 0x55 is not libp2p-key (0x72)");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "bafz",
        "hello",
        "12D3KooW",
        "12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5S", // one character short
        "QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N1", // one character too many
        "QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx50", // '0' is not base58
        "zQmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N", // a multibase bare multihash is not a
        // CID
      })
  void rejectsInvalidText(String text) {
    assertThatThrownBy(() -> PeerId.fromString(text)).isInstanceOf(PeerIdException.class);
  }

  @Test
  void rejectsOverlongTextBeforeDecoding() {
    String text = "1" + "2".repeat(PeerId.MAX_TEXT_LENGTH);
    assertThatThrownBy(() -> PeerId.fromString(text))
        .isInstanceOf(PeerIdException.class)
        .hasMessageContaining("too long");
  }

  @Test
  void randomTextAndBytesNeverFailUntyped() {
    Random random = new Random(5);
    for (int i = 0; i < 5000; i++) {
      byte[] bytes = new byte[random.nextInt(48)];
      random.nextBytes(bytes);
      try {
        PeerId.fromBytes(bytes);
      } catch (PeerIdException expected) {
        // fine
      }
      String text = (random.nextBoolean() ? "1" : "b") + Base58.encode(bytes);
      try {
        PeerId.fromString(text);
      } catch (PeerIdException expected) {
        // fine
      }
    }
  }
}
