package io.reachability.libp2p.multiformats;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IpLiteralsTest {

  @ParameterizedTest
  @CsvSource({
    "0.0.0.0, 00000000",
    "127.0.0.1, 7f000001",
    "255.255.255.255, ffffffff",
    "192.0.2.10, c000020a",
  })
  void parsesIp4(String text, String hex) {
    assertThat(IpLiterals.parseIp4(text)).isEqualTo(HexFormat.of().parseHex(hex));
    assertThat(IpLiterals.formatIp4(HexFormat.of().parseHex(hex))).isEqualTo(text);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "", "1.2.3", "1.2.3.4.5", "1.2.3.256", "01.2.3.4", "1.2.3.04", "1..3.4", "1.2.3.", ".1.2.3",
        "1.2.3.4 ", " 1.2.3.4", "+1.2.3.4", "1.2.3.-4", "0x1.2.3.4", "1234.2.3.4", "localhost",
            "::1", "١.٢.٣.٤"
      })
  void rejectsBadIp4(String text) {
    assertThat(IpLiterals.parseIp4(text)).isNull();
  }

  // Input forms → RFC 5952 canonical text (examples from RFC 5952 §4 and §5).
  @ParameterizedTest
  @CsvSource({
    "::, ::",
    "::1, ::1",
    "1::, 1::",
    "2001:db8::1, 2001:db8::1",
    "2001:0db8::0001, 2001:db8::1", // §4.1 leading zeros dropped
    "2001:DB8::1, 2001:db8::1", // §4.3 lower case
    "2001:db8:0:0:0:0:2:1, 2001:db8::2:1", // §4.2.1 shorten as much as possible
    "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1", // §4.2.2 a single 0 group is not shortened
    "2001:0:0:1:0:0:0:1, 2001:0:0:1::1", // §4.2.3 the longest run
    "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1", // §4.2.3 the first of equal runs
    "fe80::1, fe80::1",
    "1:2:3:4:5:6:7:8, 1:2:3:4:5:6:7:8",
    "1:2:3:4:5:6:7::, 1:2:3:4:5:6:7:0", // '::' for one group is accepted on input
    "::ffff:1.2.3.4, ::ffff:1.2.3.4", // IPv4-mapped keeps the dotted quad (§5), as go-multiaddr
    // prints it
    "::ffff:102:304, ::ffff:1.2.3.4",
    "::1.2.3.4, ::102:304", // deprecated IPv4-compatible form is plain hex
    "64:ff9b::192.0.2.33, 64:ff9b::c000:221",
    "1:2:3:4:5:6:1.2.3.4, 1:2:3:4:5:6:102:304",
  })
  void parsesAndPrintsIp6(String input, String canonical) throws Exception {
    byte[] bytes = IpLiterals.parseIp6(input);
    assertThat(bytes).isNotNull();
    // Cross-check with the JDK's own literal parser (a literal never triggers a lookup).
    assertThat(bytes).isEqualTo(jdkIp6(input));
    assertThat(IpLiterals.formatIp6(bytes)).isEqualTo(canonical);
  }

  private static byte[] jdkIp6(String literal) throws Exception {
    byte[] address = InetAddress.getByName("[" + literal + "]").getAddress();
    if (address.length == 4) { // the JDK turns IPv4-mapped literals into Inet4Address
      byte[] mapped = new byte[16];
      mapped[10] = (byte) 0xff;
      mapped[11] = (byte) 0xff;
      System.arraycopy(address, 0, mapped, 12, 4);
      return mapped;
    }
    return address;
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        ":",
        ":::",
        "1:::2",
        "1::2::3",
        "1:2:3:4:5:6:7:8:9",
        "1:2:3:4:5:6:7",
        "12345::",
        "g::",
        ":1::",
        "1::2:",
        "1:2:3:4:5:6:7:8::",
        "::1.2.3",
        "::1.2.3.4:5",
        "1.2.3.4",
        "::ffff:1.2.3.256",
        "fe80::1%eth0",
        "[::1]",
        " ::1",
        "1:2:3:4:5:6:7:1.2.3.4",
        "localhost"
      })
  void rejectsBadIp6(String text) {
    assertThat(IpLiterals.parseIp6(text)).isNull();
  }

  @Test
  void randomAddressesRoundTrip() {
    Random random = new Random(9);
    for (int i = 0; i < 2000; i++) {
      byte[] address = new byte[16];
      for (int j = 0; j < 16; j++) {
        // plenty of zero groups to exercise "::"
        address[j] = random.nextInt(3) == 0 ? (byte) random.nextInt(256) : 0;
      }
      String text = IpLiterals.formatIp6(address);
      assertThat(IpLiterals.parseIp6(text)).as(text).isEqualTo(address);
    }
  }
}
