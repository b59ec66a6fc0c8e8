#!/bin/bash
# Pod networking across three nodes on one machine: each node is a network
# namespace running `minikube agent`. n1 and n2 share a link (host routes
# between their pod CIDRs); n3 sits on another subnet behind the host acting
# as a router (VXLAN). Checks pod CIDRs per Node, podIP in `kubectl get pod
# -o wide`, ping and HTTP between pods on all node pairs, masquerade to
# outside the cluster, hostPort, routes following Node objects, pods keeping
# their addresses across `kill -9` of their agent and an IP churn loop that
# never hands out an address twice. Needs root, busybox-static and nftables.
# Usage: MINIKUBE=path/to/minikube bash conformance/pod_network_test.sh
set -u
: "${MINIKUBE:?set MINIKUBE to the minikube binary}"
if [ "$(id -u)" != 0 ]; then echo "pod_network_test: skipped (needs root)"; exit 0; fi
for b in /bin/busybox nft ip; do
	command -v "$b" >/dev/null || { echo "pod_network_test: skipped (needs $b)"; exit 0; }
done
HERE=$(cd "$(dirname "$0")" && pwd)
AGENT_FLAG="--disable-agent"
. "$HERE/lib.sh"

K=kubectl
R=$(printf '%04x' $((RANDOM % 65536)))
NET_A=$((100 + RANDOM % 50)) # 172.31.NET_A.0/24: n1, n2
NET_B=$((NET_A + 50))        # 172.31.NET_B.0/24: n3
BR_A="pna$R" BR_B="pnb$R"
NS=("pn$R-1" "pn$R-2" "pn$R-3")
IPS=("172.31.$NET_A.11" "172.31.$NET_A.12" "172.31.$NET_B.13")
AGENT_PIDS=("" "" "")

net_cleanup() {
	set +u
	for p in "${AGENT_PIDS[@]}" "$SERVER_PID"; do [ -n "$p" ] && kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	remove_containers
	grep -q " $T" /proc/mounts && awk -v t="$T" 'index($2, t) == 1 {print $2}' /proc/mounts |
		sort -r | xargs -r umount -l 2>/dev/null
	for ns in "${NS[@]}"; do ip netns del "$ns" 2>/dev/null; done
	for l in "$BR_A" "$BR_B" "${NS[@]/#/h}"; do ip link del "$l" 2>/dev/null; done
	# ip_forward stays on: agents in this namespace (embedded ones) need it too.
	cleanup
}
trap net_cleanup EXIT

# The hosts: a namespace per node, a host-side veth "h<ns>" on a host bridge.
setup_node() { # setup_node INDEX BRIDGE GATEWAY
	local ns=${NS[$1]} ip=${IPS[$1]}
	ip netns add "$ns" &&
		ip link add "h$ns" type veth peer name eth0 netns "$ns" &&
		ip link set "h$ns" master "$2" up &&
		ip -n "$ns" link set lo up && ip -n "$ns" link set eth0 up &&
		ip -n "$ns" addr add "$ip/24" dev eth0 &&
		ip -n "$ns" route add default via "$3"
}
# nf_call_iptables 0: frames these bridges switch must not meet the host's own
# nft tables (an agent on the host masquerades its pods' traffic).
if ! { ip link add "$BR_A" type bridge nf_call_iptables 0 && ip addr add "172.31.$NET_A.1/24" dev "$BR_A" && ip link set "$BR_A" up &&
	ip link add "$BR_B" type bridge nf_call_iptables 0 && ip addr add "172.31.$NET_B.1/24" dev "$BR_B" && ip link set "$BR_B" up &&
	setup_node 0 "$BR_A" "172.31.$NET_A.1" && setup_node 1 "$BR_A" "172.31.$NET_A.1" &&
	setup_node 2 "$BR_B" "172.31.$NET_B.1"; }; then
	fail "three node namespaces set up"
	finish
	exit 1
fi
echo 1 >/proc/sys/net/ipv4/ip_forward # the host routes between the two subnets

start_server --bind-address 0.0.0.0
URL="https://172.31.$NET_A.1:$PORT"
TOKEN=$("$MINIKUBE" token create --data-dir "$T/data" --ttl 1h)

if ! python3 "$HERE/../scripts/make-test-images" "$T/img" >/dev/null 2>&1; then
	fail "busybox:test fixture built"
	finish
	exit 1
fi

start_agent() { # start_agent INDEX [flags]
	local i=$1
	shift
	# nsenter, not `ip netns exec`: that remounts /sys and hides the cgroups.
	nsenter --net="/run/netns/${NS[$i]}" "$MINIKUBE" agent --join "$URL" --token "$TOKEN" --node-name "n$((i + 1))" \
		--data-dir "$T/a$i" --node-ip "${IPS[$i]}" "$@" >>"$T/a$i.log" 2>&1 &
	AGENT_PIDS[$i]=$!
}
wait_for() { # wait_for SECONDS CMD...: until CMD succeeds
	local n=$(($1 * 10))
	shift
	for _ in $(seq 1 "$n"); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
	return 1
}
step() { # step NAME SECONDS CMD...
	local name=$1 secs=$2
	shift 2
	if wait_for "$secs" "$@"; then ok "$name"; else
		fail "$name"
		for i in 0 1 2; do tail -5 "$T/a$i.log" 2>/dev/null | sed "s/^/     a$i: /"; done
	fi
}
jp() { $K get pod "$1" -o "jsonpath=$2" 2>/dev/null; }
node_ready() { [ "$($K get node "$1" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}')" = True ]; }
running() { [ "$(jp "$1" '{.status.phase}')" = Running ] && [ -n "$(jp "$1" '{.status.podIP}')" ]; }
cid() { local c; c=$(jp "$1" '{.status.containerStatuses[0].containerID}'); echo "${c#minikube://}"; }
# pexec POD NODE_INDEX CMD...: runs CMD in the pod's container
pexec() { local p=$1 i=$2; shift 2; "$MINIKUBE" exec --data-dir "$T/a$i" "$(cid "$p")" "$@"; }
# http POD NODE_INDEX HOST [PORT]: the body of GET / from inside the pod (busybox
# nc: the static busybox wget crashes resolving names without NSS modules)
http() { pexec "$1" "$2" sh -c "printf 'GET / HTTP/1.0\r\n\r\n' | busybox nc -w 5 $3 ${4:-80} | tail -1"; }

for i in 0 1 2; do
	mkdir -p "$T/a$i"
	"$MINIKUBE" image import --data-dir "$T/a$i" "$T/img/oci-busybox" >/dev/null 2>&1 || fail "image import into a$i"
	start_agent "$i"
done
for i in 1 2 3; do step "n$i joins" 20 node_ready "n$i"; done

cidr() { $K get node "$1" -o 'jsonpath={.spec.podCIDR}'; }
C1=$(cidr n1) C2=$(cidr n2) C3=$(cidr n3)
expect_out "each node has its own /24 of 10.42.0.0/16" '^10\.42\.[0-9]+\.0/24 10\.42\.[0-9]+\.0/24 10\.42\.[0-9]+\.0/24 3$' \
	bash -c "echo $C1 $C2 $C3 \$(printf '%s\n' $C1 $C2 $C3 | sort -u | wc -l)"
expect_out "podCIDRs mirrors podCIDR" "^$C1\$" $K get node n1 -o 'jsonpath={.spec.podCIDRs[0]}'

web_pod() { # web_pod NAME NODE [hostPort]
	local hp=""
	[ -n "${3:-}" ] && hp=", hostPort: $3"
	cat <<EOF | $K apply -f - >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: $1, labels: {app: web}}
spec:
  nodeName: $2
  terminationGracePeriodSeconds: 0
  containers:
  - name: web
    image: busybox:test
    imagePullPolicy: Never
    command: [sh, -c, "mkdir -p /www && echo hello-from-$1 > /www/index.html && exec busybox httpd -f -p 80 -h /www"]
    ports: [{containerPort: 80$hp}]
EOF
}
web_pod p1 n1
web_pod p2 n2 18081
web_pod p3 n3
for p in p1 p2 p3; do step "$p Running with a podIP" 30 running "$p"; done
IP1=$(jp p1 '{.status.podIP}') IP2=$(jp p2 '{.status.podIP}') IP3=$(jp p3 '{.status.podIP}')
in_cidr() { [ "${1%.*}" = "${2%.*/*}" ]; } # same /24
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

# A Service over the three pods: found by name through the node's cluster
# DNS (the pod's resolv.conf), reached through the node's proxy, and named in
# the environment of pods created after it.
printf 'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]\n' |
	$K apply -f - >/dev/null
CIP=$($K get svc web -o 'jsonpath={.spec.clusterIP}')
expect_out "the pod's resolv.conf names cluster DNS" "^nameserver 10\.43\.0\.10$" pexec p1 0 busybox cat /etc/resolv.conf
expect_out "the pod's resolv.conf searches its namespace" "^search default\.svc\.cluster\.local svc\.cluster\.local cluster\.local" \
	pexec p1 0 busybox cat /etc/resolv.conf
resolves() { pexec p1 0 busybox nslookup web | grep -q "Address.*$CIP"; }
step "a pod resolves the Service by its short name" 15 resolves
three_answer() { # every pod behind the ClusterIP answers within 30 tries
	local seen=""
	for _ in $(seq 1 30); do seen="$seen $(http p1 0 "$CIP")"; done
	case "$seen" in *hello-from-p1*) ;; *) return 1 ;; esac
	case "$seen" in *hello-from-p2*) ;; *) return 1 ;; esac
	case "$seen" in *hello-from-p3*) return 0 ;; esac
	return 1
}
step "the ClusterIP spreads over the pods on all three nodes" 20 three_answer
cat <<EOF | $K apply -f - >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: envp}
spec:
  nodeName: n1
  terminationGracePeriodSeconds: 0
  containers: [{name: c, image: busybox:test, imagePullPolicy: Never, command: [busybox, sleep, "3600"]}]
EOF
step "envp Running" 30 running envp
has_env() { pexec envp 0 busybox env | grep -qx "$1"; }
step "a pod created after the Service gets WEB_SERVICE_HOST" 10 has_env "WEB_SERVICE_HOST=$CIP"
step "and KUBERNETES_SERVICE_HOST" 10 has_env "KUBERNETES_SERVICE_HOST=10.43.0.1"
$K delete svc web >/dev/null
$K delete pod envp --wait=false >/dev/null 2>&1

# An agent killed with -9 and restarted: pods keep their addresses.
kill -9 "${AGENT_PIDS[0]}"
wait "${AGENT_PIDS[0]}" 2>/dev/null
start_agent 0
sleep 3
step "n1 back Ready after kill -9" 20 node_ready n1
expect_out "p1 keeps its IP after the agent restart" "^$IP1\$" jp p1 '{.status.podIP}'
expect_out "p1 still answers across nodes" '^hello-from-p1$' http p3 2 "$IP1"
web_pod p1b n1
step "a new pod on the restarted node gets a fresh IP" 30 running p1b
IP1B=$(jp p1b '{.status.podIP}')
[ "$IP1B" != "$IP1" ] && in_cidr "$IP1B" "$C1" && ok "no duplicate after restart ($IP1B)" || fail "no duplicate after restart ($IP1B vs $IP1)"

# Churn: pods come and go on n2; live pods never share an address and every
# address is released.
IPAM="$T/a1/agent/ipam"
base=$(ls "$IPAM" | grep -c '^10\.')
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
for round in 1 2 3; do
	for j in $(seq 1 20); do churn_pod "churn-$round-$j"; done | $K apply -f - >/dev/null
	if wait_for 90 all_churn_running 20; then
		total=$((total + 20))
		d=$(all_ips | sort | uniq -d | wc -l)
		dups=$((dups + d))
	else
		fail "churn round $round: 20 pods Running with IPs"
	fi
	$K delete pods -l churn=yes --wait=false >/dev/null 2>&1
	released() { [ "$(ls "$IPAM" | grep -c '^10\.')" = "$base" ]; }
	wait_for 60 released || fail "churn round $round: addresses released ($(ls "$IPAM" | grep -c '^10\.') vs $base)"
done
[ "$total" = 60 ] && [ "$dups" = 0 ] && ok "churn: 60 pods, no address ever shared by two live pods" ||
	fail "churn: $total pods Running, $dups duplicate addresses"
expect_out "p2 unaffected by churn" '^hello-from-p2$' http p1 0 "$IP2"

# Routes follow Node objects: n3 goes away.
kill -9 "${AGENT_PIDS[2]}"
wait "${AGENT_PIDS[2]}" 2>/dev/null
AGENT_PIDS[2]=""
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
