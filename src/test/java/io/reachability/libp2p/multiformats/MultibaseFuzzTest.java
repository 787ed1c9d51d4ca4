package io.reachability.libp2p.multiformats;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/** Multibase text from a peer (a CID, a /certhash value): only MultiformatsException may escape. */
class MultibaseFuzzTest {

  /** The input is the text as UTF-8, so seeds are readable files. */
  @FuzzTest(maxDuration = "10s")
  void decode(byte[] data) {
    String text = new String(data, StandardCharsets.UTF_8);
    byte[] decoded;
    try {
      decoded = Multibase.decode(text);
    } catch (MultiformatsException e) {
      return;
    }
    // whatever decodes re-encodes, in the same base, to text that decodes to the same bytes
    Multibase base = Multibase.of(text);
    String encoded = base.encode(decoded);
    assertThat(Multibase.decode(encoded)).isEqualTo(decoded);
    if (base != Multibase.BASE64
        && base != Multibase.BASE64URL
        && base != Multibase.BASE64_PAD
        && base != Multibase.BASE64URL_PAD) {
      // the other bases have exactly one spelling per value, up to the case the spec ignores
      assertThat(encoded.substring(1)).isEqualToIgnoringCase(text.substring(1));
    }
  }
}
