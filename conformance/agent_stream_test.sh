#!/bin/bash
# Streaming through the reverse tunnel, end to end with the real kubectl and
# the python client: `kubectl logs` (-f, --tail, --timestamps, -c),
# `kubectl exec` (exit codes, stdin, tty), `kubectl attach` (output, -i to a
# container with stdin: true, stdinOnce, -it with its pty and resize),
# `kubectl run -it --rm`, `kubectl cp`
# both ways, `kubectl port-forward`, the python client's v4.channel.k8s.io
# exec — on a node agent n1 on this host and on n2, an agent in its own
# network namespace that reaches the server through a veth (the server
# never connects to a node). Node authorization of the streaming
# subresources and the error when a node has no tunnel are checked too.
# Needs root. Usage: MINIKUBE=path/to/minikube bash conformance/agent_stream_test.sh
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
needs_containers

K=kubectl
NS=mkst$$
HOST_IP=10.213.$((RANDOM % 200)).1
PEER_IP=${HOST_IP%.1}.2
A1="$T/agent1"
A2="$T/agent2"

# The second "host": a network namespace linked to this one by a veth pair.
# Made before the server starts so its certificate covers HOST_IP.
netns_veth "$NS" "$HOST_IP" "$PEER_IP"

start_server --bind-address 0.0.0.0

jp() { $K get pod "$1" -o "jsonpath=$2" 2>/dev/null; }
phase_is() { [ "$(jp "$1" '{.status.phase}')" = "$2" ]; }
on_step_fail() { # what step prints when a check fails
	tail -15 "$A1.log" "$A2.log" 2>/dev/null | sed 's/^/     /'
}

pod() { # pod NAME NODE CMD
	$K apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Pod
metadata: {name: $1}
spec:
  nodeName: $2
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: busybox:test
    imagePullPolicy: Never
    command: ["sh", "-c", "$3"]
EOF
}

if ! import_busybox "$A1"; then
	fail "busybox:test fixture built"
	finish
	exit 1
fi
start_agent n1 "$A1" || fail "n1 started"
import_busybox "$A2" && start_agent --netns "$NS" --url "https://$HOST_IP:$PORT" n2 "$A2" || fail "n2 started"
step "n1 joins" 20 node_ready n1
step "n2 joins from its own network namespace" 20 node_ready n2

# The fixture has only /bin/busybox and /bin/sh: install the applets first
# (kubectl exec and cp run cat, tar... directly).
TALK='/bin/busybox --install -s /bin; echo first line; echo to-stderr >&2; i=0; while true; do echo line $i; i=$((i+1)); sleep 0.3; done'
pod talker n1 "$TALK"
pod web n1 '/bin/busybox --install -s /bin; mkdir -p /www && echo hello-from-pod > /www/index.html && exec httpd -f -p 8080 -h /www'
pod far n2 "$TALK"
pod crasher n1 'echo instance-output; sleep 1; exit 1'
step "talker Running" 20 phase_is talker Running
step "web Running" 20 phase_is web Running
step "far (on n2) Running" 20 phase_is far Running
has_lines() { [ "$($K logs "$1" 2>/dev/null | grep -c '^line')" -ge 3 ]; }
step "talker has logged" 10 has_lines talker

# --- logs ---
expect_out "logs shows stdout and stderr in order" '^first line$' $K logs talker
expect_out "logs includes stderr" '^to-stderr$' $K logs talker
n=$($K logs talker --tail=2 | wc -l)
[ "$n" = 2 ] && ok "logs --tail=2 prints 2 lines" || fail "logs --tail=2 prints 2 lines (got $n)"
expect_out "logs --timestamps prefixes RFC3339Nano" '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]+Z line [0-9]+$' \
	$K logs talker --timestamps --tail=1
expect_out "logs -c main" '^first line$' $K logs talker -c main
expect_fail "logs -c of an unknown container" 'container nope is not valid for pod talker' $K logs talker -c nope
expect_out "logs --limit-bytes" '^firs$' $K logs talker --limit-bytes=4
expect_out "logs --since=1h keeps recent lines" '^first line$' $K logs talker --since=1h
before=$($K logs talker | grep -c '^line')
timeout 3 $K logs -f talker >"$T/follow.out" 2>&1
after=$(grep -c '^line' "$T/follow.out")
if [ "$after" -gt $((before + 3)) ]; then ok "logs -f streams new lines"; else
	fail "logs -f streams new lines ($before before, $after followed)"; head -5 "$T/follow.out" | sed 's/^/     /'; fi
expect_fail "logs --previous without a previous container" 'previous terminated container "main" in pod "talker" not found' \
	$K logs talker --previous
restarted() { [ "$(jp crasher '{.status.containerStatuses[0].restartCount}')" -ge 1 ] 2>/dev/null; }
step "crasher restarted" 30 restarted
expect_out "logs --previous shows the previous instance" '^instance-output$' $K logs crasher --previous

# --- exec ---
expect_out "exec cat /etc/hostname prints the pod name" '^talker$' $K exec talker -- cat /etc/hostname
$K exec talker -- sh -c 'echo out; echo err >&2; exit 3' >"$T/x.out" 2>"$T/x.err"
rc=$?
[ "$rc" = 3 ] && ok "exec of exit 3 exits 3" || fail "exec of exit 3 exits 3 (got $rc)"
grep -q '^out$' "$T/x.out" && grep -q '^err$' "$T/x.err" && grep -q 'command terminated with exit code 3' "$T/x.err" &&
	ok "exec keeps stdout and stderr apart, reports the exit code" ||
	{ fail "exec keeps stdout and stderr apart, reports the exit code"; cat "$T/x.out" "$T/x.err" | sed 's/^/     /'; }
expect_out "exec -i with stdin piped" '^hi there$' bash -c "echo 'hi there' | $K exec -i talker -- cat"
head -c 300000 /dev/urandom | base64 >"$T/big.txt"
$K exec -i talker -- cat <"$T/big.txt" >"$T/big.back" 2>&1
cmp -s "$T/big.txt" "$T/big.back" && ok "exec -i round-trips 400 KB" || fail "exec -i round-trips 400 KB"
expect_fail "exec of a missing command fails" 'nosuchcmd' $K exec talker -- nosuchcmd
# -t needs -i (kubectl drops the terminal otherwise); script(1) gives kubectl one.
expect_out "exec -it gets a terminal" "is-a-tty" bash -c "printf '' | script -qec '$K exec -it talker -- sh -c \"test -t 0 && echo is-a-tty\"' /dev/null"
expect_out "exec -it passes the terminal size" '40 100' \
	bash -c "printf '' | script -qec 'stty cols 100 rows 40; $K exec -it talker -- stty size' /dev/null"
cat >"$T/typed.sh" <<'EOF'
sleep 1; printf 'echo pod-says-$((40+2)); exit\r'; sleep 2
EOF
expect_out "exec -it runs an interactive shell" 'pod-says-42' \
	bash -c "bash $T/typed.sh | script -qfc '$K exec -it talker -- sh' /dev/null"
expect_fail "exec in a pod that does not exist" 'pods "nope" not found' $K exec nope -- true

# --- cp (exec + tar) ---
printf 'copied both ways\n' >"$T/cp.txt"
check "cp local -> pod" $K cp "$T/cp.txt" talker:/tmp/cp.txt
expect_out "the copied file is in the pod" '^copied both ways$' $K exec talker -- cat /tmp/cp.txt
check "cp pod -> local" $K cp talker:/tmp/cp.txt "$T/cp.back"
cmp -s "$T/cp.txt" "$T/cp.back" && ok "cp round trip is identical" || fail "cp round trip is identical"

# --- attach ---
timeout 3 $K attach talker >"$T/attach.out" 2>&1
expect_out "attach streams the container's output" '^line [0-9]+$' cat "$T/attach.out"

# --- attach -i / -it and run -it: the container's own stdin and terminal ---
# ipod NAME RESTART STDIN_ONCE TTY CMD: a pod on n1 with stdin: true
ipod() {
	$K apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Pod
metadata: {name: $1}
spec:
  nodeName: n1
  restartPolicy: $2
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: busybox:test
    imagePullPolicy: Never
    command: ["sh", "-c", "$5"]
    stdin: true
    stdinOnce: $3
    tty: $4
EOF
}
ipod catter Always false false 'exec /bin/busybox cat'
ipod once Never true false '/bin/busybox cat; echo stdin-ended'
ipod ttysh Never false true '/bin/busybox --install -s /bin; exec sh'
step "catter Running" 20 phase_is catter Running
step "once Running" 20 phase_is once Running
step "ttysh Running" 20 phase_is ttysh Running
expect_out "attach -i: cat echoes a line typed into the container's stdin" '^through-stdin$' \
	bash -c "(echo through-stdin; sleep 3) | timeout 10 $K attach -i catter"
# The first client's stdin EOF does not end it without stdinOnce: a second one is echoed too.
expect_out "attach -i again: the container's stdin stayed open" '^second-time$' \
	bash -c "(echo second-time; sleep 3) | timeout 10 $K attach -i catter"
[ "$(jp catter '{.status.containerStatuses[0].restartCount}')" = 0 ] && ok "catter did not restart" ||
	fail "catter did not restart"
# stdinOnce: when this client's stdin ends the container's does; attach ends with the container.
(echo first; sleep 2) | timeout 20 $K attach -i once >"$T/once.out" 2>&1
rc=$?
if [ "$rc" = 0 ] && grep -q '^first$' "$T/once.out" && grep -q '^stdin-ended$' "$T/once.out"; then
	ok "attach -i with stdinOnce: stdin EOF ends cat, attach returns when the container ends"
else
	fail "attach -i with stdinOnce: stdin EOF ends cat, attach returns when the container ends (rc $rc)"
	sed 's/^/     /' "$T/once.out" | head -10
fi
step "once Succeeded" 20 phase_is once Succeeded
cat >"$T/typed-tty.sh" <<'EOF'
sleep 2; printf 'tty; stty size; exit\r'; sleep 3
EOF
# --foreground: script(1) runs this with $SHELL -c; a dash there forks timeout,
# whose own process group is not the terminal's foreground one, and kubectl
# is stopped (SIGTTOU) when it makes the terminal raw.
bash "$T/typed-tty.sh" | script -qfc "stty cols 100 rows 40; timeout --foreground 20 $K attach -it ttysh" /dev/null \
	>"$T/tty.out" 2>&1
expect_out "attach -it: the container's terminal is /dev/pts/0" '^/dev/pts/0' tr -d '\r' <"$T/tty.out"
expect_out "attach -it: the client's window size reaches it" '^40 100' tr -d '\r' <"$T/tty.out"
step "ttysh Succeeded after exit" 20 phase_is ttysh Succeeded
# The monitor, not the agent, holds the container's stdin: it survives kill -9 of the agent.
stop_agent n1
start_agent n1 "$A1" || fail "n1 restarted"
attached=""
for _ in $(seq 1 10); do
	if bash -c "(echo after-restart; sleep 2) | timeout 6 $K attach -i catter" 2>/dev/null | grep -q '^after-restart$'; then
		attached=1
		break
	fi
	sleep 1
done
[ -n "$attached" ] && ok "attach -i after kill -9 of the agent: the container's stdin survived" ||
	{ fail "attach -i after kill -9 of the agent: the container's stdin survived"; tail -5 "$A1.log" | sed 's/^/     /'; }
[ "$(jp catter '{.status.containerStatuses[0].restartCount}')" = 0 ] && ok "catter was re-adopted, not restarted" ||
	fail "catter was re-adopted, not restarted"
cat >"$T/typed-run.sh" <<'EOF'
sleep 5; printf 'echo hi-from-$((6*7)); exit\r'; sleep 3
EOF
bash "$T/typed-run.sh" | script -qfc "timeout --foreground 60 $K run -it --rm t --image=busybox:test --image-pull-policy=Never \
	--restart=Never --overrides='{\"spec\":{\"nodeName\":\"n1\"}}' -- sh" /dev/null >"$T/run.out" 2>&1
expect_out "run -it --rm: an interactive shell in a new pod" '^hi-from-42' tr -d '\r' <"$T/run.out"
gone() { ! $K get pod t >/dev/null 2>&1; }
step "run -it --rm: the pod is deleted after" 20 gone

# --- python client: exec over v4.channel.k8s.io ---
expect_out "python stream() exec (v4.channel.k8s.io)" '^py:talker$' /usr/bin/python3 - <<'PY'
from kubernetes import client, config
from kubernetes.stream import stream
config.load_kube_config()
out = stream(client.CoreV1Api().connect_get_namespaced_pod_exec, "talker", "default",
             command=["sh", "-c", "echo py:$(cat /etc/hostname)"], stderr=True, stdin=False, stdout=True, tty=False)
print(out.strip())
PY

# --- port-forward ---
PFPORT=$((20000 + RANDOM % 20000))
$K port-forward pod/web "$PFPORT:8080" >"$T/pf.out" 2>&1 &
PF_PID=$!
TMP_PIDS=("$PF_PID")
got_page() { curl -s -m 3 "http://127.0.0.1:$PFPORT/" | grep -q hello-from-pod; }
step "port-forward serves the pod's page" 10 got_page
got_twice() { got_page && got_page; }
step "port-forward serves a second connection" 5 got_twice
kill "$PF_PID" 2>/dev/null
wait "$PF_PID" 2>/dev/null
TMP_PIDS=()
expect_out "python portforward() (v4.channel.k8s.io channels)" 'hello-from-pod' timeout 30 /usr/bin/python3 - <<'PY'
from kubernetes import client, config
from kubernetes.stream import portforward
config.load_kube_config()
pf = portforward(client.CoreV1Api().connect_get_namespaced_pod_portforward, "web", "default", ports="8080")
s = pf.socket(8080)
s.settimeout(10)
s.sendall(b"GET / HTTP/1.0\r\n\r\n")
data = b""
while b"hello-from-pod" not in data:
    chunk = s.recv(4096)
    if not chunk:
        break
    data += chunk
print(data.decode(errors="replace"))
s.close()
pf.close()
PY

# --- the node behind its own network namespace ---
expect_out "logs of a pod on n2" '^first line$' $K logs far
expect_out "exec in a pod on n2" '^far$' $K exec far -- cat /etc/hostname
# The agent's only listener is cluster DNS (port 53); the server reached n2
# through the tunnel, not through a port of n2.
if nsenter --net="/run/netns/$NS" ss -ltnH 2>/dev/null | awk '{print $4}' | grep -v ':53$' | grep -q .; then
	fail "n2 listens on no TCP port but DNS"
	nsenter --net="/run/netns/$NS" ss -ltn | sed 's/^/     /'
else ok "n2 listens on no TCP port but DNS"; fi

# --- authorization and errors ---
NC=(--cacert "$A1/agent/ca.crt" --cert "$A1/agent/node.crt" --key "$A1/agent/node.key")
URL="https://127.0.0.1:$PORT"
CODE=$(curl -s "${NC[@]}" -o "$T/resp.json" -w '%{http_code}' "$URL/api/v1/namespaces/default/pods/far/log")
[ "$CODE" = 403 ] && ok "n1 may not read logs of a pod on n2 (403)" || fail "n1 may not read logs of a pod on n2 (403, got $CODE)"
CODE=$(curl -s "${NC[@]}" -o /dev/null -w '%{http_code}' "$URL/api/v1/namespaces/default/pods/talker/log")
[ "$CODE" = 200 ] && ok "n1 may read logs of its own pod" || fail "n1 may read logs of its own pod (got $CODE)"
CODE=$(curl -sk -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $(cat "$T/data/tls/admin-token")" \
	-H 'Connection: Upgrade' -H 'Upgrade: minikube-tunnel' "$URL/minikube/v1/tunnel")
[ "$CODE" = 403 ] && ok "only nodes may open a tunnel (403)" || fail "only nodes may open a tunnel (403, got $CODE)"
$K apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Pod
metadata: {name: unbound}
spec:
  nodeSelector: {no-such-label: "x"} # stays unbound even with a scheduler
  containers: [{name: main, image: busybox:test}]
EOF
CODE=$(curl -sk -o "$T/resp.json" -w '%{http_code}' -H "Authorization: Bearer $(cat "$T/data/tls/admin-token")" \
	"$URL/api/v1/namespaces/default/pods/unbound/exec?command=true&stdout=true")
if [ "$CODE" = 400 ] && grep -q 'pod unbound does not have a host assigned' "$T/resp.json"; then
	ok "exec on an unbound pod: 400"
else fail "exec on an unbound pod: 400 (got $CODE $(cat "$T/resp.json"))"; fi
CODE=$(curl -sk -o "$T/resp.json" -w '%{http_code}' -H "Authorization: Bearer $(cat "$T/data/tls/admin-token")" \
	-H 'Connection: Upgrade' -H 'Upgrade: websocket' -H 'Sec-WebSocket-Version: 13' \
	-H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' -H 'Sec-WebSocket-Protocol: v5.channel.k8s.io' \
	"$URL/api/v1/namespaces/default/pods/catter/attach")
if [ "$CODE" = 400 ] && grep -q 'you must specify at least 1 of stdin, stdout, stderr' "$T/resp.json"; then
	ok "attach with no stream: 400, as the kubelet"
else fail "attach with no stream: 400, as the kubelet (got $CODE $(head -c 300 "$T/resp.json"))"; fi
# A node that keeps its connection but does not answer: the dial times out.
kill -STOP "${AGENT_PID[n2]}"
expect_fail "a dial the node never answers ends in 10 s" 'the node did not answer in time' timeout 30 $K logs far
kill -CONT "${AGENT_PID[n2]}"
stop_agent n2
expect_fail "logs when the node has no tunnel" 'error dialing backend' $K logs far

finish
