# benchmarks/cluster.sh: a real cluster for the benchmarks that need pods
# (pods-memory, idle-soak): `minikube server` (optionally with its embedded
# agent), agents in network namespaces, the busybox:test fixture, N sleeping
# pods bound to named nodes. Source it after setting MK (the binary) and T (a
# temp dir the caller removes); call cl_cleanup from the caller's EXIT trap.

CL_SERVER_PID=""
CL_AGENT_PIDS=""
CL_NETNS=""
CL_VETHS=""
CL_PORT=""

# cl_start_server [flags]: server on a free port; waits for /readyz and sets
# CL_PORT, CL_SERVER_PID and KUBECONFIG. Returns 1 when it does not come up.
cl_start_server() {
	"$MK" server --data-dir "$T/data" --port 0 "$@" >"$T/server.out" 2>"$T/server.err" &
	CL_SERVER_PID=$!
	for _ in $(seq 1 300); do
		CL_PORT=$(sed -n 's/^minikube server listening on port \([0-9]*\)$/\1/p' "$T/server.out")
		[ -n "$CL_PORT" ] && curl -skf "https://127.0.0.1:$CL_PORT/readyz" >/dev/null 2>&1 && break
		sleep 0.1
	done
	export KUBECONFIG="$T/data/kubeconfig.yaml"
	[ -n "$CL_PORT" ] && [ -f "$KUBECONFIG" ]
}

# cl_netns N: network namespace number N with a veth to the host; the host
# side is 10.253.S.(4N-3)/30, the agent's 10.253.S.(4N-2). Run before the
# server starts so the host address is in its serving certificate.
cl_netns() {
	local n=$1 s=$(($$ % 250)) ns="mkb$$-$1" h="mkb$$h$1"
	ip netns add "$ns" || return 1
	CL_NETNS="$CL_NETNS $ns"
	ip link add "$h" type veth peer name eth0 netns "$ns" || return 1
	CL_VETHS="$CL_VETHS $h"
	ip addr add "10.253.$s.$((4 * n - 3))/30" dev "$h" && ip link set "$h" up &&
		ip -n "$ns" addr add "10.253.$s.$((4 * n - 2))/30" dev eth0 && ip -n "$ns" link set eth0 up &&
		ip -n "$ns" link set lo up && ip -n "$ns" route add default via "10.253.$s.$((4 * n - 3))"
}

# cl_agent N NAME: agent NAME in namespace N (see cl_netns), own data dir
# $T/NAME holding the fixture image; joins through the veth address.
cl_agent() {
	local n=$1 name=$2 s=$(($$ % 250)) tok
	tok=$("$MK" token create --data-dir "$T/data" --ttl 2h) || return 1
	cl_image "$T/$name" || return 1
	# nsenter, not `ip netns exec`: that remounts /sys and hides the cgroups
	nsenter --net="/run/netns/mkb$$-$n" "$MK" agent --join "https://10.253.$s.$((4 * n - 3)):$CL_PORT" --token "$tok" \
		--node-name "$name" --data-dir "$T/$name" >"$T/$name.log" 2>&1 &
	CL_AGENT_PIDS="$CL_AGENT_PIDS $!"
}

# cl_image DIR: imports the busybox:test fixture into a data dir.
cl_image() {
	[ -f "$T/img/oci-busybox.tar" ] ||
		python3 "$(dirname "${BASH_SOURCE[0]}")/../scripts/make-test-images" "$T/img" >/dev/null 2>&1 || return 1
	"$MK" image import --data-dir "$1" "$T/img/oci-busybox.tar" >/dev/null 2>&1
}

cl_node_ready() {
	[ "$(kubectl get node "$1" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" = True ]
}

# cl_wait SECONDS CMD...: until CMD succeeds.
cl_wait() {
	local end=$((SECONDS + $1))
	shift
	while [ "$SECONDS" -lt "$end" ]; do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
	return 1
}

# cl_pods COUNT NODE...: COUNT `sleep` pods named sleep-I, bound round-robin
# to the nodes (no scheduler needed), created in one kubectl apply.
cl_pods() {
	local count=$1 i
	shift
	local nodes=("$@")
	for i in $(seq 1 "$count"); do
		cat <<EOF
---
apiVersion: v1
kind: Pod
metadata: {name: sleep-$i}
spec:
  nodeName: ${nodes[$(((i - 1) % ${#nodes[@]}))]}
  terminationGracePeriodSeconds: 1
  containers:
  - {name: main, image: "busybox:test", imagePullPolicy: Never, command: [sh, -c, "sleep 100000"]}
EOF
	done | kubectl apply -f - >/dev/null
}

cl_running() { # cl_running COUNT: at least COUNT pods are Running
	[ "$(kubectl get pods --no-headers 2>/dev/null | grep -c ' Running ')" -ge "$1" ]
}

# cl_cleanup: stops agents and server (SIGTERM, then SIGKILL after 10 s),
# removes the containers kept in every data dir under $T, takes down the
# network the server's embedded agent set up on the host (its bridge and nft
# tables; the other agents' went with their namespaces), unmounts what is
# left below $T, deletes the namespaces and veths made here.
cl_cleanup() {
	local p
	for p in $CL_AGENT_PIDS $CL_SERVER_PID; do kill -TERM "$p" 2>/dev/null; done
	for _ in $(seq 1 100); do
		local alive=""
		for p in $CL_AGENT_PIDS $CL_SERVER_PID; do kill -0 "$p" 2>/dev/null && alive=1; done
		[ -z "$alive" ] && break
		sleep 0.1
	done
	for p in $CL_AGENT_PIDS $CL_SERVER_PID; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	CL_AGENT_PIDS="" CL_SERVER_PID=""
	local dir c
	for dir in "$T"/*/; do
		[ -d "$dir/containers" ] || continue
		for c in "$dir"containers/*/; do
			[ -d "$c" ] && "$MK" rm -f --data-dir "$dir" "$(basename "$c")" >/dev/null 2>&1
		done
	done
	[ -d "$T/data" ] && "$MK" agent --cleanup --data-dir "$T/data" >/dev/null 2>&1
	awk -v t="$T" 'index($2, t) == 1 {print $2}' /proc/mounts | sort -r | xargs -r umount -l 2>/dev/null
	for p in $CL_VETHS; do ip link del "$p" 2>/dev/null; done
	for p in $CL_NETNS; do ip netns del "$p" 2>/dev/null; done
	CL_VETHS="" CL_NETNS=""
}
