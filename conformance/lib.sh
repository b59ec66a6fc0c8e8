# Shared helpers for conformance scripts: start a real server on a free port
# in a temp dir, drive it with the real kubectl, assert, clean up on exit.
# Source it; it expects MINIKUBE (path to the binary).

set -u
: "${MINIKUBE:?set MINIKUBE to the minikube binary}"
MINIKUBE=$(readlink -f "$MINIKUBE")
T=$(mktemp -d /tmp/minikube-conf-XXXXXX)
export KUBECACHEDIR="$T/kube-cache"
PASSED=0
FAILED=0
SERVER_PID=""

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

cleanup() {
	[ -n "$SERVER_PID" ] && kill -9 "$SERVER_PID" 2>/dev/null
	wait 2>/dev/null
	remove_containers
	remove_networks
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
