package io.reachability.libp2p.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The key test vectors of the libp2p peer-ids spec, section "Test vectors" (libp2p/specs,
 * peer-ids/peer-ids.md): each private key must give the listed public key, and both must re-marshal
 * to exactly the listed bytes.
 */
class SpecVectorsTest {

  enum Vector {
    ECDSA(
        KeyType.ECDSA,
        "08031279307702010104203E5B1FE9712E6C314942A750BD67485DE3C1EFE85B1BFB520AE8F9AE3DFA4A4CA00A06082A8648CE3D030107A14403420004DE3D300FA36AE0E8F5D530899D83ABAB44ABF3161F162A4BC901D8E6ECDA020E8B6D5F8DA30525E71D6851510C098E5C47C646A597FB4DCEC034E9F77C409E62",
        "0803125b3059301306072a8648ce3d020106082a8648ce3d03010703420004de3d300fa36ae0e8f5d530899d83abab44abf3161f162a4bc901d8e6ecda020e8b6d5f8da30525e71d6851510c098e5c47c646a597fb4dcec034e9f77c409e62"),
    ED25519(
        KeyType.ED25519,
        "080112407e0830617c4a7de83925dfb2694556b12936c477a0e1feb2e148ec9da60fee7d1ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e",
        "080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e"),
    SECP256K1(
        KeyType.SECP256K1,
        "0802122053DADF1D5A164D6B4ACDB15E24AA4C5B1D3461BDBD42ABEDB0A4404D56CED8FB",
        "08021221037777e994e452c21604f91de093ce415f5432f701dd8cd1a7a6fea0e630bfca99"),
    RSA(KeyType.RSA, SpecRsaVector.PRIVATE, SpecRsaVector.PUBLIC);

    final KeyType type;
    final byte[] privateKey;
    final byte[] publicKey;

    Vector(KeyType type, String privateHex, String publicHex) {
      this.type = type;
      this.privateKey = HexFormat.of().parseHex(privateHex.toLowerCase(java.util.Locale.ROOT));
      this.publicKey = HexFormat.of().parseHex(publicHex);
    }
  }

  @ParameterizedTest
  @EnumSource(Vector.class)
  void privateKeyGivesThePublicKey(Vector vector) {
    PrivateKey key = Keys.unmarshalPrivateKey(vector.privateKey);

    assertThat(key.type()).isEqualTo(vector.type);
    assertThat(key.publicKey().marshal()).isEqualTo(vector.publicKey);
  }

  @ParameterizedTest
  @EnumSource(Vector.class)
  void bothKeysRemarshalByteExact(Vector vector) {
    assertThat(Keys.unmarshalPrivateKey(vector.privateKey).marshal()).isEqualTo(vector.privateKey);
    assertThat(Keys.unmarshalPublicKey(vector.publicKey).marshal()).isEqualTo(vector.publicKey);
  }

  @ParameterizedTest
  @EnumSource(Vector.class)
  void signatureVerifiesAndTamperingIsDetected(Vector vector) {
    byte[] data = "libp2p-peer-record".getBytes(StandardCharsets.UTF_8);
    byte[] signature = Keys.unmarshalPrivateKey(vector.privateKey).sign(data);
    PublicKey publicKey = Keys.unmarshalPublicKey(vector.publicKey);
    byte[] tamperedData = data.clone();
    tamperedData[0] ^= 0x01;
    byte[] tamperedSignature = signature.clone();
    tamperedSignature[signature.length - 1] ^= 0x01;

    assertThat(publicKey.verify(data, signature)).isTrue();
    assertThat(publicKey.verify(tamperedData, signature)).isFalse();
    assertThat(publicKey.verify(data, tamperedSignature)).isFalse();
    assertThat(publicKey.verify(data, new byte[0])).isFalse();
    assertThat(publicKey.verify(data, java.util.Arrays.copyOf(signature, signature.length - 1)))
        .isFalse();
  }
}
