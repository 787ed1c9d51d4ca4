package io.reachability.libp2p.kad;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import io.netty.buffer.ByteBuf;
import io.reachability.libp2p.Libp2pException;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.MultiaddrException;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.core.PeerIdException;
import io.reachability.libp2p.kad.pb.KadProtos;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/** Builds our {@code FIND_NODE} requests and reads the answers, within {@link Kad}'s limits. */
public final class KadMessages {

  /** The multihash code of sha2-256 and its digest length: a random key looks like a peer id. */
  private static final byte SHA2_256 = 0x12;

  private KadMessages() {}

  /** {@code Message{type: FIND_NODE, key}}. */
  public static KadProtos.Message findNode(byte[] key) {
    return KadProtos.Message.newBuilder()
        .setType(KadProtos.Message.MessageType.FIND_NODE)
        .setKey(ByteString.copyFrom(key))
        .build();
  }

  /** A random {@code FIND_NODE} key: a sha2-256 multihash of random bytes, as a peer id is. */
  public static byte[] randomKey(RandomGenerator random) {
    byte[] key = new byte[2 + Kad.RANDOM_KEY_DIGEST_LENGTH];
    key[0] = SHA2_256;
    key[1] = (byte) Kad.RANDOM_KEY_DIGEST_LENGTH;
    for (int i = 2; i < key.length; i++) {
      key[i] = (byte) random.nextInt();
    }
    return key;
  }

  /**
   * The closer peers of a {@code FIND_NODE} answer: at most {@link Kad#K}, each once, each with at
   * most {@link Kad#MAX_ADDRESSES_PER_PEER} addresses. A peer whose id does not parse is skipped,
   * as is an address that does not; an answer of another type is an error.
   */
  public static List<KadPeer> closerPeers(ByteBuf frame) {
    KadProtos.Message message;
    try {
      CodedInputStream in = CodedInputStream.newInstance(frame.nioBuffer());
      message = KadProtos.Message.parseFrom(in);
    } catch (IOException e) {
      throw new Libp2pException("malformed DHT message: " + e.getMessage(), e);
    }
    if (message.getType() != KadProtos.Message.MessageType.FIND_NODE) {
      throw new Libp2pException("DHT answer of type " + message.getTypeValue() + ", not FIND_NODE");
    }
    Map<PeerId, KadPeer> peers = new LinkedHashMap<>();
    for (KadProtos.Message.Peer peer : message.getCloserPeersList()) {
      if (peers.size() == Kad.K) {
        break;
      }
      PeerId id;
      try {
        id = PeerId.fromBytes(peer.getId().toByteArray());
      } catch (PeerIdException e) {
        continue;
      }
      List<Multiaddr> addresses = new ArrayList<>();
      for (ByteString bytes : peer.getAddrsList()) {
        if (addresses.size() == Kad.MAX_ADDRESSES_PER_PEER) {
          break;
        }
        try {
          addresses.add(Multiaddr.fromBytes(bytes.toByteArray()).withoutPeerId());
        } catch (MultiaddrException e) {
          // an address of a protocol we do not know, or garbage: the others still count
        }
      }
      peers.putIfAbsent(id, new KadPeer(id, addresses));
    }
    return List.copyOf(peers.values());
  }
}
