package io.reachability.libp2p.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.quic.InsecureQuicTokenHandler;
import io.netty.handler.codec.quic.Quic;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicClientCodecBuilder;
import io.netty.handler.codec.quic.QuicServerCodecBuilder;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.ssl.ClientAuth;
import io.reachability.libp2p.core.PeerId;
import io.reachability.libp2p.crypto.Keys;
import io.reachability.libp2p.crypto.PrivateKey;
import java.net.InetSocketAddress;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The libp2p TLS authentication inside a real QUIC handshake (Netty's QUIC codec, BoringSSL) on
 * loopback: mutual authentication, ALPN {@code libp2p}, each side learning the other's peer id from
 * the certificate it received, and a certificate without the libp2p extension refused.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class QuicHandshakeTest {

  private static final long TIMEOUT_SECONDS = 10;
  private static final long IDLE_SECONDS = 5;
  private static final long MAX_DATA = 1 << 20;
  private static final long MAX_STREAMS = 16;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Clock CLOCK = Clock.systemUTC();

  private EventLoopGroup group;
  private final List<Channel> channels = new ArrayList<>();

  @BeforeEach
  void startGroup() {
    assumeTrue(Quic.isAvailable(), () -> "no QUIC native here: " + Quic.unavailabilityCause());
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  }

  @AfterEach
  void stopGroup() {
    // the codecs free their native buffers when their UDP channels close
    channels.forEach(c -> c.close().syncUninterruptibly());
    if (group != null) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  private static PeerId peerOf(QuicChannel channel) throws Exception {
    X509Certificate certificate =
        (X509Certificate) channel.sslEngine().getSession().getPeerCertificates()[0];
    return PeerId.fromPublicKey(
        CertificateAuthentication.verify(List.of(certificate), CLOCK.instant()));
  }

  private Channel server(
      CertificateAuthentication.SelfSigned certificate, CompletableFuture<PeerId> clientSeen)
      throws Exception {
    QuicSslContext context =
        QuicSslContextBuilder.forServer(
                certificate.certificateKey(), null, certificate.certificate())
            .applicationProtocols(Tls.ALPN)
            .clientAuth(ClientAuth.REQUIRE)
            .trustManager(new TlsTrustManager(CLOCK))
            .build();
    ChannelHandler codec =
        new QuicServerCodecBuilder()
            .sslContext(context)
            .maxIdleTimeout(IDLE_SECONDS, TimeUnit.SECONDS)
            .initialMaxData(MAX_DATA)
            .initialMaxStreamDataBidirectionalLocal(MAX_DATA)
            .initialMaxStreamDataBidirectionalRemote(MAX_DATA)
            .initialMaxStreamsBidirectional(MAX_STREAMS)
            .tokenHandler(InsecureQuicTokenHandler.INSTANCE)
            .handler(
                new ChannelInboundHandlerAdapter() {
                  @Override
                  public void channelActive(ChannelHandlerContext ctx) {
                    try {
                      clientSeen.complete(peerOf((QuicChannel) ctx.channel()));
                    } catch (Exception e) {
                      clientSeen.completeExceptionally(e);
                    }
                  }
                })
            .streamHandler(new ChannelInboundHandlerAdapter())
            .build();
    Channel udp =
        new Bootstrap()
            .group(group)
            .channel(NioDatagramChannel.class)
            .handler(codec)
            .bind(new InetSocketAddress("127.0.0.1", 0))
            .sync()
            .channel();
    channels.add(udp);
    return udp;
  }

  private QuicChannel connect(CertificateAuthentication.SelfSigned certificate, Channel server)
      throws Exception {
    QuicSslContext context =
        QuicSslContextBuilder.forClient()
            .keyManager(certificate.certificateKey(), null, certificate.certificate())
            .trustManager(new TlsTrustManager(CLOCK))
            .applicationProtocols(Tls.ALPN)
            .build();
    ChannelHandler codec =
        new QuicClientCodecBuilder()
            .sslContext(context)
            .maxIdleTimeout(IDLE_SECONDS, TimeUnit.SECONDS)
            .initialMaxData(MAX_DATA)
            .initialMaxStreamDataBidirectionalLocal(MAX_DATA)
            .build();
    Channel udp =
        new Bootstrap()
            .group(group)
            .channel(NioDatagramChannel.class)
            .handler(codec)
            .bind(new InetSocketAddress("127.0.0.1", 0))
            .sync()
            .channel();
    channels.add(udp);
    return QuicChannel.newBootstrap(udp)
        .handler(new ChannelInboundHandlerAdapter())
        .streamHandler(new ChannelInboundHandlerAdapter())
        .remoteAddress(server.localAddress())
        .connect()
        .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  @Test
  void bothSidesLearnTheOthersPeerIdFromTheHandshake() throws Exception {
    PrivateKey serverKey = Keys.generateEd25519(RANDOM);
    PrivateKey clientKey = Keys.generateEd25519(RANDOM);
    CompletableFuture<PeerId> clientSeen = new CompletableFuture<>();
    Channel server =
        server(CertificateAuthentication.create(serverKey, Instant.now(), RANDOM), clientSeen);
    QuicChannel client =
        connect(CertificateAuthentication.create(clientKey, Instant.now(), RANDOM), server);

    assertThat(peerOf(client)).isEqualTo(PeerId.fromPublicKey(serverKey.publicKey()));
    assertThat(clientSeen.get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
        .isEqualTo(PeerId.fromPublicKey(clientKey.publicKey()));
    assertThat(client.sslEngine().getApplicationProtocol()).isEqualTo(Tls.ALPN);
    client.close().sync();
  }

  @Test
  void aClientWithoutTheLibp2pExtensionIsRefused() throws Exception {
    CompletableFuture<PeerId> clientSeen = new CompletableFuture<>();
    Channel server =
        server(
            CertificateAuthentication.create(Keys.generateEd25519(RANDOM), Instant.now(), RANDOM),
            clientSeen);
    Instant now = Instant.now();
    KeyPair key = CertificateAuthentication.newCertificateKey(RANDOM);
    Extension other =
        new Extension(new ASN1ObjectIdentifier("1.2.3.4"), false, new DEROctetString(new byte[1]));
    CertificateAuthentication.SelfSigned withoutExtension =
        new CertificateAuthentication.SelfSigned(
            key.getPrivate(),
            CertificateAuthentication.selfSign(
                key, now.minusSeconds(60), now.plusSeconds(3600), new Extensions(other), RANDOM));
    // TLS 1.3: the client's handshake completes before the server has checked its certificate;
    // the server then closes the connection and never accepts it
    QuicChannel client;
    try {
      client = connect(withoutExtension, server);
    } catch (Exception refusedDuringTheHandshake) {
      assertThat(clientSeen).isNotDone();
      return;
    }
    assertThat(client.closeFuture().await(TIMEOUT_SECONDS, TimeUnit.SECONDS))
        .as("the server closes the connection")
        .isTrue();
    assertThat(clientSeen).isNotDone();
  }
}
