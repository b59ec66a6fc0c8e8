#!/bin/bash
# Pod networking across three nodes on one machine: each node is a network
# namespace running `minikube agent`. n1 and n2 share a link (host routes
# between their pod CIDRs); n3 sits on another subnet behind the host acting
# as a router (VXLAN). Checks pod CIDRs per Node, podIP in `kubectl get pod
# -o wide`, ping and HTTP between pods on all node pairs, masquerade to
# outside the cluster, hostPort, routes following Node objects, pods keeping
# their addresses across `kill -9` of their agent and 500 pods of IP churn
# that never hand out an address twice. Services and cluster DNS across the
# same three nodes: service_network_test.sh. Needs root, busybox-static and
# nftables.
# Usage: MINIKUBE=path/to/minikube bash conformance/pod_network_test.sh
set -u
: "${MINIKUBE:?set MINIKUBE to the minikube binary}"
if [ "$(id -u)" != 0 ]; then echo "pod_network_test: skipped (needs root)"; exit 0; fi
for b in /bin/busybox nft ip; do
	command -v "$b" >/dev/null || { echo "pod_network_test: skipped (needs $b)"; exit 0; }
done
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/netnodes.sh"
nodes_up

C1=$(cidr n1) C2=$(cidr n2) C3=$(cidr n3)
expect_out "each node has its own /24 of 10.42.0.0/16" '^10\.42\.[0-9]+\.0/24 10\.42\.[0-9]+\.0/24 10\.42\.[0-9]+\.0/24 3$' \
	bash -c "echo $C1 $C2 $C3 \$(printf '%s\n' $C1 $C2 $C3 | sort -u | wc -l)"
expect_out "podCIDRs mirrors podCIDR" "^$C1\$" $K get node n1 -o 'jsonpath={.spec.podCIDRs[0]}'

web_pod p1 n1
web_pod p2 n2 18081
web_pod p3 n3
for p in p1 p2 p3; do step "$p Running with a podIP" 30 running "$p"; done
IP1=$(jp p1 '{.status.podIP}') IP2=$(jp p2 '{.status.podIP}') IP3=$(jp p3 '{.status.podIP}')
if in_cidr "$IP1" "$C1" && in_cidr "$IP2" "$C2" && in_cidr "$IP3" "$C3"; then ok "pod IPs come from their node's pod CIDR"; else
	fail "pod IPs come from their node's pod CIDR ($IP1 $C1, $IP2 $C2, $IP3 $C3)"; fi
expect_out "podIPs and hostIP reported" "^$IP1 ${IPS[0]}\$" jp p1 '{.status.podIPs[0].ip} {.status.hostIP}'
expect_out "kubectl get pod -o wide shows the IP" "^p1 +1/1 +Running .* $IP1 +n1 " $K get pod p1 -o wide --no-headers
expect_out "the pod's eth0 has its address" "inet $IP1/24" pexec p1 0 busybox ip -4 addr show dev eth0

expect_out "same link: n1 routes n2's pods via n2's node IP" "via ${IPS[1]} " ip -n "${NS[0]}" route show "$C2"
expect_out "no shared link: n1 routes n3's pods through VXLAN" "dev mk0-vx .*onlink" ip -n "${NS[0]}" route show "$C3"
expect_out "n3 routes n1's pods through VXLAN" "dev mk0-vx .*onlink" ip -n "${NS[2]}" route show "$C1"

pairs=("p1 0 $IP2" "p1 0 $IP3" "p2 1 $IP1" "p2 1 $IP3" "p3 2 $IP1" "p3 2 $IP2")
for pr in "${pairs[@]}"; do
	read -r pod idx dst <<<"$pr"
	check "ping $pod -> ${dst:-?}" pexec "$pod" "$idx" busybox ping -c1 -W3 "${dst:-0.0.0.0}"
done
expect_out "HTTP p1 -> p2 across nodes (direct)" '^hello-from-p2$' http p1 0 "$IP2"
expect_out "HTTP p1 -> p3 across nodes (VXLAN)" '^hello-from-p3$' http p1 0 "$IP3"
expect_out "HTTP p3 -> p2 (VXLAN, other direction)" '^hello-from-p2$' http p3 2 "$IP2"
# The host knows no pod CIDR: a reply reaches the pod only when masqueraded.
check "pod -> outside the cluster is masqueraded" pexec p1 0 busybox ping -c1 -W3 "172.31.$NET_B.1"
expect_out "hostPort 18081 on n2 reaches p2" '^hello-from-p2$' \
	nsenter --net="/run/netns/${NS[0]}" curl -s -m 5 "http://${IPS[1]}:18081/"
expect_out "hostPort from a pod on the same node (hairpin)" '^hello-from-p2$' \
	http p2 1 "${IPS[1]}" 18081
expect_out "nft table minikube-mk0 holds masquerade and the hostPort" "dnat ip to $IP2:80" \
	nsenter --net="/run/netns/${NS[1]}" nft list table inet minikube-mk0

# An agent killed with -9 and restarted: pods keep their addresses.
stop_agent n1
node_agent 0
sleep 3
step "n1 back Ready after kill -9" 20 node_ready n1
expect_out "p1 keeps its IP after the agent restart" "^$IP1\$" jp p1 '{.status.podIP}'
expect_out "p1 still answers across nodes" '^hello-from-p1$' http p3 2 "$IP1"
web_pod p1b n1
step "a new pod on the restarted node gets a fresh IP" 30 running p1b
IP1B=$(jp p1b '{.status.podIP}')
[ "$IP1B" != "$IP1" ] && in_cidr "$IP1B" "$C1" && ok "no duplicate after restart ($IP1B)" || fail "no duplicate after restart ($IP1B vs $IP1)"

# Churn: 500 pods come and go on n2, 20 at a time, so the node's /24 wraps
# around: live pods never share an address, and every address is released
# before the next round.
IPAM="$T/a1/agent/ipam"
base=$(ls "$IPAM" | grep -c '^10\.')
ROUNDS=25 BATCH=20
dups=0 total=0
churn_pod() {
	cat <<EOF
apiVersion: v1
kind: Pod
metadata: {name: $1, labels: {churn: "yes"}}
spec:
  nodeName: n2
  terminationGracePeriodSeconds: 0
  containers: [{name: c, image: busybox:test, imagePullPolicy: Never, command: [busybox, sleep, "3600"]}]
---
EOF
}
all_ips() { $K get pods -o 'jsonpath={range .items[*]}{.status.podIP}{"\n"}{end}' | grep -v '^$'; }
all_churn_running() { [ "$($K get pods -l churn=yes --field-selector=status.phase=Running -o name | wc -l)" = "$1" ] &&
	[ "$($K get pods -l churn=yes -o 'jsonpath={range .items[*]}{.status.podIP}{"\n"}{end}' | grep -c .)" = "$1" ]; }
released() { [ "$(ls "$IPAM" | grep -c '^10\.')" = "$base" ]; }
seen="$T/churn-ips"
: >"$seen"
churn_start=$(date +%s)
for round in $(seq 1 $ROUNDS); do
	for j in $(seq 1 $BATCH); do churn_pod "churn-$round-$j"; done | $K apply -f - >/dev/null
	if wait_for 90 all_churn_running $BATCH; then
		total=$((total + BATCH))
		d=$(all_ips | sort | uniq -d | wc -l)
		dups=$((dups + d))
		[ "$d" = 0 ] || { echo "     round $round: addresses held twice:"; all_ips | sort | uniq -d | sed 's/^/       /'; }
		$K get pods -l churn=yes -o 'jsonpath={range .items[*]}{.status.podIP}{"\n"}{end}' >>"$seen"
	else
		fail "churn round $round: $BATCH pods Running with IPs"
	fi
	$K delete pods -l churn=yes --wait=false >/dev/null 2>&1
	wait_for 60 released || fail "churn round $round: addresses released ($(ls "$IPAM" | grep -c '^10\.') vs $base)"
done
churn_secs=$(($(date +%s) - churn_start))
reused=$(sort "$seen" | uniq -d | wc -l)
[ "$total" = $((ROUNDS * BATCH)) ] && [ "$dups" = 0 ] &&
	ok "churn: $total pods in ${churn_secs}s, no address ever shared by two live pods ($reused reused after release)" ||
	fail "churn: $total pods Running, $dups duplicate addresses"
expect_out "p2 unaffected by churn" '^hello-from-p2$' http p1 0 "$IP2"

# Routes follow Node objects: n3 goes away.
stop_agent n3
$K delete node n3 >/dev/null 2>&1
route_gone() { [ -z "$(ip -n "${NS[0]}" route show "$C3")" ]; }
step "a deleted node's route disappears from n1" 15 route_gone
vx_gone() { ! ip -n "${NS[0]}" link show mk0-vx >/dev/null 2>&1; }
step "the VXLAN device goes with the last VXLAN peer" 15 vx_gone
expect_out "n1 -> n2 still routed" '^hello-from-p2$' http p1 0 "$IP2"
printf 'apiVersion: v1\nkind: Node\nmetadata: {name: n4}\n' | $K create -f - >/dev/null
expect_out "a deleted node's pod CIDR is free again (lowest first)" "^$C3\$" cidr n4

$K delete pod p1 p1b p2 p3 --wait=false >/dev/null 2>&1
finish
