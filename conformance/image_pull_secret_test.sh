#!/bin/bash
# imagePullSecrets end to end: Debian's docker-registry on loopback behind
# htpasswd (bcrypt) basic auth holds busybox:test (pushed here with the
# registry v2 upload API); `minikube server` and its embedded agent pull it
# for a pod that names a `kubectl create secret docker-registry` Secret, and
# refuse it (ErrImagePull/ImagePullBackOff) for a pod that does not.
# A loopback registry is spoken to in plain HTTP, as Docker's default
# insecure-registries 127.0.0.0/8. Needs root, docker-registry, busybox-static.
set -u
: "${MINIKUBE:?set MINIKUBE to the minikube binary}"
REGISTRY=/usr/bin/docker-registry
if [ "$(id -u)" != 0 ] || [ ! -x "$REGISTRY" ] || [ ! -x /bin/busybox ]; then
	echo "image_pull_secret_test: skipped (needs root, docker-registry and busybox-static)"
	exit 0
fi
AGENT_FLAG=""
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
REG_PID=""
reg_cleanup() {
	[ -n "$REG_PID" ] && kill -9 "$REG_PID" 2>/dev/null
	cleanup
}
trap reg_cleanup EXIT
K=kubectl

/usr/bin/python3 "$HERE/../scripts/make-test-images" "$T/img" >/dev/null
REG_PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
/usr/bin/python3 -W ignore -c 'import crypt; print("user:" + crypt.crypt("pass", "$2b$05$minikubeminikubeminiku"))' >"$T/htpasswd"
cat >"$T/registry.yml" <<EOF
version: 0.1
storage: {filesystem: {rootdirectory: $T/registry}}
http: {addr: 127.0.0.1:$REG_PORT}
auth: {htpasswd: {realm: minikube-test, path: $T/htpasswd}}
EOF
"$REGISTRY" serve "$T/registry.yml" >"$T/registry.log" 2>&1 &
REG_PID=$!
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$REG_PORT/v2/" && break; sleep 0.1; done
expect_out "the registry asks for credentials" "^401$" \
	curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$REG_PORT/v2/"

# Push the OCI layout: blobs by monolithic upload, then the manifest.
/usr/bin/python3 - "$T/img/oci-busybox" "127.0.0.1:$REG_PORT" <<'PY' >"$T/push.log" 2>&1
import base64, json, os, sys, urllib.request
layout, host = sys.argv[1], sys.argv[2]
auth = "Basic " + base64.b64encode(b"user:pass").decode()
def req(method, url, data=None, ctype=None):
    r = urllib.request.Request(url, data=data, method=method, headers={"Authorization": auth})
    if ctype:
        r.add_header("Content-Type", ctype)
    return urllib.request.urlopen(r)
def blob(digest):
    return open(os.path.join(layout, "blobs", *digest.split(":")), "rb").read()
index = json.load(open(os.path.join(layout, "index.json")))
mdesc = index["manifests"][0]
manifest = blob(mdesc["digest"])
m = json.loads(manifest)
for d in [m["config"]] + m["layers"]:
    loc = req("POST", f"http://{host}/v2/busybox/blobs/uploads/").headers["Location"]
    sep = "&" if "?" in loc else "?"
    url = loc if loc.startswith("http") else f"http://{host}{loc}"
    req("PUT", f"{url}{sep}digest={d['digest']}", blob(d["digest"]), "application/octet-stream")
req("PUT", f"http://{host}/v2/busybox/manifests/test", manifest, mdesc["mediaType"])
print("pushed")
PY
expect_out "busybox:test pushed to the registry" "^pushed$" cat "$T/push.log"

start_server
NODE=$(hostname | tr 'A-Z' 'a-z')
on_step_fail() { # what step prints when a check fails
	grep -E "pull" "$T/server.err" | tail -3 | sed 's/^/     /'
}
step "the node is Ready" 20 node_ready "$NODE"

pod() { # pod NAME [SECRET]
	local secrets=""
	[ -n "${2:-}" ] && secrets="  imagePullSecrets: [{name: $2}]"
	cat <<EOF
apiVersion: v1
kind: Pod
metadata: {name: $1}
spec:
$secrets
  terminationGracePeriodSeconds: 0
  containers:
  - name: c
    image: 127.0.0.1:$REG_PORT/busybox:test
    command: [busybox, sleep, "3600"]
EOF
}
check "create the docker-registry Secret" $K create secret docker-registry regcred \
	--docker-server="127.0.0.1:$REG_PORT" --docker-username=user --docker-password=pass
pod nocred | $K apply -f - >/dev/null
reason() { $K get pod "$1" -o 'jsonpath={.status.containerStatuses[0].state.waiting.reason}'; }
refused() { case "$(reason nocred)" in ErrImagePull | ImagePullBackOff) return 0 ;; esac; return 1; }
step "without the Secret: ErrImagePull or ImagePullBackOff" 20 refused
expect_out "and the message says the registry refused" "401|unauthorized|denied|credentials" \
	$K get pod nocred -o 'jsonpath={.status.containerStatuses[0].state.waiting.message}'
# Only now: once withcred has pulled the image, nocred may start from the
# node's copy (imagePullPolicy IfNotPresent, as upstream).
pod withcred regcred | $K apply -f - >/dev/null
running() { [ "$($K get pod withcred -o 'jsonpath={.status.phase}')" = Running ]; }
step "with imagePullSecrets: pulled and Running" 30 running
expect_out "the pulled image is the registry's" "127.0.0.1:$REG_PORT/busybox@sha256:" \
	$K get pod withcred -o 'jsonpath={.status.containerStatuses[0].imageID}'
expect_fail "the credentials file does not outlive the pull" "" \
	bash -c "find '$T/data/pods' -name pull-auth.json | grep ."
$K delete pod nocred withcred --wait=false >/dev/null 2>&1
finish
