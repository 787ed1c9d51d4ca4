package io.reachability.interop;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The other libp2p implementations our interop tests run against, each as a child process speaking
 * the same JSON control protocol ({@link InteropPeer}). The Maven build installs js ({@code npm
 * ci}) and builds go and rust ({@code src/test/build-peers.sh}) in {@code process-test-resources}.
 */
public enum PeerImplementation {
  /** js-libp2p 3.3.11 with {@code @libp2p/autonat-v2} 2.0.15 ({@code src/test/js/peer.mjs}). */
  JS("js", "js-libp2p/"),
  /** go-libp2p v0.52.0, the AutoNAT v2 reference ({@code src/test/go}). */
  GO("go", "go-libp2p/"),
  /** rust-libp2p 0.56.0 with libp2p-autonat 0.15.0 ({@code src/test/rust}). */
  RUST("rust", "rust-libp2p/");

  /** System property: the directory holding {@code peer.mjs} and its {@code node_modules}. */
  public static final String JS_DIR_PROPERTY = "interop.js.dir";

  /** System property: the directory the build puts {@code go-peer} and {@code rust-peer} in. */
  public static final String BIN_DIR_PROPERTY = "interop.bin.dir";

  /** System property: an explicit path of the {@code node} binary (default: found on PATH). */
  public static final String NODE_PROPERTY = "interop.node";

  /** Fallback for {@link #JS_DIR_PROPERTY} when run from the project directory (e.g. an IDE). */
  public static final String DEFAULT_JS_DIR = "src/test/js";

  /** Fallback for {@link #BIN_DIR_PROPERTY}. */
  public static final String DEFAULT_BIN_DIR = "target/interop";

  /** RSA modulus of the keys handed to the rust peer, as go and js generate theirs. */
  private static final int RSA_BITS = 2048;

  private final String id;
  private final String agentPrefix;

  PeerImplementation(String id, String agentPrefix) {
    this.id = id;
    this.agentPrefix = agentPrefix;
  }

  /** Short name: {@code js}, {@code go}, {@code rust}. */
  public String id() {
    return id;
  }

  /** How its identify agentVersion starts. */
  public String agentPrefix() {
    return agentPrefix;
  }

  /**
   * Skips the calling test when {@code -DskipInterop=true}; otherwise FAILS it when this peer is
   * not installed or built, because interop must run in CI.
   */
  public void assumeAvailable() {
    assumeTrue(
        !Boolean.getBoolean(InteropPeer.SKIP_PROPERTY),
        "interop tests skipped by -DskipInterop=true");
    if (this == JS) {
      assumeJsAvailable();
      return;
    }
    Path binary = binary();
    if (!Files.isExecutable(binary)) {
      fail(
          "the "
              + id
              + " interop peer is not built at "
              + binary.toAbsolutePath()
              + ": the Maven build does it in process-test-resources (src/test/build-peers.sh "
              + id
              + "), or -DskipInterop=true");
    }
  }

  private static void assumeJsAvailable() {
    if (findNode().isEmpty()) {
      fail(
          "node is not on PATH (set -D"
              + NODE_PROPERTY
              + "=/path/to/node, or -DskipInterop=true to skip interop tests)");
    }
    Path dir = jsDir();
    if (!Files.isRegularFile(dir.resolve("peer.mjs"))) {
      fail("no peer.mjs in " + dir.toAbsolutePath() + " (system property " + JS_DIR_PROPERTY + ")");
    }
    if (!Files.isRegularFile(dir.resolve("node_modules/libp2p/package.json"))) {
      fail(
          "js-libp2p is not installed in "
              + dir.toAbsolutePath()
              + ": run `npm ci` there (the Maven build does it in process-test-resources), or"
              + " -DskipInterop=true");
    }
  }

  /** The command that runs this peer with {@code args}. */
  List<String> command(List<String> args) {
    List<String> command = new ArrayList<>();
    if (this == JS) {
      String node = findNode().orElseThrow(() -> new IllegalStateException("node is not on PATH"));
      command.addAll(List.of(node, "--import", "./polyfill.mjs", "peer.mjs"));
    } else {
      command.add(binary().toAbsolutePath().toString());
    }
    command.addAll(args);
    return command;
  }

  /** Where the process runs (js resolves its modules from there). */
  Path workingDirectory() {
    return this == JS ? jsDir() : Paths.get(".");
  }

  /** {@code spec} as this implementation's command-line arguments. */
  public List<String> arguments(PeerSpec spec) {
    List<String> args = new ArrayList<>();
    spec.listen().forEach(address -> args.addAll(List.of("--listen", address)));
    args.addAll(List.of("--key-type", spec.keyType().flag()));
    if (this == RUST && spec.keyType() == KeyType.RSA) {
      args.addAll(List.of("--rsa-pkcs8", rsaPkcs8Hex()));
    }
    if (this == JS) {
      if (spec.autonatServer() || spec.autonatClient()) {
        args.addAll(List.of("--service", InteropPeer.AUTONAT_SERVICE));
      }
    } else {
      if (spec.autonatServer()) {
        args.addAll(List.of("--service", "autonat-server"));
      }
      if (spec.autonatClient()) {
        args.addAll(List.of("--service", "autonat-client"));
      }
      if (this == GO && spec.allowPrivate()) {
        args.add("--allow-private");
      }
    }
    args.addAll(spec.extraArgs());
    return args;
  }

  /** Environment for {@code spec}: js reads its loopback switch from there. */
  public Map<String, String> environment(PeerSpec spec) {
    if (this != JS || !spec.allowPrivate()) {
      return Map.of();
    }
    String roles =
        spec.autonatServer() && spec.autonatClient()
            ? "1"
            : spec.autonatServer() ? "server" : spec.autonatClient() ? "client" : "";
    return Map.of(InteropPeer.ALLOW_PRIVATE_ENV, roles);
  }

  private Path binary() {
    return Paths.get(System.getProperty(BIN_DIR_PROPERTY, DEFAULT_BIN_DIR)).resolve(id + "-peer");
  }

  private static String rsaPkcs8Hex() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(RSA_BITS);
      return HexFormat.of().formatHex(generator.generateKeyPair().getPrivate().getEncoded());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no RSA", e);
    }
  }

  static Path jsDir() {
    return Paths.get(System.getProperty(JS_DIR_PROPERTY, DEFAULT_JS_DIR));
  }

  static Optional<String> findNode() {
    String explicit = System.getProperty(NODE_PROPERTY);
    if (explicit != null && !explicit.isBlank()) {
      return Files.isExecutable(Paths.get(explicit)) ? Optional.of(explicit) : Optional.empty();
    }
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      for (String name : List.of("node", "node.exe")) {
        Path candidate = Paths.get(dir, name);
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return Optional.of(candidate.toString());
        }
      }
    }
    return Optional.empty();
  }
}
