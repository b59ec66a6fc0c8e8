#!/bin/bash
# Network cleanup and conntrack on one node: an agent in its own network
# namespace runs a pod whose traffic to the host shows in the namespace's
# conntrack table; deleting the pod deletes its entries at once (they would
# otherwise live 30 s). Two pretend peer Nodes (one on the link, one behind
# a router) give the agent a direct route, a VXLAN device and a VXLAN route.
# Then the agent stops, `minikube agent --cleanup` removes the bridge, the
# pods' links, the VXLAN device, the routes and the nft tables (the pod still
# running keeps its container) and a second run finds nothing.
# Needs root, busybox-static, nftables and /proc/net/nf_conntrack.
# Usage: MINIKUBE=path/to/minikube bash conformance/net_cleanup_test.sh
set -u
: "${MINIKUBE:?set MINIKUBE to the minikube binary}"
if [ "$(id -u)" != 0 ]; then echo "net_cleanup_test: skipped (needs root)"; exit 0; fi
for b in /bin/busybox nft ip nsenter; do
	command -v "$b" >/dev/null || { echo "net_cleanup_test: skipped (needs $b)"; exit 0; }
done
[ -e /proc/net/nf_conntrack ] || { echo "net_cleanup_test: skipped (needs /proc/net/nf_conntrack)"; exit 0; }
HERE=$(cd "$(dirname "$0")" && pwd)
AGENT_FLAG="--disable-agent"
. "$HERE/lib.sh"

K=kubectl
R=$(printf '%04x' $((RANDOM % 65536)))
NET=$((100 + RANDOM % 100)) # 172.31.NET.0/24: the host and the node
BR="nc$R" NS="nc$R-1" HOSTIP="172.31.$NET.1" IP="172.31.$NET.11"

in_ns() { nsenter --net="/run/netns/$NS" "$@"; }

TMP_NETNS=("$NS") # its links, routes and nft tables go with it
TMP_LINKS=("$BR" "h$NS")
if ! { ip link add "$BR" type bridge nf_call_iptables 0 && ip addr add "$HOSTIP/24" dev "$BR" && ip link set "$BR" up &&
	ip netns add "$NS" && ip link add "h$NS" type veth peer name eth0 netns "$NS" &&
	ip link set "h$NS" master "$BR" up && ip -n "$NS" link set lo up && ip -n "$NS" link set eth0 up &&
	ip -n "$NS" addr add "$IP/24" dev eth0 && ip -n "$NS" route add default via "$HOSTIP"; }; then
	fail "node namespace set up"
	finish
	exit 1
fi

start_server --bind-address 0.0.0.0
JOIN_URL="https://$HOSTIP:$PORT"
if ! import_busybox "$T/a"; then
	fail "busybox:test fixture built"
	finish
	exit 1
fi
start_agent --netns "$NS" n1 "$T/a" --node-ip "$IP"

on_step_fail() { # what step prints when a check fails
	tail -5 "$T/a.log" 2>/dev/null | sed "s/^/     agent: /"
}
jp() { $K get pod "$1" -o "jsonpath=$2" 2>/dev/null; }
running() { [ "$(jp "$1" '{.status.phase}')" = Running ] && [ -n "$(jp "$1" '{.status.podIP}')" ]; }
pod() { # pod NAME CMD
	cat <<EOF | $K apply -f - >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: $1}
spec:
  nodeName: n1
  terminationGracePeriodSeconds: 0
  containers: [{name: c, image: busybox:test, imagePullPolicy: Never, command: [sh, -c, "$2"]}]
EOF
}
# conntrack entries of the node's namespace that name ADDR
ct_count() { in_ns cat /proc/net/nf_conntrack | grep -c -E "(src|dst)=$1 "; }
ct_has() { [ "$(ct_count "$1")" -gt 0 ]; }
ct_none() { [ "$(ct_count "$1")" = 0 ]; }

step "n1 joins" 20 node_ready n1

# Peers: "near" shares the node's link (a direct route), "far" does not (VXLAN).
for peer in "near 172.31.$NET.50" "far 198.51.100.9"; do
	read -r name addr <<<"$peer"
	printf 'apiVersion: v1\nkind: Node\nmetadata: {name: %s}\n' "$name" | $K create -f - >/dev/null
	$K patch node "$name" --subresource=status --type=merge \
		-p "{\"status\":{\"addresses\":[{\"type\":\"InternalIP\",\"address\":\"$addr\"}]}}" >/dev/null
done
CFAR=$($K get node far -o 'jsonpath={.spec.podCIDR}')
CNEAR=$($K get node near -o 'jsonpath={.spec.podCIDR}')
route_via_vx() { in_ns ip route show "$CFAR" | grep -q "dev mk0-vx"; }
route_direct() { in_ns ip route show "$CNEAR" | grep -q "via 172.31.$NET.50 "; }
step "a VXLAN route to the far peer's pods" 15 route_via_vx
step "a direct route to the near peer's pods" 15 route_direct

# The pod pings the host: masqueraded, tracked in the node's namespace.
pod pinger "exec busybox ping -i 0.2 $HOSTIP"
pod sleeper "exec busybox sleep 3600"
step "pinger Running" 30 running pinger
step "sleeper Running" 30 running sleeper
PIP=$(jp pinger '{.status.podIP}')
step "conntrack tracks the pod's flow while it runs ($PIP)" 10 ct_has "$PIP"
IPAM="$T/a/agent/ipam"
[ -f "$IPAM/$PIP" ] && ok "the IPAM holds $PIP" || fail "the IPAM holds $PIP"
T0=$SECONDS
$K delete pod pinger --wait=false >/dev/null 2>&1
released() { [ ! -e "$IPAM/$PIP" ]; }
step "the pod's address is released after delete" 20 released
# ICMP entries live 30 s after the last packet: gone within 20 s of the
# delete (the pod pinged until it was killed) means deleted.
if [ $((SECONDS - T0)) -lt 25 ] && ct_none "$PIP"; then ok "the pod's conntrack entries went with it"; else
	fail "the pod's conntrack entries went with it"
	in_ns grep -E "(src|dst)=$PIP " /proc/net/nf_conntrack | head -3 | sed 's/^/     /'
fi

svc_table() { in_ns nft list table ip minikube-svc; }
step "the Service proxy's table exists" 15 svc_table
check "the pods' table exists" in_ns nft list table inet minikube-mk0
SVETH=$(ip -n "$NS" -o link show master mk0 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | head -1)
[ -n "$SVETH" ] && ok "sleeper's link on the bridge ($SVETH)" || fail "sleeper's link on the bridge"
SCID=$(jp sleeper '{.status.containerStatuses[0].containerID}')
SCID=${SCID#minikube://}
[ -n "$SCID" ] || fail "sleeper has a container id"

# The agent stops; --cleanup takes the node's network down.
stop_agent n1 TERM
expect_out "--help documents --cleanup and that pods lose networking" "pods left running lose their network" \
	"$MINIKUBE" agent --help
OUT=$(in_ns "$MINIKUBE" agent --cleanup --data-dir "$T/a" 2>&1)
RC=$?
[ "$RC" = 0 ] && ok "agent --cleanup exits 0" || fail "agent --cleanup exits 0 (rc=$RC)"
for want in "removed pod link $SVETH" "removed route to $CFAR" "removed route to $CNEAR" \
	"removed VXLAN device mk0-vx" "removed bridge mk0" "removed nft table inet minikube-mk0" \
	"removed nft table ip minikube-svc" "removed the record $T/a/agent/network"; do
	if printf '%s\n' "$OUT" | grep -qxF -- "$want"; then ok "cleanup says: $want"; else
		fail "cleanup says: $want"
		printf '%s\n' "$OUT" | sed 's/^/     /'
	fi
done
check "the bridge is gone" bash -c "! nsenter --net=/run/netns/$NS ip link show mk0"
check "the VXLAN device is gone" bash -c "! nsenter --net=/run/netns/$NS ip link show mk0-vx"
check "the pod's link is gone" bash -c "! nsenter --net=/run/netns/$NS ip link show $SVETH"
expect_out "no route to other nodes' pods is left" '^0$' bash -c "nsenter --net=/run/netns/$NS ip route | grep -c '^10\.42\.'"
expect_out "no minikube nft table is left" '^0$' bash -c "nsenter --net=/run/netns/$NS nft list tables | grep -c minikube"
expect_out "no cluster DNS address or link is left" '^0$' \
	bash -c "nsenter --net=/run/netns/$NS ip -4 addr | grep -c -e 10.43.0.10 -e mk-dns"
check "the uplink stays" in_ns ip -4 addr show dev eth0
expect_out "the sleeper's container is left alone" "${SCID:0:12}" "$MINIKUBE" ps --data-dir "$T/a"
OUT=$(in_ns "$MINIKUBE" agent --cleanup --data-dir "$T/a" 2>&1)
RC=$?
[ "$RC" = 0 ] && [ "$OUT" = "nothing to remove" ] && ok "a second --cleanup finds nothing and exits 0" ||
	fail "a second --cleanup finds nothing and exits 0 (rc=$RC: $OUT)"
expect_fail "--cleanup refuses a bad bridge name" "1 to 12 characters" \
	in_ns "$MINIKUBE" agent --cleanup --bridge much-too-long-name

$K delete pod sleeper --wait=false >/dev/null 2>&1
finish
