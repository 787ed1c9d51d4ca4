package io.reachability.libp2p.multiformats;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BasesTest {

  private static byte[] hex(String hex) {
    return HexFormat.of().parseHex(hex);
  }

  // Vectors of draft-msporny-base58 (also in many base58 test suites).
  @ParameterizedTest
  @CsvSource({
    "48656c6c6f20576f726c6421, 2NEpo7TZRRrLZSi2U", // "Hello World!"
    "54686520717569636b2062726f776e20666f78206a756d7073206f76657220746865206c617a7920646f672e,"
        + " USm3fpXnKG5EUBx2ndxBDMPVciP5hGey2Jh4NDv6gmeo1LkMeiKrLJUUBk6Z", // "The quick brown fox…"
    "0000287fb4cd, 11233QC4", // two leading zero bytes become two '1's
    "00, 1",
    "0000, 11",
    "01, 2",
    "3a, 21", // 58
  })
  void base58Vectors(String data, String text) {
    assertThat(Base58.encode(hex(data))).isEqualTo(text);
    assertThat(Base58.decode(text)).isEqualTo(hex(data));
  }

  @Test
  void base58EmptyAndInvalid() {
    assertThat(Base58.encode(new byte[0])).isEmpty();
    assertThat(Base58.decode("")).isEmpty();
    assertThatThrownBy(() -> Base58.decode("10"))
        .isInstanceOf(MultiformatsException.class)
        .hasMessage("invalid base58btc character '0' at index 1");
    assertThatThrownBy(() -> Base58.decode("l")).isInstanceOf(MultiformatsException.class);
    assertThatThrownBy(() -> Base58.decode("é")).isInstanceOf(MultiformatsException.class);
    assertThatThrownBy(() -> Base58.decode("2".repeat(Base58.MAX_LENGTH + 1)))
        .isInstanceOf(MultiformatsException.class)
        .hasMessageContaining("too long");
  }

  // RFC 4648 §10 test vectors, lower case and without padding.
  @ParameterizedTest
  @CsvSource({
    "'', ''",
    "f, my",
    "fo, mzxq",
    "foo, mzxw6",
    "foob, mzxw6yq",
    "fooba, mzxw6ytb",
    "foobar, mzxw6ytboi",
  })
  void base32Rfc4648Vectors(String data, String text) {
    assertThat(Base32.encode(data.getBytes(US_ASCII))).isEqualTo(text);
    assertThat(Base32.decode(text)).isEqualTo(data.getBytes(US_ASCII));
  }

  @Test
  void base32RejectsBadText() {
    assertThatThrownBy(() -> Base32.decode("m"))
        .hasMessage("invalid base32 length 1"); // 5 bits: no byte
    assertThatThrownBy(() -> Base32.decode("mzx")).hasMessage("invalid base32 length 3");
    assertThatThrownBy(() -> Base32.decode("mzxw6y")).hasMessage("invalid base32 length 6");
    assertThatThrownBy(() -> Base32.decode("my======")).isInstanceOf(MultiformatsException.class);
    assertThatThrownBy(() -> Base32.decode("m1"))
        .hasMessage("invalid base32 character '1' at index 1");
    // "mz" carries 'f' plus two trailing bits set: not the canonical text of any byte string
    assertThatThrownBy(() -> Base32.decode("mz"))
        .hasMessage("base32 text has non-zero trailing bits");
  }

  // multiformats/multibase tests/basic.csv, leading_zero.csv, two_leading_zeros.csv ("yes mani !").
  @ParameterizedTest
  @CsvSource({
    "796573206d616e692021, f796573206d616e692021",
    "796573206d616e692021, bpfsxgidnmfxgsibb",
    "796573206d616e692021, BPFSXGIDNMFXGSIBB",
    "796573206d616e692021, k2lcpzo5yikidynfl",
    "796573206d616e692021, K2LCPZO5YIKIDYNFL",
    "796573206d616e692021, z7paNL19xttacUY",
    "796573206d616e692021, meWVzIG1hbmkgIQ",
    "796573206d616e692021, MeWVzIG1hbmkgIQ==",
    "796573206d616e692021, ueWVzIG1hbmkgIQ",
    "796573206d616e692021, UeWVzIG1hbmkgIQ==",
    "00796573206d616e692021, f00796573206d616e692021",
    "00796573206d616e692021, bab4wk4zanvqw42jaee",
    "00796573206d616e692021, BAB4WK4ZANVQW42JAEE",
    "00796573206d616e692021, k02lcpzo5yikidynfl",
    "00796573206d616e692021, K02LCPZO5YIKIDYNFL",
    "00796573206d616e692021, z17paNL19xttacUY",
    "00796573206d616e692021, mAHllcyBtYW5pICE",
    "00796573206d616e692021, MAHllcyBtYW5pICE=",
    "00796573206d616e692021, uAHllcyBtYW5pICE",
    "00796573206d616e692021, UAHllcyBtYW5pICE=",
    "0000796573206d616e692021, baaahszltebwwc3tjeaqq",
    "0000796573206d616e692021, k002lcpzo5yikidynfl",
    "0000796573206d616e692021, z117paNL19xttacUY",
    "0000796573206d616e692021, uAAB5ZXMgbWFuaSAh",
  })
  void multibaseSpecVectors(String data, String text) {
    Multibase base = Multibase.of(text);
    assertThat(Multibase.decode(text)).isEqualTo(hex(data));
    assertThat(base.encode(hex(data))).isEqualTo(text);
  }

  // multiformats/multibase tests/case_insensitivity.csv: "hello world" with mixed case.
  @ParameterizedTest
  @CsvSource({
    "f68656c6c6f20776F726C64",
    "bnbswy3dpeB3W64TMMQ",
    "Bnbswy3dpeB3W64TMMQ",
    "kfUvrsIvVnfRbjWaJo",
    "KfUVrSIVVnFRbJWAJo",
  })
  void multibaseCaseInsensitiveBases(String text) {
    assertThat(Multibase.decode(text)).isEqualTo("hello world".getBytes(US_ASCII));
  }

  @Test
  void multibaseRejectsUnknownPrefixAndBadText() {
    assertThatThrownBy(() -> Multibase.decode(""))
        .isInstanceOf(MultiformatsException.class)
        .hasMessage("empty multibase string");
    assertThatThrownBy(() -> Multibase.decode("qabc"))
        .isInstanceOf(MultiformatsException.class)
        .hasMessage("unsupported multibase prefix 'q'");
    assertThatThrownBy(() -> Multibase.decode("ueWVzIG1hbmkgIQ=="))
        .isInstanceOf(MultiformatsException.class);
    assertThatThrownBy(() -> Multibase.decode("u!!!")).isInstanceOf(MultiformatsException.class);
    assertThatThrownBy(() -> Multibase.decode("f0")).isInstanceOf(MultiformatsException.class);
    assertThatThrownBy(() -> Multibase.decode("fzz")).isInstanceOf(MultiformatsException.class);
    assertThatThrownBy(() -> Multibase.decode("z0")).isInstanceOf(MultiformatsException.class);
  }

  @Test
  void base36RoundTripsRandomData() {
    Random random = new Random(7);
    for (int i = 0; i < 500; i++) {
      byte[] data = new byte[random.nextInt(50)];
      random.nextBytes(data);
      if (data.length > 0 && random.nextBoolean()) {
        data[0] = 0; // exercise the leading zero rule
      }
      assertThat(Base36.decode(Base36.encode(data))).isEqualTo(data);
      assertThat(Base58.decode(Base58.encode(data))).isEqualTo(data);
      assertThat(Base32.decode(Base32.encode(data))).isEqualTo(data);
    }
  }

  @Test
  void randomTextNeverFailsUntyped() {
    Random random = new Random(11);
    String chars = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ=+/-_!é";
    for (int i = 0; i < 5000; i++) {
      StringBuilder text = new StringBuilder();
      for (int n = random.nextInt(30); n > 0; n--) {
        text.append(chars.charAt(random.nextInt(chars.length())));
      }
      try {
        Multibase.decode(text.toString());
      } catch (MultiformatsException expected) {
        // fine
      }
    }
  }
}
