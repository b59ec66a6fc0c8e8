#!/bin/bash
# Deployments and the garbage collector end to end, with the real kubectl and
# real containers on the server's own node: rollout status, a rolling
# `set image` that never has more than maxUnavailable pods down, rollout
# history/undo/restart/pause/resume, scale, and deletion with background,
# foreground and orphan propagation.
# Needs root and busybox-static. Usage: MINIKUBE=path/to/minikube bash conformance/controllers_test.sh
set -u
: "${MINIKUBE:?set MINIKUBE to the minikube binary}"
if [ "$(id -u)" != 0 ]; then echo "controllers_test: skipped (needs root to run containers)"; exit 0; fi
if [ ! -x /bin/busybox ]; then echo "controllers_test: skipped (needs busybox-static)"; exit 0; fi
AGENT_FLAG=""
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"

K=kubectl
NODE=$(hostname | tr 'A-Z' 'a-z')
SAMPLER_PID=""

controllers_cleanup() {
	[ -n "$SAMPLER_PID" ] && kill "$SAMPLER_PID" 2>/dev/null
	kill_server
	remove_containers
	grep -q " $T" /proc/mounts && awk -v t="$T" 'index($2, t) == 1 {print $2}' /proc/mounts |
		sort -r | xargs -r umount -l 2>/dev/null
	cleanup
}
trap controllers_cleanup EXIT

wait_for() { # wait_for SECONDS CMD...: until CMD succeeds
	local n=$(($1 * 10))
	shift
	for _ in $(seq 1 "$n"); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
	return 1
}
step() { # step NAME SECONDS CMD...: a waited-for check
	local name=$1 secs=$2
	shift 2
	if wait_for "$secs" "$@"; then ok "$name"; else
		fail "$name"
		$K get deploy,rs,pods -o wide 2>&1 | sed 's/^/     /' | head -30
	fi
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
      nodeName: $NODE
      terminationGracePeriodSeconds: 2
      containers:
      - name: main
        image: busybox:test
        imagePullPolicy: Never
        command: [sh, -c, "sleep 3600"]
EOF
}

start_server
step "the server's node is Ready" 20 bash -c "[ \"\$($K get node $NODE -o 'jsonpath={.status.conditions[?(@.type==\"Ready\")].status}')\" = True ]"
python3 "$HERE/../scripts/make-test-images" "$T/img" >/dev/null 2>&1
if ! "$MINIKUBE" image import --data-dir "$T/data" "$T/img/oci-busybox.tar" >/dev/null 2>&1; then
	fail "busybox:test fixture imported into the server's data dir"
	finish
	exit 1
fi

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
check "kubectl set image" $K set image deploy/web main=docker.io/library/busybox:test
check "the rolling update completes" $K rollout status deploy/web --timeout=120s
kill "$SAMPLER_PID"; wait "$SAMPLER_PID" 2>/dev/null; SAMPLER_PID=""
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

# 10. Bad propagation policy is refused.
expect_fail "an unknown propagationPolicy is a 422" 'Unsupported value: "Sideways"' \
	$K delete --raw "/api/v1/namespaces/default/configmaps/kube-root-ca.crt" -f /dev/stdin <<<'{"propagationPolicy":"Sideways"}'

finish
