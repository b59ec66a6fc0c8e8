#!/bin/bash
# Pod sandboxes on a real node (agent/sandbox.c): a pod's net, ipc and uts
# namespaces are held by bind mounts under DATA_DIR/pods/UID/ns, without a
# process; its containers (and their restarts) join them; the hostname is
# the pod's. An agent killed and restarted without those mounts (as in a new
# mount namespace) binds them again from a running container. A
# shareProcessNamespace pod gets a sandbox container whose pid namespace its
# containers share. With MINIKUBE_OLD (an agent from before the namespace
# holder), a pod that agent started in a sandbox container is taken over by
# this one (an upgrade of a running node): the namespaces are bound from it
# and the container goes, the pod keeps running. Nothing is left mounted.
# Needs root. Usage: MINIKUBE=path/to/minikube [MINIKUBE_OLD=...] bash conformance/sandbox_test.sh
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
needs_containers

K=kubectl
A="$T/agent1"
start_server

jp() { $K get pod "$1" -o "jsonpath=$2" 2>/dev/null; }
phase_is() { [ "$(jp "$1" '{.status.phase}')" = "$2" ]; }
on_step_fail() { tail -20 "$A.log" | sed 's/^/     agent: /'; }
pod_uid() { jp "$1" '{.metadata.uid}'; }
ctr_id() { jp "$1" "{.status.containerStatuses[?(@.name==\"${2:-main}\")].containerID}" | sed 's|^minikube://||'; }
ctr_pid() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pid"])' "$A/containers/$1/state.json" 2>/dev/null; }
fs_type() { stat -f -c %T "$1" 2>/dev/null; }
ino() { stat -L -c %i "$1" 2>/dev/null; }
# held UID KIND...: each file is a namespace mount
held() {
	local u=$1 k
	shift
	for k in "$@"; do [ "$(fs_type "$A/pods/$u/ns/$k")" = nsfs ] || return 1; done
}
pod_yaml() { # pod_yaml NAME [SPEC LINES]
	cat <<EOF
apiVersion: v1
kind: Pod
metadata: {name: $1}
spec:
  nodeName: n1
  terminationGracePeriodSeconds: 1
${2:-}
  containers:
  - name: main
    image: busybox:test
    imagePullPolicy: Never
    command: [busybox, sleep, "3600"]
EOF
}
containers_of() { ls "$A/containers" 2>/dev/null | grep -c "^$1"; }

import_busybox "$A" || { fail "busybox:test fixture imported"; finish; exit 1; }

# 1. Upgrade: a pod an older agent started in a sandbox container.
if [ -n "${MINIKUBE_OLD:-}" ]; then
	NEW=$MINIKUBE
	MINIKUBE=$MINIKUBE_OLD start_agent n1 "$A"
	step "the older agent joins" 15 node_ready n1
	pod_yaml old | $K apply -f - >/dev/null
	step "pod old Running under the older agent" 20 phase_is old Running
	OU=$(pod_uid old)
	OCID=$(ctr_id old)
	OPID=$(ctr_pid "$OCID")
	OIP=$(jp old '{.status.podIP}')
	if [ -d "$A/containers/$OU-s0" ]; then ok "the older agent made a sandbox container"; else fail "the older agent made a sandbox container"; fi
	stop_agent n1
	MINIKUBE=$NEW
	start_agent n1 "$A"
	step "the new agent joins" 15 node_ready n1
	took_over() { grep -q "sandbox namespaces bound again pod=default/old from=sandbox-container" "$A.log"; }
	step "the new agent binds the old sandbox's namespaces" 15 took_over
	gone() { [ ! -d "$A/containers/$OU-s0" ]; }
	step "the old sandbox container is removed" 10 gone
	if held "$OU" net ipc uts && [ "$(ino "$A/pods/$OU/ns/net")" = "$(ino "/proc/$OPID/ns/net")" ]; then
		ok "the app container's namespaces are the held ones"
	else fail "the app container's namespaces are the held ones"; fi
	if [ "$(ctr_id old)" = "$OCID" ] && kill -0 "$OPID" 2>/dev/null && phase_is old Running; then
		ok "the pod keeps running with the same container"
	else fail "the pod keeps running with the same container"; fi
	expect_out "its address stays on eth0" "inet $OIP/" $K exec old -- busybox ip -4 addr show eth0
	$K delete pod old --wait=false >/dev/null
else
	echo "skip the upgrade checks (set MINIKUBE_OLD to an older agent)"
	start_agent n1 "$A"
	step "n1 joins" 15 node_ready n1
fi

# 2. A pod: its namespaces held by bind mounts, no sandbox container.
pod_yaml web | $K apply -f - >/dev/null
step "pod web Running" 20 phase_is web Running
U=$(pod_uid web)
CID=$(ctr_id web)
PID=$(ctr_pid "$CID")
if held "$U" net ipc uts; then ok "net, ipc and uts are held under pods/UID/ns"; else fail "net, ipc and uts are held under pods/UID/ns"; fi
check "one runtime container for the pod (no sandbox container)" test "$(containers_of "$U")" = 1
if [ -n "$PID" ] && [ "$(ino "/proc/$PID/ns/net")" = "$(ino "$A/pods/$U/ns/net")" ] &&
	[ "$(ino "/proc/$PID/ns/ipc")" = "$(ino "$A/pods/$U/ns/ipc")" ] &&
	[ "$(ino "/proc/$PID/ns/uts")" = "$(ino "$A/pods/$U/ns/uts")" ]; then
	ok "the container joined them"
else fail "the container joined them"; fi
expect_out "the pod's hostname" '^web$' $K exec web -- busybox hostname
IP=$(jp web '{.status.podIP}')
expect_out "eth0 carries the pod IP" "inet $IP/" $K exec web -- busybox ip -4 addr show eth0
if awk -v d="$A/pods/$U/ns/" 'index($5, d) == 1' /proc/self/mountinfo | grep -q shared:; then
	fail "the namespace mounts do not propagate (private)"
else ok "the namespace mounts do not propagate (private)"; fi

# 3. A restarted container joins the same namespaces.
kill -9 "$PID"
restarted() { [ "$(jp web '{.status.containerStatuses[0].restartCount}')" = 1 ] && phase_is web Running && [ -n "$(ctr_pid "$(ctr_id web)")" ]; }
step "the container is restarted" 20 restarted
PID2=$(ctr_pid "$(ctr_id web)")
if [ "$(ino "/proc/$PID2/ns/net")" = "$(ino "$A/pods/$U/ns/net")" ]; then ok "the restart joined the pod's namespaces"; else fail "the restart joined the pod's namespaces"; fi
check "same pod IP after the restart" test "$(jp web '{.status.podIP}')" = "$IP"

# 4. The agent killed, the mounts gone (a new mount namespace): bound again
# from the running container.
stop_agent n1
umount -l "$A/pods/$U/ns/net" "$A/pods/$U/ns/ipc" "$A/pods/$U/ns/uts" "$A/pods/$U/ns"
start_agent n1 "$A"
rebound() { grep -q "sandbox namespaces bound again pod=default/web from=container pid=$PID2" "$A.log"; }
step "the restarted agent binds the namespaces again from the container" 15 rebound
if held "$U" net ipc uts && [ "$(ino "/proc/$PID2/ns/net")" = "$(ino "$A/pods/$U/ns/net")" ]; then
	ok "they are the container's"
else fail "they are the container's"; fi
if [ "$(ctr_pid "$(ctr_id web)")" = "$PID2" ] && phase_is web Running; then ok "the container kept running"; else fail "the container kept running"; fi

# 5. hostNetwork: only ipc is the pod's own.
pod_yaml hostnet "  hostNetwork: true" | $K apply -f - >/dev/null
step "pod hostnet Running" 20 phase_is hostnet Running
HU=$(pod_uid hostnet)
if held "$HU" ipc && [ ! -e "$A/pods/$HU/ns/net" ] && [ ! -e "$A/pods/$HU/ns/uts" ]; then
	ok "hostNetwork: only ipc held"
else fail "hostNetwork: only ipc held"; fi
expect_out "hostNetwork: the node's hostname" "^$(hostname)\$" $K exec hostnet -- busybox hostname

# 6. shareProcessNamespace: a sandbox container; its pid namespace shared.
cat <<EOF | $K apply -f - >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: shared}
spec:
  nodeName: n1
  terminationGracePeriodSeconds: 1
  shareProcessNamespace: true
  containers:
  - {name: a, image: busybox:test, imagePullPolicy: Never, command: [busybox, sleep, "3601"]}
  - {name: b, image: busybox:test, imagePullPolicy: Never, command: [busybox, sleep, "3602"]}
EOF
step "pod shared Running" 20 phase_is shared Running
SU=$(pod_uid shared)
if [ -d "$A/containers/$SU-s0" ] && [ ! -e "$A/pods/$SU/ns" ]; then ok "shareProcessNamespace: a sandbox container"; else fail "shareProcessNamespace: a sandbox container"; fi
expect_out "container b sees container a's process" '3601' $K exec shared -c b -- busybox ps
expect_out "the hostname is the pod's" '^shared$' $K exec shared -c a -- busybox hostname

# 7. Deleted pods leave no namespace mounts.
if timeout 60 $K delete pod web hostnet shared >/dev/null 2>&1; then ok "the pods are deleted"; else fail "the pods are deleted"; fi
$K delete pod old --ignore-not-found >/dev/null 2>&1
left() { [ -z "$(ls "$A/containers" 2>/dev/null)" ]; }
step "no runtime containers left" 15 left
nsmounts() { awk -v t="$A/pods/" 'index($2, t) == 1' /proc/mounts; }
no_mounts() { [ -z "$(nsmounts)" ]; }
step "no mounts left under the pods' directories" 10 no_mounts
finish
