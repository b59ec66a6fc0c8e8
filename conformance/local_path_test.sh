#!/bin/bash
# PersistentVolumeClaims that bind, like k3s's local-path: the default
# StorageClass "local-path" exists from the first start; a claim without a
# class gets it; a pod using the claim is scheduled, the claim provisioned
# on the node under --default-local-storage-path and bound, and what the pod
# writes lands on the host; deleting pod and claim removes the volume and
# its directory. A static hostPath volume binds to a claim of class ""
# (Retain keeps the data), a StatefulSet's volumeClaimTemplates get one
# bound claim per replica, and a claim of an unknown class stays Pending
# with an event. Uses the server's embedded agent; needs root and
# busybox-static. Usage: MINIKUBE=path/to/minikube bash conformance/local_path_test.sh
AGENT_FLAG=""
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
needs_containers

K=kubectl
NODE=$(hostname | tr 'A-Z' 'a-z')
STORE="$T/storage"

show() {
	$K get pvc,pv -o wide 2>&1 | sed 's/^/     /'
	$K get events --sort-by=.lastTimestamp 2>&1 | tail -15 | sed 's/^/     /'
	grep -E 'persistentvolume|localpath|scheduler' "$T/server.err" | tail -10 | sed 's/^/     server: /'
}
on_step_fail() { # what step prints when a check fails
	show
}
jp() { $K get "$1" "$2" -o "jsonpath=$3" 2>/dev/null; }
is() { [ "$(jp "$1" "$2" "$3")" = "$4" ]; }
gone() { ! $K get "$1" "$2" >/dev/null 2>&1; }

if ! import_busybox "$T/data"; then
	fail "busybox:test fixture imported into the server's data dir"
	finish
	exit 1
fi
start_server --default-local-storage-path "$STORE"
step "the server's node is Ready" 15 is node "$NODE" '{.status.conditions[?(@.type=="Ready")].status}' True

# 1. The StorageClass resource and the default class.
expect_out "kubectl get sc shows local-path (default)" \
	'^local-path \(default\) +rancher.io/local-path +Delete +WaitForFirstConsumer +false +[0-9]+[smh]' \
	$K get sc --no-headers
expect_out "kubectl get sc has upstream's columns" \
	'^NAME +PROVISIONER +RECLAIMPOLICY +VOLUMEBINDINGMODE +ALLOWVOLUMEEXPANSION +AGE$' $K get storageclass
expect_out "api-resources lists storageclasses (sc, storage.k8s.io/v1, cluster-scoped)" \
	'^storageclasses +sc +storage.k8s.io/v1 +false +StorageClass$' $K api-resources --api-group=storage.k8s.io
expect_out "kubectl get pv/pvc columns" \
	'^NAME +CAPACITY +ACCESS MODES +RECLAIM POLICY +STATUS +CLAIM +STORAGECLASS +VOLUMEATTRIBUTESCLASS +REASON +AGE$' \
	bash -c "$K get pv 2>&1; $K create -f - >/dev/null <<'EOF'
apiVersion: v1
kind: PersistentVolume
metadata: {name: cols}
spec: {capacity: {storage: 1Mi}, accessModes: [ReadWriteOnce], hostPath: {path: /nonexistent-cols}}
EOF
$K get pv; $K delete pv cols >/dev/null"

# 2. A claim without a class: defaulted, bound once a pod uses it.
$K apply -f - >/dev/null <<EOF
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 64Mi}}
EOF
expect_out "a claim without storageClassName gets the default class" '^local-path$' \
	jp pvc data '{.spec.storageClassName}'
sleep 1
expect_out "WaitForFirstConsumer: Pending until a pod uses it" '^Pending$' jp pvc data '{.status.phase}'
expect_out "the claim says it waits for its first consumer" 'WaitForFirstConsumer' \
	$K get events --field-selector involvedObject.name=data -o 'jsonpath={.items[*].reason}'
$K apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Pod
metadata: {name: writer}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: busybox:test
    imagePullPolicy: Never
    command: [sh, -c, "echo hello-from-pod > /data/hello.txt; busybox sleep 3600"]
    volumeMounts: [{name: d, mountPath: /data}]
  volumes: [{name: d, persistentVolumeClaim: {claimName: data}}]
EOF
step "the claim is Bound" 20 is pvc data '{.status.phase}' Bound
step "the pod runs" 20 is pod writer '{.status.phase}' Running
PV=$(jp pvc data '{.spec.volumeName}')
UID_=$(jp pvc data '{.metadata.uid}')
expect_out "the volume is pvc-<uid> with the claim's size and modes" "^pvc-$UID_ 64Mi RWO Delete Bound default/data local-path" \
	bash -c "$K get pv $PV --no-headers | awk '{print \$1, \$2, \$3, \$4, \$5, \$6, \$7}'"
expect_out "the volume is a hostPath under --default-local-storage-path" "^$STORE/pvc-${UID_}_default_data DirectoryOrCreate$" \
	jp pv "$PV" '{.spec.hostPath.path} {.spec.hostPath.type}'
expect_out "the volume is pinned to the node" "^kubernetes.io/hostname In $NODE$" \
	jp pv "$PV" '{.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].key} {.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].operator} {.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values[0]}'
expect_out "the claim records the node, provisioner and binding" "^$NODE rancher.io/local-path yes 64Mi$" \
	jp pvc data '{.metadata.annotations.volume\.kubernetes\.io/selected-node} {.metadata.annotations.volume\.kubernetes\.io/storage-provisioner} {.metadata.annotations.pv\.kubernetes\.io/bind-completed} {.status.capacity.storage}'
expect_out "provisioned-by annotation on the volume" '^rancher.io/local-path$' \
	jp pv "$PV" '{.metadata.annotations.pv\.kubernetes\.io/provisioned-by}'
DIR="$STORE/pvc-${UID_}_default_data"
step "what the pod wrote is on the host" 10 grep -qx hello-from-pod "$DIR/hello.txt"

# 3. Delete pod and claim: the volume and its directory go.
$K delete pod writer --wait=false >/dev/null
$K delete pvc data --wait=false >/dev/null
step "the volume is deleted" 40 gone pv "$PV"
step "its directory is removed" 10 test ! -e "$DIR"

# 4. A static hostPath volume and a claim of class "" bind; Retain keeps data.
mkdir -p "$T/static"
echo kept >"$T/static/file"
$K apply -f - >/dev/null <<EOF
apiVersion: v1
kind: PersistentVolume
metadata: {name: static-pv, labels: {kind: static}}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce, ReadOnlyMany]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: ""
  hostPath: {path: $T/static}
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: static-small}
spec:
  capacity: {storage: 1Mi}
  accessModes: [ReadWriteOnce]
  storageClassName: ""
  hostPath: {path: $T/static-small}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: manual}
spec:
  storageClassName: ""
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 100Mi}}
EOF
step "a claim of class \"\" binds the static volume that fits" 15 is pvc manual '{.status.phase} {.spec.volumeName}' "Bound static-pv"
expect_out "the volume shows Bound to default/manual" '^Bound default/manual$' jp pv static-pv '{.status.phase} {.spec.claimRef.namespace}/{.spec.claimRef.name}'
expect_out "the too-small volume stays Available" '^Available$' jp pv static-small '{.status.phase}'
$K apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Pod
metadata: {name: reader}
spec:
  terminationGracePeriodSeconds: 1
  restartPolicy: Never
  containers:
  - name: c
    image: busybox:test
    imagePullPolicy: Never
    command: [sh, -c, "cat /data/file; (echo x > /data/ro-test) 2>/dev/null && echo writable || echo read-only"]
    volumeMounts: [{name: d, mountPath: /data}]
  volumes: [{name: d, persistentVolumeClaim: {claimName: manual, readOnly: true}}]
EOF
step "a pod reads the static volume" 20 is pod reader '{.status.phase}' Succeeded
expect_out "it sees the host's file, mounted read-only (claim readOnly)" '^kept\.read-only\.$' \
	bash -c "$K logs reader | tr '\n' '.'"
$K delete pod reader >/dev/null 2>&1
$K delete pvc manual >/dev/null
step "Retain: the volume is Released, not deleted" 20 is pv static-pv '{.status.phase}' Released
expect_out "Retain: the data is still there" '^kept$' cat "$T/static/file"
$K delete pv static-pv static-small >/dev/null

# 5. A StatefulSet with volumeClaimTemplates of 2 replicas.
$K apply -f - >/dev/null <<EOF
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec:
  serviceName: web
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: c
        image: busybox:test
        imagePullPolicy: Never
        command: [sh, -c, "hostname > /www/name; busybox sleep 3600"]
        volumeMounts: [{name: www, mountPath: /www}]
  volumeClaimTemplates:
  - metadata: {name: www}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 10Mi}}
EOF
bound_claims() { [ "$($K get pvc -l app=web --no-headers 2>/dev/null | grep -c ' Bound ')" = 2 ]; }
step "2 replicas get 2 Bound claims" 60 bound_claims
step "both replicas run" 30 is sts web '{.status.readyReplicas}' 2
expect_out "each replica wrote into its own volume" '^web-0 web-1$' bash -c \
	"cat $STORE/pvc-*_default_www-web-0/name $STORE/pvc-*_default_www-web-1/name | tr '\n' ' ' | sed 's/ \$//'"
$K delete sts web --wait=false >/dev/null

# 6. Bad input: an unknown class stays Pending with an event, nothing crashes.
$K apply -f - >/dev/null <<EOF
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: lost}
spec:
  storageClassName: no-such-class
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Mi}}
EOF
step "a claim of an unknown class gets a ProvisioningFailed event" 10 bash -c \
	"$K get events --field-selector involvedObject.name=lost -o 'jsonpath={.items[*].message}' | grep -q 'storageclass.storage.k8s.io \"no-such-class\" not found'"
expect_out "and stays Pending" '^Pending$' jp pvc lost '{.status.phase}'
$K apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Pod
metadata: {name: stuck}
spec:
  containers: [{name: c, image: busybox:test, imagePullPolicy: Never, command: [busybox, sleep, "3600"]}]
  volumes: [{name: d, persistentVolumeClaim: {claimName: lost}}]
EOF
step "a pod using it is not scheduled, and says why" 10 bash -c \
	"$K get pod stuck -o 'jsonpath={.status.conditions[0].message}' | grep -q 'storageclass.storage.k8s.io \"no-such-class\" not found'"
expect_fail "a StorageClass without a provisioner is refused" 'provisioner: Required value' \
	$K create -f - <<EOF
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: bad}
EOF
expect_fail "a StorageClass's provisioner cannot change" 'provisioner: Forbidden' \
	$K patch sc local-path --type=merge -p '{"provisioner":"other.io/x"}'
check "the server is still serving" $K get --raw /readyz

# 7. The default class is created once: deleted, it stays deleted after a restart.
$K delete pod stuck --wait=false >/dev/null 2>&1
$K delete sc local-path >/dev/null
kill -TERM "$SERVER_PID"
wait "$SERVER_PID"
SERVER_PID=""
start_server --default-local-storage-path "$STORE"
expect_out "a deleted default class is not re-created on restart" '^No resources found' $K get sc
finish
