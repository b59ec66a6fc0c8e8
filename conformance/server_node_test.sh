#!/bin/bash
# `minikube server` is a node too: its embedded agent joins over loopback,
# registers the host as a Ready node with a Lease, and runs pods bound to it.
AGENT_FLAG=""
. "$(dirname "$0")/lib.sh"
start_server
K=kubectl
NODE=$(hostname | tr 'A-Z' 'a-z')

for _ in $(seq 1 100); do
	[ "$($K get node "$NODE" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" = True ] && break
	sleep 0.1
done
expect_out "the server's host is a Ready node" "^$NODE +Ready" $K get nodes --no-headers
expect_out "its Lease is renewed in kube-node-lease" "^$NODE +$NODE" $K -n kube-node-lease get lease --no-headers
expect_out "its node certificate came from the server token" 'joined node=' cat "$T/server.err"

if [ "$(id -u)" -ne 0 ] || [ ! -x /bin/busybox ]; then
	echo "skipped: running a pod needs root and busybox-static"
else
	/usr/bin/python3 "$(dirname "$0")/../scripts/make-test-images" "$T/img" >/dev/null
	check "import the busybox fixture into the server's data dir" "$MINIKUBE" image import --data-dir "$T/data" "$T/img/oci-busybox.tar"
	cat >"$T/pod.yaml" <<YAML
apiVersion: v1
kind: Pod
metadata: {name: hello}
spec:
  nodeName: $NODE
  restartPolicy: Never
  containers: [{name: c, image: "busybox:test", imagePullPolicy: Never, command: [sh, -c, "echo hello from the server node"]}]
YAML
	check "create a pod bound to the server's node" $K apply -f "$T/pod.yaml"
	for _ in $(seq 1 100); do
		[ "$($K get pod hello -o 'jsonpath={.status.phase}')" = Succeeded ] && break
		sleep 0.1
	done
	expect_out "the pod ran to completion" '^Succeeded 0$' $K get pod hello -o 'jsonpath={.status.phase} {.status.containerStatuses[0].state.terminated.exitCode}'
	check "delete the pod" $K delete pod hello --timeout=30s
fi

kill -TERM "$SERVER_PID"
wait "$SERVER_PID"
rc=$?
SERVER_PID=""
expect_out "SIGTERM stops server and node cleanly" '^0$' echo "$rc"
finish
