package io.reachability.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Assembles the figures the parts of {@code bench/compare.sh} wrote ({@link AutonatBench}, {@link
 * JobsBench}, {@link ServiceMemoryBench}, {@link MonitorBench}, one JSON file each in {@code
 * bench.partsDir}) with the machine they came from into one JSON file ({@code bench.results}),
 * prints a markdown table and, with {@code bench.readme}, rewrites the part of that file between
 * {@link #BEGIN} and {@link #END} with it. A part that failed (no JSON file) shows as FAILED with
 * its log; the README is then left alone and the exit status is 1.
 */
public final class CompareReport {

  static final String BEGIN = "<!-- bench:compare:begin -->";
  static final String END = "<!-- bench:compare:end -->";

  /**
   * The parts, in bench/README.md's order: (a)+(b) autonat, (c) jobs, (d) memory, (e) monitor, (f)
   * start-up.
   */
  static final List<String> PARTS = List.of("autonat", "jobs", "memory", "monitor", "startup");

  /** The performance targets the report checks (README, "How fast"). */
  static final double TARGET_SERVER_CPU_MS = 1.2;

  static final double TARGET_JS_RATIO = 8;
  static final double TARGET_DIAL_DATA_MS_PER_100KB = 0.3;
  static final double TARGET_REST_CPU_MS = 3;
  static final double TARGET_STARTUP_SECONDS = 3;

  /** Dial data is priced per this many bytes. */
  static final double DIAL_DATA_UNIT_BYTES = 100_000;

  static final long NODE_VERSION_TIMEOUT_SECONDS = 10;

  private CompareReport() {}

  public static void main(String[] args) throws Exception {
    Path partsDir = Path.of(System.getProperty("bench.partsDir", "target/bench/parts"));
    Path logsDir = Path.of(System.getProperty("bench.logsDir", "target/bench/logs"));
    Path results = Path.of(System.getProperty("bench.results", "target/bench/results.json"));
    String readme = System.getProperty("bench.readme", "");
    String command = System.getProperty("bench.command", "bench/compare.sh");

    Map<String, Object> out = new LinkedHashMap<>();
    out.put(
        "date", ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
    out.put("command", command);
    out.put("fullSize", Boolean.parseBoolean(System.getProperty("bench.fullSize", "true")));
    out.put("machine", machine());
    Map<String, Object> parts = new LinkedHashMap<>();
    List<String> failed = new ArrayList<>();
    for (String part : PARTS) {
      Path file = partsDir.resolve(part + ".json");
      if (Files.isRegularFile(file)) {
        parts.put(part, BenchJson.read(file));
      } else {
        failed.add(part);
        parts.put(part, Map.of("failed", true, "log", logsDir.resolve(part + ".log").toString()));
      }
    }
    out.put("parts", parts);
    Files.createDirectories(results.toAbsolutePath().getParent());
    Files.writeString(results, BenchJson.JSON.writeValueAsString(out) + "\n");

    JsonNode all = BenchJson.JSON.valueToTree(out);
    String markdown = markdown(all);
    System.out.println(markdown);
    System.out.println("results: " + results.toAbsolutePath());

    if (!failed.isEmpty()) {
      System.out.println(
          "FAILED parts: "
              + String.join(", ", failed)
              + " (logs in "
              + logsDir.toAbsolutePath()
              + ")"
              + (readme.isEmpty() ? "" : "; " + readme + " left as it was"));
      System.exit(1);
    }
    if (!readme.isEmpty()) {
      rewrite(Path.of(readme), markdown);
      System.out.println("rewrote the figures between " + BEGIN + " and " + END + " in " + readme);
    }
  }

  /** Replaces what lies between the markers (which stay) with {@code section}. */
  static void rewrite(Path readme, String section) throws IOException {
    String text = Files.readString(readme, StandardCharsets.UTF_8);
    int begin = text.indexOf(BEGIN);
    int end = text.indexOf(END);
    if (begin < 0
        || end < begin
        || text.indexOf(BEGIN, begin + 1) >= 0
        || text.indexOf(END, end + 1) >= 0) {
      throw new IllegalStateException(
          readme + " must hold " + BEGIN + " once, followed by " + END + " once");
    }
    String updated =
        text.substring(0, begin + BEGIN.length()) + "\n" + section + "\n" + text.substring(end);
    Files.writeString(readme, updated, StandardCharsets.UTF_8);
  }

  // ------------------------------------------------------------------ machine

  static Map<String, Object> machine() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cores", Runtime.getRuntime().availableProcessors());
    m.put("cpu", cpuModel());
    m.put("memoryGiB", memoryGiB());
    m.put(
        "os",
        System.getProperty("os.name")
            + " "
            + readFirstLine("/proc/sys/kernel/osrelease", System.getProperty("os.version")));
    m.put(
        "jdk",
        System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    m.put("node", nodeVersion());
    String load = System.getProperty("bench.loadavg", "");
    if (!load.isBlank()) {
      m.put("loadAverageAtStart", load.trim());
    }
    return m;
  }

  static String cpuModel() {
    try {
      Matcher m =
          Pattern.compile("^model name\\s*:\\s*(.+)$", Pattern.MULTILINE)
              .matcher(Files.readString(Path.of("/proc/cpuinfo")));
      return m.find() ? m.group(1).trim() : "unknown (no model name in /proc/cpuinfo)";
    } catch (IOException e) {
      return "unknown (" + e.getMessage() + ")";
    }
  }

  static Double memoryGiB() {
    try {
      Matcher m =
          Pattern.compile("^MemTotal:\\s+(\\d+) kB", Pattern.MULTILINE)
              .matcher(Files.readString(Path.of("/proc/meminfo")));
      return m.find() ? BenchJson.round(Long.parseLong(m.group(1)) / 1024.0 / 1024.0) : null;
    } catch (IOException e) {
      return null;
    }
  }

  static String readFirstLine(String file, String fallback) {
    try {
      return Files.readAllLines(Path.of(file)).get(0).trim();
    } catch (IOException | IndexOutOfBoundsException e) {
      return fallback;
    }
  }

  static String nodeVersion() {
    String node = System.getProperty("interop.node", "node");
    try {
      Process p = new ProcessBuilder(node, "--version").redirectErrorStream(true).start();
      String version = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      return p.waitFor(NODE_VERSION_TIMEOUT_SECONDS, TimeUnit.SECONDS) && p.exitValue() == 0
          ? "Node " + version
          : "unknown";
    } catch (IOException e) {
      return "none (" + e.getMessage() + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }

  // ------------------------------------------------------------------ markdown

  static String markdown(JsonNode all) {
    StringBuilder md = new StringBuilder();
    JsonNode machine = all.path("machine");
    md.append("<!-- produced by bench/compare.sh: do not edit by hand, rerun it -->\n");
    md.append(
        String.format(
            Locale.ROOT,
            "Measured %s on %d cores (%s, %s GiB, %s), %s, %s%s; everything on loopback.%n",
            all.path("date").asString().substring(0, 10),
            machine.path("cores").asInt(),
            machine.path("cpu").asString(),
            machine.path("memoryGiB").isNull() ? "?" : fmt(machine.path("memoryGiB").asDouble(), 1),
            machine.path("os").asString(),
            machine.path("jdk").asString(),
            machine.path("node").asString(),
            machine.has("loadAverageAtStart")
                ? "; load average at start " + machine.path("loadAverageAtStart").asString()
                : ""));
    md.append("Command: `")
        .append(all.path("command").asString())
        .append("` (every figure also in `bench/results.json`).\n\n");
    if (!all.path("fullSize").asBoolean(true)) {
      md.append(
          "**Small sizes, not the full-size defaults**: these figures only show that the benchmark"
              + " runs; `bench/compare.sh` without size variables measures for real.\n\n");
    }
    JsonNode parts = all.path("parts");
    targets(md, parts);
    autonat(md, parts.path("autonat"));
    jobs(md, parts.path("jobs"));
    memory(md, parts.path("memory"), parts.path("jobs"));
    monitor(md, parts.path("monitor"));
    startup(md, parts.path("startup"));
    return md.toString().trim();
  }

  private static boolean failed(StringBuilder md, JsonNode part, String title) {
    if (part.path("failed").asBoolean()) {
      md.append(title)
          .append(": **FAILED**, see `")
          .append(part.path("log").asString())
          .append("`\n\n");
      return true;
    }
    return false;
  }

  private static void autonat(StringBuilder md, JsonNode a) {
    String title = "**(a) Single-check latency** and **(b) server capacity**";
    if (failed(md, a, title)) {
      return;
    }
    JsonNode first = a.path("latency").path(0);
    md.append(
        String.format(
            Locale.ROOT,
            "**(a) Single-check latency**: one address, every check a real dial-back with a nonce"
                + " (new TCP connection, Noise, yamux), timed by the client from its start to the"
                + " DialResponse; %d warm-up checks, then %d sequential checks per pair. js ="
                + " js-libp2p 3.3.11 with `@libp2p/autonat-v2` 2.0.15 in Node (server: test-only"
                + " loopback switch), go = go-libp2p v0.52.0 (`AllowPrivateAddrs`, rate limits"
                + " raised above the load), rust = rust-libp2p 0.56.0 (libp2p-autonat 0.15.0);"
                + " their clients are the wire-level clients of the interop peers"
                + " (`autonat-request`) on their own stacks (go and rust do not expose a stock"
                + " client that can repeat a check: go throttles a server for 2 minutes, rust tests"
                + " each address once). Rows marked *QUIC* check a `/udp/…/quic-v1` address: the"
                + " request still goes over TCP, the dial-back is a new QUIC connection (TLS 1.3"
                + " inside QUIC) from the server's dial-back socket.%n%n",
            a.path("warmupChecks").asInt(),
            first.path("checks").asInt()));
    md.append("| client → server | median | p99 | checks | failed |\n|---|---|---|---|---|\n");
    for (JsonNode l : a.path("latency").values()) {
      md.append(
          String.format(
              Locale.ROOT,
              "| %s → %s%s | **%s** | %s | %d | %d |%n",
              shortName(l.path("client").asString()),
              shortName(l.path("server").asString()),
              quicMark(l),
              ms(l.path("medianMs")),
              ms(l.path("p99Ms")),
              l.path("checks").asInt(),
              l.path("failed").asLong()));
    }
    JsonNode cap = a.path("capacity");
    md.append(
        String.format(
            Locale.ROOT,
            "%n**(b) Server capacity and CPU**: %d clients with one check in flight each, %s s"
                + " after a %s s warm-up (and before any latency or capacity run, %s s of load on"
                + " our server: a JVM compiles its hot paths under load); the same load generator"
                + " for every server: our client (each client its own host and peer id), without"
                + " and with dial data; load and server share the machine. Our server is the"
                + " packaged jar in the server role (`java -jar … --reach.server.enabled=true`,"
                + " limits raised above the load), its own process. Server CPU per check: the"
                + " server process's whole CPU time (/proc: every thread, GC and JIT included)"
                + " divided by the checks it served. With dial data the client listens on 127.0.0.2"
                + " and connects from 127.0.0.1, so every server asks for 30–100 kB first (go then"
                + " waits 1–2 s before it dials back, so with dial data it serves few checks and"
                + " its CPU per check counts idle time too). *vs ours*: the server's CPU per check"
                + " over ours under the same load.%n%n",
            cap.path(0).path("clients").asInt(),
            fmt(cap.path(0).path("seconds").asDouble(), 0),
            fmt(a.path("capacityWarmupSeconds").asDouble(), 0),
            fmt(a.path("jitWarmupSeconds").asDouble(), 0)));
    md.append(
        "| server | dial data per check | checks/s | checks | failed | server CPU per check | vs"
            + " ours |\n|---|---|---|---|---|---|---|\n");
    for (JsonNode c : cap.values()) {
      double cpu = c.path("serverCpuMsPerCheck").asDouble();
      JsonNode ours = oursLike(cap, c);
      double oursCpu = ours == null ? 0 : ours.path("serverCpuMsPerCheck").asDouble();
      md.append(
          String.format(
              Locale.ROOT,
              "| %s%s | %s | **%s** | %d | %d | %s ms | %s |%n",
              shortName(c.path("server").asString()),
              quicMark(c),
              c.path("dialData").asBoolean()
                  ? fmt(c.path("dialDataBytesPerCheck").asDouble() / 1000, 0) + " kB"
                  : "none",
              fmt(c.path("checksPerSecond").asDouble(), 0),
              c.path("checks").asLong(),
              c.path("failed").asLong(),
              fmt(cpu, 2),
              oursCpu > 0 ? fmt(cpu / oursCpu, 1) + "x" : "–"));
    }
    md.append(
        "\nDial data's own cost, (CPU per check with dial data − without) per 100 kB received:");
    for (JsonNode c : cap.values()) {
      Double perUnit = dialDataCost(cap, c.path("server").asString());
      if (c.path("dialData").asBoolean() && perUnit != null) {
        md.append(
            String.format(
                Locale.ROOT,
                " %s **%s ms**;",
                shortName(c.path("server").asString()),
                fmt(perUnit, 2)));
      }
    }
    md.setLength(md.length() - 1);
    md.append(".\n\n");
  }

  /** Our server's capacity row with the dial data and transport of {@code row}. */
  static JsonNode oursLike(JsonNode capacity, JsonNode row) {
    for (JsonNode o : capacity.values()) {
      if (o.path("server").asString().equals(AutonatBench.OURS)
          && o.path("dialData").asBoolean() == row.path("dialData").asBoolean()
          && o.path("transport").asString("tcp").equals(row.path("transport").asString("tcp"))) {
        return o;
      }
    }
    return null;
  }

  /**
   * What dial data costs {@code server} per 100 kB: its CPU per check with dial data minus without
   * (our client, TCP), over the dial data per check; null when either run is missing.
   */
  static Double dialDataCost(JsonNode capacity, String server) {
    JsonNode with = null;
    JsonNode without = null;
    for (JsonNode c : capacity.values()) {
      if (!c.path("server").asString().equals(server)
          || !c.path("transport").asString("tcp").equals("tcp")) {
        continue;
      }
      if (c.path("dialData").asBoolean()) {
        with = c;
      } else {
        without = c;
      }
    }
    if (with == null || without == null || with.path("dialDataBytesPerCheck").asDouble() <= 0) {
      return null;
    }
    double extra =
        with.path("serverCpuMsPerCheck").asDouble()
            - without.path("serverCpuMsPerCheck").asDouble();
    return Math.max(0, extra)
        / (with.path("dialDataBytesPerCheck").asDouble() / DIAL_DATA_UNIT_BYTES);
  }

  /**
   * The performance targets against this run's figures: server CPU per check, its ratio to js's
   * under each load, dial data per 100 kB, REST CPU per job, start-up.
   */
  private static void targets(StringBuilder md, JsonNode parts) {
    md.append("**Targets** (this run's figures; details below):\n\n");
    md.append("| target | ours | js | met |\n|---|---|---|---|\n");
    JsonNode cap = parts.path("autonat").path("capacity");
    JsonNode oursPlain = null;
    JsonNode jsPlain = null;
    for (JsonNode c : cap.values()) {
      if (c.path("dialData").asBoolean() || !c.path("transport").asString("tcp").equals("tcp")) {
        continue;
      }
      if (c.path("server").asString().equals(AutonatBench.OURS)) {
        oursPlain = c;
      } else if (shortName(c.path("server").asString()).equals("js")) {
        jsPlain = c;
      }
    }
    if (oursPlain != null) {
      double ours = oursPlain.path("serverCpuMsPerCheck").asDouble();
      double js = jsPlain == null ? Double.NaN : jsPlain.path("serverCpuMsPerCheck").asDouble();
      String jsText = jsPlain == null ? "–" : fmt(js, 2) + " ms";
      targetRow(
          md,
          "server CPU per check, no dial data ≤ " + fmt(TARGET_SERVER_CPU_MS, 1) + " ms",
          fmt(ours, 2) + " ms",
          jsText,
          ours <= TARGET_SERVER_CPU_MS,
          null);
      if (jsPlain != null) {
        targetRow(
            md,
            "js's server CPU per check ÷ ours ≥ " + fmt(TARGET_JS_RATIO, 0) + ", no dial data",
            fmt(ours, 2) + " ms",
            jsText,
            js / ours >= TARGET_JS_RATIO,
            fmt(js / ours, 1) + "x");
      }
    }
    for (JsonNode c : cap.values()) {
      String name = c.path("server").asString();
      // one row per server of ours: its run without dial data over TCP
      boolean plainTcp =
          !c.path("dialData").asBoolean() && c.path("transport").asString("tcp").equals("tcp");
      Double cost = plainTcp ? dialDataCost(cap, name) : null;
      if (cost == null || !name.startsWith(AutonatBench.OURS)) {
        continue;
      }
      Double js = jsPlain == null ? null : dialDataCost(cap, jsPlain.path("server").asString());
      int jdk = name.indexOf("(JDK ");
      targetRow(
          md,
          "dial data ≤ "
              + fmt(TARGET_DIAL_DATA_MS_PER_100KB, 1)
              + " ms per 100 kB"
              + (jdk < 0 ? "" : ", our server on " + name.substring(jdk + 1, name.length() - 1)),
          fmt(cost, 2) + " ms",
          jdk < 0 && js != null ? fmt(js, 2) + " ms" : "–",
          cost <= TARGET_DIAL_DATA_MS_PER_100KB,
          null);
    }
    JsonNode memory = parts.path("memory");
    if (memory.has("serviceCpuMsPerJob")) {
      double rest = memory.path("serviceCpuMsPerJob").asDouble();
      targetRow(
          md,
          "REST, service CPU per job (embedded pool, both sides of the check) ≤ "
              + fmt(TARGET_REST_CPU_MS, 0)
              + " ms",
          fmt(rest, 2) + " ms",
          "–",
          rest <= TARGET_REST_CPU_MS,
          null);
    }
    JsonNode startup = parts.path("startup");
    if (startup.has("cdsMedianSeconds")) {
      double cds = startup.path("cdsMedianSeconds").asDouble();
      targetRow(
          md,
          "start-up to ready < "
              + fmt(TARGET_STARTUP_SECONDS, 0)
              + " s (CDS archive; plain `java -jar`: "
              + fmt(startup.path("plainJarMedianSeconds").asDouble(), 2)
              + " s)",
          fmt(cds, 2) + " s",
          "–",
          cds < TARGET_STARTUP_SECONDS,
          null);
    }
    md.append('\n');
  }

  /** One row of the targets table; {@code detail}, when given, follows the verdict. */
  private static void targetRow(
      StringBuilder md,
      String target,
      String ours,
      String js,
      boolean met,
      @Nullable String detail) {
    md.append("| ")
        .append(target)
        .append(" | ")
        .append(ours)
        .append(" | ")
        .append(js)
        .append(" | ")
        .append(met ? "yes" : "**no**")
        .append(detail == null ? "" : " (" + detail + ")")
        .append(" |\n");
  }

  private static void startup(StringBuilder md, JsonNode s) {
    if (failed(md, s, "**(f) Start-up**")) {
      return;
    }
    md.append(
        String.format(
            Locale.ROOT,
            "**(f) Start-up**, from the process start to the first 200 of"
                + " `/actuator/health/readiness`, default settings (free ports), median of %d"
                + " starts each: `java -jar` on the packaged jar **%s s** (%s); the jar extracted"
                + " (`java -Djarmode=tools -jar … extract`) and started with the class-data-sharing"
                + " archive of one training run (README, \"Faster start\") **%s s** (%s).%n",
            s.path("runs").asInt(),
            fmt(s.path("plainJarMedianSeconds").asDouble(), 2),
            seconds(s.path("plainJarSeconds")),
            fmt(s.path("cdsMedianSeconds").asDouble(), 2),
            seconds(s.path("cdsSeconds"))));
  }

  static String seconds(JsonNode list) {
    List<String> out = new ArrayList<>();
    for (JsonNode v : list.values()) {
      out.add(fmt(v.asDouble(), 2));
    }
    return String.join(", ", out) + " s";
  }

  private static void jobs(StringBuilder md, JsonNode j) {
    String title = "**(c) REST jobs**";
    if (failed(md, j, title)) {
      return;
    }
    md.append(
        String.format(
            Locale.ROOT,
            "**(c) REST jobs** with the default embedded pool, 1 address × 1 confirmation, every"
                + " check a real dial-back (one JVM: HTTP clients, service, node and the three"
                + " embedded servers share the cores).%n%n"));
    md.append("| what | figure |\n|---|---|\n");
    md.append(
        String.format(
            Locale.ROOT,
            "| job latency, `createdAt` → `finishedAt` (%d warm-up, then %d sequential jobs) | p50"
                + " **%s**, p99 %s |%n",
            j.path("warmupJobs").asInt(),
            j.path("latencyJobs").asInt(),
            ms(j.path("latencyP50Ms")),
            ms(j.path("latencyP99Ms"))));
    md.append(
        String.format(
            Locale.ROOT,
            "| throughput, submit + poll over HTTP, %d clients, %s s | **%s jobs/s** (%d REACHABLE,"
                + " %d not) |%n%n",
            j.path("clients").asInt(),
            fmt(j.path("seconds").asDouble(), 0),
            fmt(j.path("jobsPerSecond").asDouble(), 0),
            j.path("reachableJobs").asLong(),
            j.path("notReachableJobs").asLong()));
  }

  private static void memory(StringBuilder md, JsonNode m, JsonNode jobs) {
    String title = "**(d) Memory**";
    if (failed(md, m, title)) {
      return;
    }
    long n = m.path("storedJobs").asLong();
    md.append(
        String.format(
            Locale.ROOT,
            "**(d) Memory** of the packaged jar started with `java -jar` and no JVM options (the"
                + " JDK's default heap sizing), %s jobs (1 address × 1 confirmation, real"
                + " dial-backs) submitted through REST and kept (`reach.jobs.max-stored` ≥ 100000,"
                + " `retention` 24h); each reading after a forced GC (`jcmd GC.run`).%n%n",
            count(m.path("jobs").asLong())));
    md.append("| what | figure |\n|---|---|\n");
    md.append(
        String.format(
            Locale.ROOT,
            "| RSS at idle (VmRSS) | **%s** (heap in use %s) |%n",
            mib(m.path("idleRssBytes")),
            mib(m.path("idleHeapBytes"))));
    md.append(
        String.format(
            Locale.ROOT,
            "| RSS with %s stored jobs | **%s** (heap in use %s; peak RSS while filling %s) |%n",
            count(n),
            mib(m.path("storedRssBytes")),
            mib(m.path("storedHeapBytes")),
            mib(m.path("peakRssBytes"))));
    String inProcess =
        jobs.path("failed").asBoolean() || jobs.isMissingNode()
            ? ""
            : String.format(
                Locale.ROOT,
                "; in-process store alone (JobsBench, %s synthetic jobs): %s B of heap",
                count(jobs.path("storedJobs").asLong()),
                fmt(jobs.path("heapBytesPerStoredJob").asDouble(), 0));
    md.append(
        String.format(
            Locale.ROOT,
            "| bytes per stored job | **%s B of heap**, %s B of RSS%s |%n",
            fmt(m.path("heapBytesPerStoredJob").asDouble(), 0),
            fmt(m.path("rssBytesPerStoredJob").asDouble(), 0),
            inProcess));
    md.append(
        String.format(
            Locale.ROOT,
            "| filling: %s jobs submitted by %d HTTP clients, until all finished | %s s |%n",
            count(m.path("jobs").asLong()),
            m.path("submitters").asInt(),
            fmt(m.path("fillSeconds").asDouble(), 1)));
    md.append(
        String.format(
            Locale.ROOT,
            "| service CPU per job while filling (the process's whole CPU time over the jobs after"
                + " the first %s: HTTP, job store, both sides of every check) | **%s ms** |%n%n",
            count(m.path("cpuWarmupJobs").asLong()),
            fmt(m.path("serviceCpuMsPerJob").asDouble(), 2)));
  }

  private static void monitor(StringBuilder md, JsonNode m) {
    String title = "**(e) Monitor convergence**";
    if (failed(md, m, title)) {
      return;
    }
    md.append(
        String.format(
            Locale.ROOT,
            "**(e) Monitor convergence**: a fresh node, default settings, two candidates (its"
                + " listen address: reachable; a closed port: unreachable), real checks through an"
                + " embedded pool; remote-like servers are spaced %s s per server as remote ones"
                + " are. p50 / worst of %d run(s) per scenario. go-libp2p's earliest stable verdict"
                + " with the same servers: 1 s settling delay, %d probes per address, each server"
                + " at most once per 2 min.%n%n",
            fmt(m.path("perServerIntervalS").asDouble(), 0),
            m.path("runsPerScenario").asInt(),
            m.path("targetConfidence").asInt()));
    md.append(
        "| servers | address | first verdict | stable verdict | probes to stable | go-libp2p stable"
            + " |\n"
            + "|---|---|---|---|---|---|\n");
    for (JsonNode s : m.path("scenarios").values()) {
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %s s | **%s s** | %s | ≥ %s s |%n",
              s.path("scenario").asString(),
              s.path("address").asString(),
              pair(s.path("firstVerdictS"), 2),
              pair(s.path("stableVerdictS"), 2),
              pair(s.path("probesAtStableVerdict"), 0),
              fmt(s.path("goEarliestStableS").asDouble(), 0)));
    }
    md.append('\n');
  }

  // ------------------------------------------------------------------ formatting

  /** " (QUIC)" for a measurement whose dial-backs went over QUIC. */
  static String quicMark(JsonNode measurement) {
    return "quic-v1".equals(measurement.path("transport").asString("tcp")) ? " *(QUIC)*" : "";
  }

  static String shortName(String name) {
    for (String prefix : List.of("ours", "js", "go", "rust")) {
      if (name.startsWith(prefix)) {
        // our server on another JDK keeps its "(JDK n)"
        int jdk = name.indexOf("(JDK ");
        return jdk < 0 ? prefix : prefix + " " + name.substring(jdk);
      }
    }
    return name;
  }

  static String ms(JsonNode value) {
    if (value.isNull() || value.isMissingNode()) {
      return "–";
    }
    double v = value.asDouble();
    return fmt(v, v < 10 ? 2 : 1) + " ms";
  }

  static String pair(JsonNode summary, int decimals) {
    return fmt(summary.path("p50").asDouble(), decimals)
        + " / "
        + fmt(summary.path("max").asDouble(), decimals);
  }

  static String mib(JsonNode bytes) {
    return fmt(bytes.asDouble() / 1024 / 1024, 0) + " MiB";
  }

  static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n).replace(',', ' ');
  }

  static String fmt(double v, int decimals) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%." + decimals + "f", v) : "–";
  }
}
