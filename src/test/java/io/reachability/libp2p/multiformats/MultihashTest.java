package io.reachability.libp2p.multiformats;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MultihashTest {

  private static byte[] hex(String hex) {
    return HexFormat.of().parseHex(hex);
  }

  @Test
  void sha256MatchesTheMultihashReadmeExample() {
    // multiformats/multihash README: sha2-256 of "Merkle–Damgård"
    Multihash hash = Multihash.sha256("Merkle–Damgård".getBytes(UTF_8));
    assertThat(hash.toBytes())
        .isEqualTo(
            hex(
                "12" // sha2-256
                    + "20" // 32-byte digest
                    + "41dd7b6443542e75701aa98a0c235951a28a0d851b11564d20022ab11d2589a8"));
    assertThat(Multihash.decode(hash.toBytes())).isEqualTo(hash);
    assertThat(hash.code()).isEqualTo(Multihash.SHA2_256);
    assertThat(hash.digestLength()).isEqualTo(32);
  }

  @Test
  void identityCarriesTheData() {
    byte[] encoded = {
      0x00, // identity
      0x03, // 3 bytes
      0x0a, 0x0b, 0x0c
    };
    Multihash hash = Multihash.identity(new byte[] {0x0a, 0x0b, 0x0c});
    assertThat(hash.toBytes()).isEqualTo(encoded);
    assertThat(Multihash.decode(encoded).digest()).containsExactly(0x0a, 0x0b, 0x0c);
  }

  @Test
  void rejectsMalformedMultihashes() {
    assertThatThrownBy(() -> Multihash.decode(new byte[0])).hasMessage("empty multihash");
    assertThatThrownBy(() -> Multihash.decode(new byte[] {(byte) 0x80})) // code varint cut short
        .hasMessage("truncated multihash code");
    assertThatThrownBy(() -> Multihash.decode(new byte[] {0x12}))
        .hasMessage("truncated multihash length");
    assertThatThrownBy(
            () ->
                Multihash.decode(
                    new byte[] {
                      0x12, // sha2-256
                      0x20, // 32 bytes announced
                      0x01,
                      0x02 // but only 2 follow
                    }))
        .hasMessage("multihash digest length 32 but only 2 bytes follow");
    assertThatThrownBy(
            () ->
                Multihash.decode(
                    new byte[] {
                      0x12, // sha2-256
                      0x02, // a 2-byte digest: wrong for sha2-256
                      0x01, 0x02
                    }))
        .hasMessage("sha2-256 digest must be 32 bytes, not 2");
    assertThatThrownBy(
            () ->
                Multihash.decode(
                    new byte[] {
                      0x00, // identity
                      0x01, // 1 byte
                      0x01,
                      0x07 // extra
                    }))
        .hasMessage("multihash followed by 1 extra bytes");
    // a huge announced length is refused before anything is allocated
    byte[] huge = new byte[12];
    huge[0] = 0x00;
    System.arraycopy(Varint.encode(Long.MAX_VALUE), 0, huge, 1, 9);
    assertThatThrownBy(() -> Multihash.decode(huge)).hasMessageContaining("too long");
  }

  @Test
  void randomBytesNeverFailUntyped() {
    Random random = new Random(3);
    for (int i = 0; i < 20_000; i++) {
      byte[] in = new byte[random.nextInt(40)];
      random.nextBytes(in);
      if (in.length > 1 && random.nextBoolean()) {
        in[0] = 0x00;
        in[1] = (byte) random.nextInt(40);
      }
      try {
        Multihash.decode(in);
      } catch (MultiformatsException expected) {
        // fine
      }
    }
  }

  @Test
  void cidRoundTripAndErrors() {
    Multihash hash = Multihash.identity(new byte[] {1, 2, 3});
    Cid cid = new Cid(Cid.LIBP2P_KEY, hash);
    assertThat(cid.toBytes())
        .isEqualTo(
            new byte[] {
              0x01, // CIDv1
              0x72, // libp2p-key
              0x00,
              0x03,
              0x01,
              0x02,
              0x03 // identity multihash of 01 02 03
            });
    assertThat(Cid.decode(cid.toString())).isEqualTo(cid);
    assertThat(cid.toString()).startsWith("b");
    assertThat(Cid.decode(cid.toString(Multibase.BASE36))).isEqualTo(cid);
    assertThatThrownBy(() -> Cid.decode(new byte[0])).hasMessage("empty CID");
    assertThatThrownBy(() -> Cid.decode(new byte[] {0x12, 0x20}))
        .hasMessage("unsupported CID version 18");
    assertThatThrownBy(() -> Cid.decode(new byte[] {0x01})).hasMessage("truncated CID codec");
    assertThatThrownBy(() -> Cid.decode(new byte[] {0x01, 0x72, 0x00, 0x01, 0x01, 0x00}))
        .hasMessage("CID followed by 1 extra bytes");
  }
}
