#!/bin/bash
# Services through the node's proxy (nftables, table ip minikube-svc), end to
# end: `minikube server` with its embedded agent runs two busybox httpd pods
# on the host network; a Service without a selector gets manual
# EndpointSlices; curl from the host reaches the ClusterIP and the NodePort on
# the node's IP, spreads over both endpoints once the second slice exists,
# sticks to one with sessionAffinity ClientIP, and is refused when the
# Service has no endpoints. Needs root, nft and busybox-static.
set -u
: "${MINIKUBE:?set MINIKUBE to the minikube binary}"
if [ "$(id -u)" != 0 ] || ! command -v nft >/dev/null || [ ! -x /bin/busybox ]; then
	echo "service_proxy_test: skipped (needs root, nft and busybox-static)"
	exit 0
fi
AGENT_FLAG=""
. "$(dirname "$0")/lib.sh"
# The table outlives the agent by design (connectivity across restarts).
proxy_cleanup() {
	cleanup
	nft delete table ip minikube-svc 2>/dev/null
}
trap proxy_cleanup EXIT

start_server
K=kubectl
NODE=$(hostname | tr 'A-Z' 'a-z')
wait_for 20 node_ready "$NODE"
NODE_IP=$($K get node "$NODE" -o 'jsonpath={.status.addresses[?(@.type=="InternalIP")].address}')

/usr/bin/python3 "$(dirname "$0")/../scripts/make-test-images" "$T/img" >/dev/null
check "import the busybox fixture" "$MINIKUBE" image import --data-dir "$T/data" "$T/img/oci-busybox.tar"

httpd_pod() { # NAME PORT ANSWER
	cat <<YAML
apiVersion: v1
kind: Pod
metadata: {name: $1}
spec:
  nodeName: $NODE
  hostNetwork: true
  containers:
  - name: httpd
    image: busybox:test
    imagePullPolicy: Never
    command: [sh, -c, "mkdir -p /tmp/w && echo $3 > /tmp/w/index.html && exec httpd -f -p $2 -h /tmp/w"]
YAML
}
slice() { # NAME PORT
	cat <<YAML
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: $1
  labels: {kubernetes.io/service-name: web}
addressType: IPv4
ports: [{name: http, port: $2, protocol: TCP}]
endpoints: [{addresses: ["$NODE_IP"], conditions: {ready: true}, nodeName: "$NODE"}]
YAML
}
{ httpd_pod web-one 18081 one; echo ---; httpd_pod web-two 18082 two; } >"$T/pods.yaml"
check "create two httpd pods on the host network" $K apply -f "$T/pods.yaml"
answers() { curl -s --max-time 2 "http://$1/"; }
on_step_fail() { # what step prints when a check fails
	grep -E "proxy|svcwatch" "$T/server.err" | tail -5 | sed 's/^/     /'
}
is() { [ "$(answers "$1")" = "$2" ]; }
step "the pods answer on the node's ports" 30 is "$NODE_IP:18082" two

cat >"$T/svc.yaml" <<YAML
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: NodePort
  ports: [{name: http, port: 80, targetPort: 18081}]
YAML
check "create a NodePort Service without a selector" $K apply -f "$T/svc.yaml"
CIP=$($K get svc web -o 'jsonpath={.spec.clusterIP}')
NP=$($K get svc web -o 'jsonpath={.spec.ports[0].nodePort}')
refused() { curl -s --max-time 2 "http://$1/" >/dev/null; [ $? -eq 7 ]; }
step "no endpoints: the ClusterIP refuses connections" 10 refused "$CIP:80"

slice web-1 18081 | $K apply -f - >/dev/null
step "the ClusterIP reaches the endpoint of a manual EndpointSlice" 10 is "$CIP:80" one
step "the NodePort on the node's IP reaches it too" 10 is "$NODE_IP:$NP" one
expect_out "the rules are in table ip minikube-svc" "svc-default/web/tcp/80" nft list table ip minikube-svc

slice web-2 18082 | $K apply -f - >/dev/null
both() {
	local seen=""
	for _ in $(seq 1 30); do seen="$seen $(answers "$CIP:80")"; done
	case "$seen" in *one*two* | *two*one*) return 0 ;; esac
	return 1
}
step "a second endpoint takes part of the traffic" 10 both

$K patch svc web -p '{"spec":{"sessionAffinity":"ClientIP"}}' >/dev/null
sticky() {
	local first seen
	first=$(answers "$CIP:80")
	[ -n "$first" ] || return 1
	for _ in $(seq 1 20); do seen=$(answers "$CIP:80"); [ "$seen" = "$first" ] || return 1; done
}
sleep 0.5
step "sessionAffinity ClientIP keeps a client on one endpoint" 10 sticky

$K delete endpointslice web-1 web-2 >/dev/null
step "endpoints gone: connections are refused again" 10 refused "$CIP:80"
check "delete the Service" $K delete svc web
gone() { ! nft list table ip minikube-svc | grep -q "default/web/"; }
step "its rules are removed" 10 gone
$K delete pod web-one web-two --timeout=30s >/dev/null 2>&1
finish
