#!/usr/bin/env bash
# Ours vs js-libp2p in one run, everything on loopback; prints a table, writes target/bench/results.json
# and rewrites the figures in bench/README.md (between <!-- bench:compare:begin/end -->):
#   (a) single-check latency, median/p99, every client -> server pair of ours, js,
#       go and rust                                                                  AutonatBench
#   (b) server capacity and server CPU per check, same load generator (our client),
#       for every server                                                             AutonatBench
#   (c) REST jobs/s and job latency with the embedded pool                           JobsBench
#   (d) memory of the packaged jar (separate process): RSS idle and with MEMORY_JOBS stored jobs,
#       bytes per stored job                                                         ServiceMemoryBench
#   (e) monitor convergence: seconds to first and stable verdict, probes, vs go      MonitorBench
#   (f) start-up to ready of the packaged jar, plain and with a CDS archive           StartupBench
# and first a table of the performance targets (README "How fast") against these figures.
# js = js-libp2p 3.3.11 / @libp2p/autonat-v2 2.0.15 (src/test/js, test-only loopback switch),
# go = go-libp2p v0.52.0 (src/test/go, AllowPrivateAddrs), rust = rust-libp2p 0.56.0 (src/test/rust).
#
# Usage: bench/compare.sh                       full size, 10-15 minutes on 2 cores
#        LATENCY_CHECKS=30 WARMUP_CHECKS=20 SECONDS_PER_RUN=2 LATENCY_JOBS=30 WARMUP_JOBS=20 \
#          STORED_JOBS=5000 MEMORY_JOBS=2000 MONITOR_RUNS=1 STARTUP_RUNS=1 bench/compare.sh    a quick try
# Env (defaults = full size): LATENCY_CHECKS=300 WARMUP_CHECKS=200 (per pair), CLIENTS=8 (capacity
# and jobs HTTP clients), SECONDS_PER_RUN=10 (each capacity and throughput run), LATENCY_JOBS=300
# WARMUP_JOBS=200, STORED_JOBS=100000 (in-process heap per job), MEMORY_JOBS=100000
# MEMORY_SUBMITTERS=4, MONITOR_RUNS=10 (per scenario), STARTUP_RUNS=5 (per way of starting), UPDATE_README=true, PART_TIMEOUT_MINUTES=60
# (a part still running then is stopped and counts as failed), ALT_JAVA (a second java to run our
# server on in (b); default: a JDK 25 or 21 under /usr/lib/jvm if there is one; empty = none).
# A part that fails is reported with its log (target/bench/logs/<part>.log), the other parts still
# run, the README is left alone and the exit status is 1.
set -euo pipefail
cd "$(dirname "$0")/.."

declare -A DEFAULTS=(
  [LATENCY_CHECKS]=300 [WARMUP_CHECKS]=200 [CLIENTS]=8 [SECONDS_PER_RUN]=10
  [LATENCY_JOBS]=300 [WARMUP_JOBS]=200 [STORED_JOBS]=100000
  [MEMORY_JOBS]=100000 [MEMORY_SUBMITTERS]=4 [MONITOR_RUNS]=10 [STARTUP_RUNS]=5 [PART_TIMEOUT_MINUTES]=60
)
COMMAND="bench/compare.sh"
FULL_SIZE=true
for name in PART_TIMEOUT_MINUTES STARTUP_RUNS MONITOR_RUNS MEMORY_SUBMITTERS MEMORY_JOBS STORED_JOBS WARMUP_JOBS LATENCY_JOBS SECONDS_PER_RUN CLIENTS WARMUP_CHECKS LATENCY_CHECKS; do
  value="${!name:-${DEFAULTS[$name]}}"
  if ! [[ "$value" =~ ^[0-9]+$ ]] || (( value < 1 )); then
    echo "compare.sh: $name must be a positive whole number, was '$value'" >&2
    exit 2
  fi
  printf -v "$name" '%s' "$value"
  if [[ "$value" != "${DEFAULTS[$name]}" ]]; then
    COMMAND="$name=$value $COMMAND"
    if [[ "$name" != PART_TIMEOUT_MINUTES ]]; then
      FULL_SIZE=false
    fi
  fi
done
UPDATE_README="${UPDATE_README:-true}"
# our server also runs on this java (JDK 20+ accelerates the JDK's ChaCha20-Poly1305, used there instead of Conscrypt's; 25 measured); ALT_JAVA= for none
ALT_JAVA="${ALT_JAVA-$(ls -d /usr/lib/jvm/*-25-*/bin/java /usr/lib/jvm/*-21-*/bin/java 2>/dev/null | head -1 || true)}"

OUT=target/bench
PARTS_DIR="$OUT/parts"
LOGS_DIR="$OUT/logs"
SERVICE_PID_FILE="$OUT/service.pid"
LOADAVG="$(cut -d' ' -f1-3 /proc/loadavg)"
STARTED=$SECONDS

# every process this script starts is listed here; node peers exit by themselves when their JVM's
# pipe closes, the jar of part (d) is killed through the pid file its JVM writes
STARTED_PIDS=()
cleanup() {
  local pid
  for pid in "${STARTED_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  if [[ -f "$SERVICE_PID_FILE" ]]; then
    pid="$(cat "$SERVICE_PID_FILE")"
    # only the jar this run started (the pid could have been reused after it exited)
    if [[ -r "/proc/$pid/cmdline" ]] && tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q 'reachability-service-.*\.jar'; then
      kill "$pid" 2>/dev/null || true
    fi
    rm -f "$SERVICE_PID_FILE"
  fi
}
trap cleanup EXIT
trap 'echo "compare.sh: interrupted" >&2; exit 130' INT TERM

echo "== build"
if [[ ! -f src/test/js/node_modules/libp2p/package.json ]]; then
  (cd src/test/js && npm ci --no-audit --no-fund --loglevel=error)
fi
bash src/test/build-peers.sh go target/interop
bash src/test/build-peers.sh rust target/interop
./mvnw -q -B -DskipTests -DskipInterop=true package dependency:build-classpath \
  -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
CP="target/test-classes:target/classes:$(cat target/bench-classpath.txt)"
JAR="$(ls target/reachability-service-*.jar | head -1)"
rm -rf "$PARTS_DIR" "$LOGS_DIR"
mkdir -p "$PARTS_DIR" "$LOGS_DIR"

FAILED=()
# run_part NAME TITLE MAIN_CLASS [-Dprop=value...]: the JVM's output goes to its log, shown live
# without the libraries' log lines; its figures to $PARTS_DIR/NAME.json
run_part() {
  local name="$1" title="$2" main="$3"
  shift 3
  local log="$LOGS_DIR/$name.log"
  echo
  echo "== $title"
  timeout --kill-after=60s "${PART_TIMEOUT_MINUTES}m" java -cp "$CP" "$@" -Dbench.json="$PARTS_DIR/$name.json" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    "io.reachability.bench.$main" > "$log" 2>&1 &
  local jvm=$!
  STARTED_PIDS+=("$jvm")
  tail -n +1 -f --pid="$jvm" "$log" | grep --line-buffered -v -E '^\S+ \[.*\] (INFO|DEBUG|WARN) |(INFO|DEBUG|WARN) +[0-9]+ ---' &
  local follower=$!
  STARTED_PIDS+=("$follower")
  local rc=0
  wait "$jvm" || rc=$?
  wait "$follower" 2>/dev/null || true
  if (( rc != 0 )) || [[ ! -s "$PARTS_DIR/$name.json" ]]; then
    rm -f "$PARTS_DIR/$name.json"
    FAILED+=("$name")
    if (( rc == 124 )); then
      echo "!! $title did not finish within ${PART_TIMEOUT_MINUTES} min (PART_TIMEOUT_MINUTES) and was stopped"
    fi
    echo "!! $title FAILED (exit $rc); log: $log; its last lines:"
    tail -n 15 "$log" | sed 's/^/!!   /'
  fi
}

run_part autonat "(a) latency and (b) capacity, ours vs js, go and rust" AutonatBench \
  -Dbench.jar="$JAR" -Dbench.pidFile="$SERVICE_PID_FILE" -Dbench.serviceLog="$LOGS_DIR/autonat-server.log" \
  -Dbench.altJava="$ALT_JAVA" \
  -Dinterop.js.dir="$PWD/src/test/js" -Dinterop.bin.dir="$PWD/target/interop" \
  -Dbench.latencyChecks="$LATENCY_CHECKS" -Dbench.warmupChecks="$WARMUP_CHECKS" \
  -Dbench.clients="$CLIENTS" -Dbench.capacitySeconds="$SECONDS_PER_RUN"
run_part jobs "(c) REST jobs with the embedded pool" JobsBench \
  -Dbench.clients="$CLIENTS" -Dbench.seconds="$SECONDS_PER_RUN" \
  -Dbench.latencyJobs="$LATENCY_JOBS" -Dbench.warmupJobs="$WARMUP_JOBS" -Dbench.storedJobs="$STORED_JOBS"
run_part memory "(d) memory of the packaged jar" ServiceMemoryBench \
  -Dbench.jar="$JAR" -Dbench.memoryJobs="$MEMORY_JOBS" -Dbench.memorySubmitters="$MEMORY_SUBMITTERS" \
  -Dbench.pidFile="$SERVICE_PID_FILE" -Dbench.serviceLog="$LOGS_DIR/memory-service.log"
run_part monitor "(e) monitor convergence" MonitorBench -Dbench.runs="$MONITOR_RUNS"
run_part startup "(f) start-up, plain jar and with a CDS archive" StartupBench \
  -Dbench.jar="$JAR" -Dbench.startupRuns="$STARTUP_RUNS"

echo
echo "== report ($(( SECONDS - STARTED )) s so far)"
README_ARG=()
if [[ "$UPDATE_README" == "true" ]]; then
  README_ARG=(-Dbench.readme=bench/README.md)
fi
report_rc=0
java -cp "$CP" -Dbench.partsDir="$PARTS_DIR" -Dbench.logsDir="$LOGS_DIR" -Dbench.results="$OUT/results.json" \
  -Dbench.command="$COMMAND" -Dbench.fullSize="$FULL_SIZE" -Dbench.loadavg="$LOADAVG" "${README_ARG[@]}" \
  io.reachability.bench.CompareReport || report_rc=$?
if (( report_rc == 0 )) && [[ "$UPDATE_README" == "true" ]]; then
  cp "$OUT/results.json" bench/results.json
  echo "copied $OUT/results.json to bench/results.json (commit it with bench/README.md)"
fi
echo "done in $(( SECONDS - STARTED )) s"
if (( ${#FAILED[@]} > 0 || report_rc != 0 )); then
  echo "compare.sh: FAILED: ${FAILED[*]:-report}" >&2
  exit 1
fi
