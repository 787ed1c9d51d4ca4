#!/usr/bin/env bash
# Reachability monitor convergence on loopback with real parts (node, AutoNAT v2 client, embedded
# servers): seconds to the first and to a stable verdict and probes spent, for a reachable and an
# unreachable address, next to go-libp2p's schedule with the same servers.
# Usage: bench/monitor-bench.sh  (env: RUNS=10)
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B -DskipInterop=true test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
CP="target/test-classes:target/classes:$(cat target/bench-classpath.txt)"
java -cp "$CP" -Dbench.runs="${RUNS:-10}" io.reachability.bench.MonitorBench 2>&1 | grep -v -E '(INFO|DEBUG|WARN)'
