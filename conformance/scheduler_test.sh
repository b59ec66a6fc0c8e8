#!/bin/bash
# Scheduler and failure domains with simulated nodes: Node objects with
# capacity, zone labels and Leases that this script renews (no agent, no
# containers), so placement can be checked at scale. Then one zone stops
# renewing: its nodes go NotReady and tainted, pods are evicted after their
# tolerationSeconds and recreated in the surviving zones, critical first.
cd "$(dirname "$0")" && . ./lib.sh

start_server --node-monitor-grace-period 6 --node-eviction-rate 100
k() { kubectl "$@"; }
NOW() { date -u +%Y-%m-%dT%H:%M:%S.000000Z; }

# make_node NAME ZONE CPU MEMORY
make_node() {
	k create -f - >/dev/null <<YAML
apiVersion: v1
kind: Node
metadata:
  name: $1
  labels: {kubernetes.io/hostname: $1, topology.kubernetes.io/zone: $2, kubernetes.io/os: linux}
status:
  capacity: {cpu: "$3", memory: $4, pods: "110"}
  allocatable: {cpu: "$3", memory: $4, pods: "110"}
  conditions:
  - {type: Ready, status: "True", reason: KubeletReady, message: ready, lastHeartbeatTime: "$(date -u +%Y-%m-%dT%H:%M:%SZ)", lastTransitionTime: "$(date -u +%Y-%m-%dT%H:%M:%SZ)"}
YAML
	k create -f - >/dev/null <<YAML
apiVersion: coordination.k8s.io/v1
kind: Lease
metadata: {name: $1, namespace: kube-node-lease}
spec: {holderIdentity: $1, leaseDurationSeconds: 40, renewTime: "$(NOW)"}
YAML
}

# The simulated kubelets, one python3-kubernetes process on one connection
# (kubectl per renewal is too slow on a loaded machine): renew every Lease
# whose node is in $T/alive and not in $T/dead, each second, and confirm the
# deletion of pods on live nodes, as a kubelet does once their containers
# stopped.
touch "$T/dead"
renew_leases() {
	T="$T" exec /usr/bin/python3 -c '
import datetime, os, time
from kubernetes import client, config
config.load_kube_config()
core, coord = client.CoreV1Api(), client.CoordinationV1Api()
T = os.environ["T"]
def names(f):
    try:
        return set(open(os.path.join(T, f)).read().split())
    except OSError:
        return set()
while True:
    dead = names("dead")
    now = datetime.datetime.utcnow().strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    for n in sorted(names("alive") - dead):
        try:
            coord.patch_namespaced_lease(n, "kube-node-lease", {"spec": {"renewTime": now}})
        except Exception:
            pass
    try:
        for p in core.list_namespaced_pod("default").items:
            if p.metadata.deletion_timestamp and p.spec.node_name and p.spec.node_name not in dead:
                core.delete_namespaced_pod(p.metadata.name, "default", grace_period_seconds=0)
    except Exception:
        pass
    time.sleep(1)
'
}

# pods_per LABEL: "zone count" lines of the bound pods with that label.
zones_of() {
	k get pods -l "$1" -o jsonpath='{range .items[*]}{.spec.nodeName}{"\n"}{end}' | grep . | sed 's/-[0-9]*$//' | sort | uniq -c | awk '{print $2"="$1}' | tr '\n' ' '
}
wait_for() { # wait_for SECONDS CMD...: retries until CMD succeeds
	local t=$1; shift
	for _ in $(seq 1 $((t * 4))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.25; done
	"$@"
}
bound_count() { k get pods -l "$1" -o jsonpath='{range .items[?(@.spec.nodeName)]}{.metadata.name}{"\n"}{end}' | grep -c . ; }
all_bound() { [ "$(bound_count "$1")" -eq "$2" ]; }

for z in za zb zc; do for i in 1 2 3; do make_node "$z-$i" "$z" 4 8Gi; echo "$z-$i" >>"$T/alive"; done; done
renew_leases & RENEW_PID=$!
trap 'kill $RENEW_PID 2>/dev/null; cleanup' EXIT

# 1. A Deployment of 9 with a hard zone spread lands 3/3/3.
k apply -f - >/dev/null <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: {name: spread}
spec:
  replicas: 9
  selector: {matchLabels: {app: spread}}
  template:
    metadata: {labels: {app: spread}}
    spec:
      topologySpreadConstraints:
      - {maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: spread}}}
      containers: [{name: c, image: busybox, resources: {requests: {cpu: 100m}}}]
YAML
wait_for 20 all_bound app=spread 9
expect_out "9 pods with a zone spread land 3/3/3" "^za=3 zb=3 zc=3 $" zones_of app=spread

# 2. Required anti-affinity on hostname never co-locates.
k apply -f - >/dev/null <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: {name: anti}
spec:
  replicas: 9
  selector: {matchLabels: {app: anti}}
  template:
    metadata: {labels: {app: anti}}
    spec:
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - {topologyKey: kubernetes.io/hostname, labelSelector: {matchLabels: {app: anti}}}
      containers: [{name: c, image: busybox}]
YAML
wait_for 20 all_bound app=anti 9
check "anti-affinity puts each of 9 pods on its own node" \
	bash -c "[ \$(kubectl get pods -l app=anti -o jsonpath='{range .items[*]}{.spec.nodeName}{\"\\n\"}{end}' | sort -u | grep -c .) -eq 9 ]"
k scale deploy anti --replicas=10 >/dev/null
sleep 2
expect_out "a 10th anti-affine pod stays Pending with the reason" \
	"0/9 nodes are available: 9 node\(s\) didn't match pod anti-affinity rules" \
	kubectl get pods -l app=anti --field-selector=status.phase=Pending -o jsonpath='{.items[*].status.conditions[*].message}'

# 3. A taint repels pods without the toleration.
k taint node za-1 dedicated=lab:NoSchedule >/dev/null
k create deploy tainted --image=busybox --replicas=6 >/dev/null
wait_for 20 all_bound app=tainted 6
check "no pod without the toleration lands on the tainted node" \
	bash -c "! kubectl get pods -l app=tainted -o jsonpath='{.items[*].spec.nodeName}' | grep -qw za-1"

# 4. Too big for any node: Pending with the real-style message and an event.
k run huge --image=busybox --overrides='{"spec":{"containers":[{"name":"huge","image":"busybox","resources":{"requests":{"memory":"64Gi"}}}]}}' >/dev/null
sleep 2
expect_out "a pod too big for any node says why" \
	"0/9 nodes are available: .*8 Insufficient memory" \
	kubectl get pod huge -o jsonpath='{.status.conditions[?(@.type=="PodScheduled")].message}'
expect_out "kubectl describe shows FailedScheduling" "FailedScheduling" kubectl describe pod huge
k delete deploy spread anti tainted >/dev/null; k delete pod huge >/dev/null
k taint node za-1 dedicated- >/dev/null

# 5. Priority and preemption: a critical pod evicts lab pods on a full cluster.
k apply -f ../docs/priority-tiers.yaml >/dev/null
k apply -f - >/dev/null <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: {name: lab}
spec:
  replicas: 9
  selector: {matchLabels: {tier: lab}}
  template:
    metadata: {labels: {tier: lab}}
    spec:
      priorityClassName: household-lab
      containers: [{name: c, image: busybox, resources: {requests: {cpu: "3"}}}]
YAML
wait_for 20 all_bound tier=lab 9
k run critical --image=busybox --labels=tier=critical --overrides='{"spec":{"priorityClassName":"household-critical","containers":[{"name":"c","image":"busybox","resources":{"requests":{"cpu":"2"}}}]}}' >/dev/null
wait_for 20 all_bound tier=critical 1
check "the critical pod is placed on the full cluster" all_bound tier=critical 1
expect_out "a lab pod was preempted for it" "Preempted" kubectl get events --field-selector reason=Preempted
k delete deploy lab >/dev/null; k delete pod critical >/dev/null

# 6. A zone goes dark: taints, eviction after tolerationSeconds, critical first.
tmpl() { # tmpl NAME CLASS REPLICAS CPU
	cat <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: {name: $1}
spec:
  replicas: $3
  selector: {matchLabels: {app: $1}}
  template:
    metadata: {labels: {app: $1}}
    spec:
      priorityClassName: $2
      tolerations:
      - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 2}
      - {key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: 2}
      topologySpreadConstraints:
      - {maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {app: $1}}}
      containers: [{name: c, image: busybox, resources: {requests: {cpu: "$4"}}}]
YAML
}
# Capacity: 9 nodes x 4 cpu = 36. critical 9 x 2 + lab 9 x 2 = 36: full.
tmpl home household-critical 9 2 | k apply -f - >/dev/null
wait_for 20 all_bound app=home 9
tmpl lab household-lab 9 2 | k apply -f - >/dev/null
wait_for 20 all_bound app=lab 9
printf 'zc-1\nzc-2\nzc-3\n' >"$T/dead"
wait_for 20 bash -c "kubectl get nodes zc-1 zc-2 zc-3 --no-headers | grep -c NotReady | grep -qx 3"
expect_out "the dark zone's nodes go NotReady" "zc-1 +NotReady" kubectl get nodes zc-1
wait_for 20 bash -c "kubectl get node zc-1 -o jsonpath='{.spec.taints}' | grep -q NoExecute"
expect_out "and get the unreachable NoExecute taint" "node.kubernetes.io/unreachable.*NoExecute|NoExecute.*node.kubernetes.io/unreachable" \
	kubectl get node zc-1 -o jsonpath='{.spec.taints}'
live_bound() { # live_bound APP: bound, not terminating, on za/zb
	k get pods -l "app=$1" -o jsonpath='{range .items[?(@.spec.nodeName)]}{.spec.nodeName} {.metadata.deletionTimestamp}{"\n"}{end}' |
		awk 'NF==1 && $1 !~ /^zc/' | grep -c .
}
home_back() { [ "$(live_bound home)" -eq 9 ]; }
wait_for 60 home_back
if home_back; then ok "all 9 critical pods run again in the surviving zones"; else
	fail "all 9 critical pods run again in the surviving zones"
	k get pods -o wide | sed 's/^/     /'
	k get nodes | sed 's/^/     /'
fi
# (no kubelet runs here: "Pending" below means not placed by the scheduler)
check "lab pods are the ones left unschedulable" bash -c "[ \$(kubectl get pods -l app=lab -o jsonpath='{.items[*].status.conditions[*].reason}' | grep -o Unschedulable | wc -l) -gt 0 ]"
check "no critical pod is left unschedulable" bash -c "[ \$(kubectl get pods -l app=home -o jsonpath='{.items[*].status.conditions[*].reason}' | grep -o Unschedulable | wc -l) -eq 0 ]"
finish
