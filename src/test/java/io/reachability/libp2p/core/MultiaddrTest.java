package io.reachability.libp2p.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reachability.libp2p.multiformats.Multibase;
import io.reachability.libp2p.multiformats.Protocol;
import io.reachability.libp2p.multiformats.Varint;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MultiaddrTest {

  private static final String PEER =
      "QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC"; // go-multiaddr tests
  private static final String ED25519_PEER =
      "12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA"; // peer-ids spec

  private static byte[] hex(String hex) {
    return HexFormat.of().parseHex(hex.replace(" ", ""));
  }

  // text → bytes → text; hex from go-multiaddr multiaddr_test.go (TestStringToBytes,
  // TestBytesToString)
  @ParameterizedTest
  @CsvSource({
    "/ip4/127.0.0.1/udp/1234, 047f000001 910204d2",
    "/ip4/127.0.0.1/tcp/4321, 047f000001 0610e1",
    "/ip4/127.0.0.1/udp/1234/ip4/127.0.0.1/tcp/4321, 047f000001 910204d2 047f000001 0610e1",
    "/onion/aaimaq4ygg2iegci:80, bc03 0010c0439831b4821848 0050",
    "/onion3/vww6ybal4bd7szmgncyruucpgfkqahzddi37ktceo3ah7ngmcopnpyyd:1234,"
        + " bd03 adadec040be047f9658668b11a504f3155001f231a37f54c4476c07fb4cc139ed7e303 04d2",
  })
  void goVectors(String text, String hex) {
    Multiaddr addr = Multiaddr.fromString(text);
    assertThat(addr.toBytes()).isEqualTo(hex(hex));
    assertThat(Multiaddr.fromBytes(hex(hex))).hasToString(text).isEqualTo(addr);
  }

  @Test
  void ip4UdpBytesCommented() {
    // go-multiaddr TestBinaryRepresentation
    byte[] expected = {
      0x04, // ip4
      0x7f,
      0x00,
      0x00,
      0x01, // 127.0.0.1
      (byte) 0x91,
      0x02, // udp (273 as a varint)
      0x04,
      (byte) 0xd2, // port 1234
    };
    assertThat(Multiaddr.fromString("/ip4/127.0.0.1/udp/1234").toBytes()).isEqualTo(expected);
  }

  @Test
  void ip6ZoneBytesCommented() {
    // go-multiaddr TestZone
    byte[] expected = {
      0x2a, // ip6zone
      0x04, // 4 bytes
      'e', 't', 'h', '0', 0x29, // ip6
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, // ::1
    };
    Multiaddr addr = Multiaddr.fromString("/ip6zone/eth0/ip6/::1");
    assertThat(addr.toBytes()).isEqualTo(expected);
    assertThat(Multiaddr.fromBytes(expected)).hasToString("/ip6zone/eth0/ip6/::1");
    assertThat(addr.components())
        .containsExactly(
            new Multiaddr.Component(Protocol.IP6ZONE, "eth0"),
            new Multiaddr.Component(Protocol.IP6, "::1"));
  }

  @Test
  void dnsBytesCommented() {
    byte[] expected = {
      0x36, // dns4
      0x0b, // 11 bytes
      'e',
      'x',
      'a',
      'm',
      'p',
      'l',
      'e',
      '.',
      'c',
      'o',
      'm',
      0x06, // tcp
      0x01,
      (byte) 0xbb, // 443
      (byte) 0xc0,
      0x03, // tls (448)
      (byte) 0xc1,
      0x03, // sni (449)
      0x0b, // 11 bytes
      'e',
      'x',
      'a',
      'm',
      'p',
      'l',
      'e',
      '.',
      'c',
      'o',
      'm',
      (byte) 0xdd,
      0x03, // ws (477)
    };
    Multiaddr addr = Multiaddr.fromString("/dns4/example.com/tcp/443/tls/sni/example.com/ws");
    assertThat(addr.toBytes()).isEqualTo(expected);
    assertThat(Multiaddr.fromBytes(expected)).isEqualTo(addr);
  }

  @Test
  void p2pBytesAndBothTextForms() {
    PeerId peer = PeerId.fromString(ED25519_PEER);
    byte[] multihash = peer.toBytes();
    byte[] expected = new byte[3 + multihash.length];
    expected[0] = (byte) 0xa5; // p2p (421 = 0xa5 0x03)
    expected[1] = 0x03;
    expected[2] = 0x26; // 38 bytes: identity multihash of a 36-byte Ed25519 key
    System.arraycopy(multihash, 0, expected, 3, multihash.length);

    Multiaddr base58 = Multiaddr.fromString("/p2p/" + ED25519_PEER);
    Multiaddr cid = Multiaddr.fromString("/p2p/" + peer.toCidString());
    Multiaddr base36 = Multiaddr.fromString("/ipfs/" + peer.toCidString(Multibase.BASE36));
    assertThat(base58.toBytes()).isEqualTo(expected);
    assertThat(cid).isEqualTo(base58).hasToString("/p2p/" + ED25519_PEER);
    assertThat(base36).isEqualTo(base58);
    assertThat(base58.peerId()).contains(peer);
  }

  // Addresses go-multiaddr accepts (TestConstructSucceeds "good"), minus garlic, http-path and the
  // deprecated p2p-webrtc-direct, which this table leaves out.
  @ParameterizedTest
  @ValueSource(
      strings = {
        "/ip4/1.2.3.4",
        "/ip4/0.0.0.0",
        "/ip4/192.0.2.0/ipcidr/24",
        "/ip6/::1",
        "/ip6/2601:9:4f81:9700:803e:ca65:66e8:c21",
        "/ip6/2601:9:4f81:9700:803e:ca65:66e8:c21/udp/1234/quic",
        "/ip6/2601:9:4f81:9700:803e:ca65:66e8:c21/udp/1234/quic-v1",
        "/ip6/2001:db8::/ipcidr/32",
        "/ip6zone/x/ip6/fe80::1",
        "/ip6zone/x%y/ip6/fe80::1",
        "/ip6zone/x%y/ip6/::",
        "/ip6zone/x/ip6/fe80::1/udp/1234/quic-v1",
        "/onion/timaq4ygg2iegci7:1234",
        "/onion/timaq4ygg2iegci7:80/http",
        "/onion3/vww6ybal4bd7szmgncyruucpgfkqahzddi37ktceo3ah7ngmcopnpyyd:80/http",
        "/udp/0",
        "/tcp/0",
        "/sctp/1234",
        "/udp/65535",
        "/tcp/65535",
        "/ipfs/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC",
        "/ipfs/k2k4r8oqamigqdo6o7hsbfwd45y70oyynp98usk7zmyfrzpqxh1pohl7",
        "/p2p/bafzbeigvf25ytwc3akrijfecaotc74udrhcxzh2cx3we5qqnw5vgrei4bm",
        "/p2p/12D3KooWCryG7Mon9orvQxcS1rYZjotPgpwoJNHHKcLLfE4Hf5mV",
        "/p2p/k51qzi5uqu5dhb6l8spkdx7yxafegfkee5by8h7lmjh2ehc2sgg34z7c15vzqs",
        "/p2p/bafzaajaiaejcalj543iwv2d7pkjt7ykvefrkfu7qjfi6sduakhso4lay6abn2d5u",
        "/udp/1234/sctp/1234",
        "/udp/1234/udt",
        "/udp/1234/utp",
        "/tcp/1234/http",
        "/tcp/1234/tls/http",
        "/tcp/1234/https",
        "/p2p/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC/tcp/1234",
        "/ip4/127.0.0.1/tcp/1234/",
        "/ip4/127.0.0.1/udp/1234/quic-v1/webtransport",
        "/ip4/127.0.0.1/udp/1234/quic-v1/webtransport/certhash/b2uaraocy6yrdblb4sfptaddgimjmmpy",
        "/ip4/127.0.0.1/udp/1234/quic-v1/webtransport/certhash/b2uaraocy6yrdblb4sfptaddgimjmmpy"
            + "/certhash/zQmbWTwYGcmdyK9CYfNBcfs9nhZs17a6FQ4Y8oea278xx41",
        "/unix/a/b/c/d/e",
        "/unix/stdio",
        "/ip4/1.2.3.4/tcp/80/unix/a/b/c/d/e/f",
        "/ip4/127.0.0.1/p2p/QmcgpsyWgH8Y8ajJz1Cu72KnS5uo2Aa2LpzU7kinSupNKC/tcp/1234/unix/stdio",
        "/ip4/127.0.0.1/tcp/127/tls/ws",
        "/ip4/127.0.0.1/tcp/127/noise",
        "/ip4/127.0.0.1/tcp/127/wss",
        "/ip4/127.0.0.1/tcp/127/webrtc-direct",
        "/ip4/127.0.0.1/tcp/127/webrtc",
        "/memory/4",
      })
  void goGoodAddressesParseAndRoundTripThroughBytes(String text) {
    Multiaddr addr = Multiaddr.fromString(text);
    Multiaddr again = Multiaddr.fromBytes(addr.toBytes());
    assertThat(again).isEqualTo(addr);
    assertThat(again.toString()).isEqualTo(addr.toString());
    assertThat(Multiaddr.fromString(addr.toString())).isEqualTo(addr);
  }

  // Canonical text is printed back unchanged: go-multiaddr TestRoundTrip (minus http-path) and
  // more.
  @ParameterizedTest
  @ValueSource(
      strings = {
        "/unix/a/b/c/d",
        "/ip6/::ffff:127.0.0.1/tcp/111",
        "/ip4/127.0.0.1/tcp/123",
        "/ip4/127.0.0.1/tcp/123/tls",
        "/ip4/127.0.0.1/udp/123",
        "/ip4/127.0.0.1/udp/123/ip6/::",
        "/ip4/127.0.0.1/udp/1234/quic-v1/webtransport/certhash/uEiDDq4_xNyDorZBH3TlGazyJdOWSwvo4PUo5YHFMrvDE8g",
        "/p2p/QmbHVEEepCi7rn7VL7Exxpd2Ci9NNB6ifvqwhsrbRMgQFP",
        "/p2p/QmbHVEEepCi7rn7VL7Exxpd2Ci9NNB6ifvqwhsrbRMgQFP/unix/a/b/c",
        "/ip6zone/eth0/ip6/fe80::1/tcp/4001",
        "/dns/example.com/tcp/443/tls/sni/example.com/ws",
        "/dnsaddr/bootstrap.libp2p.io/p2p/" + ED25519_PEER,
        "/ip4/1.2.3.4/tcp/4001/p2p/" + PEER + "/p2p-circuit/p2p/" + ED25519_PEER,
        "/ip4/1.2.3.4/udp/4001/webrtc-direct/certhash/uEiDDq4_xNyDorZBH3TlGazyJdOWSwvo4PUo5YHFMrvDE8g",
        "/dns6/example.com/tcp/443/wss",
        "/ip4/1.2.3.4/tcp/443/https",
      })
  void canonicalTextRoundTrips(String text) {
    assertThat(Multiaddr.fromString(text)).hasToString(text);
  }

  @ParameterizedTest
  @CsvSource({
    "/ip6/2001:0db8:0000:0000:0000:0000:0000:0001/tcp/1, /ip6/2001:db8::1/tcp/1",
    "/ip6/0:0:0:0:0:0:0:1, /ip6/::1",
    "/ip6/::FFFF:7F00:1, /ip6/::ffff:127.0.0.1",
    "/ipfs/" + PEER + ", /p2p/" + PEER,
    "/p2p/k2k4r8oqamigqdo6o7hsbfwd45y70oyynp98usk7zmyfrzpqxh1pohl7, /p2p/" + PEER,
    "/tcp/080, /tcp/80",
    "/ip4/1.2.3.4/tcp/1///, /ip4/1.2.3.4/tcp/1",
    // the same multihash, base32 in (computed with Python base64), base64url out
    "/certhash/bciqmhk4p6e3sb2fnsbd52okgnm6is5hfslbpuob5ji4wa4kmv3ymj4q,"
        + " /certhash/uEiDDq4_xNyDorZBH3TlGazyJdOWSwvo4PUo5YHFMrvDE8g",
  })
  void printsTheCanonicalForm(String input, String canonical) {
    assertThat(Multiaddr.fromString(input)).hasToString(canonical);
    assertThat(Multiaddr.fromString(input)).isEqualTo(Multiaddr.fromString(canonical));
  }

  @Test
  void certhashBytesAreTheMultihash() {
    // a sha2-256 certhash from go-multiaddr TestRoundTrip
    Multiaddr addr =
        Multiaddr.fromString("/certhash/uEiDDq4_xNyDorZBH3TlGazyJdOWSwvo4PUo5YHFMrvDE8g");
    byte[] bytes = addr.toBytes();
    assertThat(bytes[0]).isEqualTo((byte) 0xd2); // certhash (466 = 0xd2 0x03)
    assertThat(bytes[1]).isEqualTo((byte) 0x03);
    assertThat(bytes[2]).isEqualTo((byte) 0x22); // 34 bytes follow
    assertThat(bytes[3]).isEqualTo((byte) 0x12); // sha2-256
    assertThat(bytes[4]).isEqualTo((byte) 0x20); // 32-byte digest
    assertThat(bytes).hasSize(3 + 34);
    assertThat(addr.valueOf(Protocol.CERTHASH))
        .contains("uEiDDq4_xNyDorZBH3TlGazyJdOWSwvo4PUo5YHFMrvDE8g");
  }

  @Test
  void unixPathIsTheRestOfTheText() {
    Multiaddr addr = Multiaddr.fromString("/ip4/1.2.3.4/tcp/80/unix/tmp/p2p.sock");
    assertThat(addr.components())
        .last()
        .isEqualTo(new Multiaddr.Component(Protocol.UNIX, "/tmp/p2p.sock"));
    byte[] bytes = Multiaddr.fromString("/unix/a").toBytes();
    assertThat(bytes)
        .containsExactly(
            0x90, 0x03, // unix (400)
            0x02, // 2 bytes
            '/', 'a');
  }

  // Each must fail with a message naming the problem.
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "''| empty multiaddr",
        "/| empty multiaddr",
        "ip4/1.2.3.4| must begin with /",
        "/ip4/1.2.3/tcp/1| bad ip4 address \"1.2.3\"",
        "/ip4/::1| bad ip4 address \"::1\"",
        "/ip4/fdpsofodsajfdoisa| bad ip4 address",
        "/ip4/localhost/tcp/1| bad ip4 address \"localhost\"",
        "/ip4/1.2.3.4/ipcidr/256| value 256 out of range",
        "/ip6/::/ipcidr/1026| value 1026 out of range",
        "/ip4| missing value for ip4",
        "/ip6| missing value for ip6",
        "/ip6/fe80::1%eth0| bad ip6 address",
        "/ip6zone| missing value for ip6zone",
        "/ip6zone/| missing value for ip6zone",
        "/ip6zone//ip6/fe80::1| empty ip6zone value",
        "/foo| unknown protocol \"foo\"",
        "/ip4/1.2.3.4//tcp/1| unknown protocol \"\"",
        "/tcp| missing value for tcp",
        "/udp/65536| port 65536 out of range",
        "/ip4/1.2.3.4/tcp/70000| port 70000 out of range",
        "/ip4/1.2.3.4/tcp/-1| bad tcp port \"-1\"",
        "/ip4/127.0.0.1/tcp/jfodsajfidosajfoidsa| bad tcp port",
        "/quic/65536| unknown protocol \"65536\"",
        "/udp/1234/udt/1234| unknown protocol \"1234\"",
        "/ip4/127.0.0.1/quic-v1/1234| unknown protocol \"1234\"",
        "/onion/9imaq4ygg2iegci7:80| bad onion address",
        "/onion/aaimaq4ygg2iegci7:80| bad onion address",
        "/onion/timaq4ygg2iegci7:0| onion port 0 out of range",
        "/onion/timaq4ygg2iegci7:-1| bad onion port",
        "/onion/timaq4ygg2iegci7| bad onion address",
        "/onion3/vww6ybal4bd7szmgncyruucpgfkqahzddi37ktceo3ah7ngmcopnpyyd:0| onion3 port 0 out of"
            + " range",
        "/ip4/127.0.0.1/udp/1234/quic-v1/webtransport/certhash| missing value for certhash",
        "/ip4/127.0.0.1/udp/1234/quic-v1/webtransport/certhash/b2uaraocy6yrdblb4sfptaddgimjmmp| bad"
            + " certhash",
        "/certhash/qabc| unsupported multibase prefix 'q'",
        "/ip4/127.0.0.1/ipfs| missing value for p2p",
        "/ip4/127.0.0.1/p2p/tcp| bad p2p peer id \"tcp\"",
        "/unix| missing value for unix",
        "/ip4/1.2.3.4/tcp/80/unix| missing value for unix",
        "/p2p/QmxoHT6iViN5xAjoz1VZ553cL31U9F94ht3QvWR1FrEbZY| bad p2p peer id",
        "/p2p/k2k4r8oqamigqdo6o7hsbfwd45y70oyynp98usk7zmyfrzpqxh1pohl-| bad p2p peer id",
        "/p2p/?unknownmultibase| unsupported multibase prefix '?'",
        "/p2p/k2jmtxwoe2phm1hbqp0e7nufqf6umvuu2e9qd7ana7h411a0haqj6i2z| is not libp2p-key",
        "/p2p/bafkreifoybygix7fh3r3g5rqle3wcnhqldgdg4shzf4k3ulyw3gn7mabt4| is not libp2p-key",
        "/memory/92233720368547758081| memory value 92233720368547758081 out of range",
        "/dns4/| missing value for dns4",
      })
  void invalidTextFailsWithAClearMessage(String text, String problem) {
    assertThatThrownBy(() -> Multiaddr.fromString(text))
        .isInstanceOf(MultiaddrException.class)
        .hasMessageStartingWith("invalid multiaddr \"" + text + "\": ")
        .hasMessageContaining(problem.strip());
  }

  @Test
  void messageFormatExample() {
    assertThatThrownBy(() -> Multiaddr.fromString("/ip4/1.2.3/tcp/1"))
        .hasMessage("invalid multiaddr \"/ip4/1.2.3/tcp/1\": bad ip4 address \"1.2.3\"");
  }

  @Test
  void invalidBytesFailWithAClearMessage() {
    assertThatThrownBy(() -> Multiaddr.fromBytes(new byte[0]))
        .hasMessageEndingWith("empty multiaddr");
    assertThatThrownBy(
            () ->
                Multiaddr.fromBytes(
                    new byte[] {
                      (byte) 0x8f, 0x4e // 9999 as a varint
                    }))
        .isInstanceOf(MultiaddrException.class)
        .hasMessage("invalid multiaddr bytes 8f4e: unknown protocol code 9999");
    assertThatThrownBy(
            () ->
                Multiaddr.fromBytes(
                    new byte[] {
                      0x06, // tcp
                      0x10 // one of two port bytes
                    }))
        .hasMessageEndingWith("truncated value for tcp");
    assertThatThrownBy(
            () ->
                Multiaddr.fromBytes(
                    new byte[] {
                      0x04, // ip4
                      0x7f,
                      0x00,
                      0x00 // three of four address bytes
                    }))
        .hasMessageEndingWith("truncated value for ip4");
    assertThatThrownBy(() -> Multiaddr.fromBytes(new byte[] {(byte) 0x91})) // udp code cut short
        .hasMessageEndingWith("truncated protocol code");
    assertThatThrownBy(
            () ->
                Multiaddr.fromBytes(
                    new byte[] {
                      0x35, // dns
                      (byte) 0x80 // length varint cut short
                    }))
        .hasMessageEndingWith("truncated length for dns");
    assertThatThrownBy(
            () ->
                Multiaddr.fromBytes(
                    new byte[] {
                      0x35, // dns
                      (byte) 0xff,
                      (byte) 0xff,
                      (byte) 0xff,
                      (byte) 0xff,
                      0x07, // claims 2^31 - 1 bytes
                      'a'
                    }))
        .hasMessageEndingWith("truncated value for dns");
    assertThatThrownBy(
            () ->
                Multiaddr.fromBytes(
                    new byte[] {
                      0x35, // dns
                      0x00 // empty name
                    }))
        .hasMessageEndingWith("empty dns value");
    assertThatThrownBy(
            () ->
                Multiaddr.fromBytes(
                    new byte[] {
                      (byte) 0x86,
                      0x00, // tcp's code 6 as a non-minimal varint
                      0x00,
                      0x50 // port 80
                    }))
        .hasMessageEndingWith("varint is not minimally encoded");
    // go-multiaddr TestInvalidP2PAddrBytes: the p2p value is a multihash with a wrong length
    assertThatThrownBy(
            () ->
                Multiaddr.fromBytes(
                    hex(
                        "a503221221c05877cbae039d70a5e600ea02c6f9f2942439285c9e344e26f8d280c850fad6")))
        .isInstanceOf(MultiaddrException.class);
    byte[] tooLong = new byte[Multiaddr.MAX_LENGTH + 1];
    assertThatThrownBy(() -> Multiaddr.fromBytes(tooLong)).hasMessageContaining("too long");
  }

  @Test
  void lengthPrefixOverTheLimitsIsRefusedWithoutAllocating() {
    byte[] prefix = Varint.encode(Long.MAX_VALUE);
    byte[] bytes = new byte[1 + prefix.length];
    bytes[0] = 0x35; // dns
    System.arraycopy(prefix, 0, bytes, 1, prefix.length);
    assertThatThrownBy(() -> Multiaddr.fromBytes(bytes))
        .hasMessageEndingWith("truncated value for dns");
  }

  @Test
  void randomBytesNeverFailUntyped() {
    Random random = new Random(13);
    byte[] seed =
        Multiaddr.fromString(
                "/ip6zone/eth0/ip6/fe80::1/tcp/1/p2p/"
                    + PEER
                    + "/certhash/"
                    + "uEiDDq4_xNyDorZBH3TlGazyJdOWSwvo4PUo5YHFMrvDE8g/dns/x.org/unix/a/b")
            .toBytes();
    for (int i = 0; i < 20_000; i++) {
      byte[] bytes;
      if (random.nextBoolean()) {
        bytes = new byte[random.nextInt(64)];
        random.nextBytes(bytes);
      } else { // mutate a valid address
        bytes = seed.clone();
        for (int n = 1 + random.nextInt(3); n > 0; n--) {
          bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
        }
        bytes = java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length + 1));
      }
      try {
        Multiaddr addr = Multiaddr.fromBytes(bytes);
        assertThat(Multiaddr.fromString(addr.toString())).isEqualTo(addr);
      } catch (MultiaddrException expected) {
        // fine
      }
    }
  }

  @Test
  void randomTextNeverFailsUntyped() {
    Random random = new Random(17);
    String[] pieces = {
      "/",
      "ip4",
      "ip6",
      "tcp",
      "udp",
      "p2p",
      "dns",
      "unix",
      "1.2.3.4",
      "::1",
      "80",
      "x",
      "",
      "certhash",
      "uEiD",
      PEER,
      "quic-v1",
      "ip6zone",
      "%",
      "é"
    };
    for (int i = 0; i < 20_000; i++) {
      StringBuilder text = new StringBuilder();
      for (int n = random.nextInt(8); n > 0; n--) {
        text.append(random.nextInt(4) == 0 ? "" : "/")
            .append(pieces[random.nextInt(pieces.length)]);
      }
      try {
        Multiaddr addr = Multiaddr.fromString(text.toString());
        assertThat(Multiaddr.fromBytes(addr.toBytes())).isEqualTo(addr);
      } catch (MultiaddrException expected) {
        // fine
      }
    }
  }

  @Test
  void helpers() {
    Multiaddr tcp = Multiaddr.fromString("/ip4/1.2.3.4/tcp/4001");
    PeerId peer = PeerId.fromString(ED25519_PEER);
    Multiaddr full = tcp.withPeerId(peer);
    assertThat(full).hasToString("/ip4/1.2.3.4/tcp/4001/p2p/" + ED25519_PEER);
    assertThat(full.peerId()).contains(peer);
    assertThat(full.withoutPeerId()).isEqualTo(tcp);
    assertThat(tcp.withoutPeerId()).isSameAs(tcp);
    assertThat(tcp.peerId()).isEmpty();
    assertThat(full.withPeerId(PeerId.fromString(PEER)))
        .hasToString("/ip4/1.2.3.4/tcp/4001/p2p/" + PEER);
    assertThat(tcp.encapsulate(Multiaddr.fromString("/p2p/" + ED25519_PEER))).isEqualTo(full);
    assertThat(full.has(Protocol.TCP)).isTrue();
    assertThat(full.has(Protocol.UDP)).isFalse();
    assertThat(full.valueOf(Protocol.TCP)).contains("4001");
    assertThat(full.valueOf(Protocol.IP4)).contains("1.2.3.4");
    assertThat(full.valueOf(Protocol.P2P)).contains(ED25519_PEER);
    assertThat(full.valueOf(Protocol.DNS)).isEmpty();
    assertThat(Multiaddr.fromString("/ip4/1.2.3.4/udp/1/quic-v1").valueOf(Protocol.QUIC_V1))
        .contains("");
    assertThat(full.components())
        .extracting(Multiaddr.Component::protocol)
        .containsExactly(Protocol.IP4, Protocol.TCP, Protocol.P2P);
    assertThat(full.components()).isUnmodifiable();

    Multiaddr bare = Multiaddr.fromString("/p2p/" + ED25519_PEER);
    assertThat(bare.withoutPeerId().isEmpty()).isTrue();
    assertThat(bare.withoutPeerId()).hasToString("");
    assertThat(bare.withoutPeerId().withPeerId(peer)).isEqualTo(bare);
  }

  @Test
  void peerIdIsTheTrailingP2pOnly() {
    Multiaddr relayed =
        Multiaddr.fromString("/ip4/1.2.3.4/tcp/1/p2p/" + PEER + "/p2p-circuit/p2p/" + ED25519_PEER);
    assertThat(relayed.peerId()).contains(PeerId.fromString(ED25519_PEER));
    assertThat(relayed.withoutPeerId())
        .hasToString("/ip4/1.2.3.4/tcp/1/p2p/" + PEER + "/p2p-circuit");
    // a circuit address without a target names the relay, not a peer to reach
    assertThat(relayed.withoutPeerId().peerId()).isEmpty();
  }

  @Test
  void equalityIsOnBytes() {
    Multiaddr a = Multiaddr.fromString("/ip6/0:0::1/tcp/01");
    Multiaddr b = Multiaddr.fromString("/ip6/::1/tcp/1");
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a).isNotEqualTo(Multiaddr.fromString("/ip6/::1/tcp/2"));
    byte[] bytes = a.toBytes();
    bytes[1] = 9;
    assertThat(a).isEqualTo(b); // toBytes is a copy
  }

  @Test
  void socketAddressConversions() throws Exception {
    InetSocketAddress v4 =
        new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 4001);
    assertThat(Multiaddr.fromSocketAddress(v4)).hasToString("/ip4/127.0.0.1/tcp/4001");
    assertThat(Multiaddr.fromString("/ip4/127.0.0.1/tcp/4001").toTcpSocketAddress()).contains(v4);
    assertThat(Multiaddr.fromString("/ip4/127.0.0.1/tcp/4001/p2p/" + PEER).toTcpSocketAddress())
        .contains(v4);

    byte[] loopback6 = new byte[16];
    loopback6[15] = 1;
    InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByAddress(loopback6), 80);
    assertThat(Multiaddr.fromSocketAddress(v6)).hasToString("/ip6/::1/tcp/80");
    assertThat(Multiaddr.fromString("/ip6/::1/tcp/80").toTcpSocketAddress()).contains(v6);

    byte[] linkLocal = new byte[16];
    linkLocal[0] = (byte) 0xfe;
    linkLocal[1] = (byte) 0x80;
    linkLocal[15] = 1;
    InetSocketAddress scoped =
        new InetSocketAddress(Inet6Address.getByAddress(null, linkLocal, 3), 80);
    Multiaddr zoned = Multiaddr.fromSocketAddress(scoped);
    assertThat(zoned).hasToString("/ip6zone/3/ip6/fe80::1/tcp/80");
    assertThat(zoned.toTcpSocketAddress()).contains(scoped);

    assertThat(Multiaddr.fromSocketAddress(InetSocketAddress.createUnresolved("example.com", 443)))
        .hasToString("/dns/example.com/tcp/443");

    for (String text :
        List.of(
            "/dns4/example.com/tcp/80", // never resolved
            "/ip4/1.2.3.4/udp/80",
            "/ip4/1.2.3.4/tcp/80/ws",
            "/ip4/1.2.3.4",
            "/tcp/80",
            "/ip6zone/x/ip4/1.2.3.4/tcp/80",
            "/ip6zone/no-such-interface-here/ip6/fe80::1/tcp/80",
            "/p2p/" + PEER)) {
      assertThat(Multiaddr.fromString(text).toTcpSocketAddress()).as(text).isEmpty();
    }
  }

  @Test
  void quicSocketAddressConversions() throws Exception {
    InetSocketAddress v4 =
        new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 4001);
    Multiaddr quic = Multiaddr.fromQuicSocketAddress(v4);
    assertThat(quic).hasToString("/ip4/127.0.0.1/udp/4001/quic-v1");
    assertThat(quic.isQuic()).isTrue();
    assertThat(quic.toQuicSocketAddress()).contains(v4);
    assertThat(quic.toIpSocketAddress()).contains(v4);
    assertThat(quic.toTcpSocketAddress()).isEmpty();
    assertThat(Multiaddr.fromString("/ip4/127.0.0.1/udp/4001/quic-v1/p2p/" + PEER).isQuic())
        .isTrue();
    Multiaddr tcp = Multiaddr.fromString("/ip4/127.0.0.1/tcp/4001");
    assertThat(tcp.isQuic()).isFalse();
    assertThat(tcp.toIpSocketAddress()).contains(v4);

    byte[] loopback6 = new byte[16];
    loopback6[15] = 1;
    InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByAddress(loopback6), 443);
    assertThat(Multiaddr.fromQuicSocketAddress(v6)).hasToString("/ip6/::1/udp/443/quic-v1");
    assertThat(Multiaddr.fromString("/ip6/::1/udp/443/quic-v1").toQuicSocketAddress()).contains(v6);

    for (String text :
        List.of(
            "/ip4/1.2.3.4/udp/80", // plain UDP
            "/ip4/1.2.3.4/udp/80/quic", // draft-29
            "/ip4/1.2.3.4/udp/80/quic-v1/webtransport",
            "/dns4/example.com/udp/80/quic-v1", // never resolved
            "/ip4/1.2.3.4/tcp/80",
            "/udp/80/quic-v1")) {
      assertThat(Multiaddr.fromString(text).toQuicSocketAddress()).as(text).isEmpty();
      assertThat(Multiaddr.fromString(text).isQuic()).as(text).isFalse();
    }
  }

  @Test
  void textLengthIsBounded() {
    String text = "/dns/" + "a".repeat(Multiaddr.MAX_TEXT_LENGTH);
    assertThatThrownBy(() -> Multiaddr.fromString(text)).hasMessageContaining("too long");
    String longName = "/dns/" + "a".repeat(Protocol.MAX_NAME_LENGTH + 1);
    assertThatThrownBy(() -> Multiaddr.fromString(longName)).hasMessageContaining("too long");
    assertThat(Multiaddr.fromString("/dns/" + "a".repeat(Protocol.MAX_NAME_LENGTH))).isNotNull();
  }

  @org.junit.jupiter.api.Test
  void unixPathMustBeLast() {
    // /unix "/a" then /tcp/1: its text "/unix/a/tcp/1" would parse back as the one path "/a/tcp/1"
    byte[] bytes = {(byte) 0x90, 0x03, 0x02, '/', 'a', 0x06, 0x00, 0x01};
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Multiaddr.fromBytes(bytes))
        .isInstanceOf(MultiaddrException.class)
        .hasMessageContaining("/unix must be the last component");
    Multiaddr unix = Multiaddr.fromString("/unix/tmp/sock");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> unix.encapsulate(Multiaddr.fromString("/tcp/1")))
        .isInstanceOf(MultiaddrException.class);
  }

  @Test
  void theFirstDnsComponentIsReplacedByTheResolvedIp() throws Exception {
    Multiaddr named = Multiaddr.fromString("/dns4/example.test/tcp/4001/p2p/" + PEER);
    assertThat(named.isDns()).isTrue();
    assertThat(Multiaddr.fromString("/ip4/1.2.3.4/tcp/1").isDns()).isFalse();
    assertThat(Multiaddr.fromString("/dnsaddr/example.test").isDns()).isTrue();
    assertThat(named.withoutFirst()).hasToString("/tcp/4001/p2p/" + PEER);
    assertThat(Multiaddr.fromString("/dnsaddr/example.test").withoutFirst()).isNull();
    assertThat(named.withFirstReplacedBy(InetAddress.getByName("10.0.0.1")))
        .isEqualTo(Multiaddr.fromString("/ip4/10.0.0.1/tcp/4001/p2p/" + PEER));
    assertThat(named.withFirstReplacedBy(InetAddress.getByName("2001:db8::1")))
        .isEqualTo(Multiaddr.fromString("/ip6/2001:db8::1/tcp/4001/p2p/" + PEER));
  }

  @Test
  void endsWithComparesWholeComponents() {
    Multiaddr address = Multiaddr.fromString("/ip4/1.2.3.4/tcp/4001/p2p/" + PEER);
    assertThat(address.endsWith(null)).isTrue();
    assertThat(address.endsWith(Multiaddr.fromString("/p2p/" + PEER))).isTrue();
    assertThat(address.endsWith(Multiaddr.fromString("/tcp/4001/p2p/" + PEER))).isTrue();
    assertThat(address.endsWith(address)).isTrue();
    assertThat(address.endsWith(Multiaddr.fromString("/tcp/4002/p2p/" + PEER))).isFalse();
    assertThat(Multiaddr.fromString("/ip4/1.2.3.4/tcp/4001").endsWith(address)).isFalse();
  }
}
