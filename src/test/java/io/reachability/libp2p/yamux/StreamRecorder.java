package io.reachability.libp2p.yamux;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records what a stream pipeline sees; releases every buffer it reads. */
class StreamRecorder extends ChannelInboundHandlerAdapter {

  final ByteArrayOutputStream data = new ByteArrayOutputStream();
  final List<Object> events = new CopyOnWriteArrayList<>();
  final List<Throwable> errors = new CopyOnWriteArrayList<>();
  volatile boolean active;
  volatile boolean inactive;
  volatile int readCompletes;

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    active = true;
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf buf = (ByteBuf) msg;
    try {
      synchronized (data) {
        buf.readBytes(data, buf.readableBytes());
      }
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    } finally {
      buf.release();
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    readCompletes++;
    ctx.fireChannelReadComplete();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    events.add(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    errors.add(cause);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    inactive = true;
    ctx.fireChannelInactive();
  }

  int size() {
    synchronized (data) {
      return data.size();
    }
  }

  byte[] bytes() {
    synchronized (data) {
      return data.toByteArray();
    }
  }

  String text() {
    return new String(bytes(), StandardCharsets.UTF_8);
  }
}
