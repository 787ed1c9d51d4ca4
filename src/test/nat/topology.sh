#!/usr/bin/env bash
# NAT simulation topology: network namespaces joined by veth pairs, IPv6 addresses from
# 3fff::/20 (RFC 9637 documentation prefix: public for our AddressClass and for js-libp2p, and
# never routed anywhere but between these namespaces). Used by NatSimulationIT; runs by hand too:
#
#   src/test/nat/topology.sh up   <prefix>   # creates <prefix>-core, <prefix>-srv, ... (root)
#   src/test/nat/topology.sh down <prefix>   # kills what runs in them, deletes them
#   src/test/nat/topology.sh down-stale      # the same for every rs<pid>-* whose pid is gone
#
#                                    core (router, ::ff on every link)
#     ┌───────────────┬───────────────┬───────────────┼───────────────┬───────────────┐
#     srv             pub             gwa             gwb             gwc             gwd
#     1::/64          2::2            3::1            4::1            5::1            6::1
#     ::2 ::3 ours    public client   masquerade      masquerade      masquerade      masquerade
#     ::4 js                          reject          reject          drop            reject
#     ::5 go                          │               DNAT 4001,      │               DNAT tcp/4001,
#     ::6 rust                        │               tcp and udp     │               drops all udp
#                                     │               │               │               │
#                                     nat 10::2       fwd 11::2       ndr 12::2       udb 13::2
#
#     fwl 7::2 (on the core too): a public client whose own firewall refuses new connections to
#     its port 4001, tcp and udp
#
#     double NAT, on the core too:
#     gwe 8::1            masquerade, reject
#     │ fd00:0:0:20::/64  a private (ULA) segment, a bridge in gwe (::1)
#     ├── mid ::3         our service as a server, inside the outer NAT (no public address)
#     └── gwf ::2         masquerade, reject
#         │
#         dnt 14::2       behind both NATs
#
# (every address but the ULA segment's is in 3fff:0:0::/48: 4::1 stands for 3fff:0:0:4::1)
#
# The core routes each inside prefix (3fff:0:0:1x::/64) to its gateway, so a dial to an inside
# address reaches the gateway and its firewall decides, as for the gateway's own outside address:
# unsolicited inbound is refused (gwa, gwb, gwd: a tcp reset, icmpv6 admin-prohibited for the
# rest, udp included) or silently dropped (gwc). Outbound is masqueraded to the gateway's outside address, so servers see
# the clients' connections come from 3fff:0:0:3::1 (4::1, 5::1, 6::1), not from the address they
# ask about. gwb forwards [3fff:0:0:4::1]:4001, tcp and udp (QUIC), to [3fff:0:0:11::2]:4001; gwd
# forwards only tcp ([3fff:0:0:6::1]:4001 to [3fff:0:0:13::2]:4001) and drops every udp packet, in
# and out: a network where TCP works and QUIC cannot. dnt's connections leave gwf masqueraded to
# fd00:0:0:20::2 (what mid sees) and gwe masqueraded again to 3fff:0:0:8::1 (what the servers on
# the core see); the core routes 14::/64 to gwe, whose firewall refuses it.
#
# No namespace has any other interface than these veths (and gwe's bridge of two of them) and its
# own loopback: nothing can leave.
set -eEuo pipefail

# namespaces are <prefix>-<name>; interface names live inside their namespace, so they need no
# per-run prefix (and stay within 15 characters)
readonly PREFIX_PATTERN='^[a-z][a-z0-9]{0,15}$'
# what NatSimulationIT names its runs: rs<pid of the test JVM>
readonly STALE_PATTERN='^rs([0-9]+)-[a-z]+$'
readonly NAMESPACES=(core srv pub gwa gwb gwc gwd nat fwd ndr udb fwl gwe gwf mid dnt)

usage() {
  echo "usage: $0 up <prefix> | down <prefix> | down-stale" >&2
  exit 2
}

ns() { echo "$1-$2"; }

# veth <nsA> <ifA> <nsB> <ifB>: a veth pair between two namespaces, both ends up
veth() {
  ip -n "$1" link add "$2" type veth peer name "$4" netns "$3"
  ip -n "$1" link set "$2" up
  ip -n "$3" link set "$4" up
}

# addr <ns> <if> <address/len>: without duplicate address detection, so it is usable at once
addr() {
  ip -n "$1" -6 addr add "$3" dev "$2" nodad
}

# gateway_rules <policy reject|drop> <udp pass|drop> <outside address> [<forwarded client>
# <forwarded protocols, e.g. "tcp udp">]: nftables of a NAT gateway whose interfaces are "out"
# (towards core) and "in" (towards its client)
gateway_rules() {
  local policy=$1 udp=$2 outside=$3 forward=${4:-} protocols=${5:-}
  local unsolicited
  if [ "$policy" = reject ]; then
    # refused: a tcp reset (the dialer fails at once), icmp "administratively prohibited" otherwise
    # (our QUIC dialer fails at once on it too; go's and rust's wait out their handshake timeout)
    unsolicited='iifname "out" meta l4proto tcp reject with tcp reset
    iifname "out" reject with icmpv6 admin-prohibited'
  else
    # silently dropped: the dialer waits for its connect timeout
    unsolicited='iifname "out" drop'
  fi
  # a network without udp: dropped before anything may accept it, both ways, so no QUIC handshake
  # gets anywhere and the dialer hears nothing
  local no_udp=''
  if [ "$udp" = drop ]; then
    no_udp='meta l4proto udp drop'
  fi
  local dnat='' dnat_accept='' protocol
  if [ -n "$forward" ]; then
    for protocol in $protocols; do
      dnat+="iifname \"out\" ip6 daddr $outside $protocol dport 4001 dnat to [$forward]:4001
    "
    done
    dnat_accept='ct status dnat accept'
  fi
  cat <<EOF
table ip6 gateway {
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    $dnat
  }
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "out" masquerade
  }
  chain forward {
    type filter hook forward priority filter; policy accept;
    $no_udp
    ct state established,related accept
    $dnat_accept
    iifname "in" oifname "out" accept
    $unsolicited
  }
  chain input {
    type filter hook input priority filter; policy accept;
    $no_udp
    ct state established,related accept
    # neighbour discovery must pass, or nothing does
    meta l4proto ipv6-icmp accept
    $unsolicited
  }
}
EOF
}

up() {
  local p=$1
  for n in "${NAMESPACES[@]}"; do
    ip netns add "$(ns "$p" "$n")"
    # no DAD: addresses are usable at once (and interfaces created later inherit "default")
    ip netns exec "$(ns "$p" "$n")" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
    ip -n "$(ns "$p" "$n")" link set lo up
  done
  for n in core gwa gwb gwc gwd gwe gwf; do
    ip netns exec "$(ns "$p" "$n")" sysctl -qw net.ipv6.conf.all.forwarding=1
  done
  local core srv pub gwa gwb gwc gwd nat fwd ndr udb fwl gwe gwf mid dnt
  core=$(ns "$p" core) srv=$(ns "$p" srv) pub=$(ns "$p" pub) fwl=$(ns "$p" fwl)
  gwa=$(ns "$p" gwa) gwb=$(ns "$p" gwb) gwc=$(ns "$p" gwc) gwd=$(ns "$p" gwd)
  nat=$(ns "$p" nat) fwd=$(ns "$p" fwd) ndr=$(ns "$p" ndr) udb=$(ns "$p" udb)
  gwe=$(ns "$p" gwe) gwf=$(ns "$p" gwf) mid=$(ns "$p" mid) dnt=$(ns "$p" dnt)

  # core <-> each edge network; the core is ::ff on each
  veth "$core" c-srv "$srv" eth0
  veth "$core" c-pub "$pub" eth0
  veth "$core" c-fwl "$fwl" eth0
  veth "$core" c-gwa "$gwa" out
  veth "$core" c-gwb "$gwb" out
  veth "$core" c-gwc "$gwc" out
  veth "$core" c-gwd "$gwd" out
  veth "$core" c-gwe "$gwe" out
  addr "$core" c-srv 3fff:0:0:1::ff/64
  addr "$core" c-pub 3fff:0:0:2::ff/64
  addr "$core" c-fwl 3fff:0:0:7::ff/64
  addr "$core" c-gwa 3fff:0:0:3::ff/64
  addr "$core" c-gwb 3fff:0:0:4::ff/64
  addr "$core" c-gwc 3fff:0:0:5::ff/64
  addr "$core" c-gwd 3fff:0:0:6::ff/64
  addr "$core" c-gwe 3fff:0:0:8::ff/64
  ip -n "$core" -6 route add 3fff:0:0:10::/64 via 3fff:0:0:3::1
  ip -n "$core" -6 route add 3fff:0:0:11::/64 via 3fff:0:0:4::1
  ip -n "$core" -6 route add 3fff:0:0:12::/64 via 3fff:0:0:5::1
  ip -n "$core" -6 route add 3fff:0:0:13::/64 via 3fff:0:0:6::1
  ip -n "$core" -6 route add 3fff:0:0:14::/64 via 3fff:0:0:8::1

  # servers: our two services (::2, ::3), the js server (::4), the go (::5) and rust (::6) servers
  addr "$srv" eth0 3fff:0:0:1::2/64
  addr "$srv" eth0 3fff:0:0:1::3/64
  addr "$srv" eth0 3fff:0:0:1::4/64
  addr "$srv" eth0 3fff:0:0:1::5/64
  addr "$srv" eth0 3fff:0:0:1::6/64
  ip -n "$srv" -6 route add 3fff::/20 via 3fff:0:0:1::ff

  # the public client
  addr "$pub" eth0 3fff:0:0:2::2/64
  ip -n "$pub" -6 route add 3fff::/20 via 3fff:0:0:2::ff

  # the firewalled client: public like pub, no NAT, but its own firewall refuses every new
  # connection to port 4001 (a tcp reset, icmp port unreachable for udp); its own go out
  addr "$fwl" eth0 3fff:0:0:7::2/64
  ip -n "$fwl" -6 route add 3fff::/20 via 3fff:0:0:7::ff
  ip netns exec "$fwl" nft -f - <<'NFT'
table inet host {
  chain input {
    type filter hook input priority 0; policy accept;
    ct state established,related accept
    tcp dport 4001 reject with tcp reset
    udp dport 4001 reject
  }
}
NFT

  # the gateways and the clients behind them:
  # <gw> <outside net> <inside net> <client ns> <policy> <udp> [forwarded protocols, comma-separated]
  local spec
  for spec in "$gwa 3 10 $nat reject pass" "$gwb 4 11 $fwd reject pass tcp,udp" \
    "$gwc 5 12 $ndr drop pass" "$gwd 6 13 $udb reject drop tcp"; do
    set -- $spec
    local gw=$1 out=$2 in=$3 client=$4 policy=$5 udp=$6 fw=${7:-}
    veth "$gw" in "$client" eth0
    addr "$gw" out "3fff:0:0:$out::1/64"
    addr "$gw" in "3fff:0:0:$in::1/64"
    ip -n "$gw" -6 route add 3fff::/20 via "3fff:0:0:$out::ff"
    addr "$client" eth0 "3fff:0:0:$in::2/64"
    ip -n "$client" -6 route add 3fff::/20 via "3fff:0:0:$in::1"
    gateway_rules "$policy" "$udp" "3fff:0:0:$out::1" ${fw:+"3fff:0:0:$in::2" "${fw//,/ }"} \
      | ip netns exec "$gw" nft -f -
  done

  # double NAT: gwe (outside 3fff:0:0:8::1, masquerade, reject) has a private network behind it,
  # the ULA segment fd00:0:0:20::/64 (a bridge "in" in gwe, as a router's built-in switch): gwe
  # ::1, gwf ::2, mid ::3. gwf (masquerade, reject) masquerades its own inside 3fff:0:0:14::/64,
  # where dnt is, to fd00:0:0:20::2, which gwe masquerades again to 3fff:0:0:8::1. mid has only
  # its ULA address: a server inside the outer NAT, which sees dnt come from fd00:0:0:20::2.
  ip -n "$gwe" link add in type bridge stp_state 0 mcast_snooping 0
  ip -n "$gwe" link set in up
  veth "$gwe" lan-gwf "$gwf" out
  veth "$gwe" lan-mid "$mid" eth0
  ip -n "$gwe" link set lan-gwf master in
  ip -n "$gwe" link set lan-mid master in
  addr "$gwe" out 3fff:0:0:8::1/64
  addr "$gwe" in fd00:0:0:20::1/64
  ip -n "$gwe" -6 route add 3fff::/20 via 3fff:0:0:8::ff
  # a dial to dnt's prefix reaches gwe, whose firewall refuses it (as it would gwf's)
  ip -n "$gwe" -6 route add 3fff:0:0:14::/64 via fd00:0:0:20::2
  gateway_rules reject pass 3fff:0:0:8::1 | ip netns exec "$gwe" nft -f -
  addr "$mid" eth0 fd00:0:0:20::3/64
  ip -n "$mid" -6 route add 3fff::/20 via fd00:0:0:20::1
  veth "$gwf" in "$dnt" eth0
  addr "$gwf" out fd00:0:0:20::2/64
  addr "$gwf" in 3fff:0:0:14::1/64
  ip -n "$gwf" -6 route add 3fff::/20 via fd00:0:0:20::1
  gateway_rules reject pass fd00:0:0:20::2 | ip netns exec "$gwf" nft -f -
  addr "$dnt" eth0 3fff:0:0:14::2/64
  ip -n "$dnt" -6 route add 3fff::/20 via 3fff:0:0:14::1
  ip -n "$dnt" -6 route add fd00:0:0:20::/64 via 3fff:0:0:14::1
}

# down <prefix>: kill whatever still runs in the namespaces (only ever processes a test started
# there), then delete them; deleting a namespace removes its veth ends, and with them the peers
down() {
  local p=$1 n name pids
  for n in "${NAMESPACES[@]}"; do
    name=$(ns "$p" "$n")
    ip netns list | grep -q "^$name\( \|$\)" || continue
    pids=$(ip netns pids "$name" 2>/dev/null || true)
    if [ -n "$pids" ]; then
      kill -9 $pids 2>/dev/null || true
    fi
    ip netns del "$name" || true
  done
}

# down-stale: delete every namespace rs<pid>-* whose pid no longer exists (a run that died), with
# whatever still runs in it
down_stale() {
  local name pids
  ip netns list | awk '{print $1}' | while read -r name; do
    if [[ $name =~ $STALE_PATTERN ]] && [ ! -d "/proc/${BASH_REMATCH[1]}" ]; then
      echo "topology: removing stale namespace $name" >&2
      pids=$(ip netns pids "$name" 2>/dev/null || true)
      if [ -n "$pids" ]; then
        kill -9 $pids 2>/dev/null || true
      fi
      ip netns del "$name" || true
    fi
  done
}

# sourced (mini-internet.sh takes veth, addr and gateway_rules from here): define, do not run
if [ "${BASH_SOURCE[0]}" != "$0" ]; then
  return 0
fi

case "${1:-}" in
  up)
    [ $# -eq 2 ] && [[ $2 =~ $PREFIX_PATTERN ]] || usage
    for n in "${NAMESPACES[@]}"; do
      if ip netns list | grep -q "^$(ns "$2" "$n")\( \|$\)"; then
        echo "topology: namespace $(ns "$2" "$n") exists already (down $2 first)" >&2
        exit 1
      fi
    done
    # a half-built topology is torn down again
    trap 'echo "topology: setup failed, tearing down $2" >&2; down "$2"' ERR
    up "$2"
    trap - ERR
    ;;
  down)
    [ $# -eq 2 ] && [[ $2 =~ $PREFIX_PATTERN ]] || usage
    down "$2"
    ;;
  down-stale)
    [ $# -eq 1 ] || usage
    down_stale
    ;;
  *)
    usage
    ;;
esac
