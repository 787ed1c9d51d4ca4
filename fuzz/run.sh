#!/usr/bin/env bash
# Coverage-guided fuzzing of every @FuzzTest, one target after the other.
#
#   fuzz/run.sh [SECONDS] [FILTER]     e.g.  fuzz/run.sh 300 Yamux
#
# SECONDS per target (default $FUZZ_SECONDS or 30); FILTER keeps the targets whose
# Class#method contains it. Extra Maven flags: MVN_ARGS (default: -B -DskipInterop=true;
# add -o when offline).
#
# Jazzer fuzzes when JAZZER_FUZZ is set, and then only one fuzz test per JVM, hence one
# Maven run per target. A finding fails that run and is written by Jazzer to
# src/test/resources/<package>/<Class>Inputs/<method>/crash-*, where the normal build
# replays it. The growing corpus is kept in target/fuzz-corpus (Jazzer's .cifuzz-corpus,
# linked there for the run); full logs in target/fuzz-logs/.
set -euo pipefail

cd "$(dirname "$0")/.."
seconds="${1:-${FUZZ_SECONDS:-30}}"
filter="${2:-}"
read -r -a mvn_args <<< "${MVN_ARGS:--B -DskipInterop=true}"

# Every "@FuzzTest ... void name(" in the test sources, as Class#method.
mapfile -t targets < <(
  find src/test/java -name '*FuzzTest.java' | sort | while read -r file; do
    class="$(basename "$file" .java)"
    awk -v class="$class" '
      /@FuzzTest/ { pending = 1; next }
      pending && match($0, /void [A-Za-z0-9_]+\(/) {
        print class "#" substr($0, RSTART + 5, RLENGTH - 6); pending = 0 }' "$file"
  done | grep -F -- "$filter" || true)
if [ "${#targets[@]}" -eq 0 ]; then
  echo "no fuzz targets match '$filter'" >&2
  exit 2
fi

./mvnw -q "${mvn_args[@]}" test-compile

mkdir -p target/fuzz-corpus target/fuzz-logs
if [ -e .cifuzz-corpus ] && [ ! -L .cifuzz-corpus ]; then
  cp -r .cifuzz-corpus/. target/fuzz-corpus/ && rm -rf .cifuzz-corpus
fi
ln -sfn target/fuzz-corpus .cifuzz-corpus
trap 'rm -f .cifuzz-corpus' EXIT

inputs_dir() { # Class#method -> its Inputs directory in the source tree
  local class="${1%%#*}" method="${1##*#}" file
  file="$(find src/test/java -name "$class.java" | head -n 1)"
  file="${file#src/test/java/}"
  echo "src/test/resources/$(dirname "$file")/${class}Inputs/$method"
}

failed=0
printf '%-48s %10s %6s %8s %6s %8s  %s\n' target executions secs exec/s cov crashes result
for target in "${targets[@]}"; do
  log="target/fuzz-logs/${target/\#/.}.log"
  dir="$(inputs_dir "$target")"
  before="$(find "$dir" -name 'crash-*' 2>/dev/null | wc -l)"
  status=PASS
  JAZZER_FUZZ=1 ./mvnw "${mvn_args[@]}" surefire:test -Dtest="$target" \
      -Djazzer.max_duration="${seconds}s" > "$log" 2>&1 || status=FAIL
  after="$(find "$dir" -name 'crash-*' 2>/dev/null | wc -l)"
  runs="$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n 1)"
  secs="$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\2/p' "$log" | tail -n 1)"
  last="$(grep -a -E '^#[0-9]+' "$log" | tail -n 1 || true)"
  cov="$(sed -n 's/.* cov: \([0-9]*\) .*/\1/p' <<< "$last")"
  execs="$(sed -n 's/.* exec\/s: \([0-9]*\) .*/\1/p' <<< "$last")"
  if [ -z "$runs" ]; then # a finding ends libFuzzer before its summary
    runs="$(sed -n 's/^#\([0-9]*\).*/\1/p' <<< "$last")"
  fi
  grep -a -q 'Netty buffer leak' "$log" && status="$status(leak)"
  [ "$status" = PASS ] || failed=1
  printf '%-48s %10s %6s %8s %6s %8s  %s\n' "$target" "${runs:-?}" "${secs:-?}" "${execs:-?}" \
      "${cov:-?}" "$((after - before))" "$status"
done
exit "$failed"
