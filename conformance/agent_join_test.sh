#!/bin/bash
# Node join end to end: join tokens, the node-certificate exchange pinned by
# the token's CA hash, Node registration and Lease renewal by `minikube
# agent`, and the node authorizer (a node may only touch its own objects).
. "$(dirname "$0")/lib.sh"
start_server

K=kubectl
URL="https://127.0.0.1:$PORT"
D="$T/data"

expect_out "agent --help lists --join and --token" '--join URL.*' "$MINIKUBE" agent --help
expect_out "token --help lists create/list/delete" 'token delete ID' "$MINIKUBE" token --help

TOKEN=$("$MINIKUBE" token create --data-dir "$D" --ttl 2h --description "kitchen pi")
expect_out "token create prints a K10 token" '^K10[0-9a-f]{64}::[0-9a-f]{6}\.[0-9a-f]{16}$' echo "$TOKEN"
TID=$(echo "$TOKEN" | sed 's/.*::\([0-9a-f]*\)\..*/\1/')
SECRET=${TOKEN##*.}
expect_out "token list shows id and description" "^$TID +[0-9T:-]+Z +kitchen pi$" "$MINIKUBE" token list --data-dir "$D"
if "$MINIKUBE" token list --data-dir "$D" | grep -q "$SECRET" || grep -q "$SECRET" "$D/tls/join-tokens"; then
	fail "token secret is never listed nor stored"
else ok "token secret is never listed nor stored"; fi
expect_out "join-tokens file is 0600" '^600$' stat -c %a "$D/tls/join-tokens"

start_agent --token "$TOKEN" n1 "$T/agent1" --zone kitchen --node-labels room=kitchen
if wait_for 10 node_ready n1; then ok "n1 joins and is Ready"; else fail "n1 joins and is Ready"; cat "$T/agent1.log"; fi
expect_out "kubectl get nodes shows n1 Ready" '^n1 +Ready ' $K get nodes
expect_out "zone and hostname labels" '^kitchen n1 kitchen$' $K get node n1 -o 'jsonpath={.metadata.labels.topology\.kubernetes\.io/zone} {.metadata.labels.kubernetes\.io/hostname} {.metadata.labels.room}'
expect_out "node key is 0600 and stays on the node" '^600$' stat -c %a "$T/agent1/agent/node.key"
expect_out "node certificate is system:node:n1 in system:nodes" 'O ?= ?system:nodes, CN ?= ?system:node:n1' openssl x509 -in "$T/agent1/agent/node.crt" -noout -subject
expect_out "node certificate is for client auth" 'TLS Web Client Authentication' openssl x509 -in "$T/agent1/agent/node.crt" -noout -ext extendedKeyUsage

if wait_for 5 $K -n kube-node-lease get lease n1; then ok "lease kube-node-lease/n1 exists"; else fail "lease kube-node-lease/n1 exists"; fi
expect_out "lease holder and duration" '^n1 40$' $K -n kube-node-lease get lease n1 -o 'jsonpath={.spec.holderIdentity} {.spec.leaseDurationSeconds}'
R1=$($K -n kube-node-lease get lease n1 -o 'jsonpath={.spec.renewTime}')
expect_out "renewTime is a MicroTime" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{6}Z$' echo "$R1"
lease_advanced() { [ "$($K -n kube-node-lease get lease n1 -o 'jsonpath={.spec.renewTime}')" != "$R1" ]; }
if wait_for 15 lease_advanced; then ok "lease renewTime advances"; else fail "lease renewTime advances"; fi

# Wrong secret: refused by the server with a clear message.
BAD="${TOKEN%.*}.0123456789abcdef"
expect_fail "a wrong token secret is refused" 'refused the join token \(401' \
	"$MINIKUBE" agent --join "$URL" --token "$BAD" --node-name bad1 --data-dir "$T/bad1"
# Wrong CA hash: refused before anything is sent (no key, no request).
WRONGCA="K10$(printf '0%.0s' $(seq 1 64))::${TOKEN#*::}"
expect_fail "a token for another CA is refused" "CA does not match the join token: expected sha256 0{64}, got [0-9a-f]{64}" \
	"$MINIKUBE" agent --join "$URL" --token "$WRONGCA" --node-name bad2 --data-dir "$T/bad2"
if [ ! -e "$T/bad2/agent/node.key" ] && ! grep -q "bad2" "$T/server.err"; then ok "nothing is sent to a server with another CA"; else fail "nothing is sent to a server with another CA"; fi
expect_fail "a malformed token is refused" 'must look like K10' \
	"$MINIKUBE" agent --join "$URL" --token "abc" --node-name bad3 --data-dir "$T/bad3"

# The node-certificate endpoint itself.
CODE=$(curl -sk -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer nope" --data-binary x "$URL/minikube/v1/node-certificate")
[ "$CODE" = 401 ] && ok "node-certificate without a valid token: 401" || fail "node-certificate without a valid token: 401 (got $CODE)"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/x.key" -subj "/O=system:masters/CN=kubernetes-admin" -out "$T/x.csr" 2>/dev/null
expect_out "a CSR for another user is rejected" 'must be system:node:' \
	curl -sk -X POST -H "Authorization: Bearer ${TOKEN#*::}" --data-binary @"$T/x.csr" "$URL/minikube/v1/node-certificate"

# Node authorization with n1's certificate.
NC=(--cacert "$T/agent1/agent/ca.crt" --cert "$T/agent1/agent/node.crt" --key "$T/agent1/agent/node.key")
$K create -f - >/dev/null <<YAML
apiVersion: v1
kind: Node
metadata: {name: n2}
YAML
ncurl() { curl -s "${NC[@]}" -o "$T/resp.json" -w '%{http_code}' "$@"; }
CODE=$(ncurl -X PATCH -H 'Content-Type: application/merge-patch+json' -d '{"metadata":{"labels":{"evil":"yes"}}}' "$URL/api/v1/nodes/n2")
[ "$CODE" = 403 ] && ok "n1 cannot patch node n2 (403)" || fail "n1 cannot patch node n2 (403, got $CODE)"
expect_out "403 message names user and reason" 'nodes \\"n2\\" is forbidden: User \\"system:node:n1\\" cannot patch resource \\"nodes\\" in API group \\"\\" at the cluster scope: node .n1. cannot modify node .n2.' cat "$T/resp.json"
CODE=$(ncurl -X PATCH -H 'Content-Type: application/merge-patch+json' -d '{"metadata":{"labels":{"mine":"yes"}}}' "$URL/api/v1/nodes/n1")
[ "$CODE" = 200 ] && ok "n1 may patch its own node (200)" || fail "n1 may patch its own node (200, got $CODE)"
CODE=$(ncurl "$URL/api/v1/namespaces/default/pods")
[ "$CODE" = 200 ] && ok "n1 may list pods" || fail "n1 may list pods (got $CODE)"
CODE=$(ncurl "$URL/api/v1/namespaces/default/secrets")
[ "$CODE" = 403 ] && ok "n1 may not list secrets" || fail "n1 may not list secrets (got $CODE)"
CODE=$(ncurl -X DELETE "$URL/api/v1/namespaces/default")
[ "$CODE" = 403 ] && ok "n1 may not delete namespaces" || fail "n1 may not delete namespaces (got $CODE)"
CODE=$(ncurl -X PUT -H 'Content-Type: application/json' -d '{"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"n2","namespace":"kube-node-lease"},"spec":{"holderIdentity":"n1"}}' "$URL/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n2")
[ "$CODE" = 403 ] && ok "n1 may not write n2's lease" || fail "n1 may not write n2's lease (got $CODE)"
$K run p-n2 --image=busybox --overrides='{"spec":{"nodeName":"n2"}}' >/dev/null 2>&1
$K run p-n1 --image=busybox --overrides='{"spec":{"nodeName":"n1"}}' >/dev/null 2>&1
CODE=$(ncurl -X PATCH -H 'Content-Type: application/merge-patch+json' -d '{"status":{"phase":"Running"}}' "$URL/api/v1/namespaces/default/pods/p-n2/status")
[ "$CODE" = 403 ] && ok "n1 may not update status of a pod on n2" || fail "n1 may not update status of a pod on n2 (got $CODE)"
CODE=$(ncurl -X PATCH -H 'Content-Type: application/merge-patch+json' -d '{"status":{"phase":"Running"}}' "$URL/api/v1/namespaces/default/pods/p-n1/status")
[ "$CODE" = 200 ] && ok "n1 may update status of its own pod" || fail "n1 may update status of its own pod (got $CODE)"
expect_out "admin is unrestricted" 'node/n2 labeled' $K label node n2 admin=yes

# Restart: the saved certificate is reused; the token is not needed.
if stop_agent n1 TERM; then ok "agent stops cleanly on SIGTERM"; else fail "agent stops cleanly on SIGTERM"; fi
mv "$T/agent1.log" "$T/agent1.log.1" # what follows reads the restarted agent's log
start_agent --token "K10$(printf 'f%.0s' $(seq 1 64))::server:bogus" n1 "$T/agent1" --zone kitchen
if wait_for 10 grep -q "lease renewing" "$T/agent1.log"; then ok "restarted agent reuses its certificate (bogus token)"; else fail "restarted agent reuses its certificate (bogus token)"; cat "$T/agent1.log"; fi
expect_out "restart log says so" 'reusing the node certificate' cat "$T/agent1.log"

# The server's built-in token works too.
STOKEN=$(sed -n 's/^node join token: //p' "$T/server.out")
start_agent --token "$STOKEN" n4 "$T/agent4"
if wait_for 10 node_ready n4; then ok "the server token joins n4"; else fail "the server token joins n4"; cat "$T/agent4.log"; fi

# Expired and deleted tokens.
SHORT=$("$MINIKUBE" token create --data-dir "$D" --ttl 1s)
sleep 1.5
expect_fail "an expired token is refused" 'join token has expired' \
	"$MINIKUBE" agent --join "$URL" --token "$SHORT" --node-name n5 --data-dir "$T/agent5"
check "token delete" "$MINIKUBE" token delete "$TID" --data-dir "$D"
if "$MINIKUBE" token list --data-dir "$D" | grep -q "^$TID "; then fail "deleted token is gone from the list"; else ok "deleted token is gone from the list"; fi
expect_fail "a deleted token no longer joins" 'refused the join token \(401' \
	"$MINIKUBE" agent --join "$URL" --token "$TOKEN" --node-name n3 --data-dir "$T/agent3"
expect_fail "deleting an unknown token fails" 'no join token' "$MINIKUBE" token delete abcdef --data-dir "$D"

stop_agents TERM
finish
