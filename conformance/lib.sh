# Shared helpers for conformance scripts: start a real server on a free port
# in a temp dir, drive it with the real kubectl, assert, clean up on exit.
# Source it; it expects MINIKUBE (path to the binary).

set -u
: "${MINIKUBE:?set MINIKUBE to the minikube binary}"
MINIKUBE=$(readlink -f "$MINIKUBE")
T=$(mktemp -d /tmp/minikube-conf-XXXXXX)
export KUBECACHEDIR="$T/kube-cache"
LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PASSED=0
FAILED=0
SERVER_PID=""
declare -A AGENT_PID=() # node name -> pid of the agent start_agent started
TMP_PIDS=()             # other background processes of a test: killed on exit
TMP_NETNS=()            # network namespaces a test made: deleted on exit
TMP_LINKS=()            # links a test made in this namespace: deleted on exit

# Containers that agents of the test started outlive them by design: remove
# every container kept in any data dir under $T.
remove_containers() {
	for dir in "$T"/*/; do
		[ -d "$dir/containers" ] || continue
		for c in "$dir"containers/*/; do
			[ -d "$c" ] && "$MINIKUBE" rm -f --data-dir "$dir" "$(basename "$c")" >/dev/null 2>&1
		done
	done
}

# Pod networks that agents of the test set up in this network namespace (the
# embedded agent's, or an agent not run under `ip netns exec`): the links and
# nft table each one lists in DATA_DIR/agent/network. A bridge that still has
# ports (pods of someone else's agent) is left alone.
remove_networks() {
	local me rec br
	me=$(stat -L -c %i /proc/self/ns/net)
	for rec in "$T"/*/agent/network; do
		[ -f "$rec" ] && [ "$(sed -n 's/^netns //p' "$rec")" = "$me" ] || continue
		br=$(sed -n 's/^link //p' "$rec" | head -1)
		for _ in $(seq 1 30); do [ -z "$(ls "/sys/class/net/$br/brif" 2>/dev/null)" ] && break; sleep 0.1; done
		[ -z "$(ls "/sys/class/net/$br/brif" 2>/dev/null)" ] || continue
		sed -n 's/^link //p' "$rec" | while read -r l; do ip link del "$l" 2>/dev/null; done
		sed -n 's/^nft //p' "$rec" | while read -r fam tbl; do nft delete table "$fam" "$tbl" 2>/dev/null; done
	done
	# The Service proxy's table and the cluster DNS address outlive an agent
	# by design (pods keep working across its restarts); a test removes them.
	if [ -n "$(ls "$T"/*/agent/network 2>/dev/null)" ]; then
		nft delete table ip minikube-svc 2>/dev/null
		ip link del mk-dns 2>/dev/null
		ip addr del 10.43.0.10/32 dev lo 2>/dev/null
	fi
	return 0
}

# unmount_all: what is still mounted under $T (containers' root file
# systems and volumes that outlived a killed agent), deepest first.
unmount_all() {
	awk -v t="$T/" 'index($2, t) == 1 {print $2}' /proc/mounts | sort -r | xargs -r umount -l 2>/dev/null
	return 0
}

# The EXIT trap: a script with more to undo sets its own trap that ends by
# calling cleanup.
cleanup() {
	local p
	for p in "${TMP_PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
	stop_agents
	[ -n "$SERVER_PID" ] && kill -9 "$SERVER_PID" 2>/dev/null
	wait 2>/dev/null
	remove_containers
	unmount_all
	remove_networks
	for p in "${TMP_NETNS[@]}"; do ip netns del "$p" 2>/dev/null; done
	for p in "${TMP_LINKS[@]}"; do ip link del "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT

# start_server [extra flags]: starts on a free port, waits for /readyz.
start_server() {
	# AGENT_FLAG="" (set before sourcing) keeps the embedded node agent on.
	"$MINIKUBE" server --data-dir "$T/data" --bind-address 127.0.0.1 --port "${PORT:-0}" ${AGENT_FLAG---disable-agent} "$@" \
		>"$T/server.out" 2>"$T/server.err" &
	SERVER_PID=$!
	for _ in $(seq 1 200); do
		PORT=$(sed -n 's/^minikube server listening on port \([0-9]*\)$/\1/p' "$T/server.out")
		[ -n "$PORT" ] && curl -skf "https://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
		sleep 0.05
	done
	[ -n "$PORT" ] || { echo "server did not start:"; cat "$T/server.err"; exit 1; }
	export KUBECONFIG="$T/data/kubeconfig.yaml"
}

kill_server() {
	kill -9 "$SERVER_PID" 2>/dev/null
	wait "$SERVER_PID" 2>/dev/null
	SERVER_PID=""
}

# ---- node agents ----

# needs_containers: the script is skipped (exit 0) unless it can run
# containers: root, and busybox-static for the test image.
needs_containers() {
	local me
	me=$(basename "$0" .sh)
	if [ "$(id -u)" != 0 ]; then echo "$me: skipped (needs root to run containers)"; exit 0; fi
	if [ ! -x /bin/busybox ]; then echo "$me: skipped (needs busybox-static)"; exit 0; fi
}

# import_busybox DIR: the busybox:test fixture (built once, in $T/img)
# imported into the data dir DIR.
import_busybox() {
	mkdir -p "$1" || return 1
	[ -d "$T/img/oci-busybox" ] || python3 "$LIB_DIR/../scripts/make-test-images" "$T/img" >/dev/null 2>&1 || return 1
	"$MINIKUBE" image import --data-dir "$1" "$T/img/oci-busybox" >/dev/null 2>&1
}

# start_agent [--netns NS] [--url URL] [--resolv FILE] [--token TOKEN] NAME
# DIR [flags]: `minikube agent` joined as node NAME with the data dir DIR, in
# the background, its log appended to DIR.log; AGENT_PID[NAME] is its pid.
# It joins URL (default JOIN_URL, else the server on 127.0.0.1) with TOKEN
# (default JOIN_TOKEN, made on first use). --netns: in that network
# namespace, by nsenter (`ip netns exec` would remount /sys and hide the
# cgroups); --resolv: in its own mount namespace where FILE is
# /etc/resolv.conf.
start_agent() {
	local tok="" url=${JOIN_URL:-https://127.0.0.1:$PORT} pre=()
	while :; do
		case "$1" in
		--netns) pre=(nsenter --net="/run/netns/$2" "${pre[@]}") ;;
		--url) url=$2 ;;
		--resolv) pre+=(unshare -m --propagation private sh -c 'mount --bind "$0" /etc/resolv.conf && exec "$@"' "$2") ;;
		--token) tok=$2 ;;
		*) break ;;
		esac
		shift 2
	done
	local name=$1 dir=$2
	shift 2
	if [ -z "$tok" ]; then
		[ -n "${JOIN_TOKEN:-}" ] || JOIN_TOKEN=$("$MINIKUBE" token create --data-dir "$T/data" --ttl 1h) || return 1
		tok=$JOIN_TOKEN
	fi
	# nsenter, unshare and sh exec the agent: $! is its pid.
	"${pre[@]}" "$MINIKUBE" agent --join "$url" --token "$tok" --node-name "$name" \
		--data-dir "$dir" "$@" >>"$dir.log" 2>&1 &
	AGENT_PID[$name]=$!
}

# stop_agent NAME [SIGNAL]: signals node NAME's agent (KILL by default) and
# waits for it; returns its exit status. Its containers keep running.
stop_agent() {
	local pid=${AGENT_PID[$1]:-} rc
	[ -n "$pid" ] || return 0
	kill -"${2:-KILL}" "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rc=$?
	unset "AGENT_PID[$1]"
	return $rc
}

# stop_agents [SIGNAL]: every agent start_agent started.
stop_agents() {
	local n
	for n in "${!AGENT_PID[@]}"; do stop_agent "$n" "${1:-KILL}"; done
	return 0
}

# netns_veth NS HOST_IP PEER_IP: a network namespace NS linked to this one
# by a veth pair (NSh here with HOST_IP/30, NSp there with PEER_IP/30), as
# another host reaching this one at HOST_IP; removed on exit.
netns_veth() {
	TMP_NETNS+=("$1")
	TMP_LINKS+=("${1}h")
	ip netns add "$1" && ip link add "${1}h" type veth peer name "${1}p" && ip link set "${1}p" netns "$1" &&
		ip addr add "$2/30" dev "${1}h" && ip link set "${1}h" up &&
		ip -n "$1" addr add "$3/30" dev "${1}p" && ip -n "$1" link set "${1}p" up && ip -n "$1" link set lo up
}

ok() { PASSED=$((PASSED + 1)); echo "ok   $*"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL $*"; }

# wait_for SECONDS CMD...: until CMD succeeds (quietly), SECONDS x 10 tries
# 0.1 s apart.
wait_for() {
	local n=$(($1 * 10))
	shift
	for _ in $(seq 1 "$n"); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
	return 1
}

# step NAME SECONDS CMD...: a waited-for check; when it fails, the script's
# on_step_fail (if it has one) prints what shows why.
step() {
	local name=$1 secs=$2
	shift 2
	if wait_for "$secs" "$@"; then ok "$name"; else
		fail "$name"
		if declare -F on_step_fail >/dev/null; then on_step_fail; fi
	fi
}

# node_ready NODE: the Node's Ready condition is True.
node_ready() { [ "$(kubectl get node "$1" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}')" = True ]; }

# check NAME CMD...: passes when CMD exits 0.
check() {
	name=$1; shift
	if out=$("$@" 2>&1); then ok "$name"; else fail "$name"; echo "$out" | sed 's/^/     /' | head -20; fi
}

# expect_out NAME PATTERN CMD...: passes when CMD's output (stdout+stderr) matches the grep -E PATTERN.
expect_out() {
	name=$1; pat=$2; shift 2
	out=$("$@" 2>&1)
	if printf '%s\n' "$out" | grep -Eq -- "$pat"; then ok "$name"; else fail "$name (wanted /$pat/)"; echo "$out" | sed 's/^/     /' | head -20; fi
}

# expect_fail NAME PATTERN CMD...: CMD must fail and print PATTERN.
expect_fail() {
	name=$1; pat=$2; shift 2
	if out=$("$@" 2>&1); then fail "$name (succeeded)"; echo "$out" | sed 's/^/     /' | head -10; return; fi
	if printf '%s\n' "$out" | grep -Eq -- "$pat"; then ok "$name"; else fail "$name (wanted /$pat/)"; echo "$out" | sed 's/^/     /' | head -20; fi
}

finish() {
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
}
