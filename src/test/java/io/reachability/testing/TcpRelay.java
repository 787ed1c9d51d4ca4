package io.reachability.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A port forward on loopback, as a NAT's would be: every connection to {@link #port()} is relayed
 * to a target port. Blocking sockets, two threads per connection; for tests only.
 */
public final class TcpRelay implements AutoCloseable {

  private static final int BUFFER_SIZE = 16 * 1024;

  private final ServerSocket server;
  private final int targetPort;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  private TcpRelay(ServerSocket server, int targetPort) {
    this.server = server;
    this.targetPort = targetPort;
  }

  /** Forwards 127.0.0.1:{@code port} to 127.0.0.1:{@code targetPort}. */
  public static TcpRelay open(int port, int targetPort) throws IOException {
    ServerSocket server = new ServerSocket();
    server.setReuseAddress(true);
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    TcpRelay relay = new TcpRelay(server, targetPort);
    Thread acceptor = new Thread(relay::accept, "tcp-relay-" + port);
    acceptor.setDaemon(true);
    acceptor.start();
    return relay;
  }

  public int port() {
    return server.getLocalPort();
  }

  private void accept() {
    while (!closed) {
      try {
        Socket inbound = server.accept();
        Socket outbound = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        sockets.add(inbound);
        sockets.add(outbound);
        pump(inbound, outbound);
        pump(outbound, inbound);
      } catch (IOException e) {
        if (!closed) {
          continue;
        }
        return;
      }
    }
  }

  private void pump(Socket from, Socket to) {
    Thread thread =
        new Thread(
            () -> {
              byte[] buffer = new byte[BUFFER_SIZE];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                  out.write(buffer, 0, n);
                  out.flush();
                }
              } catch (IOException e) {
                // one side closed
              } finally {
                closeQuietly(from);
                closeQuietly(to);
              }
            },
            "tcp-relay-pump");
    thread.setDaemon(true);
    thread.start();
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    server.close();
    sockets.forEach(TcpRelay::closeQuietly);
  }
}
