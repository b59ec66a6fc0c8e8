# Three nodes on one machine for the networking conformance scripts
# (pod_network_test.sh, service_network_test.sh): each node is a network
# namespace running `minikube agent`. n1 and n2 share a link (host routes
# between their pod CIDRs); n3 sits on another subnet behind the host acting
# as a router (VXLAN). The server runs in the host namespace without its own
# agent. Source it after lib.sh's prerequisites are checked (root, nft, ip,
# busybox-static); call nodes_up, then use the helpers below.
#
# NODE_RESOLV (optional, set before nodes_up): a file the agents see as
# /etc/resolv.conf (each runs in its own mount namespace with the file bound
# there), as a machine whose resolver is that file would: their cluster DNS
# forwards outside names to its nameservers.
HERE=${HERE:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}
AGENT_FLAG="--disable-agent"
. "$HERE/lib.sh"

K=kubectl
R=$(printf '%04x' $((RANDOM % 65536)))
NET_A=$((100 + RANDOM % 50)) # 172.31.NET_A.0/24: n1, n2
NET_B=$((NET_A + 50))        # 172.31.NET_B.0/24: n3
BR_A="pna$R" BR_B="pnb$R"
NS=("pn$R-1" "pn$R-2" "pn$R-3")
IPS=("172.31.$NET_A.11" "172.31.$NET_A.12" "172.31.$NET_B.13")
NODE_RESOLV=${NODE_RESOLV:-}
# lib.sh's cleanup deletes them (and the namespaces add_host adds) on exit;
# processes a script starts go in TMP_PIDS (killed first).
TMP_NETNS=("${NS[@]}")
TMP_LINKS=("$BR_A" "$BR_B" "${NS[@]/#/h}")

# ip_forward stays on at exit: agents in this namespace (embedded ones) need
# it too.

# setup_host NS IP BRIDGE GATEWAY: a namespace with eth0 (IP/24) on a host
# bridge through the host-side veth "h<NS>".
setup_host() {
	ip netns add "$1" &&
		ip link add "h$1" type veth peer name eth0 netns "$1" &&
		ip link set "h$1" master "$3" up &&
		ip -n "$1" link set lo up && ip -n "$1" link set eth0 up &&
		ip -n "$1" addr add "$2/24" dev eth0 &&
		ip -n "$1" route add default via "$4"
}
# add_host NAME LAST_OCTET: one more machine on n1 and n2's link
# (172.31.NET_A.LAST_OCTET); after net_up.
add_host() {
	TMP_NETNS+=("$1")
	TMP_LINKS+=("h$1")
	setup_host "$1" "172.31.$NET_A.$2" "$BR_A" "172.31.$NET_A.1"
}
# net_bridges: the two host bridges. nf_call_iptables 0: frames these bridges
# switch must not meet the host's own nft tables (an agent on the host
# masquerades its pods' traffic).
net_bridges() {
	ip link add "$BR_A" type bridge nf_call_iptables 0 && ip addr add "172.31.$NET_A.1/24" dev "$BR_A" && ip link set "$BR_A" up &&
		ip link add "$BR_B" type bridge nf_call_iptables 0 && ip addr add "172.31.$NET_B.1/24" dev "$BR_B" && ip link set "$BR_B" up
}

node_agent() { # node_agent INDEX [flags]: node n<INDEX+1>'s agent, in its namespace
	local i=$1
	shift
	start_agent --netns "${NS[$i]}" ${NODE_RESOLV:+--resolv "$NODE_RESOLV"} "n$((i + 1))" "$T/a$i" \
		--node-ip "${IPS[$i]}" "$@"
}
on_step_fail() { # what step prints when a check fails
	for i in 0 1 2; do tail -5 "$T/a$i.log" 2>/dev/null | sed "s/^/     a$i: /"; done
}
jp() { $K get pod "$1" -o "jsonpath=$2" 2>/dev/null; }
running() { [ "$(jp "$1" '{.status.phase}')" = Running ] && [ -n "$(jp "$1" '{.status.podIP}')" ]; }
cid() { local c; c=$(jp "$1" '{.status.containerStatuses[0].containerID}'); echo "${c#minikube://}"; }
# pexec POD NODE_INDEX CMD...: runs CMD in the pod's container
pexec() { local p=$1 i=$2; shift 2; "$MINIKUBE" exec --data-dir "$T/a$i" "$(cid "$p")" "$@"; }
# http POD NODE_INDEX HOST [PORT]: the body of GET / from inside the pod (busybox
# nc: the static busybox wget crashes resolving names without NSS modules)
http() { pexec "$1" "$2" sh -c "printf 'GET / HTTP/1.0\r\n\r\n' | busybox nc -w 5 $3 ${4:-80} | tail -1"; }
cidr() { $K get node "$1" -o 'jsonpath={.spec.podCIDR}'; }
in_cidr() { [ "${1%.*}" = "${2%.*/*}" ]; } # same /24

web_pod() { # web_pod NAME NODE [hostPort]: busybox httpd answering hello-from-NAME
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

# net_up: the bridges and the three nodes' namespaces (once; before
# add_host). Exits when the machine cannot host them.
NET_IS_UP=""
net_up() {
	[ -n "$NET_IS_UP" ] && return 0
	if ! { net_bridges && setup_host "${NS[0]}" "${IPS[0]}" "$BR_A" "172.31.$NET_A.1" &&
		setup_host "${NS[1]}" "${IPS[1]}" "$BR_A" "172.31.$NET_A.1" &&
		setup_host "${NS[2]}" "${IPS[2]}" "$BR_B" "172.31.$NET_B.1"; }; then
		fail "three node namespaces set up"
		finish
		exit 1
	fi
	echo 1 >/proc/sys/net/ipv4/ip_forward # the host routes between the two subnets
	NET_IS_UP=1
}

# nodes_up: net_up, the server, the test image in every node's data dir,
# three agents joined (n1, n2, n3).
nodes_up() {
	net_up
	start_server --bind-address 0.0.0.0
	JOIN_URL="https://172.31.$NET_A.1:$PORT"
	for i in 0 1 2; do
		import_busybox "$T/a$i" || fail "image import into a$i"
		node_agent "$i"
	done
	for i in 1 2 3; do step "n$i joins" 20 node_ready "n$i"; done
}
