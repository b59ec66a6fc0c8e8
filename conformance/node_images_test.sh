#!/bin/bash
# Images on a node: an archive dropped in DATA_DIR/images/ before the node
# starts is imported (air-gapped installs) once, a pod with
# imagePullPolicy: Never runs from it, and the Node lists its images in
# status.images, following `minikube image import` while the node runs.
set -u
: "${MINIKUBE:?set MINIKUBE to the minikube binary}"
if [ "$(id -u)" != 0 ] || [ ! -x /bin/busybox ]; then
	echo "node_images_test: skipped (needs root and busybox-static)"
	exit 0
fi
AGENT_FLAG=""
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
K=kubectl
NODE=$(hostname | tr 'A-Z' 'a-z')
on_step_fail() { # what step prints when a check fails
	grep -E "images|pods" "$T/server.err" | tail -3 | sed 's/^/     /'
}

/usr/bin/python3 "$HERE/../scripts/make-test-images" "$T/img" >/dev/null
mkdir -p "$T/data/images"
cp "$T/img/oci-busybox.tar" "$T/data/images/busybox.tar"
start_server
step "the node is Ready" 20 node_ready "$NODE"
expect_out "the archive in DATA_DIR/images was imported at start" "imported image=docker.io/library/busybox:test from=busybox.tar" \
	cat "$T/server.err"
images() { $K get node "$NODE" -o 'jsonpath={range .status.images[*]}{.names}{" "}{.sizeBytes}{"\n"}{end}'; }
listed() { images | grep -q "$1"; }
step "status.images lists it with its size" 20 listed 'docker.io/library/busybox:test.* [1-9][0-9]*$'
cat <<EOF | $K apply -f - >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: offline}
spec:
  terminationGracePeriodSeconds: 0
  containers: [{name: c, image: busybox:test, imagePullPolicy: Never, command: [busybox, sleep, "3600"]}]
EOF
running() { [ "$($K get pod offline -o 'jsonpath={.status.phase}')" = Running ]; }
step "a pod runs from it with imagePullPolicy Never" 30 running

check "minikube image import while the node runs" "$MINIKUBE" image import --data-dir "$T/data" "$T/img/docker-save.tar"
step "the imported image appears in status.images" 30 listed "docker.io/library/busybox:legacy"

kill_server
start_server
step "the node is Ready after a restart" 20 node_ready "$NODE"
expect_fail "the archive is not imported a second time" "" grep -c "imported image=" "$T/server.err"
$K delete pod offline --wait=false >/dev/null 2>&1
finish
