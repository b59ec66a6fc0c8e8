#!/bin/bash
# Workload controllers and the scheduler end to end, with the real kubectl and
# real containers, pods placed by the scheduler (no nodeName): Deployments
# (rollout status, a rolling `set image` that never has more than
# maxUnavailable pods down, rollout history/undo/restart/pause/resume, scale),
# deletion with background, foreground and orphan propagation, a DaemonSet
# that follows a second node (an agent in its own network namespace) joining
# later, a Job of 5 completions never running more than 2 pods at once, and
# a CronJob every minute whose Jobs complete.
# Needs root and busybox-static. Usage: MINIKUBE=path/to/minikube bash conformance/controllers_test.sh
AGENT_FLAG=""
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
needs_containers

K=kubectl
NODE=$(hostname | tr 'A-Z' 'a-z')
# The node that joins later: an agent in its own network namespace, linked
# to this one by a veth pair.
NS=mkct$$
HOST_IP=10.214.$((RANDOM % 200)).1
PEER_IP=${HOST_IP%.1}.2

on_step_fail() { # what step prints when a check fails
	$K get deploy,rs,pods -o wide 2>&1 | sed 's/^/     /' | head -30
}
jp() { $K get "$1" -o "jsonpath=$2" 2>/dev/null; }
gone() { ! $K get "$@" >/dev/null 2>&1; }
count() { $K get "$@" --no-headers 2>/dev/null | wc -l; }
count_is() { local want=$1; shift; [ "$(count "$@")" -eq "$want" ]; }
export K
export -f jp gone count count_is

deployment_yaml() { # NAME REPLICAS
	cat <<EOF
apiVersion: apps/v1
kind: Deployment
metadata: {name: $1, labels: {app: $1}}
spec:
  replicas: $2
  selector: {matchLabels: {app: $1}}
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 1}}
  template:
    metadata: {labels: {app: $1}}
    spec:
      terminationGracePeriodSeconds: 2
      containers:
      - name: main
        image: busybox:test
        imagePullPolicy: Never
        command: [sh, -c, "sleep 3600"]
EOF
}

# Made before the server starts so its certificate covers HOST_IP.
if ! netns_veth "$NS" "$HOST_IP" "$PEER_IP"; then
	fail "a network namespace for the second node"
	finish
	exit 1
fi

start_server --bind-address 0.0.0.0
step "the server's node is Ready" 20 bash -c "[ \"\$($K get node $NODE -o 'jsonpath={.status.conditions[?(@.type==\"Ready\")].status}')\" = True ]"
if ! import_busybox "$T/data"; then
	fail "busybox:test fixture imported into the server's data dir"
	finish
	exit 1
fi

# The CronJob (section 12) starts first: its minute comes round while the
# rest runs.
$K apply -f - >/dev/null <<EOF
apiVersion: batch/v1
kind: CronJob
metadata: {name: tick}
spec:
  schedule: "*/1 * * * *"
  successfulJobsHistoryLimit: 2
  jobTemplate:
    spec:
      template:
        metadata: {labels: {app: tick}}
        spec:
          restartPolicy: Never
          terminationGracePeriodSeconds: 1
          containers:
          - name: main
            image: busybox:test
            imagePullPolicy: Never
            command: [sh, -c, "echo tick"]
EOF
CJ_START=$(date +%s)

# 1. A Deployment of 3 rolls out.
deployment_yaml web 3 | $K apply -f - >/dev/null
check "kubectl rollout status completes" $K rollout status deploy/web --timeout=90s
expect_out "status: 3 replicas, updated, ready, available" '^3 3 3 3 <> 1$' \
	bash -c "echo \$(jp deploy/web '{.status.replicas} {.status.updatedReplicas} {.status.readyReplicas} {.status.availableReplicas} <{.status.unavailableReplicas}> {.status.observedGeneration}')"
expect_out "conditions Available=MinimumReplicasAvailable, Progressing=NewReplicaSetAvailable" \
	'^MinimumReplicasAvailable NewReplicaSetAvailable$' \
	jp deploy/web '{.status.conditions[?(@.type=="Available")].reason} {.status.conditions[?(@.type=="Progressing")].reason}'
RS1=$($K get rs -l app=web -o 'jsonpath={.items[0].metadata.name}')
HASH=$(jp "rs/$RS1" '{.metadata.labels.pod-template-hash}')
expect_out "ReplicaSet named web-HASH with the hash in selector, template and pods" "^web-$HASH $HASH $HASH 3$" \
	bash -c "echo $RS1 \$(jp rs/$RS1 '{.spec.selector.matchLabels.pod-template-hash} {.spec.template.metadata.labels.pod-template-hash}') \$($K get pods -l pod-template-hash=$HASH --no-headers | grep -c Running)"
expect_out "ReplicaSet annotations: revision 1, desired 3, max 4" '^1 3 4$' \
	jp "rs/$RS1" '{.metadata.annotations.deployment\.kubernetes\.io/revision} {.metadata.annotations.deployment\.kubernetes\.io/desired-replicas} {.metadata.annotations.deployment\.kubernetes\.io/max-replicas}'
expect_out "describe deployment tells the story" 'NewReplicaSet: +web-.*Scaled up replica set web-' bash -c "$K describe deploy web | tr '\\n' ' '"

# 2. set image rolls with at most maxUnavailable (1) down.
(while :; do
	echo "$($K get deploy web -o 'jsonpath={.status.availableReplicas}' 2>/dev/null)" >>"$T/available"
	sleep 0.2
done) &
SAMPLER_PID=$!
TMP_PIDS=("$SAMPLER_PID")
check "kubectl set image" $K set image deploy/web main=docker.io/library/busybox:test
check "the rolling update completes" $K rollout status deploy/web --timeout=120s
kill "$SAMPLER_PID"; wait "$SAMPLER_PID" 2>/dev/null; TMP_PIDS=()
MIN=$(grep -E '^[0-9]+$' "$T/available" | sort -n | head -1)
if [ -n "$MIN" ] && [ "$MIN" -ge 2 ]; then ok "never fewer than 2 of 3 available during the rollout (min $MIN)"; else fail "never fewer than 2 of 3 available during the rollout (min ${MIN:-none})"; fi
expect_out "two ReplicaSets: the old at 0, the new at 3" '^0 3$' \
	bash -c "$K get rs -l app=web -o json | python3 -c 'import json,sys; r=sorted(json.load(sys.stdin)[\"items\"], key=lambda x: int(x[\"metadata\"][\"annotations\"][\"deployment.kubernetes.io/revision\"])); print(*[x[\"spec\"][\"replicas\"] for x in r])'"
expect_out "rollout history shows revisions 1 and 2" 'REVISION +CHANGE-CAUSE +1 +<none> +2 +<none>' bash -c "$K rollout history deploy/web | tr '\n' ' '"

# 3. undo goes back to the first template, as revision 3.
check "kubectl rollout undo" $K rollout undo deploy/web
check "the undo rolls out" $K rollout status deploy/web --timeout=120s
expect_out "the image is busybox:test again, revision 3, on the first ReplicaSet" "^busybox:test 3 3 3$" \
	bash -c "echo \$(jp deploy/web '{.spec.template.spec.containers[0].image} {.metadata.annotations.deployment\\.kubernetes\\.io/revision}') \$(jp rs/$RS1 '{.metadata.annotations.deployment\\.kubernetes\\.io/revision} {.spec.replicas}')"
expect_out "revision-history on the re-used ReplicaSet" '^1$' jp "rs/$RS1" '{.metadata.annotations.deployment\.kubernetes\.io/revision-history}'

# 4. restart makes a new ReplicaSet.
check "kubectl rollout restart" $K rollout restart deploy/web
check "the restart rolls out" $K rollout status deploy/web --timeout=120s
expect_out "three ReplicaSets, the restarted one at revision 4" '^3 4$' \
	bash -c "echo \$(count rs -l app=web) \$(jp deploy/web '{.metadata.annotations.deployment\\.kubernetes\\.io/revision}')"

# 5. pause holds a template change; resume rolls it.
check "kubectl rollout pause" $K rollout pause deploy/web
step "Progressing is Unknown/DeploymentPaused" 10 bash -c "[ \"\$($K get deploy web -o 'jsonpath={.status.conditions[?(@.type==\"Progressing\")].reason}')\" = DeploymentPaused ]"
$K set env deploy/web COLOR=blue >/dev/null
sleep 2
expect_out "no new ReplicaSet while paused" '^3$' count rs -l app=web
check "kubectl rollout resume" $K rollout resume deploy/web
check "the held change rolls out after resume" $K rollout status deploy/web --timeout=120s
expect_out "a fourth ReplicaSet after resume" '^4$' count rs -l app=web

# 6. scale.
check "kubectl scale --replicas=5" $K scale deploy/web --replicas=5
step "5 pods available" 60 bash -c "[ \"\$($K get deploy web -o 'jsonpath={.status.availableReplicas}')\" = 5 ]"
check "kubectl scale --replicas=2" $K scale deploy/web --replicas=2
step "scaled down to 2 pods" 60 count_is 2 pods -l app=web --field-selector=status.phase=Running
expect_out "desired-replicas annotation follows the scale" '^2$' \
	bash -c "$K get rs -l app=web -o json | python3 -c 'import json,sys; print(\" \".join(sorted({r[\"metadata\"][\"annotations\"][\"deployment.kubernetes.io/desired-replicas\"] for r in json.load(sys.stdin)[\"items\"] if r[\"spec\"][\"replicas\"]})))'"

# 7. Background deletion removes the ReplicaSets and their pods.
check "kubectl delete deployment (background)" $K delete deploy web --timeout=60s
step "its ReplicaSets are deleted" 30 count_is 0 rs -l app=web
step "its pods are deleted" 60 count_is 0 pods -l app=web

# 8. Foreground: the Deployment stays until its dependents are gone.
deployment_yaml fg 2 | $K apply -f - >/dev/null
check "rollout of fg" $K rollout status deploy/fg --timeout=90s
check "kubectl delete --cascade=foreground --wait=false" $K delete deploy fg --cascade=foreground --wait=false
expect_out "fg has a deletionTimestamp and the foregroundDeletion finalizer" '^20[0-9-]+T[0-9:]+Z \["foregroundDeletion"\]$' \
	jp deploy/fg '{.metadata.deletionTimestamp} {.metadata.finalizers}'
step "its ReplicaSet is deleted in the foreground too" 10 bash -c "$K get rs -l app=fg -o jsonpath='{.items[0].metadata.finalizers}' | grep -q foregroundDeletion"
expect_out "the Deployment is still there while its pods terminate" '^fg$' jp deploy/fg '{.metadata.name}'
step "pods, then the ReplicaSet, then the Deployment are gone" 60 bash -c "gone() { ! $K get \"\$@\" >/dev/null 2>&1; }; gone deploy/fg && [ -z \"\$($K get rs,pods -l app=fg --no-headers 2>/dev/null)\" ]"

# 9. Orphan: the ReplicaSet and its pods stay, without an owner.
deployment_yaml orph 1 | $K apply -f - >/dev/null
check "rollout of orph" $K rollout status deploy/orph --timeout=90s
check "kubectl delete --cascade=orphan" $K delete deploy orph --cascade=orphan --timeout=30s
step "the Deployment is gone" 20 gone deploy/orph
expect_out "its ReplicaSet remains without ownerReferences, its pod runs" '^<> 1$' \
	bash -c "echo \"<\$($K get rs -l app=orph -o 'jsonpath={.items[0].metadata.ownerReferences}')>\" \$(count pods -l app=orph --field-selector=status.phase=Running)"
check "delete the orphaned ReplicaSet" $K delete rs -l app=orph --timeout=30s
step "and then its pod goes" 60 count_is 0 pods -l app=orph

# 10. A DaemonSet runs on every node, including one that joins later.
$K apply -f - >/dev/null <<EOF
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: ds}
spec:
  selector: {matchLabels: {app: ds}}
  template:
    metadata: {labels: {app: ds}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: main
        image: busybox:test
        imagePullPolicy: Never
        command: [sh, -c, "exec busybox sleep 3600"]
EOF
ds_on() { # ds_on NODE...: a Running DaemonSet pod on each NODE and on no other
	local want got
	want=$(printf '%s\n' "$@" | sort | tr '\n' ' ')
	got=$($K get pods -l app=ds --field-selector=status.phase=Running \
		-o 'jsonpath={range .items[*]}{.spec.nodeName}{"\n"}{end}' | sort | tr '\n' ' ')
	[ "$want" = "$got" ]
}
export -f ds_on
step "the DaemonSet runs a pod on $NODE" 30 ds_on "$NODE"
expect_out "status: desired 1, current 1, ready 1" '^1 1 1$' \
	jp ds/ds '{.status.desiredNumberScheduled} {.status.currentNumberScheduled} {.status.numberReady}'
import_busybox "$T/n2" || fail "busybox:test imported for n2"
start_agent --netns "$NS" --url "https://$HOST_IP:$PORT" n2 "$T/n2"
step "n2 joins from its own network namespace" 30 node_ready n2
step "the DaemonSet follows: a Running pod on $NODE and on n2" 60 ds_on "$NODE" n2
expect_out "status: desired 2, current 2, ready 2, updated 2" '^2 2 2 2$' \
	jp ds/ds '{.status.desiredNumberScheduled} {.status.currentNumberScheduled} {.status.numberReady} {.status.updatedNumberScheduled}'
expect_out "kubectl get ds shows 2 desired, current, ready, up-to-date, available" '^ds +2 +2 +2 +2 +2 ' \
	$K get ds ds --no-headers
check "delete the DaemonSet" $K delete ds ds --timeout=60s
step "its pods go from both nodes" 60 count_is 0 pods -l app=ds

# 11. A Job of 5 completions, at most 2 pods at a time, completes.
$K apply -f - >/dev/null <<EOF
apiVersion: batch/v1
kind: Job
metadata: {name: five}
spec:
  completions: 5
  parallelism: 2
  template:
    metadata: {labels: {app: five}}
    spec:
      restartPolicy: Never
      terminationGracePeriodSeconds: 1
      containers:
      - name: main
        image: busybox:test
        imagePullPolicy: Never
        command: [sh, -c, "busybox sleep 2"]
EOF
(while :; do # the Job's pods that are neither Succeeded nor Failed
	$K get pods -l app=five -o 'jsonpath={range .items[*]}{.status.phase}{"\n"}{end}' 2>/dev/null |
		grep -cvE '^(Succeeded|Failed)$' >>"$T/active"
	sleep 0.2
done) &
SAMPLER_PID=$!
TMP_PIDS=("$SAMPLER_PID")
if $K wait --for=condition=complete job/five --timeout=120s >/dev/null 2>&1; then ok "kubectl wait --for=condition=complete job/five"; else
	fail "kubectl wait --for=condition=complete job/five"
	$K get job five -o wide 2>&1 | sed 's/^/     /'
	$K get pods -l app=five -o wide 2>&1 | sed 's/^/     /'
	for p in $($K get pods -l app=five --field-selector=status.phase!=Succeeded -o name 2>/dev/null); do
		$K describe "$p" 2>&1 | sed -n '/^Status:/p;/^Node:/p;/^Conditions:/,$p' | sed 's/^/     /' | tail -25
	done
fi
kill "$SAMPLER_PID"; wait "$SAMPLER_PID" 2>/dev/null; TMP_PIDS=()
MAX=$(grep -E '^[0-9]+$' "$T/active" | sort -n | tail -1)
BUSY=$(grep -cE '^[1-9]' "$T/active")
if [ -n "$MAX" ] && [ "$MAX" -le 2 ] && [ "$BUSY" -gt 0 ]; then ok "never more than 2 of the Job's pods active (max $MAX in $BUSY busy samples)"; else
	fail "never more than 2 of the Job's pods active (max ${MAX:-none} in ${BUSY:-0} busy samples)"; fi
expect_out "status: 5 succeeded, none failed or active; 5 Succeeded pods" '^5 <> <> 5$' \
	bash -c "echo \$(jp job/five '{.status.succeeded} <{.status.failed}> <{.status.active}>') \$(count pods -l app=five --field-selector=status.phase=Succeeded)"
expect_out "kubectl get job shows 5/5 completions" '^five +Complete +5/5 ' $K get job five --no-headers
expect_out "the scheduler spread the Job's pods over both nodes" "^(n2 $NODE|$NODE n2)\$" \
	bash -c "echo \$($K get pods -l app=five -o 'jsonpath={range .items[*]}{.spec.nodeName}{\"\\n\"}{end}' | sort -u)"

# 12. The CronJob (created at the start) made a Job for its minute, which completes.
cj_jobs() { # the names of the CronJob's Jobs, with Complete's status
	$K get jobs -o 'jsonpath={range .items[?(@.metadata.ownerReferences[0].name=="tick")]}{.metadata.name} {.status.conditions[?(@.type=="Complete")].status}{"\n"}{end}'
}
export -f cj_jobs
WAIT=$((CJ_START + 70 - $(date +%s)))
[ "$WAIT" -lt 10 ] && WAIT=10
step "the CronJob made a Job that completed (within 70 s of the CronJob)" "$WAIT" bash -c "cj_jobs | grep -q ' True$'"
J=$(cj_jobs | awk '$2 == "True" {print $1; exit}')
expect_out "the Job is named tick-<minutes since the epoch> and its pod printed tick" '^tick-[0-9]{8} tick$' \
	bash -c "echo $J \$($K logs job/$J)"
expect_out "kubectl get cronjob shows LAST SCHEDULE" '^tick +\*/1 \* \* \* \* +<none> +False +[0-9]+ +[0-9]+s ' \
	$K get cronjob tick --no-headers
expect_out "status.lastScheduleTime and lastSuccessfulTime are set" '^20[0-9-]+T[0-9:]+Z 20[0-9-]+T[0-9:]+Z$' \
	jp cronjob/tick '{.status.lastScheduleTime} {.status.lastSuccessfulTime}'
check "delete the CronJob" $K delete cronjob tick --timeout=60s
step "its Jobs and their pods go with it" 60 bash -c "[ -z \"\$(cj_jobs)\$($K get pods -l app=tick --no-headers 2>/dev/null)\" ]"

# 13. Bad propagation policy is refused.
expect_fail "an unknown propagationPolicy is a 422" 'Unsupported value: "Sideways"' \
	$K delete --raw "/api/v1/namespaces/default/configmaps/kube-root-ca.crt" -f /dev/stdin <<<'{"propagationPolicy":"Sideways"}'

finish
