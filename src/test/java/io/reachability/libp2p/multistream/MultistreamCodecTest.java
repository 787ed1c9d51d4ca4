package io.reachability.libp2p.multistream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MultistreamCodecTest {

  private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

  /**
   * Builds a buffer from ints (bytes) and Strings (their UTF-8 bytes), so arrays read like the
   * wire.
   */
  static ByteBuf wire(Object... parts) {
    ByteBuf buf = Unpooled.buffer();
    for (Object part : parts) {
      if (part instanceof Integer) {
        buf.writeByte((Integer) part);
      } else {
        buf.writeBytes(((String) part).getBytes(StandardCharsets.UTF_8));
      }
    }
    return buf;
  }

  static byte[] bytesOf(ByteBuf buf) {
    try {
      return ByteBufUtil.getBytes(buf);
    } finally {
      buf.release();
    }
  }

  @Test
  void encodesHeader() {
    ByteBuf expected =
        wire(
            0x13, // length 19
            "/multistream/1.0.0",
            0x0a); // '\n'
    assertThat(bytesOf(MultistreamCodec.encode(ALLOC, Multistream.PROTOCOL_ID)))
        .isEqualTo(bytesOf(expected));
  }

  @Test
  void encodesNaAsInTheSpec() {
    assertThat(bytesOf(MultistreamCodec.encode(ALLOC, Multistream.NA)))
        .containsExactly(
            0x03, // length 3
            'n', 'a', 0x0a); // '\n'
  }

  @Test
  void encodesSeveralMessagesIntoOneBuffer() {
    ByteBuf expected =
        wire(
            0x13, // length 19
            "/multistream/1.0.0\n",
            0x10, // length 16
            "/ipfs/kad/1.0.0\n");
    assertThat(bytesOf(MultistreamCodec.encode(ALLOC, Multistream.PROTOCOL_ID, "/ipfs/kad/1.0.0")))
        .isEqualTo(bytesOf(expected));
  }

  @Test
  void decodesOneMessageAndLeavesTheRest() {
    ByteBuf in =
        wire(
            0x13, // length 19
            "/multistream/1.0.0\n",
            0x03, // length 3
            "na\n",
            0x01,
            0x02); // trailing application bytes
    try {
      assertThat(MultistreamCodec.readMessage(in, Multistream.MAX_MESSAGE_LENGTH))
          .isEqualTo(Multistream.PROTOCOL_ID);
      assertThat(MultistreamCodec.readMessage(in, Multistream.MAX_MESSAGE_LENGTH)).isEqualTo("na");
      assertThat(in.readableBytes()).isEqualTo(2);
    } finally {
      in.release();
    }
  }

  @Test
  void incompleteInputReturnsNullWithoutConsuming() {
    List<ByteBuf> partials =
        List.of(
            wire(), // empty
            wire(0x80), // varint continues
            wire(0x13), // prefix only
            wire(0x13, "/multistream"), // text cut short
            wire(0x13, "/multistream/1.0.0")); // '\n' missing so far
    for (ByteBuf in : partials) {
      try {
        assertThat(MultistreamCodec.readMessage(in, Multistream.MAX_MESSAGE_LENGTH)).isNull();
        assertThat(in.readerIndex()).isZero();
      } finally {
        in.release();
      }
    }
  }

  @Test
  void acceptsExactlyTheMaxLength() {
    String id = "/" + "a".repeat(Multistream.MAX_PROTOCOL_ID_LENGTH - 1);
    ByteBuf in =
        wire(
            0x80, 0x08, // length 1024 (varint)
            id, // 1023 bytes
            0x0a); // '\n'
    try {
      assertThat(MultistreamCodec.readMessage(in, Multistream.MAX_MESSAGE_LENGTH)).isEqualTo(id);
      assertThat(in.isReadable()).isFalse();
    } finally {
      in.release();
    }
  }

  @Test
  void rejectsOneOverTheMaxLengthFromThePrefixAlone() {
    ByteBuf in = wire(0x81, 0x08); // length 1025 (varint), no body needed to refuse
    try {
      assertThatThrownBy(() -> MultistreamCodec.readMessage(in, Multistream.MAX_MESSAGE_LENGTH))
          .isInstanceOf(MultistreamException.class)
          .hasMessageContaining("too large");
    } finally {
      in.release();
    }
  }

  @Test
  void rejectsAHugePrefixBeforeAllocating() {
    ByteBuf in = wire(0xff, 0xff, 0xff, 0x7f); // 268435455 as varint
    try {
      assertThatThrownBy(() -> MultistreamCodec.readMessage(in, Multistream.MAX_MESSAGE_LENGTH))
          .isInstanceOf(MultistreamException.class)
          .hasMessageContaining("too large");
    } finally {
      in.release();
    }
  }

  @Test
  void rejectsNonMinimalVarints() {
    for (ByteBuf in :
        List.of(
            wire(0x80, 0x00), // 0 in two bytes
            wire(0x83, 0x00, "na\n"))) { // 3 in two bytes
      try {
        assertThatThrownBy(() -> MultistreamCodec.readMessage(in, Multistream.MAX_MESSAGE_LENGTH))
            .isInstanceOf(MultistreamException.class)
            .hasMessageContaining("not minimally encoded");
      } finally {
        in.release();
      }
    }
  }

  @Test
  void rejectsVarintsLongerThanNineBytes() {
    ByteBuf in = wire(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01); // 10 bytes
    try {
      assertThatThrownBy(() -> MultistreamCodec.readMessage(in, Integer.MAX_VALUE))
          .isInstanceOf(MultistreamException.class)
          .hasMessageContaining("malformed length prefix");
    } finally {
      in.release();
    }
  }

  @Test
  void rejectsZeroLength() {
    ByteBuf in = wire(0x00); // length 0
    try {
      assertThatThrownBy(() -> MultistreamCodec.readMessage(in, Multistream.MAX_MESSAGE_LENGTH))
          .isInstanceOf(MultistreamException.class)
          .hasMessageContaining("empty");
    } finally {
      in.release();
    }
  }

  @Test
  void rejectsAMessageOfOnlyNewline() {
    ByteBuf in =
        wire(
            0x01, // length 1
            0x0a); // '\n'
    try {
      assertThatThrownBy(() -> MultistreamCodec.readMessage(in, Multistream.MAX_MESSAGE_LENGTH))
          .isInstanceOf(MultistreamException.class)
          .hasMessageContaining("empty");
    } finally {
      in.release();
    }
  }

  @Test
  void rejectsMissingNewline() {
    ByteBuf in =
        wire(
            0x03, // length 3
            "nax"); // 'x' where '\n' belongs
    try {
      assertThatThrownBy(() -> MultistreamCodec.readMessage(in, Multistream.MAX_MESSAGE_LENGTH))
          .isInstanceOf(MultistreamException.class)
          .hasMessageContaining("does not end with");
    } finally {
      in.release();
    }
  }

  @Test
  void rejectsInvalidUtf8() {
    ByteBuf in =
        wire(
            0x03, // length 3
            0xc3, 0x28, // invalid 2-byte sequence
            0x0a); // '\n'
    try {
      assertThatThrownBy(() -> MultistreamCodec.readMessage(in, Multistream.MAX_MESSAGE_LENGTH))
          .isInstanceOf(MultistreamException.class)
          .hasMessageContaining("UTF-8");
    } finally {
      in.release();
    }
  }

  @Test
  void roundTripsNonAsciiIds() {
    ByteBuf buf = MultistreamCodec.encode(ALLOC, "/café/1");
    try {
      assertThat(buf.getByte(0)).isEqualTo((byte) 9); // "/café/1" is 8 UTF-8 bytes, + '\n'
      assertThat(MultistreamCodec.readMessage(buf, Multistream.MAX_MESSAGE_LENGTH))
          .isEqualTo("/café/1");
    } finally {
      buf.release();
    }
  }

  @Test
  void writeAcceptsTheLongestIdAndRefusesLongerOrInvalidText() {
    String longest = "/" + "a".repeat(Multistream.MAX_PROTOCOL_ID_LENGTH - 1);
    ByteBuf buf = MultistreamCodec.encode(ALLOC, longest);
    try {
      assertThat(buf.readableBytes()).isEqualTo(2 + Multistream.MAX_MESSAGE_LENGTH);
    } finally {
      buf.release();
    }
    for (String bad : List.of("", "/a\n/b", longest + "a")) {
      assertThatThrownBy(() -> MultistreamCodec.encode(ALLOC, bad))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void encodesLsResponseAsInTheSpec() {
    ByteBuf list = MultistreamCodec.encodeLsResponse(ALLOC, List.of("/a", "/bc"), 1024);
    assertThat(list).isNotNull();
    assertThat(bytesOf(list))
        .containsExactly(
            0x0a, // outer length 10
            0x03, '/', 'a', '\n', // "/a"
            0x04, '/', 'b', 'c', '\n', // "/bc"
            '\n'); // end of list
  }

  @Test
  void lsResponseLeavesOutIdsThatCannotBeSelected() {
    List<String> protocols =
        new ArrayList<>(List.of("/a", "", "na", "ls", Multistream.PROTOCOL_ID, "/x\n"));
    ByteBuf list = MultistreamCodec.encodeLsResponse(ALLOC, protocols, 1024);
    assertThat(list).isNotNull();
    assertThat(bytesOf(list))
        .containsExactly(
            0x05, // outer length 5
            0x03, '/', 'a', '\n', // "/a"
            '\n'); // end of list
  }

  @Test
  void lsResponseOfNothingIsALoneNewline() {
    ByteBuf list = MultistreamCodec.encodeLsResponse(ALLOC, List.of(), 1024);
    assertThat(list).isNotNull();
    assertThat(bytesOf(list))
        .containsExactly(
            0x01, // outer length 1
            '\n'); // end of list
  }

  @Test
  void lsResponseOverTheLimitIsRefused() {
    // "/a" takes 4 bytes, the final '\n' 1: exactly 5 fits, 4 does not.
    ByteBuf fits = MultistreamCodec.encodeLsResponse(ALLOC, List.of("/a"), 5);
    assertThat(fits).isNotNull();
    fits.release();
    assertThat(MultistreamCodec.encodeLsResponse(ALLOC, List.of("/a"), 4)).isNull();
  }
}
