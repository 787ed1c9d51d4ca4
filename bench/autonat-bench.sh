#!/usr/bin/env bash
# AutoNAT v2 on loopback, every check with a real dial-back: single-check latency (median, p99) for
# every client -> server pair of ours, js-libp2p, go-libp2p and rust-libp2p, and server capacity and
# server CPU per check (whole process; ours is the packaged jar in the server role), without and with
# dial data, under the same load generator (our client) for every server, in one run.
# bench/compare.sh runs it too.
# Usage: bench/autonat-bench.sh
#   (env: CLIENTS=8 SECONDS_PER_RUN=10 LATENCY_CHECKS=300 WARMUP_CHECKS=200 PEERS=js,go,rust)
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B -DskipTests -DskipInterop=true package dependency:build-classpath \
  -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
CP="target/test-classes:target/classes:$(cat target/bench-classpath.txt)"
JAR="$(ls target/reachability-service-*.jar | head -1)"
java -cp "$CP" \
  -Dbench.jar="$JAR" \
  -Dinterop.js.dir="$PWD/src/test/js" \
  -Dinterop.bin.dir="$PWD/target/interop" \
  -Dbench.clients="${CLIENTS:-8}" \
  -Dbench.capacitySeconds="${SECONDS_PER_RUN:-10}" \
  -Dbench.latencyChecks="${LATENCY_CHECKS:-300}" \
  -Dbench.warmupChecks="${WARMUP_CHECKS:-200}" \
  -Dbench.peers="${PEERS:-js,go,rust}" \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  io.reachability.bench.AutonatBench 2>&1 | grep -v -E '^\S+ \[.*\] (INFO|DEBUG)'
