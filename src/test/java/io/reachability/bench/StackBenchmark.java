package io.reachability.bench;

import com.sun.management.OperatingSystemMXBean;
import io.reachability.libp2p.core.Connection;
import io.reachability.libp2p.core.Multiaddr;
import io.reachability.libp2p.host.Host;
import io.reachability.testing.LoopbackHosts;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The embedded stack's cost on loopback, two hosts in one JVM. Run with {@code
 * bench/stack-bench.sh}.
 *
 * <ul>
 *   <li>{@code upgrade}: with {@code transport=tcp} TCP connect + multistream + Noise XX +
 *       multistream + yamux, with {@code transport=quic} the QUIC handshake with TLS 1.3 and the
 *       libp2p certificate, then close — full connection set-ups per second (run with several
 *       threads to load both cores);
 *   <li>{@code streamPing}: a new stream (yamux or QUIC), multistream negotiation and one 32-byte
 *       ping round trip on an open connection.
 * </ul>
 *
 * At the end of each iteration it prints the process CPU time spent per upgrade (both sides of the
 * handshake run in this JVM, so this is client + server CPU).
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.Throughput, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class StackBenchmark {

  private static final long TIMEOUT_SECONDS = 10;

  /** The transport connections use: {@code tcp} (Noise, yamux) or {@code quic} (QUIC-v1). */
  @Param({"tcp", "quic"})
  public String transport;

  private final OperatingSystemMXBean os =
      (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private final AtomicLong upgrades = new AtomicLong();
  private Host client;
  private Host server;
  private Multiaddr serverAddress;
  private Connection connection;
  private long cpuAtStart;

  @Setup(Level.Trial)
  public void startHosts() throws Exception {
    boolean quic = transport.equals("quic");
    server =
        LoopbackHosts.builder(
                "bench-server", quic ? LoopbackHosts.QUIC_ANY_PORT : LoopbackHosts.ANY_PORT)
            .build()
            .start();
    client = Host.builder().threadName("bench-client").build().start();
    // without /p2p: every dial is a fresh connection, never a reused one
    serverAddress = server.listenAddresses().get(0);
    if (serverAddress.isQuic() != quic) {
      throw new IllegalStateException("no " + transport + " listener: " + serverAddress);
    }
    connection =
        client
            .dial(serverAddress.withPeerId(server.peerId()))
            .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  @Setup(Level.Iteration)
  public void markCpu() {
    upgrades.set(0);
    cpuAtStart = os.getProcessCpuTime();
  }

  @TearDown(Level.Iteration)
  public void reportCpu() {
    long count = upgrades.get();
    if (count > 0) {
      double cpuMs = (os.getProcessCpuTime() - cpuAtStart) / 1e6 / count;
      System.out.printf(
          "%n  [cpu] %s: %d upgrades, %.3f ms process CPU per upgrade (client + server)%n",
          transport, count, cpuMs);
    }
  }

  @TearDown(Level.Trial)
  public void stopHosts() {
    client.close();
    server.close();
  }

  @Benchmark
  public Connection upgrade() throws Exception {
    Connection fresh = client.dial(serverAddress).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    upgrades.incrementAndGet();
    fresh.close().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    return fresh;
  }

  @Benchmark
  public Duration streamPing() throws Exception {
    return client.ping(connection).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }
}
