#!/usr/bin/env bash
# Check jobs end to end through REST with the embedded pool (1 address x 1 confirmation, real
# dial-backs): job latency p50/p99, jobs/s with concurrent HTTP clients, heap per stored finished job.
# Usage: bench/jobs-bench.sh  (env: CLIENTS=8 SECONDS_PER_RUN=10 LATENCY_JOBS=300 STORED_JOBS=100000)
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B -DskipInterop=true test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
CP="target/test-classes:target/classes:$(cat target/bench-classpath.txt)"
java -cp "$CP" \
  -Dbench.clients="${CLIENTS:-8}" \
  -Dbench.seconds="${SECONDS_PER_RUN:-10}" \
  -Dbench.latencyJobs="${LATENCY_JOBS:-300}" \
  -Dbench.storedJobs="${STORED_JOBS:-100000}" \
  io.reachability.bench.JobsBench 2>&1 | grep -v -E '(INFO|DEBUG|WARN)'
