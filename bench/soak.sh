#!/usr/bin/env bash
# Soak test: the packaged jar under every attack at once (slot floods from 16 loopback
# IPs, half-open connections, 10 MB bodies, never-reading event-stream subscribers, scan attempts,
# 50-address jobs against silent listeners, malformed multipart, guessed job ids) while an honest
# client checks the node's listen address every 2 s. Prints the honest checks' success rate, what
# every attack got back, and the service's RSS, threads and log growth; exits non-zero on a false
# verdict (an honest check UNREACHABLE), under 95 % REACHABLE, or unbounded RSS or log growth.
# Loopback only. Not part of ./mvnw verify (it takes minutes).
# Usage: bench/soak.sh   (env: SOAK_SECONDS=120; JSON figures in target/bench/soak.json)
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B -DskipTests -DskipInterop=true package dependency:build-classpath \
  -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
JAR=$(ls target/reachability-service-*.jar | grep -v original | head -1)
CP="target/test-classes:target/classes:$(cat target/bench-classpath.txt)"
mkdir -p target/bench
java -cp "$CP" \
  -Dbench.jar="$JAR" \
  -Dsoak.seconds="${SOAK_SECONDS:-120}" \
  -Dbench.serviceLog=target/bench/soak-service.log \
  -Dbench.json=target/bench/soak.json \
  io.reachability.bench.Soak 2>&1 | { grep --line-buffered -v -E '(DEBUG|INFO|WARN) ' || true; }
exit "${PIPESTATUS[0]}"
