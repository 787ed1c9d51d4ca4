package io.reachability.libp2p.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.crypto.Keys;
import io.reachability.libp2p.crypto.PrivateKey;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Two handshake handlers on EmbeddedChannels, bytes pumped between them by hand. */
class NoiseHandshakeHandlerTest {

  private static final Duration TIMEOUT = Noise.DEFAULT_HANDSHAKE_TIMEOUT;

  private final PrivateKey clientKey = Keys.generateEd25519();
  private final PrivateKey serverKey = Keys.generateEd25519();
  private final List<ByteBuf> injected = new ArrayList<>();
  private final List<EmbeddedChannel> channels = new ArrayList<>();

  private static PeerId peerIdOf(PrivateKey key) {
    return PeerId.fromPublicKey(key.publicKey().marshal());
  }

  private EmbeddedChannel channel(NoiseHandshakeHandler handler) {
    EmbeddedChannel channel = new EmbeddedChannel(handler);
    channels.add(channel);
    return channel;
  }

  @AfterEach
  void noLeaks() {
    for (EmbeddedChannel channel : channels) {
      channel.finishAndReleaseAll();
    }
    for (ByteBuf buf : injected) {
      assertThat(buf.refCnt()).as("an input buffer was not released").isZero();
    }
  }

  /**
   * Moves everything {@code from} wrote into {@code to}, as one buffer; returns whether anything
   * moved.
   */
  private boolean pump(EmbeddedChannel from, EmbeddedChannel to) {
    CompositeByteBuf all = Unpooled.compositeBuffer();
    for (Object msg; (msg = from.readOutbound()) != null; ) {
      all.addComponent(true, (ByteBuf) msg);
    }
    if (!all.isReadable()) {
      all.release();
      return false;
    }
    injected.add(all);
    if (to.isOpen()) {
      to.writeInbound(all);
    } else {
      all.release();
    }
    return true;
  }

  private void pumpUntilQuiet(EmbeddedChannel a, EmbeddedChannel b) {
    boolean moved;
    do {
      moved = pump(a, b) | pump(b, a);
    } while (moved);
  }

  private void inject(EmbeddedChannel to, byte[] bytes) {
    ByteBuf buf = Unpooled.wrappedBuffer(bytes);
    injected.add(buf);
    to.writeInbound(buf);
  }

  private static byte[] readAll(EmbeddedChannel channel) {
    ByteBuf all = Unpooled.buffer();
    for (Object msg; (msg = channel.readInbound()) != null; ) {
      ByteBuf buf = (ByteBuf) msg;
      all.writeBytes(buf);
      buf.release();
    }
    byte[] bytes = ByteBufUtil.getBytes(all);
    all.release();
    return bytes;
  }

  private static Throwable failureOf(CompletableFuture<?> future) {
    assertThat(future).isCompletedExceptionally();
    return assertThatThrownBy(future::join)
        .isInstanceOf(CompletionException.class)
        .actual()
        .getCause();
  }

  @Test
  void handshakeThenEncryptedDataBothWays() {
    NoiseHandshakeHandler clientHandler =
        new NoiseHandshakeHandler(clientKey, true, peerIdOf(serverKey), TIMEOUT);
    NoiseHandshakeHandler serverHandler =
        new NoiseHandshakeHandler(serverKey, false, null, TIMEOUT);
    EmbeddedChannel client = channel(clientHandler);
    EmbeddedChannel server = channel(serverHandler);

    pumpUntilQuiet(client, server);

    SecureSession atClient = clientHandler.result().join();
    SecureSession atServer = serverHandler.result().join();
    assertThat(atClient.remotePeer()).isEqualTo(peerIdOf(serverKey));
    assertThat(atClient.remotePublicKey().marshal()).isEqualTo(serverKey.publicKey().marshal());
    assertThat(atServer.remotePeer()).isEqualTo(peerIdOf(clientKey));
    for (EmbeddedChannel channel : List.of(client, server)) {
      assertThat(channel.pipeline().get(NoiseHandshakeHandler.class)).isNull();
      assertThat(channel.pipeline().get(NoiseTransportCodec.NAME))
          .isInstanceOf(NoiseTransportCodec.class);
    }

    client.writeOutbound(Unpooled.copiedBuffer("ping", StandardCharsets.UTF_8));
    pump(client, server);
    assertThat(new String(readAll(server), StandardCharsets.UTF_8)).isEqualTo("ping");
    server.writeOutbound(Unpooled.copiedBuffer("pong", StandardCharsets.UTF_8));
    pump(server, client);
    assertThat(new String(readAll(client), StandardCharsets.UTF_8)).isEqualTo("pong");
  }

  @Test
  void oneMebibyteWriteIsSplitIntoFramesAndReassembled() {
    NoiseHandshakeHandler clientHandler = new NoiseHandshakeHandler(clientKey, true, null, TIMEOUT);
    NoiseHandshakeHandler serverHandler =
        new NoiseHandshakeHandler(serverKey, false, null, TIMEOUT);
    EmbeddedChannel client = channel(clientHandler);
    EmbeddedChannel server = channel(serverHandler);
    pumpUntilQuiet(client, server);

    byte[] data = new byte[1 << 20];
    new Random(4).nextBytes(data);
    client.writeOutbound(Unpooled.wrappedBuffer(data));
    ByteBuf wire = client.readOutbound();
    // 16 full frames of 65519 plaintext bytes and one of the remaining 2 ^ 20 - 16 * 65519 = 96
    // bytes
    int frames = 0;
    for (int i = wire.readerIndex(); i < wire.writerIndex(); i += 2 + wire.getUnsignedShort(i)) {
      assertThat(wire.getUnsignedShort(i)).isLessThanOrEqualTo(Noise.MAX_FRAME_LENGTH);
      frames++;
    }
    assertThat(frames).isEqualTo(17);
    assertThat(wire.readableBytes()).isEqualTo(data.length + 17 * (2 + Noise.TAG_LENGTH));
    injected.add(wire);
    server.writeInbound(wire);
    assertThat(readAll(server)).isEqualTo(data);
  }

  @Test
  void handshakeCompletesWhenBytesArriveOneAtATime() {
    NoiseHandshakeHandler clientHandler = new NoiseHandshakeHandler(clientKey, true, null, TIMEOUT);
    NoiseHandshakeHandler serverHandler =
        new NoiseHandshakeHandler(serverKey, false, null, TIMEOUT);
    EmbeddedChannel client = channel(clientHandler);
    EmbeddedChannel server = channel(serverHandler);
    boolean moved;
    do {
      moved = trickle(client, server) | trickle(server, client);
    } while (moved);
    assertThat(clientHandler.result()).isCompleted();
    assertThat(serverHandler.result()).isCompleted();
  }

  private boolean trickle(EmbeddedChannel from, EmbeddedChannel to) {
    boolean moved = false;
    for (Object msg; (msg = from.readOutbound()) != null; ) {
      byte[] bytes = ByteBufUtil.getBytes((ByteBuf) msg);
      ((ByteBuf) msg).release();
      for (byte b : bytes) {
        inject(to, new byte[] {b});
      }
      moved = true;
    }
    return moved;
  }

  @Test
  void bytesBehindTheLastHandshakeMessageReachTheNextHandlers() {
    NoiseHandshakeHandler clientHandler = new NoiseHandshakeHandler(clientKey, true, null, TIMEOUT);
    NoiseHandshakeHandler serverHandler =
        new NoiseHandshakeHandler(serverKey, false, null, TIMEOUT);
    EmbeddedChannel client = channel(clientHandler);
    EmbeddedChannel server = channel(serverHandler);
    List<String> seenByNextHandler = new ArrayList<>();
    // like the upgrader: the listener installs the next handler synchronously when the result
    // completes
    serverHandler
        .result()
        .thenAccept(
            session ->
                server
                    .pipeline()
                    .addLast(
                        new ChannelInboundHandlerAdapter() {
                          @Override
                          public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            ByteBuf buf = (ByteBuf) msg;
                            seenByNextHandler.add(buf.toString(StandardCharsets.UTF_8));
                            buf.release();
                          }
                        }));
    // the client writes as soon as its side is done, the way multistream does
    clientHandler
        .result()
        .thenAccept(
            session ->
                client.writeAndFlush(
                    Unpooled.copiedBuffer("/multistream/1.0.0\n", StandardCharsets.UTF_8)));

    pump(client, server); // -> e
    pump(
        server,
        client); // <- e, ee, s, es; the client completes and sends message 3 and its first data
    assertThat(clientHandler.result()).isCompleted();
    assertThat(serverHandler.result()).isNotDone();
    pump(client, server); // message 3 and the data frame in one read
    assertThat(serverHandler.result()).isCompleted();
    assertThat(seenByNextHandler).containsExactly("/multistream/1.0.0\n");
  }

  @Test
  void writesBeforeTheHandshakeCompletesAreRefused() {
    EmbeddedChannel client = channel(new NoiseHandshakeHandler(clientKey, true, null, TIMEOUT));
    ByteBuf message1 = client.readOutbound(); // the handler's own message 1 goes out
    message1.release();
    ChannelFuture write =
        client.writeAndFlush(Unpooled.copiedBuffer("secret", StandardCharsets.UTF_8));
    assertThat(write.cause()).isInstanceOf(NoiseException.class);
    assertThat(client.outboundMessages()).isEmpty();
  }

  @Test
  void wrongExpectedPeerFailsAndCloses() {
    PeerId someoneElse = peerIdOf(Keys.generateEd25519());
    NoiseHandshakeHandler clientHandler =
        new NoiseHandshakeHandler(clientKey, true, someoneElse, TIMEOUT);
    NoiseHandshakeHandler serverHandler =
        new NoiseHandshakeHandler(serverKey, false, null, TIMEOUT);
    EmbeddedChannel client = channel(clientHandler);
    EmbeddedChannel server = channel(serverHandler);
    pumpUntilQuiet(client, server);

    assertThat(failureOf(clientHandler.result()))
        .isInstanceOf(NoiseException.class)
        .hasMessage("peer id mismatch: expected " + someoneElse + ", got " + peerIdOf(serverKey));
    assertThat(client.isOpen()).isFalse();
    client.checkException(); // nothing escaped into the pipeline
    // the server never gets message 3; closing its side fails its handshake too
    server.close();
    assertThat(failureOf(serverHandler.result())).isInstanceOf(NoiseException.class);
  }

  @Test
  void payloadSignedOverAnotherStaticKeyFails() {
    // the server's payload vouches for a static key that is not the one it uses in the handshake
    X25519KeyPair usedStatic = X25519KeyPair.generate(NoiseIdentity.RANDOM);
    X25519KeyPair signedStatic = X25519KeyPair.generate(NoiseIdentity.RANDOM);
    NoiseIdentity lying =
        NoiseIdentity.of(usedStatic, HandshakePayload.create(serverKey, signedStatic.publicKey()));
    NoiseHandshakeHandler clientHandler = new NoiseHandshakeHandler(clientKey, true, null, TIMEOUT);
    NoiseHandshakeHandler serverHandler = new NoiseHandshakeHandler(lying, false, null, TIMEOUT);
    EmbeddedChannel client = channel(clientHandler);
    EmbeddedChannel server = channel(serverHandler);
    pumpUntilQuiet(client, server);

    assertThat(failureOf(clientHandler.result()))
        .isInstanceOf(NoiseException.class)
        .hasMessageContaining("does not verify");
    assertThat(client.isOpen()).isFalse();
    client.checkException();
  }

  @Test
  void initiatorWithABadSignatureIsRejectedByTheResponder() {
    X25519KeyPair usedStatic = X25519KeyPair.generate(NoiseIdentity.RANDOM);
    NoiseIdentity lying =
        NoiseIdentity.of(
            usedStatic,
            HandshakePayload.create(
                clientKey, X25519KeyPair.generate(NoiseIdentity.RANDOM).publicKey()));
    NoiseHandshakeHandler clientHandler = new NoiseHandshakeHandler(lying, true, null, TIMEOUT);
    NoiseHandshakeHandler serverHandler =
        new NoiseHandshakeHandler(serverKey, false, null, TIMEOUT);
    EmbeddedChannel client = channel(clientHandler);
    EmbeddedChannel server = channel(serverHandler);
    pumpUntilQuiet(client, server);

    assertThat(failureOf(serverHandler.result()))
        .isInstanceOf(NoiseException.class)
        .hasMessageContaining("does not verify");
    assertThat(server.isOpen()).isFalse();
    server.checkException();
  }

  @Test
  void garbagePayloadIsRejected() {
    // a payload that is not a NoiseHandshakePayload protobuf at all
    NoiseIdentity garbage =
        NoiseIdentity.of(
            X25519KeyPair.generate(NoiseIdentity.RANDOM),
            new byte[] {
              (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, // field 0x1FFF.. with an unterminated varint
            });
    NoiseHandshakeHandler clientHandler = new NoiseHandshakeHandler(clientKey, true, null, TIMEOUT);
    EmbeddedChannel client = channel(clientHandler);
    EmbeddedChannel server = channel(new NoiseHandshakeHandler(garbage, false, null, TIMEOUT));
    pumpUntilQuiet(client, server);
    assertThat(failureOf(clientHandler.result()))
        .isInstanceOf(NoiseException.class)
        .hasMessageContaining("payload");
  }

  @Test
  void tamperedHandshakeMessageFailsAuthentication() {
    NoiseHandshakeHandler clientHandler = new NoiseHandshakeHandler(clientKey, true, null, TIMEOUT);
    EmbeddedChannel client = channel(clientHandler);
    EmbeddedChannel server = channel(new NoiseHandshakeHandler(serverKey, false, null, TIMEOUT));
    pump(client, server);
    ByteBuf message2 = server.readOutbound();
    byte[] bytes = ByteBufUtil.getBytes(message2);
    message2.release();
    bytes[2 + 32 + 5] ^= 0x01; // one bit of the encrypted static key
    inject(client, bytes);
    assertThat(failureOf(clientHandler.result()))
        .isInstanceOf(NoiseException.class)
        .hasMessageContaining("authentication");
    assertThat(client.isOpen()).isFalse();
  }

  @Test
  void tamperedTransportFrameFailsAndCloses() {
    EmbeddedChannel client = channel(new NoiseHandshakeHandler(clientKey, true, null, TIMEOUT));
    EmbeddedChannel server = channel(new NoiseHandshakeHandler(serverKey, false, null, TIMEOUT));
    pumpUntilQuiet(client, server);
    client.writeOutbound(Unpooled.copiedBuffer("hello", StandardCharsets.UTF_8));
    ByteBuf frame = client.readOutbound();
    byte[] bytes = ByteBufUtil.getBytes(frame);
    frame.release();
    bytes[bytes.length - 1] ^= 0x01; // last byte of the tag
    assertThatThrownBy(() -> inject(server, bytes)).isInstanceOf(NoiseException.class);
    assertThat(server.isOpen()).isFalse();
    assertThat(server.inboundMessages()).isEmpty();
  }

  @Test
  void garbageInsteadOfMessageOneFailsQuietly() {
    NoiseHandshakeHandler serverHandler =
        new NoiseHandshakeHandler(serverKey, false, null, TIMEOUT);
    EmbeddedChannel server = channel(serverHandler);
    inject(
        server,
        new byte[] {
          0x00,
          0x05, // length 5
          1,
          2,
          3,
          4,
          5, // too short for an ephemeral key
          (byte) 0xAA,
          (byte) 0xBB, // trailing junk, discarded
        });
    assertThat(failureOf(serverHandler.result()))
        .isInstanceOf(NoiseException.class)
        .hasMessageContaining("at least 32");
    assertThat(server.isOpen()).isFalse();
    server.checkException();
    assertThat(server.inboundMessages()).isEmpty();
  }

  @Test
  void lowOrderEphemeralKeyIsRejected() {
    NoiseHandshakeHandler serverHandler =
        new NoiseHandshakeHandler(serverKey, false, null, TIMEOUT);
    EmbeddedChannel server = channel(serverHandler);
    byte[] message1 = new byte[2 + 32];
    message1[1] = 32; // length 32, then an all-zero "ephemeral key"
    inject(server, message1);
    assertThat(failureOf(serverHandler.result()))
        .isInstanceOf(NoiseException.class)
        .hasMessageContaining("low-order");
    assertThat(server.isOpen()).isFalse();
  }

  @Test
  void garbageInsteadOfMessageTwoFailsQuietly() {
    NoiseHandshakeHandler clientHandler = new NoiseHandshakeHandler(clientKey, true, null, TIMEOUT);
    EmbeddedChannel client = channel(clientHandler);
    byte[] junk = new byte[2 + 200];
    new Random(5).nextBytes(junk);
    junk[0] = 0x00; // length 200
    junk[1] = (byte) 200;
    inject(client, junk);
    assertThat(failureOf(clientHandler.result())).isInstanceOf(NoiseException.class);
    assertThat(client.isOpen()).isFalse();
    client.checkException();
  }

  @Test
  void randomBytesNeverEscapeAsExceptionsNorLeak() {
    Random random = new Random(6);
    for (int i = 0; i < 100; i++) {
      NoiseHandshakeHandler handler =
          new NoiseHandshakeHandler(serverKey, random.nextBoolean(), null, TIMEOUT);
      EmbeddedChannel channel = channel(handler);
      byte[] junk = new byte[1 + random.nextInt(400)];
      random.nextBytes(junk);
      inject(channel, junk); // must not throw
      channel.checkException();
      channel.close();
      assertThat(failureOf(handler.result())).isInstanceOf(NoiseException.class);
    }
  }

  @Test
  void timeoutFailsAndCloses() {
    NoiseHandshakeHandler serverHandler =
        new NoiseHandshakeHandler(serverKey, false, null, Duration.ofSeconds(2));
    EmbeddedChannel server = channel(serverHandler);
    server.advanceTimeBy(1, TimeUnit.SECONDS);
    server.runScheduledPendingTasks();
    assertThat(serverHandler.result()).isNotDone();
    server.advanceTimeBy(2, TimeUnit.SECONDS);
    server.runScheduledPendingTasks();
    assertThat(failureOf(serverHandler.result()))
        .isInstanceOf(NoiseException.class)
        .hasMessageContaining("timed out");
    assertThat(server.isOpen()).isFalse();
  }

  @Test
  void closedConnectionFailsTheHandshake() {
    NoiseHandshakeHandler clientHandler = new NoiseHandshakeHandler(clientKey, true, null, TIMEOUT);
    EmbeddedChannel client = channel(clientHandler);
    client.close();
    assertThat(failureOf(clientHandler.result()))
        .isInstanceOf(NoiseException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void startsOnChannelActiveWhenAddedBeforeRegistration() throws Exception {
    NoiseHandshakeHandler clientHandler = new NoiseHandshakeHandler(clientKey, true, null, TIMEOUT);
    EmbeddedChannel client = new EmbeddedChannel(false, false);
    channels.add(client);
    client.pipeline().addLast(clientHandler);
    assertThat(client.outboundMessages()).isEmpty();
    client.register();
    ByteBuf message1 = client.readOutbound();
    assertThat(message1.readableBytes()).isEqualTo(2 + 32); // length prefix and e, empty payload
    assertThat(message1.getUnsignedShort(0)).isEqualTo(32);
    message1.release();
  }

  @Test
  void staticKeyAndSignatureAreMadeOncePerIdentity() {
    assertThat(NoiseIdentity.cached(clientKey)).isSameAs(NoiseIdentity.cached(clientKey));
    assertThat(NoiseIdentity.cached(clientKey)).isNotSameAs(NoiseIdentity.cached(serverKey));
  }
}
