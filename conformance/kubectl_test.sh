#!/bin/bash
# The real kubectl (v1.32) against a real server: the commands users run.
. "$(dirname "$0")/lib.sh"
start_server

K=kubectl
expect_out "kubectl version reports the server" 'Server Version: v1\.32\.' $K version
expect_out "get ns lists the initial namespaces" 'kube-node-lease +Active' $K get ns
expect_out "api-resources lists apps/v1 deployments" 'deployments +deploy +apps/v1 +true +Deployment' $K api-resources

# Protobuf bodies from the create generators.
check "create configmap --from-literal (protobuf)" $K create configmap cm1 --from-literal=a=b --from-literal=c=d
expect_out "configmap data round-trips" '^b d$' $K get cm cm1 -o 'jsonpath={.data.a} {.data.c}'
check "create secret generic (protobuf)" $K create secret generic s1 --from-literal=password=hunter2
expect_out "secret data is base64" '^aHVudGVyMg==$' $K get secret s1 -o 'jsonpath={.data.password}'
check "create deployment (protobuf)" $K create deployment web --image=busybox:1.36 --replicas=2 --port=80
expect_out "deployment defaults applied" '^RollingUpdate 25% 10$' $K get deploy web -o 'jsonpath={.spec.strategy.type} {.spec.strategy.rollingUpdate.maxSurge} {.spec.revisionHistoryLimit}'
check "create namespace (protobuf)" $K create namespace team-a
check "create serviceaccount (protobuf)" $K create serviceaccount robot
check "create service clusterip (protobuf)" $K create service clusterip web-svc --tcp=80:8080
expect_out "service got a ClusterIP from the service CIDR" '^10\.43\.' $K get svc web-svc -o 'jsonpath={.spec.clusterIP}'

# Manifests through create -f and apply -f.
cat >"$T/app.yaml" <<'YAML'
apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: shop
data:
  mode: fast
---
apiVersion: v1
kind: Secret
metadata:
  name: creds
  namespace: shop
stringData:
  token: abc
---
apiVersion: v1
kind: Service
metadata:
  name: front
  namespace: shop
spec:
  type: NodePort
  selector:
    app: front
  ports:
  - port: 80
    targetPort: 8080
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: front
  namespace: shop
  labels:
    app: front
spec:
  replicas: 2
  selector:
    matchLabels:
      app: front
  template:
    metadata:
      labels:
        app: front
    spec:
      containers:
      - name: web
        image: busybox:1.36
        command: ["httpd", "-f", "-p", "8080"]
        ports:
        - containerPort: 8080
      - name: sidecar
        image: busybox:1.36
        command: ["sleep", "3600"]
YAML
expect_out "apply -f creates all five objects" 'deployment.apps/front created' $K apply -f "$T/app.yaml"
expect_out "NodePort allocated in 30000-32767" '^3[0-2][0-9]{3}$' $K -n shop get svc front -o 'jsonpath={.spec.ports[0].nodePort}'
check "kubectl scale through the scale subresource" $K -n shop scale deploy front --replicas=5
check "a field outside the manifest is set out of band" $K -n shop patch deploy front --type merge -p '{"spec":{"minReadySeconds":7}}'
sed -i '0,/image: busybox:1.36/s//image: busybox:1.37/' "$T/app.yaml"
expect_out "apply again with a changed image" 'deployment.apps/front configured' $K apply -f "$T/app.yaml"
expect_out "three-way merge: new image, sidecar kept, manifest replicas, out-of-band field left alone" \
	'^busybox:1.37 busybox:1.36 2 7$' $K -n shop get deploy front -o 'jsonpath={.spec.template.spec.containers[0].image} {.spec.template.spec.containers[1].image} {.spec.replicas} {.spec.minReadySeconds}'
expect_out "apply unchanged is a no-op" 'unchanged' $K apply -f "$T/app.yaml"
check "create -f of an existing object fails" bash -c "! $K create -f $T/app.yaml"
expect_fail "create -f duplicate says AlreadyExists" 'AlreadyExists.*already exists' $K create -f "$T/app.yaml"

# Patches of all three types.
check "strategic merge patch" $K -n shop patch deploy front -p '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox:1.35"}]}}}}'
expect_out "SMP merged by container name" '^busybox:1.37 busybox:1.35$' $K -n shop get deploy front -o 'jsonpath={.spec.template.spec.containers[0].image} {.spec.template.spec.containers[1].image}'
check "merge patch" $K -n shop patch cm settings --type merge -p '{"data":{"extra":"1","mode":null}}'
expect_out "merge patch result" '^\{"extra":"1"\}$' $K -n shop get cm settings -o 'jsonpath={.data}'
check "json patch" $K -n shop patch cm settings --type json -p '[{"op":"add","path":"/data/j","value":"2"},{"op":"remove","path":"/data/extra"}]'
expect_out "json patch result" '^\{"j":"2"\}$' $K -n shop get cm settings -o 'jsonpath={.data}'
expect_fail "json patch test op failure" 'Invalid|invalid|test' $K -n shop patch cm settings --type json -p '[{"op":"test","path":"/data/j","value":"3"}]'

check "label" $K -n shop label cm settings tier=backend
check "annotate" $K -n shop annotate cm settings note=hello
expect_out "label selector list" '^settings$' $K -n shop get cm -l 'tier in (backend,x)' -o 'jsonpath={.items[*].metadata.name}'
expect_out "--show-labels" 'tier=backend' $K -n shop get cm settings --show-labels
check "label removal" $K -n shop label cm settings tier-
expect_out "label removed" '^$' $K -n shop get cm settings -o 'jsonpath={.metadata.labels.tier}'

# Output formats.
expect_out "get -o yaml" 'kind: Deployment' $K -n shop get deploy front -o yaml
expect_out "get -o json" '"kind": "Deployment"' $K -n shop get deploy front -o json
expect_out "get -o wide shows containers and images" 'CONTAINERS +IMAGES +SELECTOR' $K -n shop get deploy -o wide
expect_out "get svc columns" 'NAME +TYPE +CLUSTER-IP +EXTERNAL-IP +PORT\(S\) +AGE' $K -n shop get svc
expect_out "get -A has a NAMESPACE column" '^NAMESPACE +NAME' $K get cm -A
expect_out "describe deployment" 'Replicas:' $K -n shop describe deploy front
expect_out "describe configmap" 'Data' $K -n shop describe cm settings
expect_out "explain pod.spec.containers" 'FIELD: containers' $K explain pod.spec.containers
expect_out "explain deployment.spec.strategy" 'FIELD: strategy' $K explain deployment.spec.strategy

# Watch sees ADDED, MODIFIED, DELETED.
$K -n shop get cm --watch-only -o 'custom-columns=NAME:.metadata.name,V:.data.v' >"$T/watch.out" 2>&1 &
WPID=$!
sleep 1
$K -n shop create configmap watched --from-literal=v=1 >/dev/null
$K -n shop patch cm watched --type merge -p '{"data":{"v":"2"}}' >/dev/null
$K -n shop delete cm watched >/dev/null
sleep 1
kill $WPID 2>/dev/null; wait $WPID 2>/dev/null
expect_out "get -w saw the create, the update and the delete" 'watched +1' cat "$T/watch.out"
expect_out "get -w saw the update" 'watched +2' cat "$T/watch.out"
$K -n shop get cm -w --output-watch-events >"$T/watch2.out" 2>&1 &
WPID=$!
sleep 1
$K -n shop create configmap watched2 >/dev/null
$K -n shop label cm watched2 x=y >/dev/null
$K -n shop delete cm watched2 >/dev/null
sleep 1
kill $WPID 2>/dev/null; wait $WPID 2>/dev/null
expect_out "watch events ADDED" 'ADDED +watched2' cat "$T/watch2.out"
expect_out "watch events MODIFIED" 'MODIFIED +watched2' cat "$T/watch2.out"
expect_out "watch events DELETED" 'DELETED +watched2' cat "$T/watch2.out"

# Dry run stores nothing.
expect_out "--dry-run=server create" 'created \(server dry run\)' $K -n shop create configmap dry --from-literal=a=b --dry-run=server
expect_fail "dry-run object does not exist" 'NotFound' $K -n shop get cm dry

# Errors users know.
cat >"$T/bad.yaml" <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: Bad_Name
spec:
  selector:
    matchLabels: {app: x}
  template:
    metadata:
      labels: {app: y}
    spec:
      containers:
      - name: c
YAML
expect_fail "invalid manifest message" 'The Deployment "Bad_Name" is invalid' $K apply -f "$T/bad.yaml"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  bogus: 1\n' >"$T/unknown.yaml"
expect_fail "unknown field rejected with --validate=strict" 'unknown field' $K apply -f "$T/unknown.yaml"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: [\n' >"$T/malformed.yaml"
expect_fail "malformed YAML" 'error' $K apply -f "$T/malformed.yaml"
expect_fail "get missing object" 'Error from server \(NotFound\): configmaps "nope" not found' $K get cm nope
expect_fail "create in a missing namespace" 'namespaces "ghost" not found' $K -n ghost create configmap x
expect_fail "apply in a missing namespace" 'Error from server \(NotFound\).*namespaces "ghost" not found' $K -n ghost apply -f "$T/unknown.yaml" --validate=false

# Deletion.
expect_out "delete deployment" 'deployment.apps "front" deleted' $K -n shop delete deploy front
$K delete ns shop --wait=false >/dev/null
expect_out "namespace goes Terminating" 'Terminating|NotFound' $K get ns shop
check "namespace disappears" $K wait --for=delete ns/shop --timeout=30s
expect_fail "its contents are gone" 'NotFound' $K -n shop get cm settings

finish
