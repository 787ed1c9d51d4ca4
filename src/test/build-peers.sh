#!/usr/bin/env bash
# Builds the go-libp2p and rust-libp2p interop peers (run by Maven in process-test-resources;
# -DskipInterop=true skips it). Usage: build-peers.sh go|rust OUTPUT_DIR
#
# Build caches live outside the clone, so a second run (or a second clone) compiles nothing again:
#   go:   Go's own module and build caches (GOMODCACHE, GOCACHE);
#   rust: CARGO_TARGET_DIR = ${XDG_CACHE_HOME:-~/.cache}/reachability/rust-peer/<Cargo.lock hash>,
#         so a changed lock file gets a fresh directory and an unchanged one is reused.
# The binaries are copied to OUTPUT_DIR (target/interop), where the Java tests find them.
set -euo pipefail

GO_WANTED="1.26"
RUST_WANTED="1.95"
here="$(cd "$(dirname "$0")" && pwd)"
which="${1:?usage: build-peers.sh go|rust OUTPUT_DIR}"
out="${2:?usage: build-peers.sh go|rust OUTPUT_DIR}"
mkdir -p "$out"
out="$(cd "$out" && pwd)" # absolute: the builds below run in the peers' directories

missing() {
  echo "ERROR: $1 is not on PATH, and the interop tests need it to build the $2 test peer." >&2
  echo "       Install $3, or run the build with -DskipInterop=true to skip every interop test." >&2
  exit 1
}

started=$(date +%s)
case "$which" in
  go)
    command -v go >/dev/null 2>&1 || missing go go-libp2p "Go $GO_WANTED (https://go.dev/dl/)"
    cd "$here/go"
    # -mod=readonly: go.sum is committed and must not change during a build
    go build -mod=readonly -trimpath -o "$out/go-peer" .
    echo "go-peer built in $(( $(date +%s) - started )) s ($(go version))"
    ;;
  rust)
    command -v cargo >/dev/null 2>&1 || missing cargo rust-libp2p "Rust $RUST_WANTED with cargo (https://rustup.rs)"
    cd "$here/rust"
    lock_hash=$(sha256sum Cargo.lock | cut -c1-16)
    export CARGO_TARGET_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/reachability/rust-peer/$lock_hash"
    cargo build --release --locked --quiet
    cp -f "$CARGO_TARGET_DIR/release/rust-peer" "$out/rust-peer.tmp"
    mv -f "$out/rust-peer.tmp" "$out/rust-peer"
    echo "rust-peer built in $(( $(date +%s) - started )) s ($(cargo --version), target $CARGO_TARGET_DIR)"
    ;;
  *)
    echo "usage: build-peers.sh go|rust OUTPUT_DIR" >&2
    exit 2
    ;;
esac
