#!/bin/bash
# Cluster DNS answered by the node agent, end to end: `minikube server` with
# its embedded agent publishes kube-system/kube-dns at 10.43.0.10 and answers
# there over UDP and TCP: Services (A, SRV), headless Services from manual
# EndpointSlices, ExternalName (CNAME), pod names, NXDOMAIN with the SOA, and
# names that go away with their Service. Queries are sent by a small python
# client (no dig on the machine). Needs root.
set -u
: "${MINIKUBE:?set MINIKUBE to the minikube binary}"
if [ "$(id -u)" != 0 ]; then
	echo "dns_test: skipped (needs root)"
	exit 0
fi
AGENT_FLAG=""
. "$(dirname "$0")/lib.sh"
DNS=10.43.0.10
dns_cleanup() {
	cleanup
	# a killed agent cannot take its address back; the proxy's table
	# outlives the agent by design
	ip link del mk-dns 2>/dev/null
	ip addr del "$DNS/32" dev lo 2>/dev/null
	nft delete table ip minikube-svc 2>/dev/null
}
trap dns_cleanup EXIT

# q NAME [TYPE] [tcp]: prints "rcode=N" then one line per answer record
cat >"$T/q.py" <<'PY'
import random, socket, struct, sys
name, qtype = sys.argv[1], {"A": 1, "CNAME": 5, "SRV": 33, "TXT": 16, "AAAA": 28}[sys.argv[2]]
tcp = len(sys.argv) > 3
qid = random.randrange(65536)
msg = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
for label in name.split("."):
    msg += bytes([len(label)]) + label.encode()
msg += b"\0" + struct.pack(">HH", qtype, 1)
if tcp:
    s = socket.create_connection(("10.43.0.10", 53), timeout=3)
    s.sendall(struct.pack(">H", len(msg)) + msg)
    n = struct.unpack(">H", s.recv(2))[0]
    r = b""
    while len(r) < n:
        r += s.recv(n - len(r))
else:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(3)
    s.sendto(msg, ("10.43.0.10", 53))
    r = s.recv(65535)
assert struct.unpack(">H", r[:2])[0] == qid, "wrong id"
def rname(off):
    out, end = [], None
    while True:
        l = r[off]
        if l >= 0xC0:
            end = off + 2 if end is None else end
            off = struct.unpack(">H", r[off:off + 2])[0] & 0x3FFF
            continue
        if l == 0:
            return ".".join(out), off + 1 if end is None else end
        out.append(r[off + 1:off + 1 + l].decode())
        off += 1 + l
flags, qd, an, ns, ar = struct.unpack(">HHHHH", r[2:12])
print("rcode=%d" % (flags & 15))
off = 12
for _ in range(qd):
    off = rname(off)[1] + 4
for sec, count in (("AN", an), ("NS", ns)):
    for _ in range(count):
        owner, off = rname(off)
        t, _, ttl, rdlen = struct.unpack(">HHIH", r[off:off + 10])
        rd = off + 10
        data = ""
        if t == 1:
            data = socket.inet_ntoa(r[rd:rd + 4])
        elif t in (5, 6):
            data = rname(rd)[0]
        elif t == 33:
            data = "%d %s" % (struct.unpack(">H", r[rd + 4:rd + 6])[0], rname(rd + 6)[0])
        print(sec, owner, t, data)
        off = rd + rdlen
PY
q() { /usr/bin/python3 "$T/q.py" "$@"; }

start_server
K=kubectl
answers() { q "$1" "$2" | grep -q -- "$3"; }

expect_out "kube-dns Service at the tenth address" "^$DNS$" \
	$K get svc -n kube-system kube-dns -o 'jsonpath={.spec.clusterIP}'
expect_out "kube-dns ports" "dns-tcp" $K get svc -n kube-system kube-dns -o yaml
wait_for 30 answers kubernetes.default.svc.cluster.local A "10.43.0.1$" || true
expect_out "kubernetes.default answers" "AN kubernetes.default.svc.cluster.local 1 10.43.0.1$" \
	q kubernetes.default.svc.cluster.local A
expect_out "the query's case is kept" "AN KUBERNETES.default.svc.Cluster.Local 1 10.43.0.1$" \
	q KUBERNETES.default.svc.Cluster.Local A
expect_out "over TCP" "AN kubernetes.default.svc.cluster.local 1 10.43.0.1$" \
	q kubernetes.default.svc.cluster.local A tcp

check "create a Service" $K create service clusterip web --tcp=80:8080
WEB=$($K get svc web -o 'jsonpath={.spec.clusterIP}')
wait_for 10 answers web.default.svc.cluster.local A "$WEB" || true
expect_out "Service A record" "AN web.default.svc.cluster.local 1 $WEB$" q web.default.svc.cluster.local A
expect_out "SRV for the named port" "33 80 web.default.svc.cluster.local" \
	q _80-8080._tcp.web.default.svc.cluster.local SRV
expect_out "NODATA for another type, with the SOA" "NS cluster.local 6" q web.default.svc.cluster.local TXT
expect_out "NXDOMAIN for a missing Service" "rcode=3" q nope.default.svc.cluster.local A
expect_out "pod A record" "AN 10-42-0-7.default.pod.cluster.local 1 10.42.0.7" \
	q 10-42-0-7.default.pod.cluster.local A

cat <<'Y' | $K apply -f - >/dev/null
apiVersion: v1
kind: Service
metadata: {name: hl}
spec:
  clusterIP: None
  ports: [{name: http, port: 80}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: hl-1
  labels: {kubernetes.io/service-name: hl}
addressType: IPv4
ports: [{name: http, port: 80, protocol: TCP}]
endpoints:
- addresses: [10.42.0.99]
  hostname: web-0
  conditions: {ready: true}
- addresses: [10.42.0.98]
  conditions: {ready: false}
Y
wait_for 10 answers hl.default.svc.cluster.local A 10.42.0.99 || true
expect_out "headless Service: ready endpoints" "AN hl.default.svc.cluster.local 1 10.42.0.99$" \
	q hl.default.svc.cluster.local A
expect_out "headless endpoint by hostname" "AN web-0.hl.default.svc.cluster.local 1 10.42.0.99" \
	q web-0.hl.default.svc.cluster.local A
expect_fail "not-ready endpoints left out" "" bash -c "/usr/bin/python3 $T/q.py hl.default.svc.cluster.local A | grep 10.42.0.98"

check "create an ExternalName Service" $K create service externalname ext --external-name db.example.com
wait_for 10 answers ext.default.svc.cluster.local A db.example.com || true
expect_out "ExternalName answers a CNAME" "AN ext.default.svc.cluster.local 5 db.example.com" \
	q ext.default.svc.cluster.local A

check "delete the Service" $K delete svc web
wait_for 10 answers web.default.svc.cluster.local A "rcode=3" || true
expect_out "its name is gone" "rcode=3" q web.default.svc.cluster.local A

finish
