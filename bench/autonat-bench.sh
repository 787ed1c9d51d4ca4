#!/usr/bin/env bash
# AutoNAT v2 on loopback, every check with a real dial-back: single-check latency (median, p99) for
# the client -> server pairs ours->ours, ours->js, js->ours, js->js, and server capacity under
# concurrent clients for our server and js-libp2p's, in one run. bench/compare.sh runs it too.
# Usage: bench/autonat-bench.sh
#   (env: CLIENTS=8 SECONDS_PER_RUN=10 LATENCY_CHECKS=300 WARMUP_CHECKS=200 SKIP_JS=false)
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
CP="target/test-classes:target/classes:$(cat target/bench-classpath.txt)"
java -cp "$CP" \
  -Dinterop.js.dir="$PWD/src/test/js" \
  -Dbench.clients="${CLIENTS:-8}" \
  -Dbench.capacitySeconds="${SECONDS_PER_RUN:-10}" \
  -Dbench.latencyChecks="${LATENCY_CHECKS:-300}" \
  -Dbench.warmupChecks="${WARMUP_CHECKS:-200}" \
  -Dbench.skipJs="${SKIP_JS:-false}" \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  io.reachability.bench.AutonatBench 2>&1 | grep -v -E '^\S+ \[.*\] (INFO|DEBUG)'
