#!/bin/bash
# Services and cluster DNS across three nodes on one machine (the topology of
# netnodes.sh: n1 and n2 on one link, n3 behind the host through VXLAN), with
# busybox httpd pods p1 p2 p3 (app=web), one per node. Checks, from inside
# pods and from the host: a Service by short and full name through the pod's
# resolv.conf, its ClusterIP spreading over all three nodes, Docker-link
# environment variables, a headless Service's pod IPs, a pod reaching its own
# Service (hairpin), the NodePort on each node from the host, outside names
# answered by the node's upstream resolver (a tiny one this script runs on its
# own machine, the agents' /etc/resolv.conf naming it), a pod failing its
# readiness probe getting no traffic, and a Deployment scaled 3 -> 0 -> 2 with
# every node's rules following within a second. Needs root, busybox-static,
# nftables, python3, curl and unshare.
# Usage: MINIKUBE=path/to/minikube bash conformance/service_network_test.sh
set -u
: "${MINIKUBE:?set MINIKUBE to the minikube binary}"
if [ "$(id -u)" != 0 ]; then echo "service_network_test: skipped (needs root)"; exit 0; fi
for b in /bin/busybox nft ip python3 curl unshare nsenter; do
	command -v "$b" >/dev/null || { echo "service_network_test: skipped (needs $b)"; exit 0; }
done
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/netnodes.sh"

# The upstream resolver: a machine of its own on n1 and n2's link, answering
# one made-up name (A only) and NXDOMAIN for everything else; it logs every
# question it gets.
UP_NAME=upstream-check.mk-test UP_ANSWER=192.0.2.53 UP_IP="172.31.$NET_A.53"
cat >"$T/upstream.py" <<'EOF'
import socket, struct, sys
addr, name, answer, log = sys.argv[1], sys.argv[2], sys.argv[3], open(sys.argv[4], "a")
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((addr, 53))
while True:
    q, peer = s.recvfrom(4096)
    try:
        qid, flags, qd = struct.unpack("!HHH", q[:6])
        i, labels = 12, []
        while q[i]:
            labels.append(q[i + 1:i + 1 + q[i]].decode("ascii", "replace"))
            i += 1 + q[i]
        qtype, = struct.unpack("!H", q[i + 1:i + 3])
        question = q[12:i + 5]
    except (IndexError, struct.error):
        continue
    qname = ".".join(labels).lower()
    log.write("%s %d\n" % (qname, qtype))
    log.flush()
    rd = flags & 0x0100
    if qname == name:
        ans = b""
        if qtype == 1:
            ans = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 30, 4) + socket.inet_aton(answer)
        hdr = struct.pack("!HHHHHH", qid, 0x8480 | rd, 1, 1 if ans else 0, 0, 0)
    else:
        ans = b""
        hdr = struct.pack("!HHHHHH", qid, 0x8483 | rd, 1, 0, 0, 0)
    s.sendto(hdr + question + ans, peer)
EOF
: >"$T/upstream.log"
net_up
if ! add_host "pn$R-up" 53; then
	fail "the upstream resolver's namespace set up"
	finish
	exit 1
fi
nsenter --net="/run/netns/pn$R-up" python3 "$T/upstream.py" "$UP_IP" "$UP_NAME" "$UP_ANSWER" "$T/upstream.log" \
	>"$T/upstream.out" 2>&1 &
TMP_PIDS+=($!)
printf 'nameserver %s\n' "$UP_IP" >"$T/resolv.conf"
NODE_RESOLV="$T/resolv.conf"

nodes_up
web_pod p1 n1
web_pod p2 n2
web_pod p3 n3
for p in p1 p2 p3; do step "$p Running with a podIP" 30 running "$p"; done
IP1=$(jp p1 '{.status.podIP}') IP2=$(jp p2 '{.status.podIP}') IP3=$(jp p3 '{.status.podIP}')

# hits N CMD...: the distinct bodies of N answers of CMD, one a line
hits() { local n=$1; shift; for _ in $(seq 1 "$n"); do "$@"; echo; done | grep . | sort -u; }
# answers_from N WANTED CMD...: every pod named in WANTED ("p1 p2") answers within N tries
answers_from() {
	local n=$1 want=$2 seen
	shift 2
	seen=$(hits "$n" "$@")
	for w in $want; do printf '%s\n' "$seen" | grep -qx "hello-from-$w" || return 1; done
}
svc_ip() { $K get svc "$1" -o 'jsonpath={.spec.clusterIP}'; }
lookup() { pexec p1 0 busybox nslookup "$@" 2>&1; } # lookup NAME: from p1, through its resolv.conf
# on_node INDEX CMD...: CMD in node INDEX's network namespace
on_node() { local i=$1; shift; nsenter --net="/run/netns/${NS[$i]}" "$@"; }

# ---- a Service over the three pods, by name and by ClusterIP ----
printf 'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]\n' |
	$K apply -f - >/dev/null
CIP=$(svc_ip web)
expect_out "the pod's resolv.conf names cluster DNS" "^nameserver 10\.43\.0\.10$" pexec p1 0 busybox cat /etc/resolv.conf
expect_out "the pod's resolv.conf searches its namespace" "^search default\.svc\.cluster\.local svc\.cluster\.local cluster\.local" \
	pexec p1 0 busybox cat /etc/resolv.conf
resolves() { lookup "$1" | grep -q "Address.*$2\$"; }
step "a pod resolves the Service by its short name" 15 resolves web "$CIP"
expect_out "and by web.default.svc.cluster.local" "Address:? *$CIP\$" lookup web.default.svc.cluster.local
step "the ClusterIP spreads over the pods on all three nodes" 20 answers_from 30 "p1 p2 p3" http p1 0 "$CIP"
cat <<EOF | $K apply -f - >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: envp}
spec:
  nodeName: n1
  terminationGracePeriodSeconds: 0
  containers: [{name: c, image: busybox:test, imagePullPolicy: Never, command: [busybox, sleep, "3600"]}]
EOF
step "envp Running" 30 running envp
has_env() { pexec envp 0 busybox env | grep -qx "$1"; }
step "a pod created after the Service gets WEB_SERVICE_HOST" 10 has_env "WEB_SERVICE_HOST=$CIP"
step "and KUBERNETES_SERVICE_HOST" 10 has_env "KUBERNETES_SERVICE_HOST=10.43.0.1"
$K delete pod envp --wait=false >/dev/null 2>&1

# ---- a headless Service: its name resolves to the ready pods' own IPs ----
printf 'apiVersion: v1\nkind: Service\nmetadata: {name: webh}\nspec:\n  clusterIP: None\n  selector: {app: web}\n  ports: [{port: 80}]\n' |
	$K apply -f - >/dev/null
expect_out "a headless Service has no ClusterIP" '^None$' svc_ip webh
headless_ips() {
	local out
	out=$(lookup webh.default.svc.cluster.local) || return 1
	for ip in "$IP1" "$IP2" "$IP3"; do printf '%s\n' "$out" | grep -q "Address:\? *$ip\$" || return 1; done
}
step "a headless Service resolves to the pod IPs on all three nodes" 15 headless_ips

# ---- hairpin: a pod reaching its own Service, whose only endpoint it is ----
$K label pod p1 solo=yes >/dev/null
printf 'apiVersion: v1\nkind: Service\nmetadata: {name: solo}\nspec:\n  selector: {solo: "yes"}\n  ports: [{port: 8080, targetPort: 80}]\n' |
	$K apply -f - >/dev/null
SOLO=$(svc_ip solo)
solo_answers() { [ "$(http "$1" "$2" "$SOLO" 8080)" = hello-from-p1 ]; }
step "p1 reaches its own Service (hairpin)" 15 solo_answers p1 0
step "and p3 on another node reaches it too" 15 solo_answers p3 2

# ---- NodePort: from the host, on every node's address ----
printf 'apiVersion: v1\nkind: Service\nmetadata: {name: webnp}\nspec:\n  type: NodePort\n  selector: {app: web}\n  ports: [{port: 80}]\n' |
	$K apply -f - >/dev/null
NP=$($K get svc webnp -o 'jsonpath={.spec.ports[0].nodePort}')
node_port() { curl -s -m 3 "http://${IPS[$1]}:$NP/"; }
node_port_answers() { node_port "$1" | grep -q '^hello-from-p[123]$'; }
for i in 0 1 2; do
	step "host -> NodePort $NP on n$((i + 1)) (${IPS[$i]}) answers" 15 node_port_answers "$i"
done
step "host -> n3's NodePort reaches the pods on all three nodes" 20 answers_from 30 "p1 p2 p3" node_port 2

# ---- names outside the cluster go to the node's upstream resolver ----
outside() { lookup "$UP_NAME" | grep -q "Address:\? *$UP_ANSWER\$"; }
step "a pod resolves an outside name through the upstream resolver" 15 outside
expect_out "the upstream resolver was asked that name" "^$UP_NAME 1\$" cat "$T/upstream.log"
expect_out "an outside name the upstream does not know is NXDOMAIN" "NXDOMAIN" lookup "nothere.mk-test"
expect_out "a missing cluster name is NXDOMAIN" "NXDOMAIN" lookup nosuch.default.svc.cluster.local
if grep -q 'cluster\.local' "$T/upstream.log"; then
	fail "cluster.local names are answered by the node, never forwarded"
	grep 'cluster\.local' "$T/upstream.log" | head -5 | sed 's/^/     /'
else ok "cluster.local names are answered by the node, never forwarded"; fi

# ---- a pod failing its readiness probe gets no traffic ----
rdy_pod() { # rdy_pod NAME NODE [READINESS_PROBE]
	local probe=""
	[ -n "${3:-}" ] && probe="    readinessProbe: $3"
	cat <<EOF | $K apply -f - >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: $1, labels: {tier: rdy}}
spec:
  nodeName: $2
  terminationGracePeriodSeconds: 0
  containers:
  - name: web
    image: busybox:test
    imagePullPolicy: Never
    command: [sh, -c, "mkdir -p /www && echo hello-from-$1 > /www/index.html && exec busybox httpd -f -p 80 -h /www"]
$probe
EOF
}
rdy_pod rdy-ok n1 "{exec: {command: [busybox, 'true']}, periodSeconds: 1}"
rdy_pod rdy-bad n2 "{exec: {command: [busybox, 'false']}, periodSeconds: 1}"
printf 'apiVersion: v1\nkind: Service\nmetadata: {name: rdy}\nspec:\n  selector: {tier: rdy}\n  ports: [{port: 80}]\n' |
	$K apply -f - >/dev/null
RDY=$(svc_ip rdy)
pod_ready() { [ "$(jp "$1" '{.status.conditions[?(@.type=="Ready")].status}')" = "$2" ]; }
step "rdy-ok passes its readiness probe: Ready" 30 pod_ready rdy-ok True
running_not_ready() { [ "$(jp "$1" '{.status.phase} {.status.conditions[?(@.type=="Ready")].status}')" = "Running False" ]; }
step "rdy-bad fails its readiness probe: Running, not Ready" 30 running_not_ready rdy-bad
IPB=$(jp rdy-bad '{.status.podIP}')
expect_out "the Endpoints list rdy-bad as not ready only" "^$(jp rdy-ok '{.status.podIP}') $IPB\$" \
	$K get endpoints rdy -o 'jsonpath={.subsets[0].addresses[*].ip} {.subsets[0].notReadyAddresses[*].ip}'
only_ok() { [ "$(hits 20 http p3 2 "$RDY")" = hello-from-rdy-ok ]; }
step "the ClusterIP sends nothing to the not-ready pod (20 requests)" 10 only_ok
expect_out "rdy-bad itself serves (it is only not ready)" '^hello-from-rdy-bad$' http p3 2 "$IPB"
check "rdy-bad is still not Ready" running_not_ready rdy-bad
$K delete pod rdy-ok rdy-bad --wait=false >/dev/null 2>&1

# ---- a Deployment scaled 3 -> 0 -> 2: every node's rules follow within 1 s ----
cat <<EOF | $K apply -f - >/dev/null
apiVersion: apps/v1
kind: Deployment
metadata: {name: dep}
spec:
  replicas: 3
  selector: {matchLabels: {app: dep}}
  template:
    metadata: {labels: {app: dep}}
    spec:
      terminationGracePeriodSeconds: 0
      containers:
      - name: web
        image: busybox:test
        imagePullPolicy: Never
        command: [sh, -c, "mkdir -p /www && busybox hostname > /www/index.html && exec busybox httpd -f -p 80 -h /www"]
---
apiVersion: v1
kind: Service
metadata: {name: dep}
spec:
  selector: {app: dep}
  ports: [{port: 80}]
EOF
DCIP=$(svc_ip dep)
# dep_pods: "NAME READY DELETING" per pod of the Deployment
dep_pods() {
	$K get pods -l app=dep -o 'jsonpath={range .items[*]}{.metadata.name} {.status.conditions[?(@.type=="Ready")].status} {.metadata.deletionTimestamp}{"\n"}{end}' 2>/dev/null
}
# dep_settled N: exactly N pods, all Ready, none terminating (N=0: none at all)
dep_settled() {
	local out
	out=$(dep_pods) || return 1
	[ "$(printf '%s\n' "$out" | grep -c .)" = "$1" ] || return 1
	[ "$(printf '%s\n' "$out" | grep -c '^[^ ]* True $')" = "$1" ]
}
# poll_cip: every 0.1 s, one line "TIME RC:BODY RC:BODY RC:BODY": a GET of
# the ClusterIP from n1, n2 and n3 at once (curl's exit status 7 is a refused
# connection, 28 a timeout: a short one, so that a request to a pod that is
# gone does not hide what the next one would see).
poll_one() { # poll_one INDEX: "RC:BODY" into $T/poll.INDEX
	local body rc
	body=$(on_node "$1" curl -s -m 0.3 "http://$DCIP/" 2>/dev/null)
	rc=$?
	body=${body%%[[:space:]]*}
	echo "$rc:${body:-none}" >"$T/poll.$1"
}
poll_cip() {
	local t
	while :; do
		t=$(date +%s.%N)
		poll_one 0 & poll_one 1 & poll_one 2 &
		wait
		echo "$t $(cat "$T/poll.0") $(cat "$T/poll.1") $(cat "$T/poll.2")"
		sleep 0.1
	done
}
# scale_and_measure N: scales dep to N, waits until its pods settle (all N
# Ready, or all gone), and sets LAG to the seconds from then until the
# ClusterIP follows for good on all three nodes (refused for N=0, answered by
# a dep pod otherwise); negative when it followed first; "never" if it had
# not followed 10 s later.
T0=0
scale_and_measure() {
	local want=$1 log="$T/poll-$1" t0 pid
	poll_cip >"$log" &
	pid=$!
	TMP_PIDS+=("$pid")
	$K scale deployment dep --replicas="$want" >/dev/null
	t0=""
	for _ in $(seq 1 600); do
		dep_settled "$want" && { t0=$(date +%s.%N); T0=$t0; break; }
		sleep 0.1
	done
	if [ -z "$t0" ]; then
		kill "$pid"
		LAG="never (pods did not settle: $(dep_pods | tr '\n' ';'))"
		return 1
	fi
	# until the poller has seen it settle plus 1 s, at most 10 s
	for _ in $(seq 1 100); do
		awk -v t0="$t0" -v w="$want" 'END { ok = 1; for (i = 2; i <= NF; i++) { split($i, a, ":");
			if (w == 0 ? a[1] != 7 : (a[1] != 0 || a[2] !~ /^dep-/)) ok = 0 }
			exit !(ok && $1 > t0 + 1) }' "$log" && break
		sleep 0.1
	done
	kill "$pid"
	wait "$pid" 2>/dev/null
	# the first line of the last run of lines that follow
	LAG=$(awk -v t0="$t0" -v w="$want" '{ ok = 1; for (i = 2; i <= NF; i++) { split($i, a, ":");
			if (w == 0 ? a[1] != 7 : (a[1] != 0 || a[2] !~ /^dep-/)) ok = 0 }
			if (ok && !run) { run = 1; t1 = $1 } if (!ok) run = 0 }
		END { if (run) printf "%.2f", t1 - t0; else print "never" }' "$log")
}
dep_answers() { # dep_answers N: N distinct dep pods answer the ClusterIP from every node
	for i in 0 1 2; do
		[ "$(hits 20 on_node "$i" curl -s -m 2 "http://$DCIP/" | grep -c '^dep-')" = "$1" ] || return 1
	done
}
step "dep: 3 pods Ready" 60 dep_settled 3
step "dep: the ClusterIP spreads over the 3 pods from every node" 15 dep_answers 3
within_1s() { awk -v l="$1" 'BEGIN { exit !(l != "never" && l + 0 <= 1.0) }'; }
scale_and_measure 0
if within_1s "$LAG"; then ok "dep scaled to 0: the ClusterIP refuses on every node within 1 s (${LAG}s)"; else
	fail "dep scaled to 0: the ClusterIP refuses on every node within 1 s (${LAG}s)"
	echo "     pods settled at $T0"
	awk -v t0="$T0" '$1 > t0 - 1.5' "$T/poll-0" | head -30 | sed 's/^/     /'
fi
expect_out "dep: no endpoints left" '^$' $K get endpoints dep -o 'jsonpath={.subsets[*].addresses[*].ip}'
expect_out "dep: n1's nft rules reject the ClusterIP" "$DCIP" on_node 0 nft list map ip minikube-svc no-endpoint-services
scale_and_measure 2
if within_1s "$LAG"; then ok "dep scaled to 2: the ClusterIP answers on every node within 1 s (${LAG}s)"; else
	fail "dep scaled to 2: the ClusterIP answers on every node within 1 s (${LAG}s)"
	echo "     pods settled at $T0"
	awk -v t0="$T0" '$1 > t0 - 1.5' "$T/poll-2" | head -30 | sed 's/^/     /'
fi
expect_out "dep: 2 endpoints" '^[0-9.]+ [0-9.]+$' $K get endpoints dep -o 'jsonpath={.subsets[*].addresses[*].ip}'
step "dep: both new pods get traffic from every node" 10 dep_answers 2
rejects_dep() { on_node 2 nft list map ip minikube-svc no-endpoint-services | grep -q "$DCIP "; }
if rejects_dep; then fail "dep: n3's nft rules no longer reject the ClusterIP"; else ok "dep: n3's nft rules no longer reject the ClusterIP"; fi

$K delete deployment dep --wait=false >/dev/null 2>&1
$K delete pod p1 p2 p3 --wait=false >/dev/null 2>&1
finish
