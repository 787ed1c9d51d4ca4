package io.reachability.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An authoritative DNS server on 127.0.0.1 (UDP, a free port) answering A, AAAA and TXT questions
 * from records a test sets: a real name server for the resolver under test, never anything outside
 * this machine. Unknown names get NXDOMAIN.
 */
public final class LoopbackDnsServer implements AutoCloseable {

  /** The TTL of records added without one. */
  public static final int DEFAULT_TTL_SECONDS = 300;

  private record Entry(DnsRecordType type, byte[] rdata, int ttl) {}

  private final Map<String, List<Entry>> zone = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> queries = new ConcurrentHashMap<>();
  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel channel;

  public LoopbackDnsServer() {
    channel =
        new Bootstrap()
            .group(group)
            .channel(NioDatagramChannel.class)
            .handler(
                new ChannelInitializer<NioDatagramChannel>() {
                  @Override
                  protected void initChannel(NioDatagramChannel ch) {
                    ch.pipeline()
                        .addLast(new DatagramDnsQueryDecoder())
                        .addLast(new DatagramDnsResponseEncoder())
                        .addLast(new Answerer());
                  }
                })
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .syncUninterruptibly()
            .channel();
  }

  /** Where to send queries. */
  public InetSocketAddress address() {
    return (InetSocketAddress) channel.localAddress();
  }

  /** Adds an A or AAAA record (by the address's family) for {@code name}. */
  public LoopbackDnsServer address(String name, String ip) {
    InetAddress address;
    try {
      address = InetAddress.getByName(ip); // a literal: nothing is looked up
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException(ip, e);
    }
    DnsRecordType type = address.getAddress().length == 4 ? DnsRecordType.A : DnsRecordType.AAAA;
    return add(name, new Entry(type, address.getAddress(), DEFAULT_TTL_SECONDS));
  }

  /** Adds a TXT record of one character-string. */
  public LoopbackDnsServer txt(String name, String value) {
    return txt(name, DEFAULT_TTL_SECONDS, value);
  }

  /** Adds a TXT record whose value is split into the given character-strings. */
  public LoopbackDnsServer txt(String name, int ttl, String... strings) {
    ByteBuf rdata = Unpooled.buffer();
    for (String s : strings) {
      byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
      rdata.writeByte(bytes.length).writeBytes(bytes);
    }
    byte[] array = new byte[rdata.readableBytes()];
    rdata.readBytes(array);
    return add(name, new Entry(DnsRecordType.TXT, array, ttl));
  }

  /** Adds a TXT record of raw data (to serve malformed records). */
  public LoopbackDnsServer rawTxt(String name, byte[] rdata) {
    return add(name, new Entry(DnsRecordType.TXT, rdata, DEFAULT_TTL_SECONDS));
  }

  /** Removes every record of {@code name}. */
  public void remove(String name) {
    zone.remove(key(name));
  }

  /** How many questions of {@code type} about {@code name} were asked. */
  public int queries(String name, DnsRecordType type) {
    AtomicInteger count = queries.get(key(name) + " " + type.name());
    return count == null ? 0 : count.get();
  }

  /** Questions asked in all. */
  public int queries() {
    return queries.values().stream().mapToInt(AtomicInteger::get).sum();
  }

  private LoopbackDnsServer add(String name, Entry entry) {
    zone.computeIfAbsent(key(name), k -> new java.util.concurrent.CopyOnWriteArrayList<>())
        .add(entry);
    return this;
  }

  private static String key(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return lower.endsWith(".") ? lower : lower + ".";
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
  }

  private final class Answerer extends SimpleChannelInboundHandler<DatagramDnsQuery> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramDnsQuery query) {
      DnsQuestion question = query.recordAt(DnsSection.QUESTION);
      DatagramDnsResponse response =
          new DatagramDnsResponse(query.recipient(), query.sender(), query.id());
      response.setAuthoritativeAnswer(true);
      response.setRecursionAvailable(true);
      response.addRecord(DnsSection.QUESTION, question);
      String name = key(question.name());
      queries
          .computeIfAbsent(name + " " + question.type().name(), k -> new AtomicInteger())
          .incrementAndGet();
      List<Entry> entries = zone.get(name);
      if (entries == null) {
        response.setCode(DnsResponseCode.NXDOMAIN);
      } else {
        List<Entry> matching = new ArrayList<>();
        for (Entry entry : entries) {
          if (entry.type().equals(question.type())) {
            matching.add(entry);
          }
        }
        for (Entry entry : matching) {
          response.addRecord(
              DnsSection.ANSWER,
              new DefaultDnsRawRecord(
                  question.name(),
                  entry.type(),
                  entry.ttl(),
                  Unpooled.wrappedBuffer(entry.rdata())));
        }
      }
      ctx.writeAndFlush(response);
    }
  }
}
