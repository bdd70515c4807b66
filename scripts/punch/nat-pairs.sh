#!/bin/bash
# Hole punching through two NATs in network namespaces: for each pair of NAT kinds, a forwarder on the "internet",
# a server behind one NAT and a client behind the other; the client makes N connections, each a stream through the
# server's echo while the connection tries to move to a direct path. Prints one markdown row per pair.
#
#   scripts/punch/nat-pairs.sh [CLIENTNAT/SERVERNAT ...]      (default: every pair below)
#   env: N (connections per pair, default 5), CP (class path of bundles/traversal-tests' tests; else built with
#        ./mvnw), JAVA (default $JAVA_HOME/bin/java)
#
# NAT kinds (nftables in the NAT's namespace, one outside interface):
#   masq    masquerade: keeps the source port where it can (endpoint-independent mapping in practice); filtering by
#           conntrack (address and port dependent); an unsolicited SYN reaches the NAT host, which answers RST
#   drop    masq, and unsolicited packets from outside are dropped silently, as most home routers do
#   random  masquerade fully-random: a random port per connection (endpoint-dependent mapping); filtering as masq
#
# Topology (198.18.0.0/15 only): client 198.18.10.2 -- NAT 198.18.10.1|198.18.1.2 -- internet 198.18.1.1|198.18.2.1
# with the forwarder on 198.18.0.1 -- NAT 198.18.2.2|198.18.20.1 -- server 198.18.20.2. Needs root; holds
# /work/stress/ns.lock while namespaces exist; deletes them and ends the processes it started, however it ends.
set -u
cd "$(dirname "$0")/../.."
N=${N:-5}
JAVA=${JAVA:-${JAVA_HOME:?set JAVA_HOME or JAVA}/bin/java}
PAIRS=("$@")
[ ${#PAIRS[@]} -eq 0 ] && PAIRS=(masq/masq drop/drop masq/random random/masq random/random)
if [ -z "${CP:-}" ]; then
    ./mvnw -B -o -q dependency:build-classpath -pl bundles/traversal-tests -Dmdep.outputFile=/tmp/punch-cp.$$ \
        ${MAVEN_REPO:+-Dmaven.repo.local=$MAVEN_REPO} >/dev/null || exit 1
    CP=bundles/traversal-tests/target/test-classes:$(cat /tmp/punch-cp.$$)
    rm -f /tmp/punch-cp.$$
fi
P=npunch$$
WORK=$(mktemp -d)
PIDS=()

teardown() {
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null
    done
    for pid in "${PIDS[@]}"; do
        wait "$pid" 2>/dev/null
    done
    PIDS=()
    for n in c nc i ns s; do
        ip netns del "$P-$n" 2>/dev/null
    done
}
trap 'teardown; rm -rf "$WORK"' EXIT

nat() { # namespace kind
    local n=$1 kind=$2 opt=""
    [ "$kind" = random ] && opt=" fully-random"
    ip netns exec "$n" sysctl -qw net.ipv4.ip_forward=1
    ip netns exec "$n" nft -f - <<EOF
table ip nat {
    chain post {
        type nat hook postrouting priority srcnat;
        oifname "out0" masquerade$opt
    }
}
EOF
    if [ "$kind" = drop ]; then
        ip netns exec "$n" nft -f - <<EOF
table ip filter {
    chain input_in {
        type filter hook input priority filter;
        iifname "out0" ct state new drop
    }
    chain forward_in {
        type filter hook forward priority filter;
        iifname "out0" ct state new drop
    }
}
EOF
    fi
}

setup() { # client-nat server-nat
    for n in c nc i ns s; do
        ip netns add "$P-$n" && ip -n "$P-$n" link set lo up || return 1
    done
    ip -n "$P-c" link add eth0 type veth peer name in0 netns "$P-nc"
    ip -n "$P-nc" link add out0 type veth peer name c0 netns "$P-i"
    ip -n "$P-i" link add s0 type veth peer name out0 netns "$P-ns"
    ip -n "$P-ns" link add in0 type veth peer name eth0 netns "$P-s"
    ip -n "$P-c" addr add 198.18.10.2/24 dev eth0
    ip -n "$P-nc" addr add 198.18.10.1/24 dev in0
    ip -n "$P-nc" addr add 198.18.1.2/24 dev out0
    ip -n "$P-i" addr add 198.18.1.1/24 dev c0
    ip -n "$P-i" addr add 198.18.2.1/24 dev s0
    ip -n "$P-i" addr add 198.18.0.1/32 dev lo
    ip -n "$P-ns" addr add 198.18.2.2/24 dev out0
    ip -n "$P-ns" addr add 198.18.20.1/24 dev in0
    ip -n "$P-s" addr add 198.18.20.2/24 dev eth0
    for l in "c eth0" "nc in0" "nc out0" "i c0" "i s0" "ns out0" "ns in0" "s eth0"; do
        set -- $l
        ip -n "$P-$1" link set "$2" up
    done
    ip netns exec "$P-i" sysctl -qw net.ipv4.ip_forward=1
    ip -n "$P-c" route add default via 198.18.10.1
    ip -n "$P-nc" route add default via 198.18.1.1
    ip -n "$P-ns" route add default via 198.18.2.1
    ip -n "$P-s" route add default via 198.18.20.1
    nat "$P-nc" "$CNAT" && nat "$P-ns" "$SNAT"
}

run() { # namespace log args...
    local n=$1 log=$2
    shift 2
    # emptied here, not by the background job's redirection: waitfor must not read the last pair's log
    : >"$log"
    ip netns exec "$n" timeout 300 "$JAVA" -Xmx192m -XX:TieredStopAtLevel=1 -cp "$CP" dev.natgw.traversal.PunchScenario \
        "$@" >"$log" 2>&1 &
    PIDS+=($!)
}

waitfor() { # file pattern seconds
    for _ in $(seq 1 $(($3 * 5))); do
        grep -q "$2" "$1" 2>/dev/null && return 0
        sleep 0.2
    done
    echo "timed out waiting for '$2' in $1:" >&2
    tail -20 "$1" >&2
    return 1
}

if [ -d /work/stress ]; then exec 9>/work/stress/ns.lock; else exec 9>/tmp/ns.lock; fi
flock -w 600 9 || { echo "cannot take the namespace lock" >&2; exit 1; }
echo "| client NAT | server NAT | upgraded | time to direct path | echo intact |"
echo "|---|---|---|---|---|"
status=0
for pair in "${PAIRS[@]}"; do
    CNAT=${pair%/*}
    SNAT=${pair#*/}
    if ! setup; then
        echo "| $CNAT | $SNAT | setup failed | | |"
        status=1
        teardown
        continue
    fi
    run "$P-i" "$WORK/fwd.log" forwarder 7000 "$WORK/credential"
    row=""
    if waitfor "$WORK/fwd.log" "forwarder listening" 60; then
        rm -f "$WORK/key"
        run "$P-s" "$WORK/server.log" server natgw://198.18.0.1:7000 "$WORK/key" "$WORK/credential"
        if waitfor "$WORK/server.log" "server registered" 60; then
            ip netns exec "$P-c" timeout 300 "$JAVA" -Xmx192m -XX:TieredStopAtLevel=1 -cp "$CP" \
                dev.natgw.traversal.PunchScenario client natgw://198.18.0.1:7000 "$(cat "$WORK/key")" "$N" \
                >"$WORK/client.log" 2>&1
            grep '^connection' "$WORK/client.log" | sed "s|^|    $CNAT/$SNAT client |" >&2
            grep -E 'upgraded to|stays relayed' "$WORK/server.log" | sed "s|^|    $CNAT/$SNAT server |" >&2
            s=$(grep '^summary:' "$WORK/client.log")
            if [ -n "$s" ]; then
                up=$(sed -E 's/.*upgraded ([0-9]+\/[0-9]+).*/\1/' <<<"$s")
                t=$(sed -E 's/.*median ([^ ]+( ms)?) \(range ([^)]*)\).*/median \1, range \3/' <<<"$s")
                ok=$(sed -E 's/.*intact ([0-9]+\/[0-9]+).*/\1/' <<<"$s")
                [ "$up" = "0/$N" ] && t="-"
                row="| $CNAT | $SNAT | $up | $t | $ok |"
                [ "$ok" = "$N/$N" ] || status=1
            else
                tail -20 "$WORK/client.log" >&2
            fi
        fi
    fi
    [ -n "$row" ] || { row="| $CNAT | $SNAT | run failed | | |"; status=1; }
    echo "$row"
    teardown
done
exit $status
