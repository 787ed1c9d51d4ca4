package io.reachability.autonat;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufInputStream;
import io.reachability.autonat.pb.AutonatV2Protos;
import io.reachability.libp2p.Libp2pException;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.multiformats.Varint;
import java.io.IOException;
import java.util.List;

/**
 * Wire helpers shared by client and server: every AutoNAT v2 message is an unsigned-varint length
 * prefix followed by the protobuf. Framing on the way in is {@link
 * io.reachability.libp2p.multiformats.UvarintFrameDecoder} with {@link AutonatV2#MAX_MESSAGE_SIZE}
 * (dial-request) or {@link AutonatV2#MAX_DIAL_BACK_MESSAGE_SIZE} (dial-back); these parse a frame.
 */
public final class AutonatMessages {

  private AutonatMessages() {}

  /** One length-prefixed message, ready to write. */
  public static ByteBuf frame(ByteBufAllocator alloc, MessageLite message) {
    return frame(alloc, message.toByteArray());
  }

  /**
   * An already serialised message with its length prefix (the client reuses one dial-data chunk).
   */
  public static ByteBuf frame(ByteBufAllocator alloc, byte[] message) {
    ByteBuf out = alloc.buffer(Varint.encodedLength(message.length) + message.length);
    Varint.write(message.length, out);
    return out.writeBytes(message);
  }

  /** Parses a dial-request stream frame; does not release it. */
  public static AutonatV2Protos.Message parseMessage(ByteBuf frame) {
    try {
      // straight from the buffer: a stream would copy every dial-data chunk twice more
      return AutonatV2Protos.Message.parseFrom(frame.nioBuffer());
    } catch (InvalidProtocolBufferException e) {
      throw new Libp2pException("malformed AutoNAT v2 message: " + e.getMessage(), e);
    }
  }

  /**
   * Parses a dial-request stream frame whose {@code bytes} fields share the frame's memory instead
   * of being copied (profiled: copying every dial-data chunk was the largest allocation of a server
   * asking for dial data). The message is valid only until the frame is released: read it, never
   * keep it.
   */
  public static AutonatV2Protos.Message parseTransientMessage(ByteBuf frame) {
    try {
      CodedInputStream in = CodedInputStream.newInstance(frame.nioBuffer());
      in.enableAliasing(true);
      return AutonatV2Protos.Message.parseFrom(in);
    } catch (IOException e) {
      throw new Libp2pException("malformed AutoNAT v2 message: " + e.getMessage(), e);
    }
  }

  /** Parses a dial-back stream frame; does not release it. */
  public static AutonatV2Protos.DialBack parseDialBack(ByteBuf frame) {
    try (ByteBufInputStream in = new ByteBufInputStream(frame.duplicate())) {
      return AutonatV2Protos.DialBack.parseFrom(in);
    } catch (IOException e) {
      throw new Libp2pException("malformed DialBack: " + e.getMessage(), e);
    }
  }

  /** Parses a DialBackResponse frame; does not release it. */
  public static AutonatV2Protos.DialBackResponse parseDialBackResponse(ByteBuf frame) {
    try (ByteBufInputStream in = new ByteBufInputStream(frame.duplicate())) {
      return AutonatV2Protos.DialBackResponse.parseFrom(in);
    } catch (IOException e) {
      throw new Libp2pException("malformed DialBackResponse: " + e.getMessage(), e);
    }
  }

  /** {@code Message{dialRequest{addrs, nonce}}}: the addresses as given, in order, as bytes. */
  static AutonatV2Protos.Message dialRequest(List<Multiaddr> addresses, long nonce) {
    AutonatV2Protos.DialRequest.Builder request =
        AutonatV2Protos.DialRequest.newBuilder().setNonce(nonce);
    for (Multiaddr address : addresses) {
      request.addAddrs(ByteString.copyFrom(address.toBytes()));
    }
    return AutonatV2Protos.Message.newBuilder().setDialRequest(request).build();
  }

  /** {@code Message{dialDataResponse{data: size zero bytes}}}, serialised. */
  static byte[] dialDataMessage(int size) {
    return AutonatV2Protos.Message.newBuilder()
        .setDialDataResponse(
            AutonatV2Protos.DialDataResponse.newBuilder()
                .setData(ByteString.copyFrom(new byte[size])))
        .build()
        .toByteArray();
  }
}
