#!/bin/bash
# Crash safety: a writer creates ConfigMaps while the server is killed with
# SIGKILL several times; after each restart every acknowledged object is there.
. "$(dirname "$0")/lib.sh"

ROUNDS=5
: >"$T/acked"
for round in $(seq 1 $ROUNDS); do
	start_server
	TOKEN=$(cat "$T/data/tls/admin-token")
	URL="https://127.0.0.1:$PORT/api/v1/namespaces/default/configmaps"
	# The writer: one object per request, records names the server acknowledged (201).
	(
		i=0
		while :; do
			name="r$round-$i"
			code=$(curl -sk -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
				-H 'Content-Type: application/json' -X POST "$URL" \
				-d "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"$name\"},\"data\":{\"i\":\"$i\"}}")
			[ "$code" = 201 ] && echo "$name" >>"$T/acked"
			i=$((i + 1))
		done
	) &
	WRITER=$!
	sleep "0.$((RANDOM % 7 + 3))"
	kill_server
	kill "$WRITER" 2>/dev/null
	wait "$WRITER" 2>/dev/null
	start_server
	TOKEN=$(cat "$T/data/tls/admin-token")
	curl -sk -H "Authorization: Bearer $TOKEN" "https://127.0.0.1:$PORT/api/v1/namespaces/default/configmaps" |
		/usr/bin/python3 -c 'import json,sys; print("\n".join(i["metadata"]["name"] for i in json.load(sys.stdin)["items"]))' |
		sort >"$T/present"
	missing=$(sort "$T/acked" | comm -23 - "$T/present" | wc -l)
	total=$(wc -l <"$T/acked")
	if [ "$missing" -eq 0 ] && [ "$total" -gt 0 ]; then
		ok "round $round: all $total acknowledged objects survived SIGKILL"
	else
		fail "round $round: $missing of $total acknowledged objects lost"
	fi
	kill_server
done
finish
