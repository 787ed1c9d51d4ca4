package io.reachability.libp2p.multiformats;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * CIDs (peer ids in CID form) from a peer: only MultiformatsException may escape; what parses
 * round-trips.
 */
class CidFuzzTest {

  @FuzzTest(maxDuration = "10s")
  void decodeBytes(byte[] data) {
    Cid cid;
    try {
      cid = Cid.decode(data);
    } catch (MultiformatsException e) {
      return;
    }
    // minimal varints and an exact fill: the binary form is canonical
    assertThat(cid.toBytes()).isEqualTo(data);
    assertTextRoundTrip(cid, Multibase.BASE32);
    assertTextRoundTrip(cid, Multibase.BASE36);
  }

  /** The input is the text as UTF-8, so seeds are readable files. */
  @FuzzTest(maxDuration = "10s")
  void decodeText(byte[] data) {
    String text = new String(data, StandardCharsets.UTF_8);
    Cid cid;
    try {
      cid = Cid.decode(text);
    } catch (MultiformatsException e) {
      return;
    }
    assertThat(Cid.decode(cid.toBytes())).isEqualTo(cid);
    assertTextRoundTrip(cid, Multibase.of(text));
    assertTextRoundTrip(cid, Multibase.BASE32);
  }

  private static void assertTextRoundTrip(Cid cid, Multibase base) {
    String text = cid.toString(base);
    // the text limit is tighter than the binary one (1 KiB digests): longer text is refused by
    // design
    if (text.length() <= Cid.MAX_TEXT_LENGTH) {
      assertThat(Cid.decode(text)).isEqualTo(cid);
    }
  }
}
