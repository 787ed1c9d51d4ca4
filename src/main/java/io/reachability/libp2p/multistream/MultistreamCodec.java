package io.reachability.libp2p.multistream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.reachability.libp2p.multiformats.MultiformatsException;
import io.reachability.libp2p.multiformats.Varint;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Reads and writes single multistream-select messages: an unsigned varint length, UTF-8 text,
 * {@code '\n'}; the length counts the text and the {@code '\n'}.
 *
 * <pre>
 *   13 2f 6d 75 ... 30 0a      length 19, "/multistream/1.0.0", '\n'
 *   03 6e 61 0a                length 3, "na", '\n'
 * </pre>
 *
 * @see <a href="https://github.com/multiformats/multistream-select#protocol">spec: Protocol (notes
 *     1 and 2)</a>
 */
public final class MultistreamCodec {

  private static final byte NEWLINE = '\n';

  private MultistreamCodec() {}

  /**
   * The length prefix at the reader index, which stays put: {@link Varint#NEED_MORE_BYTES} while
   * incomplete; over {@code max}, malformed, non-minimal or longer than 9 bytes → {@link
   * MultistreamException}. A varint is at most 9 bytes, so nothing is buffered for a hostile
   * prefix.
   */
  private static long peekLength(ByteBuf in, long max) {
    int start = in.readerIndex();
    long length;
    try {
      length = Varint.read(in);
    } catch (MultiformatsException e) {
      throw new MultistreamException("malformed length prefix: " + e.getMessage(), e);
    } finally {
      in.readerIndex(start);
    }
    if (length > max) {
      throw new MultistreamException("length prefix too large: " + length + " bytes, limit " + max);
    }
    return length;
  }

  /**
   * Reads one message at {@code in.readerIndex()}. The length prefix is checked against {@code
   * maxLength} before anything is allocated or waited for.
   *
   * @param maxLength the largest accepted length prefix (text plus {@code '\n'})
   * @return the text without the {@code '\n'}, with the reader index moved past the message; or
   *     {@code null} when the message is not complete yet, with the reader index unchanged
   * @throws MultistreamException when the prefix is malformed, zero or above {@code maxLength}, the
   *     text is empty or not UTF-8, or the message does not end with {@code '\n'}
   */
  public static @Nullable String readMessage(ByteBuf in, int maxLength) {
    long length = peekLength(in, maxLength);
    if (length == Varint.NEED_MORE_BYTES) {
      return null;
    }
    if (length == 0) {
      throw new MultistreamException("empty message: length prefix 0");
    }
    int prefixSize = Varint.encodedLength(length);
    int textLength = (int) length - 1;
    if (in.readableBytes() < prefixSize + length) {
      return null;
    }
    int textStart = in.readerIndex() + prefixSize;
    if (in.getByte(textStart + textLength) != NEWLINE) {
      throw new MultistreamException("message of " + length + " bytes does not end with '\\n'");
    }
    if (textLength == 0) {
      throw new MultistreamException("empty message: only '\\n'");
    }
    String text = decodeUtf8(in, textStart, textLength);
    in.skipBytes(prefixSize + (int) length);
    return text;
  }

  /**
   * Appends one message carrying {@code text}.
   *
   * @throws IllegalArgumentException when {@code text} is empty, contains {@code '\n'} or is longer
   *     than {@link Multistream#MAX_PROTOCOL_ID_LENGTH} UTF-8 bytes
   */
  public static void writeMessage(ByteBuf out, String text) {
    int textLength = checkText(text);
    Varint.write(textLength + 1L, out);
    ByteBufUtil.reserveAndWriteUtf8(out, text, textLength);
    out.writeByte(NEWLINE);
  }

  /**
   * Allocates a buffer holding one message per element of {@code texts}, in order; see {@link
   * #writeMessage}.
   */
  public static ByteBuf encode(ByteBufAllocator alloc, String... texts) {
    int size = 0;
    for (String text : texts) {
      size += encodedSize(checkText(text));
    }
    ByteBuf out = alloc.buffer(size);
    for (String text : texts) {
      writeMessage(out, text);
    }
    return out;
  }

  /**
   * Encodes the answer to {@code ls}: one outer message whose body holds one message per protocol
   * followed by a final {@code '\n'}. Ids that could never be selected (empty, containing {@code
   * '\n'}, too long, or reserved: {@link Multistream#PROTOCOL_ID}, {@link Multistream#NA}, {@link
   * Multistream#LS}) are left out.
   *
   * @return the answer, or {@code null} when its outer length would exceed {@code maxLength}
   * @see <a href="https://github.com/multiformats/multistream-select#ls-example-in-detail">spec: ls
   *     example in detail</a>
   */
  public static @Nullable ByteBuf encodeLsResponse(
      ByteBufAllocator alloc, Collection<String> protocols, int maxLength) {
    List<String> listed = new ArrayList<>();
    long bodyLength = 1; // the final '\n'
    for (String protocol : protocols) {
      if (isSelectable(protocol)) {
        listed.add(protocol);
        bodyLength += encodedSize(ByteBufUtil.utf8Bytes(protocol));
        if (bodyLength > maxLength) {
          return null;
        }
      }
    }
    ByteBuf out = alloc.buffer(Varint.encodedLength(bodyLength) + (int) bodyLength);
    Varint.write(bodyLength, out);
    for (String protocol : listed) {
      writeMessage(out, protocol);
    }
    out.writeByte(NEWLINE);
    return out;
  }

  /**
   * Whether {@code protocol} can be proposed and selected: a message text that fits the limits and
   * is not one of the reserved messages.
   */
  public static boolean isSelectable(@Nullable String protocol) {
    if (protocol == null
        || protocol.isEmpty()
        || protocol.indexOf('\n') >= 0
        || Multistream.PROTOCOL_ID.equals(protocol)
        || Multistream.NA.equals(protocol)
        || Multistream.LS.equals(protocol)) {
      return false;
    }
    return ByteBufUtil.utf8Bytes(protocol) <= Multistream.MAX_PROTOCOL_ID_LENGTH;
  }

  private static int checkText(String text) {
    if (text.isEmpty()) {
      throw new IllegalArgumentException("empty multistream message");
    }
    if (text.indexOf('\n') >= 0) {
      throw new IllegalArgumentException("multistream message contains '\\n'");
    }
    int length = ByteBufUtil.utf8Bytes(text);
    if (length > Multistream.MAX_PROTOCOL_ID_LENGTH) {
      throw new IllegalArgumentException(
          "multistream message of "
              + length
              + " bytes exceeds "
              + Multistream.MAX_PROTOCOL_ID_LENGTH);
    }
    return length;
  }

  private static int encodedSize(int textLength) {
    return Varint.encodedLength(textLength + 1L) + textLength + 1;
  }

  private static String decodeUtf8(ByteBuf in, int index, int length) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(in.nioBuffer(index, length))
          .toString();
    } catch (CharacterCodingException e) {
      throw new MultistreamException("message is not valid UTF-8", e);
    }
  }
}
