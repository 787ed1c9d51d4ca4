#!/usr/bin/env bash
# Makes a base image for docker/Dockerfile.packaged (its BASE, instead of eclipse-temurin:17-jre) on
# a machine that has rootful Podman but no registry to pull from: a Debian bookworm root file system
# (debootstrap, from the machine's own apt mirror) with Debian's OpenJDK 17 JRE, imported under a
# name of its own (never Temurin's: a later build FROM the real image must not get this one).
# Used by ContainerImageIT; runs by hand too (as root):
#
#   src/test/container/base-image.sh      # once; later runs load the cached archive
#   podman build --build-arg BASE=localhost/reach-test/jre-base:17 -f docker/Dockerfile.packaged .
#
# The archive is cached outside the clone (~/.cache/reachability/), so a second run takes seconds.
# Debian's JRE stands in for Temurin's: both are OpenJDK 17 on glibc, and the image's ENTRYPOINT
# finds `java` on PATH.
set -euo pipefail

readonly IMAGE=localhost/reach-test/jre-base:17
readonly CACHE_DIR=${REACH_CACHE_DIR:-$HOME/.cache/reachability}
readonly ARCHIVE=$CACHE_DIR/reach-test-jre-base-17.tar
readonly SUITE=bookworm

if podman image exists "$IMAGE"; then
  echo "base-image: $IMAGE is there"
  exit 0
fi
if [ -f "$ARCHIVE" ]; then
  podman load -q -i "$ARCHIVE"
  echo "base-image: $IMAGE loaded from $ARCHIVE"
  exit 0
fi

# the mirror this machine's apt uses (deb822 sources first, then the one-line format)
mirror=$(sed -n 's/^URIs:[[:space:]]*\(http[^[:space:]]*\/debian\)\/\?$/\1/p' \
  /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)
if [ -z "$mirror" ] && [ -f /etc/apt/sources.list ]; then
  mirror=$(awk '$1 == "deb" && $2 ~ /\/debian\/?$/ { sub(/\/$/, "", $2); print $2; exit }' \
    /etc/apt/sources.list)
fi
mirror=${mirror:-http://deb.debian.org/debian}

work=$(mktemp -d)
rootfs=$work/rootfs
cleanup() {
  umount "$rootfs/proc" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "base-image: debootstrap $SUITE from $mirror"
debootstrap --variant=minbase "$SUITE" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 ||
  { tail -20 "$work/debootstrap.log" >&2; exit 1; }
printf 'deb %s %s main\ndeb %s %s-updates main\n' "$mirror" "$SUITE" "$mirror" "$SUITE" \
  >"$rootfs/etc/apt/sources.list"
mount -t proc proc "$rootfs/proc"
chroot "$rootfs" sh -c 'apt-get update -qq &&
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    openjdk-17-jre-headless ca-certificates &&
  apt-get clean && rm -rf /var/lib/apt/lists/*' >"$work/install.log" 2>&1 ||
  { tail -20 "$work/install.log" >&2; exit 1; }
umount "$rootfs/proc"
tar -C "$rootfs" -c . | podman import -q - "$IMAGE" >/dev/null
mkdir -p "$CACHE_DIR"
podman save -q -o "$ARCHIVE.tmp" "$IMAGE" && mv "$ARCHIVE.tmp" "$ARCHIVE"
echo "base-image: $IMAGE imported, cached in $ARCHIVE"
