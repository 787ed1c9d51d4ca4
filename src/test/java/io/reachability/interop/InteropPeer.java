package io.reachability.interop;

import io.reachability.testing.LoopbackHosts;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real libp2p peer of another implementation in a child process: js-libp2p ({@code
 * src/test/js/peer.mjs}), go-libp2p ({@code src/test/go}) or rust-libp2p ({@code src/test/rust}),
 * all driven the same way over stdin/stdout with one JSON object per line.
 *
 * <p>Usage:
 *
 * <pre>{@code
 * PeerImplementation.GO.assumeAvailable();
 * try (InteropPeer go = InteropPeer.start(PeerImplementation.GO, PeerSpec.node())) {
 *   JsonNode reply = go.requestOk("dial", Map.of("addr", "/ip4/127.0.0.1/tcp/4001/p2p/12D3KooW..."));
 * }
 * }</pre>
 *
 * <p>Commands every implementation answers (see {@code src/test/interop-peers.md}): {@code dial
 * {addr}}, {@code identify {peerId}}, {@code ping {peerId|addr}}, {@code echo {peerId|addr, bytes[,
 * seed]}}, {@code connections}, {@code info}, {@code hangup {peerId|addr}}, {@code stop}; go and
 * rust also {@code autonat-check {addrs, server?}} (their stock AutoNAT v2 client), js also {@code
 * autonat-request {...}} ({@link #autonatRequest}, a wire-level client). Every command takes an
 * optional {@code timeoutMs}. Events ({@code connection}, {@code connection-closed}, {@code
 * identify}, {@code echo-served}, {@code echo-failed}, {@code dial-request-served}, {@code
 * autonat-result}, js's {@code dial-back} and {@code address-verified}, ...) arrive on {@link
 * #events()}.
 *
 * <p>The peer process exits by itself when its stdin closes, so a test JVM that dies never leaves a
 * node behind. Its stderr goes to {@code target/interop-logs/<implementation>-peer-<pid>.log}.
 */
public final class InteropPeer implements AutoCloseable {

  /** System property set by {@code -DskipInterop=true}: interop tests are skipped, not failed. */
  public static final String SKIP_PROPERTY = "skipInterop";

  /** System property: where each peer's stderr is written. */
  public static final String LOG_DIR_PROPERTY = "interop.log.dir";

  /**
   * How long a peer may take from spawn to {@code ready} (measured: js ~0.6 s, go and rust ~50 ms
   * idle; slower under load).
   */
  public static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  /** Default time to wait for the answer to one command. */
  public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  /** How long {@link #close()} waits for a clean exit before destroying the process. */
  public static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

  /**
   * Environment variable read by the test-only patch of js's private-address checks ({@code
   * src/test/js/patch-autonat.mjs}): {@code server}, {@code client} or {@code 1} (both). Unset or
   * empty: js behaves exactly as published.
   */
  public static final String ALLOW_PRIVATE_ENV = "JS_AUTONAT_ALLOW_PRIVATE";

  /** The {@code --service} name of js's AutoNAT v2 ({@code @libp2p/autonat-v2} 2.0.15). */
  public static final String AUTONAT_SERVICE = "autonat";

  /** Default time an {@code autonat-request} may take in js (its {@code timeoutMs}). */
  public static final Duration AUTONAT_REQUEST_TIMEOUT = Duration.ofSeconds(10);

  /** Default time a stock client's {@code autonat-check} may take. */
  public static final Duration AUTONAT_CHECK_TIMEOUT = Duration.ofSeconds(15);

  /** Lines of stderr kept in memory for error messages. */
  private static final int STDERR_TAIL_LINES = 40;

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final PeerImplementation implementation;
  private final Process process;
  private final Writer stdin;
  private final Path logFile;
  private final Thread stdoutReader;
  private final Thread stderrReader;
  private final CompletableFuture<JsonNode> ready = new CompletableFuture<>();
  private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  private final BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
  private final Deque<String> stderrTail = new ArrayDeque<>();
  private final AtomicLong nextId = new AtomicLong(1);
  private volatile boolean closed;

  /** Starts a peer of {@code implementation} as {@code spec} describes. */
  public static InteropPeer start(PeerImplementation implementation, PeerSpec spec) {
    return start(
        implementation,
        List.of(),
        implementation.arguments(spec),
        implementation.environment(spec),
        START_TIMEOUT);
  }

  /** Starts a js peer listening on {@link LoopbackHosts#ANY_PORT}. */
  public static InteropPeer startJs() {
    return startJs(List.of("--listen", LoopbackHosts.ANY_PORT));
  }

  /**
   * Starts a js peer with the given {@code peer.mjs} arguments, e.g. {@code --listen
   * /ip4/127.0.0.1/tcp/0} (repeatable), {@code --key-seed <64 hex>}, {@code --agent-version <s>},
   * {@code --service <name>}.
   */
  public static InteropPeer startJs(List<String> args) {
    return startJs(args, Map.of(), START_TIMEOUT);
  }

  /**
   * Starts a js peer on {@link LoopbackHosts#ANY_PORT} running js's AutoNAT v2 (client and server)
   * with the loopback patch fully enabled ({@code JS_AUTONAT_ALLOW_PRIVATE=1}): its server dials
   * back loopback addresses, and its client treats its own loopback listen addresses as unverified
   * and asks AutoNAT servers about them, as it would on a public network. Until one is confirmed js
   * advertises no address ({@code advertisedAddrs} is empty; {@link #addrs()} falls back to the
   * listen addresses).
   */
  public static InteropPeer startJsAutonat() {
    return startJsAutonat("1", List.of("--listen", LoopbackHosts.ANY_PORT), Map.of());
  }

  /**
   * Starts a js peer running js's AutoNAT v2 with {@code allowPrivate} as {@link
   * #ALLOW_PRIVATE_ENV} ({@code "server"}, {@code "client"}, {@code "1"}, or {@code ""} for js's
   * unpatched behaviour), the given {@code peer.mjs} arguments (listen addresses etc.; {@code
   * --service autonat} is added) and extra environment (e.g. {@code JS_AUTONAT_TIMEOUT_MS}, {@code
   * DEBUG}).
   */
  public static InteropPeer startJsAutonat(
      String allowPrivate, List<String> args, Map<String, String> env) {
    List<String> all = new ArrayList<>(args);
    all.addAll(List.of("--service", AUTONAT_SERVICE));
    Map<String, String> allEnv = new LinkedHashMap<>(env);
    allEnv.put(ALLOW_PRIVATE_ENV, allowPrivate);
    return startJs(all, allEnv, START_TIMEOUT);
  }

  /**
   * Starts a js peer with extra environment variables (e.g. {@code DEBUG=libp2p:*}, logged to
   * stderr).
   */
  public static InteropPeer startJs(
      List<String> args, Map<String, String> env, Duration startTimeout) {
    return start(PeerImplementation.JS, List.of(), args, env, startTimeout);
  }

  /**
   * Starts a peer whose command line is prefixed by {@code wrapper}, a command that runs the rest,
   * e.g. {@code ip netns exec <namespace>} (it must exec the peer, so the process is the peer).
   */
  public static InteropPeer start(
      PeerImplementation implementation,
      List<String> wrapper,
      List<String> args,
      Map<String, String> env,
      Duration startTimeout) {
    List<String> command = new ArrayList<>(wrapper);
    command.addAll(implementation.command(args));
    ProcessBuilder builder =
        new ProcessBuilder(command).directory(implementation.workingDirectory().toFile());
    builder.environment().putAll(env);
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start " + command, e);
    }
    InteropPeer peer = new InteropPeer(implementation, process);
    peer.awaitReady(startTimeout);
    return peer;
  }

  private InteropPeer(PeerImplementation implementation, Process process) {
    this.implementation = implementation;
    this.process = process;
    this.stdin =
        new BufferedWriter(
            new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
    String name = implementation.id() + "-peer-" + process.pid();
    this.logFile =
        Paths.get(System.getProperty(LOG_DIR_PROPERTY, "target/interop-logs"))
            .resolve(name + ".log");
    this.stderrReader = daemon(name + "-stderr", this::readStderr);
    this.stdoutReader = daemon(name + "-stdout", this::readStdout);
  }

  /** The peer's process id (to read its CPU time, for example). */
  public long pid() {
    return process.pid();
  }

  /** Which implementation this peer is. */
  public PeerImplementation implementation() {
    return implementation;
  }

  private static Thread daemon(String name, Runnable body) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  private void awaitReady(Duration timeout) {
    try {
      ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      close();
      throw new IllegalStateException(
          implementation + " peer did not become ready within " + timeout + describeExit(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw new IllegalStateException(
          "interrupted while starting the " + implementation + " peer", e);
    }
  }

  /** The {@code ready} line: peerId, addrs, protocols, pid. */
  public JsonNode readyEvent() {
    return ready.join();
  }

  /** The peer's id, {@code 12D3KooW...}. */
  public String peerId() {
    return readyEvent().path("peerId").asString();
  }

  /** The peer's listen addresses, each ending in {@code /p2p/<peerId>}. */
  public List<String> addrs() {
    return strings(readyEvent().path("addrs"));
  }

  /** The protocols the peer handles. */
  public List<String> protocols() {
    return strings(readyEvent().path("protocols"));
  }

  /** Where this peer's stderr is logged. */
  public Path logFile() {
    return logFile;
  }

  /** Converts a JSON array of strings to a list. */
  public static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.values().forEach(v -> out.add(v.asString()));
    return Collections.unmodifiableList(out);
  }

  /**
   * Sends one command and returns its answer line, {@code {"id":..,"ok":true,...}} or {@code
   * {"id":..,"ok":false,"error":"..."}}. Throws only when no answer arrives (timeout, the process
   * died).
   */
  public JsonNode request(String command, Map<String, Object> args) {
    return request(command, args, REQUEST_TIMEOUT);
  }

  /**
   * {@link #request(String, Map)} with an explicit timeout (also passed to js as {@code
   * timeoutMs}).
   */
  public JsonNode request(String command, Map<String, Object> args, Duration timeout) {
    long id = nextId.getAndIncrement();
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("id", id);
    line.put("cmd", command);
    line.put("timeoutMs", timeout.toMillis());
    line.putAll(args);
    CompletableFuture<JsonNode> answer = new CompletableFuture<>();
    pending.put(id, answer);
    try {
      send(JSON.writeValueAsString(line));
      // js times out on its own after timeoutMs; leave it a little time to report that
      return answer.get(timeout.toMillis() + 2_000, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "no answer to " + command + " " + args + " within " + timeout + describeExit(), e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "no answer to " + command + " " + args + ": " + e.getCause().getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for " + command, e);
    } finally {
      pending.remove(id);
    }
  }

  /**
   * Runs the wire-level AutoNAT v2 client ({@code autonat-request}, see {@code
   * src/test/js/README.md}): {@code peerId|addr}, {@code addrs}, optional {@code nonce} (decimal
   * u64 string), {@code payDialData}, {@code maxDialDataBytes}, {@code chunkSize}, {@code
   * dialDataBytes}, {@code raw} (hex), {@code oversize}, {@code closeWrite}, {@code dialBackReply},
   * {@code expectMessages}, {@code timeoutMs} (default {@link #AUTONAT_REQUEST_TIMEOUT}). Returns
   * the answer: {@code nonce}, {@code messages}, {@code dialBacks}, {@code streamEnd}, {@code
   * bytesSent}, {@code dialDataBytesSent}, {@code ms}; throws {@link AssertionError} if js could
   * not even open the stream.
   */
  public JsonNode autonatRequest(Map<String, Object> args) {
    Object ms = args.get("timeoutMs");
    Duration timeout =
        ms instanceof Number n ? Duration.ofMillis(n.longValue()) : AUTONAT_REQUEST_TIMEOUT;
    JsonNode reply = request("autonat-request", args, timeout);
    if (!reply.path("ok").asBoolean()) {
      throw new AssertionError(
          implementation
              + " autonat-request "
              + args
              + " failed: "
              + reply.path("error").asString());
    }
    return reply;
  }

  /**
   * Like {@link #request(String, Map)} but throws {@link AssertionError} with js's error unless ok.
   */
  public JsonNode requestOk(String command, Map<String, Object> args) {
    JsonNode reply = request(command, args);
    if (!reply.path("ok").asBoolean()) {
      throw new AssertionError(
          implementation
              + " "
              + command
              + " "
              + args
              + " failed: "
              + reply.path("error").asString());
    }
    return reply;
  }

  /**
   * Every event line after {@code ready}, in order ({@code {"event":"connection",...}} etc.).
   * {@link #awaitEvent} takes from this queue too.
   */
  public BlockingQueue<JsonNode> events() {
    return events;
  }

  /**
   * Takes events from {@link #events()} until one named {@code name} matches {@code filter};
   * non-matching events are discarded.
   */
  public JsonNode awaitEvent(String name, Predicate<JsonNode> filter, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        JsonNode event = left > 0 ? events.poll(left, TimeUnit.NANOSECONDS) : null;
        if (event == null) {
          throw new AssertionError(
              "no \""
                  + name
                  + "\" event from the "
                  + implementation
                  + " peer within "
                  + timeout
                  + describeExit());
        }
        if (name.equals(event.path("event").asString()) && filter.test(event)) {
          return event;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for " + name, e);
    }
  }

  /**
   * Closes the node's stdin without sending {@code stop}; the node then exits by itself (this is
   * what happens when a test JVM dies).
   */
  public void closeStdin() {
    synchronized (stdin) {
      try {
        stdin.close();
      } catch (IOException ignored) {
        // already closed or broken: either way the node sees EOF
      }
    }
  }

  /** Waits for the node process to exit; true if it did. */
  public boolean awaitExit(Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** True while the node process runs. */
  public boolean isAlive() {
    return process.isAlive();
  }

  /**
   * Stops the node: sends {@code stop}, closes its stdin, waits up to {@link #STOP_TIMEOUT}, then
   * destroys it. Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (process.isAlive()) {
        try {
          send("{\"id\":0,\"cmd\":\"stop\"}");
        } catch (IllegalStateException ignored) {
          // already gone; closing stdin below is enough
        }
      }
      closeStdin();
      if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroy();
        if (!process.waitFor(2, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(2, TimeUnit.SECONDS);
        }
      }
      stdoutReader.join(2_000);
      stderrReader.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  @Override
  public String toString() {
    return implementation
        + "Peer[pid="
        + process.pid()
        + (ready.isDone() && !ready.isCompletedExceptionally() ? ", " + peerId() : "")
        + "]";
  }

  private void send(String line) {
    synchronized (stdin) {
      try {
        stdin.write(line);
        stdin.write('\n');
        stdin.flush();
      } catch (IOException e) {
        throw new IllegalStateException(
            "cannot write to the " + implementation + " peer" + describeExit(), e);
      }
    }
  }

  private void readStdout() {
    try (BufferedReader reader =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        dispatch(line);
      }
    } catch (IOException e) {
      // the process went away; handled below
    } finally {
      IllegalStateException gone =
          new IllegalStateException(implementation + " peer stdout closed" + describeExit());
      ready.completeExceptionally(gone);
      pending.values().forEach(f -> f.completeExceptionally(gone));
    }
  }

  private void dispatch(String line) {
    JsonNode node;
    try {
      node = JSON.readTree(line);
    } catch (JacksonException e) {
      rememberStderr("[stdout, not JSON] " + line);
      return;
    }
    if (node.has("event")) {
      if ("ready".equals(node.path("event").asString())) {
        ready.complete(node);
      } else {
        events.add(node);
      }
    } else if (node.has("id")) {
      CompletableFuture<JsonNode> answer = pending.get(node.path("id").asLong());
      if (answer != null) {
        answer.complete(node);
      }
    }
  }

  private void readStderr() {
    try {
      Files.createDirectories(logFile.getParent());
    } catch (IOException e) {
      // fall through: lines are still kept in the in-memory tail
    }
    try (BufferedReader reader =
            new BufferedReader(
                new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8));
        PrintWriter log = openLog()) {
      String line;
      while ((line = reader.readLine()) != null) {
        rememberStderr(line);
        if (log != null) {
          log.println(line);
          log.flush();
        }
      }
    } catch (IOException e) {
      // the process went away
    }
  }

  private PrintWriter openLog() {
    try {
      return new PrintWriter(Files.newBufferedWriter(logFile, StandardCharsets.UTF_8));
    } catch (IOException e) {
      return null;
    }
  }

  private void rememberStderr(String line) {
    synchronized (stderrTail) {
      if (stderrTail.size() == STDERR_TAIL_LINES) {
        stderrTail.removeFirst();
      }
      stderrTail.addLast(line);
    }
  }

  private String describeExit() {
    StringBuilder text = new StringBuilder();
    if (!process.isAlive()) {
      text.append(" (exited with ").append(process.exitValue()).append(')');
    }
    synchronized (stderrTail) {
      if (!stderrTail.isEmpty()) {
        text.append("; stderr tail (full log ")
            .append(logFile.toAbsolutePath())
            .append("):\n  ")
            .append(String.join("\n  ", stderrTail));
      }
    }
    return text.toString();
  }
}
