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
	for d in "$D"/containers/*/; do
		[ -d "$d" ] && "$MINIKUBE" rm -f --data-dir "$D" "$(basename "$d")" >/dev/null 2>&1
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
"$MINIKUBE" run --data-dir "$D" --name bg --rootfs "$R" sh -c 'echo started; exec sleep 30' >/dev/null 2>&1 &
launcher=$!
for _ in $(seq 50); do mk ps --data-dir "$D" | grep -q "^bg .*Up" && break; sleep 0.1; done
kill -KILL "$launcher" # the launcher dies, not the container
wait "$launcher" 2>/dev/null
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

# the runtime process is SIGKILLed while its container runs: the container
# keeps running, a new process lists it, its exit code is collected later
"$MINIKUBE" run --data-dir "$D" --name sk --rootfs "$R" sh -c 'sleep 1.5; exit 9' >/dev/null 2>&1 &
launcher=$!
for _ in $(seq 50); do mk ps --data-dir "$D" | grep -q "^sk .*Up" && break; sleep 0.05; done
kill -KILL "$launcher"
wait "$launcher" 2>/dev/null
if mk ps --data-dir "$D" | grep -q "^sk .*Up"; then ok "SIGKILLed runtime: still listed"; else bad "SIGKILLed runtime: still listed"; fi
for _ in $(seq 60); do mk ps -a --data-dir "$D" | grep -q "^sk .*Exited" && break; sleep 0.1; done
check "SIGKILLed runtime: exit code collected" "Exited (9)" "$(mk ps -a --data-dir "$D" | grep '^sk ' | grep -o 'Exited ([0-9]*)')"
mk rm --data-dir "$D" sk >/dev/null

# a hostile image: ../../etc/x, a file through an absolute symlink, a
# hardlink to /etc/passwd. Import must succeed, say why each was refused,
# and leave nothing outside the layer dir.
python3 - "$T/evil.tar" <<'PY'
import hashlib, io, json, sys, tarfile
def entry(t, name, kind, data=b"", link=""):
    ti = tarfile.TarInfo(name); ti.mtime = 1700000000; ti.mode = 0o644
    if kind == "sym": ti.type, ti.linkname = tarfile.SYMTYPE, link
    elif kind == "hard": ti.type, ti.linkname = tarfile.LNKTYPE, link
    else: ti.size = len(data)
    t.addfile(ti, io.BytesIO(data) if kind == "file" else None)
lb = io.BytesIO()
with tarfile.open(fileobj=lb, mode="w", format=tarfile.GNU_FORMAT) as t:
    entry(t, "../../etc/x", "file", b"escaped\n")
    entry(t, "etclink", "sym", link="/etc")
    entry(t, "etclink/x", "file", b"through the symlink\n")
    entry(t, "passwd", "hard", link="/etc/passwd")
    entry(t, "ok.txt", "file", b"fine\n")
layer = lb.getvalue()
diff = "sha256:" + hashlib.sha256(layer).hexdigest()
cfg = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Cmd": ["/bin/sh"]},
                  "rootfs": {"type": "layers", "diff_ids": [diff]}}).encode()
cid = hashlib.sha256(cfg).hexdigest()
man = json.dumps([{"Config": cid + ".json", "RepoTags": ["evil:test"], "Layers": ["l/layer.tar"]}]).encode()
with tarfile.open(sys.argv[1], "w") as t:
    for name, data in ((cid + ".json", cfg), ("l/layer.tar", layer), ("manifest.json", man)):
        ti = tarfile.TarInfo(name); ti.size = len(data); ti.mtime = 1700000000
        t.addfile(ti, io.BytesIO(data))
PY
[ -e /etc/x ] && bad "hostile import" "/etc/x exists before the test"
mk image import --data-dir "$D" "$T/evil.tar" >"$T/evil.out" 2>"$T/evil.err"
check "hostile import: exit code" 0 $?
grep -q 'refused "../../etc/x": path leaves the layer' "$T/evil.err" && ok "hostile import: says why ../../etc/x" || bad "hostile import: ../../etc/x" "$(cat "$T/evil.err")"
grep -q 'refused "etclink/x": path goes through a symlink' "$T/evil.err" && ok "hostile import: says why etclink/x" || bad "hostile import: etclink/x"
grep -q 'refused "passwd": hardlink target is not inside the layer' "$T/evil.err" && ok "hostile import: says why passwd" || bad "hostile import: passwd"
grep -q '3 layer entries were refused' "$T/evil.err" && ok "hostile import: count" || bad "hostile import: count" "$(tail -1 "$T/evil.err")"
lay=$(ls -d "$D"/images/layers/*/ | while read -r l; do [ -e "$l/ok.txt" ] && echo "$l"; done)
if [ ! -e /etc/x ] && [ ! -e "$D/images/etc/x" ] && [ ! -e "$D/etc/x" ] && [ -n "$lay" ] &&
	[ ! -e "$lay/passwd" ] && [ ! -e "$lay/etc/x" ] && [ -L "$lay/etclink" ]; then
	ok "hostile import: nothing outside the layer"
else
	bad "hostile import: nothing outside the layer" "layer=$lay"
fi

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
