#!/bin/bash
# Service-account tokens end to end: `kubectl create token` (TokenRequest)
# gives a JWT that authenticates as system:serviceaccount:NS:NAME (curl and
# `kubectl auth whoami`) until its signature is broken, its audience is not
# the API's, or its ServiceAccount is deleted; every namespace has the
# kube-root-ca.crt ConfigMap; pods get the kube-api-access-XXXXX volume
# (unless automount is off) and a pod naming a missing ServiceAccount is
# refused. A node agent (n1, its own data dir) fetches the pods' bound
# tokens through TokenRequest (node authorization: only for its own pods),
# and the python kubernetes client's load_incluster_config, run inside a
# hostNetwork pod from the files the agent projected, lists pods.
# Needs root and busybox-static.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
needs_containers

K=kubectl
A="$T/agent1"

on_step_fail() { # what step prints when a check fails
	tail -5 "$A.log" 2>/dev/null | sed 's/^/     agent: /'
}

start_server
URL="https://127.0.0.1:$PORT"
CA="$T/data/tls/ca.crt"
# code TOKEN PATH: the HTTP status of a GET with that bearer token, the CA verified.
code() { curl -s -o /dev/null -w '%{http_code}' --cacert "$CA" -H "Authorization: Bearer $1" "$URL$2"; }

# 1. kube-root-ca.crt in every namespace, the cluster CA.
cm_ca() { $K get configmap kube-root-ca.crt -n "$1" -o 'jsonpath={.data.ca\.crt}'; }
same_ca() { [ "$(cm_ca "$1")" = "$(cat "$CA")" ]; }
step "kube-root-ca.crt in default holds the cluster CA" 10 same_ca default
$K create namespace team >/dev/null
step "a new namespace gets kube-root-ca.crt" 10 same_ca team
$K delete configmap kube-root-ca.crt -n team >/dev/null
step "kube-root-ca.crt is recreated after deletion" 10 same_ca team

# 2. TokenRequest with kubectl create token.
expect_out "discovery lists serviceaccounts/token" '"name":"serviceaccounts/token"' $K get --raw /api/v1
expect_out "api-resources lists selfsubjectreviews (authentication.k8s.io/v1, cluster-scoped)" \
	'^selfsubjectreviews +authentication.k8s.io/v1 +false +SelfSubjectReview$' $K api-resources --api-group=authentication.k8s.io
expect_out "the legacy resource list has selfsubjectreviews, create only" \
	'"name":"selfsubjectreviews"[^}]*"verbs":\["create"\]' \
	$K get --raw /apis/authentication.k8s.io/v1
$K create serviceaccount robot >/dev/null
TOK=$($K create token robot --duration=10m 2>"$T/ct.err")
expect_out "kubectl create token prints a JWT" '^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$' echo "$TOK"
CLAIMS=$(echo "$TOK" | cut -d. -f2 | /usr/bin/python3 -c 'import base64,json,sys; s=sys.stdin.read().strip(); c=json.loads(base64.urlsafe_b64decode(s+"="*(-len(s)%4))); print(c["iss"], c["sub"], c["aud"][0], c["exp"]-c["iat"], c["kubernetes.io"]["serviceaccount"]["name"])')
expect_out "claims: issuer, subject, audience, 10m lifetime" \
	'^https://kubernetes.default.svc.cluster.local system:serviceaccount:default:robot https://kubernetes.default.svc.cluster.local 600 robot$' \
	echo "$CLAIMS"
expect_out "the token lists pods (200)" '^200$' code "$TOK" /api/v1/namespaces/default/pods
expect_out "kubectl auth whoami with the token" 'system:serviceaccount:default:robot' \
	$K --token "$TOK" --kubeconfig /dev/null --server "$URL" --certificate-authority "$CA" auth whoami
expect_out "whoami lists the service-account groups" 'system:serviceaccounts:default' \
	$K --token "$TOK" --kubeconfig /dev/null --server "$URL" --certificate-authority "$CA" auth whoami -o json
BAD="${TOK%?}$( [ "${TOK: -1}" = A ] && echo Q || echo A)"
expect_out "a broken signature is refused (401)" '^401$' code "$BAD" /api/v1/namespaces/default/pods
expect_out "garbage is refused (401)" '^401$' code "a.b.c" /api/v1/namespaces/default/pods
VAULT=$($K create token robot --audience vault)
expect_out "another audience is refused (401)" '^401$' code "$VAULT" /api/v1/namespaces/default/pods
expect_fail "a lifetime under 10 minutes is invalid" 'less than 10 minutes' $K create token robot --duration=5m
expect_fail "no token for a missing account" 'serviceaccounts "ghost" not found' $K create token ghost
$K delete serviceaccount robot >/dev/null
expect_out "the token of a deleted account is refused (401)" '^401$' code "$TOK" /api/v1/namespaces/default/pods

# 3. Admission.
pod_yaml() { # pod_yaml NAME EXTRA-SPEC-LINES
	cat <<EOF
apiVersion: v1
kind: Pod
metadata: {name: $1}
spec:
  nodeName: n1
  terminationGracePeriodSeconds: 1
$2
  containers:
  - name: main
    image: busybox:test
    imagePullPolicy: Never
    command: ["busybox", "sleep", "3600"]
EOF
}
pod_yaml reader "" | $K apply -f - >/dev/null
expect_out "a pod gets the kube-api-access volume" '^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5} 3607 kube-root-ca.crt metadata.namespace$' \
	$K get pod reader -o 'jsonpath={.spec.volumes[0].name} {.spec.volumes[0].projected.sources[0].serviceAccountToken.expirationSeconds} {.spec.volumes[0].projected.sources[1].configMap.name} {.spec.volumes[0].projected.sources[2].downwardAPI.items[0].fieldRef.fieldPath}'
expect_out "mounted read-only at /var/run/secrets/kubernetes.io/serviceaccount" '^/var/run/secrets/kubernetes.io/serviceaccount true default$' \
	$K get pod reader -o 'jsonpath={.spec.containers[0].volumeMounts[0].mountPath} {.spec.containers[0].volumeMounts[0].readOnly} {.spec.serviceAccountName}'
pod_yaml nomount "  automountServiceAccountToken: false" | $K apply -f - >/dev/null
expect_out "automountServiceAccountToken: false gets no volume" '^<>$' \
	bash -c "echo \"<\$($K get pod nomount -o 'jsonpath={.spec.volumes}')>\""
expect_fail "a pod naming a missing account is refused" 'error looking up service account default/ghost: serviceaccount "ghost" not found' \
	bash -c "$(declare -f pod_yaml); pod_yaml ghosted '  serviceAccountName: ghost' | $K apply -f -"
$K delete pod nomount --wait=false >/dev/null

# 4. A node fetches its pods' tokens and projects them.
if ! import_busybox "$A"; then
	fail "busybox:test fixture imported"
	finish
	exit 1
fi
start_agent n1 "$A"
phase_is() { [ "$($K get pod "$1" -o 'jsonpath={.status.phase}')" = "$2" ]; }
step "pod reader Running on n1" 30 phase_is reader Running
SA=/var/run/secrets/kubernetes.io/serviceaccount
expect_out "the pod sees token, ca.crt and namespace" '^ca.crt namespace token$' \
	$K exec reader -- busybox sh -c "cd $SA && echo \$(busybox ls)"
expect_out "namespace file says default" '^default$' $K exec reader -- busybox cat $SA/namespace
expect_out "the pod has KUBERNETES_SERVICE_HOST/PORT" '^10\.43\.0\.1 443$' \
	$K exec reader -- busybox sh -c 'echo $KUBERNETES_SERVICE_HOST $KUBERNETES_SERVICE_PORT'
$K exec reader -- busybox cat $SA/ca.crt >"$T/pod-ca.crt" 2>/dev/null
check "ca.crt is the cluster CA" cmp "$T/pod-ca.crt" "$CA"
expect_out "the token file is a symlink through ..data" '^\.\.data/token$' $K exec reader -- busybox readlink $SA/token
PTOK=$($K exec reader -- busybox cat $SA/token 2>/dev/null)
expect_out "the pod's token lists pods (200)" '^200$' code "$PTOK" /api/v1/namespaces/default/pods
expect_out "the pod's token is bound to the pod" "^reader $($K get pod reader -o 'jsonpath={.metadata.uid}') 3607\$" \
	bash -c "echo '$PTOK' | cut -d. -f2 | /usr/bin/python3 -c 'import base64,json,sys; s=sys.stdin.read().strip(); c=json.loads(base64.urlsafe_b64decode(s+\"=\"*(-len(s)%4))); print(c[\"kubernetes.io\"][\"pod\"][\"name\"], c[\"kubernetes.io\"][\"pod\"][\"uid\"], c[\"exp\"]-c[\"iat\"])'"

# Node authorization: n1 may not get a token for a pod that is not on n1.
NODE_DIR=$(dirname "$(find "$A" -name node.crt | head -1)")
pod_yaml elsewhere "" | sed 's/nodeName: n1/nodeName: n2/' | $K apply -f - >/dev/null
tr_body() { echo "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenRequest\",\"spec\":{\"boundObjectRef\":{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"name\":\"$1\"}}}"; }
node_tr() { curl -s -o /dev/null -w '%{http_code}' --cacert "$CA" --cert "$NODE_DIR/node.crt" --key "$NODE_DIR/node.key" \
	-H 'Content-Type: application/json' -d "$(tr_body "$1")" "$URL/api/v1/namespaces/default/serviceaccounts/default/token"; }
expect_out "n1 gets a token for its own pod (201)" '^201$' node_tr reader
expect_out "n1 is refused a token for a pod on n2 (403)" '^403$' node_tr elsewhere
$K delete pod elsewhere --wait=false >/dev/null

# 5. load_incluster_config inside a hostNetwork pod, from the projected files.
cat <<EOF | $K apply -f - >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: incluster}
spec:
  nodeName: n1
  hostNetwork: true
  restartPolicy: Never
  containers:
  - name: main
    image: busybox:test
    imagePullPolicy: Never
    command: ["/usr/bin/python3", "-c", "from kubernetes import client, config; config.load_incluster_config(); ns = open('$SA/namespace').read(); print('pods', ns, len(client.CoreV1Api().list_namespaced_pod(ns).items) > 0)"]
    env:
    - {name: KUBERNETES_SERVICE_HOST, value: "127.0.0.1"}
    - {name: KUBERNETES_SERVICE_PORT, value: "$PORT"}
    volumeMounts:
    - {name: usr, mountPath: /usr, readOnly: true}
    - {name: lib, mountPath: /lib, readOnly: true}
    - {name: lib64, mountPath: /lib64, readOnly: true}
  volumes:
  - {name: usr, hostPath: {path: /usr}}
  - {name: lib, hostPath: {path: /lib}}
  - {name: lib64, hostPath: {path: /lib64}}
EOF
step "the in-cluster python client pod Succeeded" 60 phase_is incluster Succeeded
expect_out "load_incluster_config lists pods with the pod's token" '^pods default True$' $K logs incluster

# 6. A bound token dies with its pod.
$K delete pod reader --grace-period=1 >/dev/null 2>&1
gone() { ! $K get pod reader >/dev/null 2>&1; }
step "pod reader deleted" 30 gone
expect_out "the deleted pod's token is refused (401)" '^401$' code "$PTOK" /api/v1/namespaces/default/pods

finish
