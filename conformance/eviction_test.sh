#!/bin/bash
# Node-pressure eviction end to end: `minikube server` plus `minikube agent`
# joined as n1. Three pods run there; the agent is then restarted with
# --eviction-hard memory.available<(the machine's total memory), a threshold
# always crossed. The node reports MemoryPressure, gets the memory-pressure
# NoSchedule taint (new pods stay Pending), and the agent evicts one pod per
# 10 s pass in the kubelet's order: the pods using more memory than they
# request first (lower priority first among them), the pod within its
# request last even though its priority is the lowest. An evicted pod is
# Failed, reason Evicted, with the kubelet's message and an Evicted event;
# its containers are gone. Back on the default thresholds the pressure, the
# taint and the Pending pod's wait end.
# Needs root. Usage: MINIKUBE=path/to/minikube bash conformance/eviction_test.sh
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
needs_containers

K=kubectl
A="$T/agent1"

start_server
URL="https://127.0.0.1:$PORT"

jp() { $K get pod "$1" -o "jsonpath=$2" 2>/dev/null; }
phase_is() { [ "$(jp "$1" '{.status.phase}')" = "$2" ]; }
node_cond() { $K get node n1 -o "jsonpath={.status.conditions[?(@.type==\"$1\")].status}" 2>/dev/null; }
cond_is() { [ "$(node_cond "$1")" = "$2" ]; }
tainted() { $K get node n1 -o 'jsonpath={range .spec.taints[*]}{.key}:{.effect} {end}' | grep -q 'node.kubernetes.io/memory-pressure:NoSchedule'; }
untainted() { ! tainted; }
show() { # diagnostics for a failed check
	$K get pods -o wide 2>&1 | sed 's/^/     /'
	grep eviction "$A.log" | tail -10 | sed 's/^/     agent: /'
}
on_step_fail() { # what step prints when a check fails
	show
}

if ! import_busybox "$A"; then
	fail "busybox:test fixture imported into the agent's data dir"
	finish
	exit 1
fi

# Bad thresholds are refused with a message, before anything starts.
expect_fail "--eviction-hard with an unknown signal is refused" 'unknown signal memory.free' \
	"$MINIKUBE" agent --join "$URL" --node-name n1 --data-dir "$A" --eviction-hard 'memory.free<1Gi'
expect_fail "--eviction-hard with a bad quantity is refused" 'not a quantity' \
	"$MINIKUBE" agent --join "$URL" --node-name n1 --data-dir "$A" --eviction-hard 'memory.available<lots'

start_agent n1 "$A"
step "n1 joins with the default thresholds, no MemoryPressure" 15 cond_is MemoryPressure False

$K apply -f - >/dev/null <<EOF
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: lowest}
value: 10
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: low}
value: 100
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: high}
value: 1000
EOF
# hog POD CLASS REQUEST LINES [LIMIT]: a pod holding the text of `seq LINES` in a
# shell variable (about 7 bytes a line) and requesting REQUEST of memory.
# The shell outlives the sleep (a last command would be exec'ed instead).
# With a LIMIT the container has a memory cgroup of its own, without one
# (cgroup v1) its usage is its processes' resident memory.
hog() {
	cat <<EOF
apiVersion: v1
kind: Pod
metadata: {name: $1}
spec:
  nodeName: n1
  priorityClassName: $2
  terminationGracePeriodSeconds: 5
  containers:
  - name: main
    image: busybox:test
    imagePullPolicy: Never
    resources: {requests: {memory: $3}${5:+, limits: {memory: $5\}}}
    command: ["sh", "-c", "x=\$(busybox seq 1 $4); echo holding; busybox sleep 3600; echo \${#x}"]
EOF
}
{
	hog hog-low low 1Mi 1000000
	echo ---
	hog hog-high high 1Mi 3000000 256Mi
	echo ---
	hog modest lowest 1Gi 10
} | $K apply -f - >/dev/null
holding() { for p in hog-low hog-high modest; do phase_is $p Running && $K logs $p 2>/dev/null | grep -q holding || return 1; done; }
step "three pods Running on n1, the hogs holding their memory" 60 holding

# Restart the agent with a threshold above anything the machine can have free.
TOTAL_KI=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)
stop_agent n1
start_agent n1 "$A" --eviction-hard "memory.available<${TOTAL_KI}Ki,nodefs.available<1%"
step "MemoryPressure True under memory.available<${TOTAL_KI}Ki" 15 cond_is MemoryPressure True
expect_out "the pressure condition has the kubelet's reason" '^KubeletHasInsufficientMemory$' \
	$K get node n1 -o 'jsonpath={.status.conditions[?(@.type=="MemoryPressure")].reason}'
step "the node gets the memory-pressure NoSchedule taint" 10 tainted

# A new pod the scheduler would place on n1 now waits.
$K run newcomer --image=busybox:test --image-pull-policy=Never --restart=Never -- busybox sleep 3600 >/dev/null
unschedulable() { jp newcomer '{.status.conditions[?(@.type=="PodScheduled")].message}' | grep -q 'untolerated taint {node.kubernetes.io/memory-pressure: }'; }
step "a new pod stays Pending: untolerated taint memory-pressure" 15 unschedulable

evicted() { phase_is "$1" Failed && [ "$(jp "$1" '{.status.reason}')" = Evicted ]; }
step "the low-priority pod over its request is evicted first" 25 evicted hog-low
expect_out "the others are still Running then" '^Running Running$' \
	bash -c "echo \$($K get pod hog-high -o 'jsonpath={.status.phase}') \$($K get pod modest -o 'jsonpath={.status.phase}')"
expect_out "the message is the kubelet's, naming the container over its request" \
	"^The node was low on resource: memory\. Threshold quantity: [0-9]+(Ki|Mi|Gi)?, available: [0-9]+(Ki|Mi|Gi)?\. Container main was using [0-9]+(Ki|Mi)?, request is 1Mi, has larger consumption of memory\. $" \
	jp hog-low '{.status.message}'
echo "     message: $(jp hog-low '{.status.message}')"
used_ki() { # the usage the message reports, in Ki
	jp "$1" '{.status.message}' | sed -n 's/.*was using \([0-9]*\)\(Ki\|Mi\)\{0,1\},.*/\1 \2/p' |
		awk '{print $2 == "Mi" ? $1 * 1024 : $2 == "Ki" ? $1 : int($1 / 1024)}'
}
U=$(used_ki hog-low)
expect_out "the usage counts the ~7 MB the container holds" '^ok$' \
	bash -c "[ ${U:-0} -gt 5000 ] && echo ok || echo 'used ${U:-?}Ki'"
expect_out "DisruptionTarget True, reason TerminationByKubelet" '^True TerminationByKubelet$' \
	jp hog-low '{.status.conditions[?(@.type=="DisruptionTarget")].status} {.status.conditions[?(@.type=="DisruptionTarget")].reason}'
expect_out "an Evicted warning event names the pod" '^Warning Evicted hog-low$' \
	bash -c "$K get events --field-selector reason=Evicted,involvedObject.name=hog-low -o jsonpath='{.items[0].type} {.items[0].reason} {.items[0].involvedObject.name}'"
expect_out "its container is terminated and stays so (no restart)" '^true 0$' \
	bash -c "sleep 2; echo \$([ -n \"\$($K get pod hog-low -o 'jsonpath={.status.containerStatuses[0].state.terminated}')\" ] && echo true) \$($K get pod hog-low -o 'jsonpath={.status.containerStatuses[0].restartCount}')"
HOG_CID=$(jp hog-low '{.status.containerStatuses[0].containerID}')
HOG_CID=${HOG_CID#minikube://}
expect_out "no process of the evicted container is left" '^stopped$' \
	bash -c "\"$MINIKUBE\" ps --data-dir \"$A\" | grep -q \"^$HOG_CID \" && echo running || echo stopped"

step "then the higher-priority pod over its request" 25 evicted hog-high
U=$(used_ki hog-high)
expect_out "its usage, from its memory cgroup, counts the ~23 MB it holds" '^ok$' \
	bash -c "[ ${U:-0} -gt 20000 ] && echo ok || echo 'used ${U:-?}Ki'"
expect_out "the pod within its request, lowest priority, is still Running" '^Running$' jp modest '{.status.phase}'
step "last the pod within its request (one pod per pass)" 25 evicted modest
expect_out "its message names no container" '^The node was low on resource: memory\. Threshold quantity: [^.]*, available: [^.]*\. $' \
	jp modest '{.status.message}'

# Default thresholds again: the pressure, the taint and the wait end.
stop_agent n1
start_agent n1 "$A"
step "MemoryPressure False again" 15 cond_is MemoryPressure False
step "the memory-pressure taint is removed" 10 untainted
step "the waiting pod is scheduled and runs" 30 phase_is newcomer Running

finish
