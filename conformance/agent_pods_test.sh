#!/bin/bash
# Pods end to end on a real node: `minikube server` plus `minikube agent`
# joined as n1 with its own data dir and the busybox:test fixture imported
# there. Pods bound to n1 run in sandboxes; their status (phase, container
# states, exit codes), deletion through `kubectl delete pod`, hostNetwork and
# re-adoption after `kill -9` of the agent are checked with the real kubectl.
# Probes (exec, httpGet, tcpSocket, grpc against a python grpcio health
# server on the node) and lifecycle hooks (preStop exec and sleep, postStart
# exec, sleep and a failing one) are covered too, and sidecars (init
# containers with restartPolicy Always): start order, status, restarts,
# termination order and the Job pattern.
# Needs root. Usage: MINIKUBE=path/to/minikube bash conformance/agent_pods_test.sh
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
needs_containers

K=kubectl
A="$T/agent1"

start_server

jp() { $K get pod "$1" -o "jsonpath=$2" 2>/dev/null; }
phase_is() { [ "$(jp "$1" '{.status.phase}')" = "$2" ]; }
show() { # diagnostics for a failed check
	$K get pod "$1" -o json 2>&1 | sed -n '/"status"/,$p' | head -60 | sed 's/^/     /'
	tail -20 "$A.log" | sed 's/^/     agent: /'
}
on_step_fail() { # what step prints when a check fails
	show "${POD:-x}"
}

pod_yaml() { # pod_yaml NAME POLICY HOSTNET CMD
	cat <<EOF
apiVersion: v1
kind: Pod
metadata: {name: $1}
spec:
  nodeName: n1
  restartPolicy: $2
  hostNetwork: $3
  terminationGracePeriodSeconds: 5
  containers:
  - name: main
    image: busybox:test
    imagePullPolicy: Never
    command: ["sh", "-c", "$4"]
EOF
}

if ! import_busybox "$A"; then
	fail "busybox:test fixture imported into the agent's data dir"
	finish
	exit 1
fi
ok "busybox:test fixture imported into the agent's data dir"

start_agent n1 "$A"
step "n1 joins" 15 node_ready n1

# 1. A long-running pod.
POD=sleeper
pod_yaml sleeper Always false 'echo started; sleep 3600' | $K apply -f - >/dev/null
step "pod sleeper Running within 10s" 10 phase_is sleeper Running
expect_out "container main running with startedAt" '^true [0-9T:-]+Z minikube://' \
	jp sleeper '{.status.containerStatuses[0].ready} {.status.containerStatuses[0].state.running.startedAt} {.status.containerStatuses[0].containerID}'
expect_out "conditions Initialized/Ready/ContainersReady/PodScheduled True" '^True True True True$' \
	jp sleeper '{.status.conditions[?(@.type=="Initialized")].status} {.status.conditions[?(@.type=="Ready")].status} {.status.conditions[?(@.type=="ContainersReady")].status} {.status.conditions[?(@.type=="PodScheduled")].status}'
expect_out "hostIP set, podIP from the node's pod CIDR" '^[0-9.]+ <10\.42\.[0-9]+\.[0-9]+>$' \
	bash -c "echo \$($K get pod sleeper -o 'jsonpath={.status.hostIP}') \"<\$($K get pod sleeper -o 'jsonpath={.status.podIP}')>\""
CID=$(jp sleeper '{.status.containerStatuses[0].containerID}')
CID=${CID#minikube://}
SLEEPER_UID=$($K get pod sleeper -o 'jsonpath={.metadata.uid}')
expect_out "the container printed 'started'" '^started$' "$MINIKUBE" logs --data-dir "$A" "$CID"
expect_out "a new netns with eth0 and loopback (up)" '^eth0:UP lo:UP$' \
	"$MINIKUBE" exec --data-dir "$A" "$CID" sh -c 'for i in /sys/class/net/*; do n=${i##*/}; f=$(cat $i/operstate); [ "$(($(cat $i/flags)&1))" = 1 ] && f=UP; printf "%s:%s " $n $f; done | sed "s/ $//"'
expect_out "image and imageID reported" '^docker.io/library/busybox:test docker.io/library/busybox@sha256:[0-9a-f]{64}$' \
	jp sleeper '{.status.containerStatuses[0].image} {.status.containerStatuses[0].imageID}'
events_of() { $K get events --field-selector "involvedObject.name=$1" -o 'jsonpath={range .items[*]}{.reason}{" "}{end}'; }
has_events() { local e; e=$(events_of "$1"); shift; for r in "$@"; do case " $e" in *" $r "*) ;; *) return 1 ;; esac; done; }
step "kubelet Events: Pulled, Created, Started" 10 has_events sleeper Pulled Created Started
expect_out "kubectl describe pod tells it" 'Normal +Started .*kubelet .*Started container main' $K describe pod sleeper

# 2. Exit codes with restartPolicy Never.
POD=fails
pod_yaml fails Never false 'exit 3' | $K apply -f - >/dev/null
step "exit 3 with Never: phase Failed" 10 phase_is fails Failed
expect_out "exit 3: terminated exitCode 3 reason Error" '^3 Error 0$' \
	jp fails '{.status.containerStatuses[0].state.terminated.exitCode} {.status.containerStatuses[0].state.terminated.reason} {.status.containerStatuses[0].restartCount}'
POD=works
pod_yaml works Never false 'echo done' | $K apply -f - >/dev/null
step "exit 0 with Never: phase Succeeded" 10 phase_is works Succeeded
expect_out "exit 0: terminated reason Completed" '^0 Completed$' \
	jp works '{.status.containerStatuses[0].state.terminated.exitCode} {.status.containerStatuses[0].state.terminated.reason}'

# 3. Restarts with back-off.
POD=crasher
pod_yaml crasher Always false 'exit 1' | $K apply -f - >/dev/null
crashloop() { [ "$(jp crasher '{.status.containerStatuses[0].state.waiting.reason}')" = CrashLoopBackOff ] &&
	[ "$(jp crasher '{.status.containerStatuses[0].restartCount}')" -ge 1 ]; }
step "crashing container restarts and reports CrashLoopBackOff" 15 crashloop
writes=$(grep -c "status pod=default/crasher" "$A.log")
sleep 3
if [ "$(grep -c "status pod=default/crasher" "$A.log")" -le $((writes + 1)) ]; then ok "status is written only when it changed"; else fail "status is written only when it changed"; fi
step "a BackOff Warning Event for the crashing container" 20 has_events crasher BackOff
expect_out "lastState terminated exitCode 1" '^1 Error$' \
	jp crasher '{.status.containerStatuses[0].lastState.terminated.exitCode} {.status.containerStatuses[0].lastState.terminated.reason}'

# 4. Init containers run first, in order.
POD=inits
cat <<EOF | $K apply -f - >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: inits}
spec:
  nodeName: n1
  restartPolicy: Never
  volumes: [{name: work, emptyDir: {}}]
  initContainers:
  - {name: one, image: busybox:test, imagePullPolicy: Never, command: [sh, -c, "echo one >> /work/order"], volumeMounts: [{name: work, mountPath: /work}]}
  - {name: two, image: busybox:test, imagePullPolicy: Never, command: [sh, -c, "echo two >> /work/order"], volumeMounts: [{name: work, mountPath: /work}]}
  containers:
  - {name: main, image: busybox:test, imagePullPolicy: Never, command: [sh, -c, "cat /work/order | tr '\\\\n' ' '"], volumeMounts: [{name: work, mountPath: /work}]}
EOF
step "init containers then the app: Succeeded" 15 phase_is inits Succeeded
ICID=$(jp inits '{.status.containerStatuses[0].containerID}')
expect_out "init containers ran in order" '^one two $' "$MINIKUBE" logs --data-dir "$A" "${ICID#minikube://}"
expect_out "initContainerStatuses Completed" '^Completed Completed$' \
	jp inits '{.status.initContainerStatuses[0].state.terminated.reason} {.status.initContainerStatuses[1].state.terminated.reason}'

# 5. A missing image with Never.
POD=noimage
cat <<EOF | $K apply -f - >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: noimage}
spec:
  nodeName: n1
  containers: [{name: main, image: "example.invalid/nothing:1", imagePullPolicy: Never}]
EOF
noimg() { [ "$(jp noimage '{.status.containerStatuses[0].state.waiting.reason}')" = ErrImageNeverPull ]; }
step "missing image with Never: waiting ErrImageNeverPull, Pending" 10 noimg
expect_out "noimage stays Pending" '^Pending$' jp noimage '{.status.phase}'

# ConfigMaps and Secrets: env and volumes; a missing one is a
# CreateContainerConfigError until it is created.
cfg_pod() { # cfg_pod NAME CONFIGMAP
	cat <<EOF
apiVersion: v1
kind: Pod
metadata: {name: $1}
spec:
  nodeName: n1
  terminationGracePeriodSeconds: 5
  volumes:
  - {name: cfg, configMap: {name: $2}}
  - {name: sec, secret: {secretName: pw}}
  containers:
  - name: main
    image: busybox:test
    imagePullPolicy: Never
    env:
    - {name: GREETING, valueFrom: {configMapKeyRef: {name: $2, key: greeting}}}
    command: [sh, -c, 'echo "\$GREETING \$(cat /cfg/greeting) \$(cat /sec/password)"; sleep 3600']
    volumeMounts: [{name: cfg, mountPath: /cfg}, {name: sec, mountPath: /sec}]
EOF
}
$K create configmap cfg --from-literal=greeting=hello >/dev/null
$K create secret generic pw --from-literal=password=s3cret >/dev/null
POD=withcfg
cfg_pod withcfg cfg | $K apply -f - >/dev/null
step "pod with configMap env and volume and a secret volume Running" 10 phase_is withcfg Running
WCID=$(jp withcfg '{.status.containerStatuses[0].containerID}')
logs_have() { "$MINIKUBE" logs --data-dir "$A" "$1" 2>/dev/null | grep -qx "$2"; }
step "configMap and secret reach the container" 5 logs_have "${WCID#minikube://}" "hello hello s3cret"
POD=latecfg
cfg_pod latecfg late | $K apply -f - >/dev/null
cfgerr() { [ "$(jp latecfg '{.status.containerStatuses[0].state.waiting.reason}')" = CreateContainerConfigError ]; }
step "a missing configMap: waiting CreateContainerConfigError" 10 cfgerr
expect_out "the message names the configMap" 'configmap "late" not found' jp latecfg '{.status.containerStatuses[0].state.waiting.message}'
$K create configmap late --from-literal=greeting=later >/dev/null
step "the pod starts once the configMap exists" 15 phase_is latecfg Running

# A pull that fails (nothing listens there): ErrImagePull, then ImagePullBackOff.
POD=nopull
cat <<EOF | $K apply -f - >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: nopull}
spec:
  nodeName: n1
  containers: [{name: main, image: "127.0.0.1:1/nothing:1", imagePullPolicy: IfNotPresent}]
EOF
pullerr() { jp nopull '{.status.containerStatuses[0].state.waiting.reason}' | grep -Eq '^(ErrImagePull|ImagePullBackOff)$'; }
step "unreachable registry: waiting ErrImagePull/ImagePullBackOff" 15 pullerr

# 6. hostNetwork sees the host's interfaces.
POD=hostnet
pod_yaml hostnet Always true 'sleep 3600' | $K apply -f - >/dev/null
step "hostNetwork pod Running" 10 phase_is hostnet Running
HCID=$(jp hostnet '{.status.containerStatuses[0].containerID}')
HOST_IFS=$(ls /sys/class/net | sort | tr '\n' ' ')
expect_out "hostNetwork pod sees the host's interfaces" "^$HOST_IFS\$" \
	"$MINIKUBE" exec --data-dir "$A" "${HCID#minikube://}" sh -c 'ls /sys/class/net | sort | tr "\n" " "'
expect_out "hostNetwork podIP is the hostIP" '^([0-9.]+) \1$' jp hostnet '{.status.podIP} {.status.hostIP}'

# Graceful deletion: SIGTERM first, so a pod that handles it goes at once.
POD=graceful
cat <<EOF | $K apply -f - >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: graceful}
spec:
  nodeName: n1
  terminationGracePeriodSeconds: 60
  containers:
  - {name: main, image: busybox:test, imagePullPolicy: Never, command: [sh, -c, "trap 'echo got TERM; exit 0' TERM; while true; do sleep 0.2; done"]}
EOF
step "graceful pod Running" 10 phase_is graceful Running
t0=$(date +%s)
if timeout 30 $K delete pod graceful >/dev/null 2>&1 && [ $(($(date +%s) - t0)) -lt 10 ]; then
	ok "delete sends SIGTERM first (a handling pod goes well before its 60s grace)"
else fail "delete sends SIGTERM first (took $(($(date +%s) - t0))s)"; fi

# A preStop hook runs before SIGTERM: the TERM handler sees what the hook wrote.
POD=hooked
mkdir -p "$T/hook"
cat <<EOF | $K apply -f - >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: hooked}
spec:
  nodeName: n1
  terminationGracePeriodSeconds: 20
  volumes: [{name: h, hostPath: {path: "$T/hook", type: Directory}}]
  containers:
  - name: main
    image: busybox:test
    imagePullPolicy: Never
    volumeMounts: [{name: h, mountPath: /hook}]
    command: [sh, -c, "trap 'cat /hook/prestop > /hook/at-term; exit 0' TERM; while true; do sleep 0.2; done"]
    lifecycle: {preStop: {exec: {command: [sh, -c, "sleep 1; echo hook-ran > /hook/prestop"]}}}
EOF
step "hooked pod Running" 10 phase_is hooked Running
timeout 30 $K delete pod hooked >/dev/null 2>&1
expect_out "preStop ran before SIGTERM reached the container" '^hook-ran$' cat "$T/hook/at-term"

# Probes: readiness (exec and httpGet) drives READY and the Ready condition,
# a startup probe gates started/ready, a failing liveness probe restarts.
probe_pod() { # probe_pod NAME COMMAND PROBES-YAML (indented for the container)
	cat <<EOF
apiVersion: v1
kind: Pod
metadata: {name: $1}
spec:
  nodeName: n1
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: busybox:test
    imagePullPolicy: Never
    command: ["sh", "-c", "$2"]
    ports: [{name: web, containerPort: 8080}]
$3
EOF
}
ready_col() { $K get pod "$1" --no-headers 2>/dev/null | awk '{print $2}'; }
ready_is() { [ "$(ready_col "$1")" = "$2" ]; }
cexec() { # cexec POD CMD...: runs CMD in the pod's container
	local cid
	cid=$(jp "$1" '{.status.containerStatuses[0].containerID}')
	shift
	"$MINIKUBE" exec --data-dir "$A" "${cid#minikube://}" "$@"
}
cond_ready() { jp "$1" '{.status.conditions[?(@.type=="Ready")].status} {.status.conditions[?(@.type=="ContainersReady")].status} {.status.containerStatuses[0].ready}'; }
events_of() { $K get events -o jsonpath='{range .items[*]}{.involvedObject.name} {.reason} {.message}{"\n"}{end}' 2>/dev/null | grep "^$1 "; }

POD=readyexec
probe_pod readyexec 'exec busybox sleep 3600' '    readinessProbe: {exec: {command: [busybox, test, -f, /tmp/ready]}, periodSeconds: 1, failureThreshold: 1}' |
	$K apply -f - >/dev/null
running_unready() { phase_is "$1" Running && ready_is "$1" 0/1; }
step "exec readiness: Running but READY 0/1 without /tmp/ready" 10 running_unready readyexec
expect_out "not ready: Ready, ContainersReady False, containerStatuses ready false" '^False False false$' cond_ready readyexec
cexec readyexec busybox touch /tmp/ready
step "exec readiness: READY 1/1 once /tmp/ready exists" 5 ready_is readyexec 1/1
expect_out "ready: Ready, ContainersReady True, containerStatuses ready true" '^True True true$' cond_ready readyexec
cexec readyexec busybox rm /tmp/ready
step "exec readiness: back to READY 0/1 when /tmp/ready goes" 5 ready_is readyexec 0/1
expect_out "the phase stays Running and the container is not restarted" '^Running 0$' jp readyexec '{.status.phase} {.status.containerStatuses[0].restartCount}'
event_has() { events_of "$1" | grep -q "$2"; }
step "an Unhealthy event says the readiness probe failed" 5 event_has readyexec 'Unhealthy Readiness probe failed'

POD=readyhttp
probe_pod readyhttp 'busybox mkdir -p /www && echo ok > /www/healthz && exec busybox httpd -f -p 8080 -h /www' \
	'    readinessProbe: {httpGet: {path: /healthz, port: web}, periodSeconds: 1, failureThreshold: 1}' | $K apply -f - >/dev/null
step "httpGet readiness on busybox httpd (named port): READY 1/1" 10 ready_is readyhttp 1/1
cexec readyhttp busybox rm /www/healthz
step "httpGet readiness: a 404 makes it READY 0/1" 5 ready_is readyhttp 0/1
step "the Unhealthy event has the status code" 5 event_has readyhttp 'Readiness probe failed: HTTP probe failed with statuscode: 404'

POD=startup
probe_pod startup 'exec busybox sleep 3600' \
	'    startupProbe: {exec: {command: [busybox, test, -f, /tmp/up]}, periodSeconds: 1, failureThreshold: 60}' | $K apply -f - >/dev/null
started_is() { [ "$(jp startup '{.status.containerStatuses[0].started}')" = "$1" ]; }
step "startup probe pending: Running, started false, READY 0/1" 10 eval 'running_unready startup && started_is false'
cexec startup busybox touch /tmp/up
step "startup probe passes: started true, READY 1/1" 5 eval 'ready_is startup 1/1 && started_is true'

POD=liveness
probe_pod liveness 'exec busybox sleep 3600' \
	'    livenessProbe: {exec: {command: [busybox, test, -f, /tmp/alive]}, periodSeconds: 1, failureThreshold: 2, terminationGracePeriodSeconds: 1}' |
	$K apply -f - >/dev/null
restarted() { [ "$(jp liveness '{.status.containerStatuses[0].restartCount}')" -ge 1 ] 2>/dev/null; }
step "a failing liveness probe restarts the container (restartCount grows)" 20 restarted
expect_out "lastState: killed (exit 137)" '^137$' jp liveness '{.status.containerStatuses[0].lastState.terminated.exitCode}'
step "events: Unhealthy 'Liveness probe failed' and Killing 'will be restarted'" 5 eval "event_has liveness 'Unhealthy Liveness probe failed' && event_has liveness 'Killing Container main failed liveness probe, will be restarted'"

POD=slowprobe
probe_pod slowprobe 'exec busybox sleep 3600' \
	'    readinessProbe: {exec: {command: [busybox, sleep, "30"]}, timeoutSeconds: 1, periodSeconds: 2}' | $K apply -f - >/dev/null
step "an exec probe over timeoutSeconds fails: 'timed out' event" 15 event_has slowprobe 'Readiness probe failed: command "busybox sleep 30" timed out'
sleep 4
slow_sleeps() { cexec slowprobe busybox ps | grep -c '[s]leep 30'; }
expect_out "timed-out probe commands are killed (at most one in flight)" '^[01]$' slow_sleeps

# httpGet over HTTPS (no verification, like the kubelet) and tcpSocket, from
# a hostNetwork pod to this server's port (it listens on 127.0.0.1 only, not
# on the node address a probe without host would use).
POD=hostprobes
probe_pod hostprobes 'exec busybox sleep 3600' "    readinessProbe: {httpGet: {scheme: HTTPS, host: 127.0.0.1, port: $PORT, path: /readyz}, periodSeconds: 1}
    livenessProbe: {tcpSocket: {host: 127.0.0.1, port: $PORT}, periodSeconds: 1, failureThreshold: 1}
  hostNetwork: true" | $K apply -f - >/dev/null
step "hostNetwork pod: HTTPS readiness and tcpSocket liveness pass (READY 1/1)" 10 ready_is hostprobes 1/1
sleep 3
expect_out "and the tcpSocket liveness probe does not restart it" '^0 true$' \
	jp hostprobes '{.status.containerStatuses[0].restartCount} {.status.containerStatuses[0].ready}'

# grpc probes: grpc.health.v1.Health/Check over h2c, from a hostNetwork pod
# to a python grpcio health server on the node (the pod IP of a hostNetwork
# pod is the node's). The server answers per service from status-<service>
# files ("_" for the empty service), so the test flips them.
G="$T/grpc"
mkdir -p "$G"
cat >"$G/health.py" <<'PYEOF'
import os, sys
from concurrent import futures
import grpc
d = sys.argv[1]
def check(req, ctx):  # HealthCheckRequest{service: field 1}, HealthCheckResponse{status: field 1}
    svc = req[2:2 + req[1]].decode() if len(req) >= 2 and req[0] == 0x0A else ""
    with open(os.path.join(d, "asked"), "a") as f:
        f.write((svc or "-") + "\n")
    try:
        st = open(os.path.join(d, "status-" + (svc or "_"))).read().strip()
    except OSError:
        ctx.abort(grpc.StatusCode.NOT_FOUND, "unknown service")
    code = {"UNKNOWN": 0, "SERVING": 1, "NOT_SERVING": 2}[st]
    return bytes([0x08, code]) if code else b""
server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(
    "grpc.health.v1.Health", {"Check": grpc.unary_unary_rpc_method_handler(check)}),))
port = server.add_insecure_port("0.0.0.0:0")
server.start()
open(os.path.join(d, "port.tmp"), "w").write(str(port))
os.rename(os.path.join(d, "port.tmp"), os.path.join(d, "port"))
server.wait_for_termination()
PYEOF
echo SERVING >"$G/status-_"
echo SERVING >"$G/status-live"
if /usr/bin/python3 -c 'import grpc' 2>/dev/null; then
	/usr/bin/python3 "$G/health.py" "$G" >"$G/server.log" 2>&1 &
	GRPC_PID=$!
	TMP_PIDS=("$GRPC_PID")
	wait_for 10 test -s "$G/port"
	GPORT=$(cat "$G/port" 2>/dev/null)
	POD=grpcprobe
	probe_pod grpcprobe 'exec busybox sleep 3600' "    readinessProbe: {grpc: {port: ${GPORT:-1}}, periodSeconds: 1, failureThreshold: 1}
    livenessProbe: {grpc: {port: ${GPORT:-1}, service: live}, periodSeconds: 1, failureThreshold: 2}
  hostNetwork: true" | $K apply -f - >/dev/null
	step "grpc readiness and liveness against a SERVING health server: READY 1/1" 15 ready_is grpcprobe 1/1
	asked() { grep -qx -- "$1" "$G/asked"; }
	step "the health server was asked for service \"\" (readiness) and \"live\" (liveness)" 5 eval 'asked - && asked live'
	echo NOT_SERVING >"$G/status-_"
	step "grpc readiness: NOT_SERVING makes it READY 0/1" 5 ready_is grpcprobe 0/1
	expect_out "not ready: Ready, ContainersReady False, containerStatuses ready false" '^False False false$' cond_ready grpcprobe
	step "the Unhealthy event has the kubelet's grpc message" 5 event_has grpcprobe 'Unhealthy Readiness probe failed: service unhealthy (responded with "NOT_SERVING")'
	expect_out "a failing grpc readiness probe does not restart the container" '^Running 0$' jp grpcprobe '{.status.phase} {.status.containerStatuses[0].restartCount}'
	echo SERVING >"$G/status-_"
	step "grpc readiness: SERVING again, READY 1/1" 5 ready_is grpcprobe 1/1
	echo NOT_SERVING >"$G/status-live"
	grpc_restarted() { [ "$(jp grpcprobe '{.status.containerStatuses[0].restartCount}')" -ge 1 ] 2>/dev/null; }
	step "a failing grpc liveness probe restarts the container (restartCount grows)" 20 grpc_restarted
	step "events: Unhealthy 'Liveness probe failed: service unhealthy' and Killing" 5 eval "event_has grpcprobe 'Unhealthy Liveness probe failed: service unhealthy (responded with \"NOT_SERVING\")' && event_has grpcprobe 'Killing Container main failed liveness probe, will be restarted'"
	echo SERVING >"$G/status-live"
	step "the restarted container is READY 1/1 again" 15 ready_is grpcprobe 1/1
	kill "$GRPC_PID" 2>/dev/null
	wait "$GRPC_PID" 2>/dev/null
	TMP_PIDS=()
	HOSTIP=$(jp grpcprobe '{.status.podIP}')
	step "the health server gone: READY 0/1" 10 ready_is grpcprobe 0/1
	step "the Unhealthy event says the kubelet's connect timeout" 5 event_has grpcprobe "Readiness probe failed: timeout: failed to connect service \"$HOSTIP:$GPORT\" within 1s"
else
	fail "python3-grpcio is installed (scripts/install-deps) for the grpc probe test"
fi

# Lifecycle hooks: a preStop sleep delays SIGTERM (grace 30, sleep 2: the
# deletion takes at least 2 s though the container exits on SIGTERM at once);
# a postStart sleep holds Running back.
POD=sleephook
cat <<EOF | $K apply -f - >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: sleephook}
spec:
  nodeName: n1
  terminationGracePeriodSeconds: 30
  containers:
  - name: main
    image: busybox:test
    imagePullPolicy: Never
    command: [sh, -c, "trap 'exit 0' TERM; while true; do sleep 0.2; done"]
    lifecycle: {postStart: {sleep: {seconds: 1}}, preStop: {sleep: {seconds: 2}}}
EOF
step "sleephook pod Running (after its postStart sleep)" 15 phase_is sleephook Running
t0=$(date +%s%N)
timeout 30 $K delete pod sleephook >/dev/null 2>&1
took=$((($(date +%s%N) - t0) / 1000000))
if [ "$took" -ge 2000 ] && [ "$took" -lt 15000 ]; then
	ok "preStop sleep 2 delays termination: the delete took ${took} ms (>= 2 s, well under the grace of 30 s)"
else fail "preStop sleep 2 delays termination: the delete took ${took} ms"; fi

# postStart exec: runs right after the start, the container is not Running
# until it finishes, and the main process sees what the hook wrote.
POD=poststart
probe_pod poststart "while [ ! -f /tmp/hook ]; do sleep 0.1; done; cat /tmp/hook > /tmp/seen; exec busybox sleep 3600" \
	'    lifecycle: {postStart: {exec: {command: [sh, -c, "sleep 3; echo hook-ran > /tmp/h; mv /tmp/h /tmp/hook"]}}}' | $K apply -f - >/dev/null
started_ev() { events_of poststart | grep -q '^poststart Started '; }
step "postStart pod: its container started" 10 started_ev
expect_out "while the postStart hook runs: Pending, waiting ContainerCreating, READY 0/1" '^Pending ContainerCreating 0/1$' \
	bash -c "echo \$($K get pod poststart -o 'jsonpath={.status.phase} {.status.containerStatuses[0].state.waiting.reason}') \$($K get pod poststart --no-headers | awk '{print \$2}')"
step "postStart done: Running, READY 1/1" 10 eval 'phase_is poststart Running && ready_is poststart 1/1'
seen() { [ "$(cexec poststart busybox cat /tmp/seen 2>/dev/null)" = hook-ran ]; }
step "the main process saw the file the postStart hook wrote" 5 seen

# A failing postStart kills the container (FailedPostStartHook) and the
# restart policy brings it back.
POD=postfail
probe_pod postfail 'exec busybox sleep 3600' '    lifecycle: {postStart: {exec: {command: [busybox, "false"]}}}' | $K apply -f - >/dev/null
postfail_restarted() { [ "$(jp postfail '{.status.containerStatuses[0].restartCount}')" -ge 1 ] 2>/dev/null; }
step "a failing postStart hook: FailedPostStartHook event" 15 event_has postfail 'FailedPostStartHook PostStartHook failed'
step "and the container is killed and restarted (restartCount grows)" 20 postfail_restarted
expect_out "it never shows Running" '^$' jp postfail '{.status.containerStatuses[0].state.running}'

# Sidecars (init containers with restartPolicy: Always). They have lifecycle
# hooks like app containers: postStart after the start, preStop before the
# SIGTERM on deletion. They keep running beside the app containers and are
# stopped after them, the later sidecar first.
POD=sidecar
mkdir -p "$T/sidecar"
$K apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Pod
metadata: {name: sidecar}
spec:
  nodeName: n1
  terminationGracePeriodSeconds: 10
  volumes: [{name: h, hostPath: {path: "$T/sidecar", type: Directory}}]
  initContainers:
  - name: side
    image: busybox:test
    imagePullPolicy: Never
    restartPolicy: Always
    volumeMounts: [{name: h, mountPath: /h}]
    command: [sh, -c, "trap 'cat /h/prestop > /h/at-term; echo side >> /h/order; exit 0' TERM; while true; do busybox sleep 0.2; done"]
    lifecycle:
      postStart: {exec: {command: [sh, -c, "echo poststart-ran > /h/poststart"]}}
      preStop: {exec: {command: [sh, -c, "busybox sleep 1; echo prestop-ran > /h/prestop"]}}
  - name: side2
    image: busybox:test
    imagePullPolicy: Never
    restartPolicy: Always
    volumeMounts: [{name: h, mountPath: /h}]
    command: [sh, -c, "trap 'echo side2 >> /h/order; exit 0' TERM; while true; do busybox sleep 0.2; done"]
  containers:
  - name: main
    image: busybox:test
    imagePullPolicy: Never
    volumeMounts: [{name: h, mountPath: /h}]
    command: [sh, -c, "trap 'busybox sleep 2; echo main >> /h/order; exit 0' TERM; while true; do busybox sleep 0.2; done"]
EOF
step "a sidecar's postStart hook runs" 15 grep -qx poststart-ran "$T/sidecar/poststart"
step "a pod with two sidecars is Running with READY 3/3 (sidecars counted)" 15 eval 'phase_is sidecar Running && ready_is sidecar 3/3'
timeout 30 $K delete pod sidecar >/dev/null 2>&1
expect_out "a sidecar's preStop hook runs before SIGTERM reaches it" '^prestop-ran$' cat "$T/sidecar/at-term"
expect_out "deletion stops the app container first, then the sidecars, the later one first" '^main side2 side $' \
	bash -c "tr '\n' ' ' < '$T/sidecar/order'"

# A sidecar that serves a file the app container reads: the init containers
# run in order, the sidecar is started (its startupProbe passed) before the
# next container starts and keeps running beside it; its readiness counts
# for the pod's. restartPolicy Never: the sidecar is restarted all the same.
POD=sideweb
$K apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Pod
metadata: {name: sideweb}
spec:
  nodeName: n1
  restartPolicy: Never
  terminationGracePeriodSeconds: 2
  volumes: [{name: www, emptyDir: {}}]
  initContainers:
  - name: setup
    image: busybox:test
    imagePullPolicy: Never
    volumeMounts: [{name: www, mountPath: /www}]
    command: [sh, -c, "echo served-by-sidecar > /www/index.html"]
  - name: web
    image: busybox:test
    imagePullPolicy: Never
    restartPolicy: Always
    volumeMounts: [{name: www, mountPath: /www}]
    command: [sh, -c, "busybox httpd -p 8080 -h /www; busybox sleep 4; busybox touch /www/up; while [ ! -f /www/stop ]; do busybox sleep 0.2; done; busybox rm /www/stop; exit 7"]
    startupProbe: {exec: {command: [busybox, test, -f, /www/up]}, periodSeconds: 1, failureThreshold: 30}
    readinessProbe: {httpGet: {path: /index.html, port: 8080}, periodSeconds: 1, failureThreshold: 1}
  containers:
  - name: main
    image: busybox:test
    imagePullPolicy: Never
    volumeMounts: [{name: www, mountPath: /www}]
    command: [sh, -c, "busybox test -f /www/up && echo after-startup; busybox wget -q -O - http://127.0.0.1:8080/index.html; exec busybox sleep 3600"]
EOF
starting() { [ "$($K get pod sideweb --no-headers | awk '{print $2, $3}') $(jp sideweb '{.status.initContainerStatuses[1].started}')" = "0/2 Init:1/2 false" ]; }
step "while the sidecar's startupProbe has not passed: READY 0/2, STATUS Init:1/2, started false" 10 starting
step "sidecar pod: Running, READY 2/2, STATUS Running (not Init:1/2)" 20 eval "phase_is sideweb Running && [ \"\$($K get pod sideweb --no-headers | awk '{print \$2, \$3}')\" = '2/2 Running' ]"
MCID=$(jp sideweb '{.status.containerStatuses[0].containerID}')
expect_out "the app container started after the sidecar's startupProbe passed and read the file it serves" \
	'^after-startup served-by-sidecar $' bash -c "'$MINIKUBE' logs --data-dir '$A' '${MCID#minikube://}' | tr '\n' ' '"
expect_out "initContainerStatuses: setup Completed; the sidecar running, started, ready" '^Completed true true 20[0-9T:-]+Z$' \
	jp sideweb '{.status.initContainerStatuses[0].state.terminated.reason} {.status.initContainerStatuses[1].started} {.status.initContainerStatuses[1].ready} {.status.initContainerStatuses[1].state.running.startedAt}'
expect_out "conditions Initialized, Ready True" '^True True$' \
	jp sideweb '{.status.conditions[?(@.type=="Initialized")].status} {.status.conditions[?(@.type=="Ready")].status}'
sexec() { # sexec POD INDEX CMD...: runs CMD in the pod's init container INDEX
	local cid
	cid=$(jp "$1" "{.status.initContainerStatuses[$2].containerID}")
	shift 2
	"$MINIKUBE" exec --data-dir "$A" "${cid#minikube://}" "$@"
}
sexec sideweb 1 busybox mv /www/index.html /www/away
step "the sidecar's readiness fails: READY 1/2 and the pod not Ready" 10 eval \
	"ready_is sideweb 1/2 && [ \"\$(jp sideweb '{.status.conditions[?(@.type==\"Ready\")].status} {.status.initContainerStatuses[1].ready}')\" = 'False false' ]"
sexec sideweb 1 busybox mv /www/away /www/index.html
step "ready again: READY 2/2" 10 ready_is sideweb 2/2
sexec sideweb 1 busybox touch /www/stop
side_restarted() { [ "$(jp sideweb '{.status.initContainerStatuses[1].restartCount}')" -ge 1 ] 2>/dev/null; }
step "a sidecar that exits is restarted though the pod's restartPolicy is Never" 15 side_restarted
expect_out "its lastState: exit code 7" '^7$' jp sideweb '{.status.initContainerStatuses[1].lastState.terminated.exitCode}'
step "restarted: running, ready (READY 2/2), the pod Running" 15 eval "ready_is sideweb 2/2 && phase_is sideweb Running"
expect_out "the app container was not restarted" '^0 0$' \
	jp sideweb '{.status.containerStatuses[0].restartCount} {.status.initContainerStatuses[0].restartCount}'

# The Job pattern sidecars exist for: restartPolicy Never, the app container
# completes, the sidecar is stopped (SIGTERM) and the pod Succeeds instead of
# running forever.
POD=sidejob
mkdir -p "$T/sidejob"
$K apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Pod
metadata: {name: sidejob}
spec:
  nodeName: n1
  restartPolicy: Never
  terminationGracePeriodSeconds: 30
  volumes: [{name: h, hostPath: {path: "$T/sidejob", type: Directory}}]
  initContainers:
  - name: logger
    image: busybox:test
    imagePullPolicy: Never
    restartPolicy: Always
    volumeMounts: [{name: h, mountPath: /h}]
    command: [sh, -c, "trap 'echo got-term > /h/term; exit 0' TERM; echo sidecar-up > /h/up; while true; do busybox sleep 0.2; done"]
  containers:
  - name: main
    image: busybox:test
    imagePullPolicy: Never
    volumeMounts: [{name: h, mountPath: /h}]
    command: [sh, -c, "busybox sleep 1; busybox cat /h/up > /h/main"]
EOF
t0=$(date +%s)
step "Job-style pod with a sidecar: Succeeded once the app completed" 25 phase_is sidejob Succeeded
took=$(($(date +%s) - t0))
if [ "$took" -lt 20 ]; then ok "the sidecar was stopped by SIGTERM, not left to its 30 s grace (${took} s)"; else fail "the sidecar was stopped by SIGTERM (took ${took} s)"; fi
expect_out "the app container saw the sidecar running; the sidecar got SIGTERM" '^sidecar-up got-term$' \
	bash -c "echo \$(cat '$T/sidejob/main' '$T/sidejob/term')"
expect_out "statuses: main Completed 0, the sidecar terminated 0 and not restarted" '^0 Completed 0 0$' \
	jp sidejob '{.status.containerStatuses[0].state.terminated.exitCode} {.status.containerStatuses[0].state.terminated.reason} {.status.initContainerStatuses[0].state.terminated.exitCode} {.status.initContainerStatuses[0].restartCount}'
expect_out "kubectl get pod: READY 0/2, STATUS Completed" '^0/2 Completed$' \
	bash -c "$K get pod sidejob --no-headers | awk '{print \$2, \$3}'"

# An init container after a sidecar fails with restartPolicy Never: the pod
# Fails and its sidecar is stopped, not left running.
POD=sidefail
$K apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Pod
metadata: {name: sidefail}
spec:
  nodeName: n1
  restartPolicy: Never
  terminationGracePeriodSeconds: 30
  initContainers:
  - name: side
    image: busybox:test
    imagePullPolicy: Never
    restartPolicy: Always
    command: [sh, -c, "trap 'exit 0' TERM; while true; do busybox sleep 0.2; done"]
  - {name: fails, image: busybox:test, imagePullPolicy: Never, command: [sh, -c, "exit 4"]}
  containers:
  - {name: main, image: busybox:test, imagePullPolicy: Never, command: [busybox, sleep, "3600"]}
EOF
side_stopped() { [ "$(jp sidefail '{.status.phase} {.status.initContainerStatuses[0].state.terminated.exitCode}')" = "Failed 0" ]; }
step "a failed init container after a sidecar: Failed, and the sidecar stopped" 20 side_stopped
expect_out "kubectl get pod: STATUS Init:Error; the app container never ran" '^Init:Error PodInitializing$' \
	bash -c "echo \$($K get pod sidefail --no-headers | awk '{print \$3}') \$($K get pod sidefail -o 'jsonpath={.status.containerStatuses[0].state.waiting.reason}')"

# A postStart hook still running when the agent is killed runs again on the
# adopted container (hooks are delivered at least once; a kubelet restarted
# mid-hook may resend one): the container shows Running only once that run
# ended, never with its hook forgotten. Each run numbers itself.
POD=rerun
mkdir -p "$T/rerun"
$K apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Pod
metadata: {name: rerun}
spec:
  nodeName: n1
  terminationGracePeriodSeconds: 1
  volumes: [{name: h, hostPath: {path: "$T/rerun", type: Directory}}]
  containers:
  - name: main
    image: busybox:test
    imagePullPolicy: Never
    volumeMounts: [{name: h, mountPath: /h}]
    command: [busybox, sleep, "3600"]
    lifecycle: {postStart: {exec: {command: [sh, -c, 'echo run >> /h/runs; n=\$(busybox grep -c run /h/runs); busybox sleep 6; echo end-\$n >> /h/ends']}}}
EOF
hook_runs() { [ "$(grep -c run "$T/rerun/runs" 2>/dev/null)" -ge "$1" ]; }
step "rerun: its postStart hook started" 15 hook_runs 1

# 7. kill -9 of the agent: the container keeps running, status stays Running.
PID_BEFORE=$("$MINIKUBE" ps --data-dir "$A" 2>/dev/null | grep "^$CID" | head -1)
RV_PID=$(cat "$A/containers/$CID/state.json" 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])' 2>/dev/null)
stop_agent n1
sleep 1
start_agent n1 "$A"
sleep 4
RV_PID2=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pid"])' "$A/containers/$CID/state.json" 2>/dev/null)
if [ -n "$RV_PID" ] && [ "$RV_PID" = "$RV_PID2" ] && kill -0 "$RV_PID" 2>/dev/null; then
	ok "after kill -9 and restart of the agent the same container pid runs"
else fail "after kill -9 and restart of the agent the same container pid runs ($RV_PID vs $RV_PID2)"; fi
POD=sleeper
expect_out "status stays Running with the same container" "^Running minikube://$CID 0\$" \
	jp sleeper '{.status.phase} {.status.containerStatuses[0].containerID} {.status.containerStatuses[0].restartCount}'
if grep -q "re-adopted container id=$CID" "$A.log"; then ok "the agent re-adopted the container"; else fail "the agent re-adopted the container"; fi
POD=rerun
step "a postStart hook the killed agent left running runs again after the restart" 20 hook_runs 2
running_state() { [ -n "$(jp rerun '{.status.containerStatuses[0].state.running}')" ]; }
if wait_for 30 running_state && grep -qx end-2 "$T/rerun/ends" 2>/dev/null; then
	ok "the container shows Running only once the hook's new run ended"
else
	fail "the container shows Running only once the hook's new run ended"
	show rerun
	cat "$T/rerun/runs" "$T/rerun/ends" 2>&1 | sed 's/^/     hook: /'
fi

# 8. SIGTERM stops the agent promptly; its pods keep running.
kill -TERM "${AGENT_PID[n1]}"
stopped=no
for _ in $(seq 1 50); do kill -0 "${AGENT_PID[n1]}" 2>/dev/null || { stopped=yes; break; }; sleep 0.1; done
if [ $stopped = yes ] && kill -0 "$RV_PID" 2>/dev/null; then ok "agent exits on SIGTERM, the pod keeps running"; else fail "agent exits on SIGTERM, the pod keeps running"; fi
stop_agent n1
start_agent n1 "$A"

# 9. The server restarts: the agent's watch ends, it lists again and runs new pods.
kill_server
start_server
POD=after
pod_yaml after Always false 'sleep 3600' | $K apply -f - >/dev/null
step "after a server restart a new pod runs (relist + watch)" 20 phase_is after Running

# 10. kubectl delete pod returns and the containers are gone.
if timeout 30 $K delete pod sleeper >/dev/null 2>&1; then ok "kubectl delete pod returns"; else fail "kubectl delete pod returns"; show sleeper; fi
expect_fail "the pod object is gone" 'NotFound|not found' $K get pod sleeper
if [ ! -e "$A/containers/$CID" ] && ! kill -0 "$RV_PID" 2>/dev/null; then ok "its containers are gone"; else fail "its containers are gone"; fi
if [ -n "$SLEEPER_UID" ] && [ ! -e "$A/pods/$SLEEPER_UID" ]; then ok "its pod directory is gone"; else fail "its pod directory is gone ($SLEEPER_UID)"; fi
if timeout 60 $K delete pod fails works crasher inits noimage nopull hostnet after withcfg latecfg readyexec readyhttp startup liveness slowprobe hostprobes grpcprobe poststart postfail rerun sideweb sidejob sidefail >/dev/null 2>&1; then ok "deleting the other pods returns"; else fail "deleting the other pods returns"; fi
left() { [ -z "$(ls "$A/containers" 2>/dev/null)" ]; }
step "no runtime containers left on the node" 10 left
if awk -v t="$A" 'index($2, t) == 1' /proc/mounts | grep -q .; then fail "no mounts left under the agent's data dir"; else ok "no mounts left under the agent's data dir"; fi

finish
