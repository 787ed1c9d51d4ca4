package io.reachability.libp2p.identify;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.reachability.libp2p.Libp2pException;
import io.reachability.libp2p.core.Connection;
import io.reachability.libp2p.core.Direction;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.core.MultiaddrException;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.core.ProtocolHandler;
import io.reachability.libp2p.core.Stream;
import io.reachability.libp2p.crypto.Keys;
import io.reachability.libp2p.crypto.PublicKey;
import io.reachability.libp2p.identify.pb.IdentifyProtos;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * An identify message from a peer, parsed as the reader does (protobuf, then {@code toResult}).
 * Malformed protobuf and a key that is not the connection's are typed refusals; each address either
 * parses or is skipped with nothing but a MultiaddrException. (Framing:
 * UvarintFrameDecoderFuzzTest.)
 */
class IdentifyFuzzTest {

  /**
   * The connection's peer, whose marshalled key a seed carries so the accepting path is reached
   * too.
   */
  static final PublicKey PEER_KEY = Keys.ed25519FromSeed(new byte[32]).publicKey();

  private static final Connection CONNECTION =
      new StubConnection(PeerId.fromPublicKey(PEER_KEY.marshal()));

  @FuzzTest(maxDuration = "10s")
  void message(byte[] data) {
    if (data.length > Identify.MAX_MESSAGE_SIZE) {
      return; // the framing refuses it before it is parsed
    }
    IdentifyProtos.Identify message;
    try {
      message = IdentifyProtos.Identify.parseFrom(data);
    } catch (InvalidProtocolBufferException e) {
      return;
    }
    // toResult skips unparsable addresses by catching RuntimeException, which would hide a bug in
    // the
    // address parser: parse them here first, where only MultiaddrException is allowed
    List<Multiaddr> parsed = new ArrayList<>();
    for (ByteString bytes : message.getListenAddrsList()) {
      parseAddress(bytes.toByteArray(), parsed);
    }
    List<Multiaddr> observed = new ArrayList<>();
    if (message.hasObservedAddr()) {
      parseAddress(message.getObservedAddr().toByteArray(), observed);
    }
    IdentifyResult result;
    try {
      result = IdentifyService.toResult(CONNECTION, message);
    } catch (Libp2pException e) {
      // only a key that is not the connection's peer is refused
      assertThat(message.hasPublicKey()).isTrue();
      return;
    }
    assertThat(result.peer()).isEqualTo(CONNECTION.remotePeer());
    assertThat(result.listenAddresses()).isEqualTo(parsed);
    assertThat(result.observedAddress()).isEqualTo(observed.isEmpty() ? null : observed.get(0));
    assertThat(result.protocols()).isEqualTo(message.getProtocolsList());
  }

  private static void parseAddress(byte[] bytes, List<Multiaddr> into) {
    try {
      Multiaddr addr = Multiaddr.fromBytes(bytes);
      assertThat(addr.toBytes()).isEqualTo(bytes);
      into.add(addr);
    } catch (MultiaddrException e) {
      // skipped, as toResult does
    }
  }

  /** A connection that only knows its peer: all toResult asks of it. */
  private static final class StubConnection implements Connection {
    private final PeerId peer;

    StubConnection(PeerId peer) {
      this.peer = peer;
    }

    @Override
    public PeerId remotePeer() {
      return peer;
    }

    @Override
    public String securityProtocol() {
      throw new UnsupportedOperationException();
    }

    @Override
    public String muxerProtocol() {
      throw new UnsupportedOperationException();
    }

    @Override
    public PublicKey remotePublicKey() {
      return PEER_KEY;
    }

    @Override
    public Multiaddr localAddress() {
      throw new UnsupportedOperationException();
    }

    @Override
    public Multiaddr remoteAddress() {
      throw new UnsupportedOperationException();
    }

    @Override
    public long openedAtNanos() {
      return 0;
    }

    @Override
    public Direction direction() {
      throw new UnsupportedOperationException();
    }

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public CompletableFuture<Stream> newStream(List<String> protocols, ProtocolHandler handler) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<Void> close() {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> closeFuture() {
      return new CompletableFuture<>();
    }
  }
}
