#!/usr/bin/env bash
# Benchmarks the embedded libp2p stack on loopback (JMH), over TCP (Noise XX, yamux) and QUIC-v1
# (TLS 1.3 inside QUIC): full connection set-ups per second, process CPU per set-up, and stream
# open + ping latency.
# Usage: bench/stack-bench.sh [extra JMH args]   e.g. bench/stack-bench.sh -t 4
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B -DskipInterop=true test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
CP="target/test-classes:target/classes:$(cat target/bench-classpath.txt)"
THREADS="${THREADS:-4}"
echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1)"
java -cp "$CP" org.openjdk.jmh.Main 'io.reachability.bench.StackBenchmark.upgrade' \
  -bm thrpt -f 1 -wi 5 -w 4s -i 5 -r 4s -t "$THREADS" -tu s "$@"
java -cp "$CP" org.openjdk.jmh.Main 'io.reachability.bench.StackBenchmark.streamPing' \
  -bm sample -f 1 -wi 3 -w 2s -i 5 -r 2s -t 1 -tu us "$@"
