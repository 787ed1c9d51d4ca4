package io.reachability.libp2p.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import io.reachability.libp2p.core.PeerId;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Ed25519 private keys and the peer ids other implementations derive from them. */
class PeerIdVectorsTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    // rust-libp2p, identity/src/keypair.rs, test keypair_from_protobuf_encoding ("retrieved from an
    // IPFS config file")
    "rust-libp2p keypair.rs,"
        + " CAESQL6vdKQuznQosTrW7FWI9At+XX7EBf0BnZLhb6w+N+XSQSdfInl6c7U4NuxXJlhKcRBlBw9d0tj2dfBIVf6mcPA=,"
        + " 12D3KooWEChVMMMzV8acJ53mJHrw1pQ27UAGkCxWXLJutbeUMvVu",
    // js-libp2p, examples/webrtc-direct/listener.js (made with `peer-id --type=ed25519`)
    "js-libp2p webrtc-direct example,"
        + " CAESQAG6Ld7ev6nnD0FKPs033/j0eQpjWilhxnzJ2CCTqT0+LfcWoI2Vr+zdc1vwk7XAVdyoCa2nwUR3RJebPWsF1/I=,"
        + " 12D3KooWCuo3MdXfMgaqpLC5Houi1TRoFqgK9aoxok4NK5udMu8m",
  })
  void privateKeyGivesTheirPeerId(String source, String privateKeyBase64, String peerId) {
    PrivateKey key = Keys.unmarshalPrivateKey(Base64.getDecoder().decode(privateKeyBase64));

    assertThat(PeerId.fromPublicKey(key.publicKey()).toBase58()).isEqualTo(peerId);
    assertThat(PeerId.fromPublicKey(key.publicKey())).isEqualTo(PeerId.fromString(peerId));
  }

  @Test
  void publicKeyOfTheJsVectorIsByteExact() {
    // js-libp2p, examples/webrtc-direct/listener.js: the pubKey field next to the private key above
    byte[] expected =
        Base64.getDecoder().decode("CAESIC33FqCNla/s3XNb8JO1wFXcqAmtp8FEd0SXmz1rBdfy");
    PrivateKey key =
        Keys.unmarshalPrivateKey(
            Base64.getDecoder()
                .decode(
                    "CAESQAG6Ld7ev6nnD0FKPs033/j0eQpjWilhxnzJ2CCTqT0+LfcWoI2Vr+zdc1vwk7XAVdyoCa2nwUR3RJebPWsF1/I="));

    assertThat(key.publicKey().marshal()).isEqualTo(expected);
  }

  @Test
  void ed25519PeerIdIsTheIdentityMultihashOfThe36ByteEnvelope() {
    PublicKey key = Keys.generateEd25519().publicKey();
    byte[] multihash = PeerId.fromPublicKey(key).toBytes();

    assertThat(multihash).hasSize(38);
    assertThat(multihash[0]).isEqualTo((byte) 0x00); // multihash code: identity
    assertThat(multihash[1]).isEqualTo((byte) 0x24); // digest length: 36
    assertThat(HexFormat.of().formatHex(multihash, 2, 6))
        .isEqualTo("08011220"); // Type Ed25519, Data 32 bytes
    assertThat(java.util.Arrays.copyOfRange(multihash, 2, 38)).isEqualTo(key.marshal());
    assertThat(PeerId.fromPublicKey(key).toBase58()).startsWith("12D3KooW");
    assertThat(PeerId.fromPublicKey(key).embeddedPublicKey())
        .hasValueSatisfying(
            embedded -> assertThat(Keys.unmarshalPublicKey(embedded)).isEqualTo(key));
  }

  @Test
  void rsaPeerIdIsTheSha256OfTheEnvelope() throws Exception {
    PublicKey key = Keys.unmarshalPublicKey(SpecVectorsTest.Vector.RSA.publicKey);
    byte[] multihash = PeerId.fromPublicKey(key).toBytes();

    assertThat(multihash[0]).isEqualTo((byte) 0x12); // multihash code: sha2-256
    assertThat(multihash[1]).isEqualTo((byte) 0x20); // digest length: 32
    assertThat(java.util.Arrays.copyOfRange(multihash, 2, 34))
        .isEqualTo(java.security.MessageDigest.getInstance("SHA-256").digest(key.marshal()));
    assertThat(PeerId.fromPublicKey(key).toBase58()).startsWith("Qm");
  }
}
