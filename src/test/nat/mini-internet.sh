#!/usr/bin/env bash
# A mini-internet for MiniInternetIT: a name server, six DHT nodes each on its own network (/48),
# a public host and a host behind a NAT gateway, all joined by a core router; IPv6 from 3fff::/20
# (RFC 9637 documentation prefix: public for our AddressClass and for go-libp2p, never routed
# anywhere but between these namespaces). Runs by hand too:
#
#   src/test/nat/mini-internet.sh up   <prefix>   # creates <prefix>-core, <prefix>-dns, ... (root)
#   src/test/nat/mini-internet.sh down <prefix>   # kills what runs in them, deletes them
#   src/test/nat/mini-internet.sh down-stale      # the same for every mi<pid>-* whose pid is gone
#
#                               core (router, ::ff on every link)
#     ┌──────────┬──────────┬─────────┴──┬───── … ─────┬──────────┬──────────┐
#     dns        d1         d2           …             d6         pub        gw (masquerade, reject)
#     100::53    101::2     102::2                     106::2     200::2     300::1 │ 301::1
#     dnsmasq    DHT nodes (go-libp2p-kad-dht), each its own /48                    nat 301::2
#
# (every address is in 3fff:0::/32: 101::2 stands for 3fff:0:101::2)
#
# No namespace has any other interface than these veths and its own loopback: nothing can leave.
set -eEuo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
# veth, addr and gateway_rules
source "$here/topology.sh"

readonly MI_PREFIX_PATTERN='^[a-z][a-z0-9]{0,15}$'
readonly MI_STALE_PATTERN='^mi([0-9]+)-[a-z0-9]+$'
readonly MI_NAMESPACES=(core dns d1 d2 d3 d4 d5 d6 pub gw nat)

mi_usage() {
  echo "usage: $0 up <prefix> | down <prefix> | down-stale" >&2
  exit 2
}

mi_up() {
  local p=$1 n
  for n in "${MI_NAMESPACES[@]}"; do
    ip netns add "$p-$n"
    ip netns exec "$p-$n" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
    ip -n "$p-$n" link set lo up
  done
  ip netns exec "$p-core" sysctl -qw net.ipv6.conf.all.forwarding=1
  ip netns exec "$p-gw" sysctl -qw net.ipv6.conf.all.forwarding=1

  # <namespace> <network> <host>: a host on 3fff:0:<network>::/64 behind the core
  local spec
  for spec in "dns 100 53" "d1 101 2" "d2 102 2" "d3 103 2" "d4 104 2" "d5 105 2" "d6 106 2" \
    "pub 200 2"; do
    set -- $spec
    veth "$p-core" "c-$1" "$p-$1" eth0
    addr "$p-core" "c-$1" "3fff:0:$2::ff/64"
    addr "$p-$1" eth0 "3fff:0:$2::$3/64"
    ip -n "$p-$1" -6 route add 3fff::/20 via "3fff:0:$2::ff"
  done

  # the NAT: outside 300::1, inside 301::/64 with the host at 301::2; unsolicited inbound refused
  veth "$p-core" c-gw "$p-gw" out
  veth "$p-gw" in "$p-nat" eth0
  addr "$p-core" c-gw 3fff:0:300::ff/64
  addr "$p-gw" out 3fff:0:300::1/64
  addr "$p-gw" in 3fff:0:301::1/64
  addr "$p-nat" eth0 3fff:0:301::2/64
  ip -n "$p-core" -6 route add 3fff:0:301::/64 via 3fff:0:300::1
  ip -n "$p-gw" -6 route add 3fff::/20 via 3fff:0:300::ff
  ip -n "$p-nat" -6 route add 3fff::/20 via 3fff:0:301::1
  gateway_rules reject pass 3fff:0:300::1 | ip netns exec "$p-gw" nft -f -
}

mi_down() {
  local p=$1 n name pids
  for n in "${MI_NAMESPACES[@]}"; do
    name="$p-$n"
    ip netns list | grep -q "^$name\( \|$\)" || continue
    pids=$(ip netns pids "$name" 2>/dev/null || true)
    if [ -n "$pids" ]; then
      kill -9 $pids 2>/dev/null || true
    fi
    ip netns del "$name" || true
  done
}

mi_down_stale() {
  local name pids
  ip netns list | awk '{print $1}' | while read -r name; do
    if [[ $name =~ $MI_STALE_PATTERN ]] && [ ! -d "/proc/${BASH_REMATCH[1]}" ]; then
      echo "mini-internet: removing stale namespace $name" >&2
      pids=$(ip netns pids "$name" 2>/dev/null || true)
      if [ -n "$pids" ]; then
        kill -9 $pids 2>/dev/null || true
      fi
      ip netns del "$name" || true
    fi
  done
}

case "${1:-}" in
  up)
    [ $# -eq 2 ] && [[ $2 =~ $MI_PREFIX_PATTERN ]] || mi_usage
    for n in "${MI_NAMESPACES[@]}"; do
      if ip netns list | grep -q "^$2-$n\( \|$\)"; then
        echo "mini-internet: namespace $2-$n exists already (down $2 first)" >&2
        exit 1
      fi
    done
    trap 'echo "mini-internet: setup failed, tearing down $2" >&2; mi_down "$2"' ERR
    mi_up "$2"
    trap - ERR
    ;;
  down)
    [ $# -eq 2 ] && [[ $2 =~ $MI_PREFIX_PATTERN ]] || mi_usage
    mi_down "$2"
    ;;
  down-stale)
    [ $# -eq 1 ] || mi_usage
    mi_down_stale
    ;;
  *)
    mi_usage
    ;;
esac
