#!/bin/bash
# Black-box test of the container commands (run, exec, ps, logs, rm, oci)
# with a busybox-static rootfs and the busybox:test OCI image fixture.
# Needs root; everything lives in a temp dir and is removed on exit.
# Usage: MINIKUBE=path/to/minikube bash conformance/runtime_test.sh
set -u
: "${MINIKUBE:?set MINIKUBE to the minikube binary}"
MINIKUBE=$(readlink -f "$MINIKUBE")
HERE=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" != 0 ]; then echo "runtime_test: skipped (needs root)"; exit 0; fi
if ! "$MINIKUBE" run --help >/dev/null 2>&1; then
	echo "runtime_test: skipped (binary has no 'run' command)"; exit 0
fi
T=$(mktemp -d /tmp/minikube-rt-XXXXXX)
D="$T/data"
PASSED=0
FAILED=0
cleanup() {
	for id in $(ls "$D/containers" 2>/dev/null); do
		"$MINIKUBE" rm -f --data-dir "$D" "$id" >/dev/null 2>&1
	done
	rm -rf "$T"
}
trap cleanup EXIT
ok() { PASSED=$((PASSED + 1)); echo "ok   $1"; }
bad() { FAILED=$((FAILED + 1)); echo "FAIL $1${2:+: $2}"; }
check() { # check NAME EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then ok "$1"; else bad "$1" "expected [$2] got [$3]"; fi
}
mk() { "$MINIKUBE" "$@"; }

R="$T/rootfs"
mkdir -p "$R/bin" "$R/etc" "$R/proc" "$R/dev" "$R/sys"
cp /bin/busybox "$R/bin/busybox"
for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -s busybox "$R/bin/$a"; done
echo 'root:x:0:0:root:/root:/bin/sh' >"$R/etc/passwd"

check "run echo" "hello" "$(mk run --rm --data-dir "$D" --rootfs "$R" echo hello)"
mk run --rm --data-dir "$D" --rootfs "$R" sh -c 'exit 7'
check "run exit code" 7 $?
out=$(mk run --rm --data-dir "$D" --rootfs "$R" -e FOO=bar sh -c 'echo $FOO; grep -E "^(CapEff|Seccomp):" /proc/self/status' | tr '\t\n' ' ')
check "env, caps, seccomp" "bar CapEff: 00000000a80425fb Seccomp: 2 " "$out"
out=$(mk run --rm --data-dir "$D" --rootfs "$R" --privileged grep Seccomp: /proc/self/status | tr '\t' ' ')
check "privileged: no seccomp" "Seccomp: 0" "$out"
mk run --rm --data-dir "$D" --rootfs "$R" -m 32M sh -c 'x=$(head -c 100000000 /dev/zero | tr "\0" a)' 2>"$T/oom.err"
code=$?
if [ "$code" != 0 ] && grep -q OOM-killed "$T/oom.err"; then ok "memory limit: OOM reported"; else bad "OOM" "code $code"; fi
# a fork bomb under --pids-limit 32 stays contained and is removed cleanly
(mk run --data-dir "$D" --name bomb --pids-limit 32 --rootfs "$R" sh -c 'f(){ f|f& }; f; sleep 5' >/dev/null 2>&1 &)
sleep 1.5
pcg=$(sed -n 's/.*"path":"\([^"]*pids[^"]*\)".*/\1/p' "$D/containers/bomb/state.json" 2>/dev/null)
n=$(cat "$pcg/pids.current" 2>/dev/null || echo none)
if [ "$n" != none ] && [ "$n" -le 32 ]; then ok "fork bomb contained ($n pids)"; else bad "fork bomb" "$n"; fi
mk rm -f --data-dir "$D" bomb >/dev/null
if [ -n "$pcg" ] && [ ! -d "$pcg" ]; then ok "fork bomb removed"; else bad "fork bomb removed" "$pcg"; fi

# a detached container survives its launcher; exec, ps, logs, rm
(mk run --data-dir "$D" --name bg --rootfs "$R" sh -c 'echo started; exec sleep 30' >/dev/null 2>&1 &)
for _ in $(seq 50); do mk ps --data-dir "$D" | grep -q "^bg .*Up" && break; sleep 0.1; done
pkill -KILL -f "run --data-dir $D --name bg" # the launcher dies, not the container
sleep 0.2
if mk ps --data-dir "$D" | grep -q "^bg .*Up"; then ok "survives launcher"; else bad "survives launcher"; fi
out=$(mk exec --data-dir "$D" bg sh -c 'ps -o pid,comm | sed -n 2p' | tr -s ' ')
check "exec sees pid 1 = sleep" " 1 sleep" "$out"
mk exec --data-dir "$D" bg sh -c 'exit 4'
check "exec exit code" 4 $?
mk exec --data-dir "$D" bg nosuchcmd 2>/dev/null
check "exec missing command" 127 $?
check "logs" "started" "$(mk logs --data-dir "$D" bg)"
cg=$(sed -n 's/.*"path":"\([^"]*pids[^"]*\)".*/\1/p' "$D/containers/bg/state.json")
mk rm -f --data-dir "$D" bg >/dev/null
check "rm" "" "$(mk ps -a --data-dir "$D" | grep '^bg ')"
if [ -n "$cg" ] && [ -d "$cg" ]; then bad "cgroup removed" "$cg"; else ok "cgroup removed"; fi
mk rm --data-dir "$D" nosuch 2>/dev/null
check "rm unknown" 1 $?

# image from an OCI layout fixture
if python3 "$HERE/../scripts/make-test-images" "$T/img" >/dev/null 2>&1 &&
	mk image import --data-dir "$D" "$T/img/oci-busybox" >/dev/null 2>&1; then
	out=$(mk run --rm --data-dir "$D" busybox:test sh -c 'cat /etc/added.txt; ls /etc | tr "\n" " "')
	check "run image (overlay + whiteouts)" "added added.txt keep.txt" "$(echo $out)"
else
	bad "image import"
fi

# OCI bundle, crun-style
B="$T/bundle"
mkdir -p "$B"
ln -s "$R" "$B/rootfs"
cat >"$B/config.json" <<'EOF'
{"ociVersion":"1.0.2","process":{"args":["sh","-c","hostname; exit 3"],"env":["PATH=/bin"],"cwd":"/",
 "user":{"uid":0,"gid":0},"capabilities":{"effective":["CAP_KILL"]},"noNewPrivileges":true},
 "root":{"path":"rootfs","readonly":true},"hostname":"ocihost",
 "linux":{"namespaces":[{"type":"pid"},{"type":"mount"},{"type":"uts"},{"type":"ipc"},{"type":"network"}],
 "resources":{"memory":{"limit":67108864},"pids":{"limit":50}}}}
EOF
out=$(mk oci --root "$D" run -b "$B" o1)
check "oci run exit code" 3 $?
check "oci run output" "ocihost" "$out"
mk oci --root "$D" create -b "$B" o2
check "oci state created" '"created"' "$(mk oci --root "$D" state o2 | sed -n 's/.*"status": \(".*"\).*/\1/p')"
mk oci --root "$D" start o2
for _ in $(seq 50); do mk oci --root "$D" state o2 | grep -q stopped && break; sleep 0.1; done
check "oci state stopped" '"stopped"' "$(mk oci --root "$D" state o2 | sed -n 's/.*"status": \(".*"\).*/\1/p')"
mk oci --root "$D" delete o2
check "oci delete" 0 $?

left=$(grep -c "$T" /proc/self/mountinfo)
check "no mounts left" 0 "$left"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
