#!/bin/sh
# Install minikube from a release file, offline, the way k3s's installer is
# used: copy this script and the release binary (and SHA256SUMS) to the
# machine, then
#
#   sudo sh install.sh                                   # a server
#   sudo MINIKUBE_URL=https://SERVER:6443 MINIKUBE_TOKEN=K10... sh install.sh   # an agent
#   sudo sh install.sh agent --join https://SERVER:6443 --token K10...
#   sudo sh install.sh --uninstall
#
# It places the binary in /usr/local/bin/minikube, a systemd unit
# (minikube.service for a server, minikube-agent.service for an agent) with its
# settings in /etc/minikube/minikube[-agent].env (mode 600: it holds the
# token), and starts it. Nothing is downloaded.
#
# Options (or the environment variable in brackets):
#   server | agent          what to run (default: agent when a join URL is given)
#   --binary FILE           [MINIKUBE_BINARY] default: minikube-*-linux-ARCH
#                           beside this script, ARCH from `uname -m`
#   --join URL              [MINIKUBE_URL] server to join (agent)
#   --token TOKEN           [MINIKUBE_TOKEN] join token (agent; from
#                           `minikube token create` or the server's first start)
#   --data-dir DIR          [MINIKUBE_DATA_DIR] default /var/lib/minikube
#   --node-name NAME        [MINIKUBE_NODE_NAME] agent's node name
#   --exec "ARGS"           [MINIKUBE_EXEC] more flags for server/agent
#   --bin-dir DIR           [MINIKUBE_BIN_DIR] default /usr/local/bin
#   --root DIR              [MINIKUBE_ROOT] install under DIR (packaging, tests)
#   --no-start              [MINIKUBE_SKIP_START=1] write files, start nothing
#   --uninstall             stop, disable and remove what this script installed
set -eu

ROLE=""
BINARY="${MINIKUBE_BINARY:-}"
URL="${MINIKUBE_URL:-}"
TOKEN="${MINIKUBE_TOKEN:-}"
DATA_DIR="${MINIKUBE_DATA_DIR:-/var/lib/minikube}"
NODE_NAME="${MINIKUBE_NODE_NAME:-}"
EXTRA="${MINIKUBE_EXEC:-}"
BIN_DIR="${MINIKUBE_BIN_DIR:-/usr/local/bin}"
ROOT="${MINIKUBE_ROOT:-}"
SKIP_START="${MINIKUBE_SKIP_START:-}"
UNINSTALL=""

die() { echo "install.sh: $*" >&2; exit 1; }
info() { echo "install.sh: $*"; }
need_arg() { [ $# -ge 2 ] || die "$1 needs a value"; }

while [ $# -gt 0 ]; do
	case "$1" in
	server | agent) ROLE=$1 ;;
	--binary) need_arg "$@"; BINARY=$2; shift ;;
	--join | --server) need_arg "$@"; URL=$2; shift ;;
	--token) need_arg "$@"; TOKEN=$2; shift ;;
	--data-dir) need_arg "$@"; DATA_DIR=$2; shift ;;
	--node-name) need_arg "$@"; NODE_NAME=$2; shift ;;
	--exec) need_arg "$@"; EXTRA=$2; shift ;;
	--bin-dir) need_arg "$@"; BIN_DIR=$2; shift ;;
	--root) need_arg "$@"; ROOT=$2; shift ;;
	--no-start) SKIP_START=1 ;;
	--uninstall) UNINSTALL=1 ;;
	-h | --help) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument $1 (see --help)" ;;
	esac
	shift
done
[ -n "$ROLE" ] || { [ -n "$URL" ] && ROLE=agent || ROLE=server; }

UNIT=minikube
[ "$ROLE" = agent ] && UNIT=minikube-agent
UNIT_FILE="$ROOT/etc/systemd/system/$UNIT.service"
ENV_PATH="/etc/minikube/$UNIT.env" # as the unit sees it
ENV_FILE="$ROOT$ENV_PATH"
has_systemd() { [ -z "$ROOT" ] && [ -d /run/systemd/system ] && command -v systemctl >/dev/null; }

if [ -z "$ROOT" ] && [ "$(id -u)" -ne 0 ]; then
	die "run as root (sudo sh $0 ...), or pass --root DIR"
fi

if [ -n "$UNINSTALL" ]; then
	for u in minikube minikube-agent; do
		if has_systemd; then systemctl disable --now "$u.service" 2>/dev/null || true; fi
		rm -f "$ROOT/etc/systemd/system/$u.service" "$ROOT/etc/minikube/$u.env"
	done
	has_systemd && systemctl daemon-reload
	rm -f "$ROOT$BIN_DIR/minikube"
	rmdir "$ROOT/etc/minikube" 2>/dev/null || true
	info "removed minikube (state in $DATA_DIR is kept; delete it by hand)"
	exit 0
fi

# The release file for this machine.
case "$(uname -m)" in
x86_64 | amd64) ARCH=amd64 ;;
aarch64 | arm64) ARCH=arm64 ;;
armv7* | armv8l | armhf) ARCH=armhf ;;
armv6*) die "ARMv6 (Raspberry Pi 1/Zero) is not supported: the armhf build needs ARMv7" ;;
*) die "no minikube build for $(uname -m)" ;;
esac
HERE=$(cd "$(dirname "$0")" && pwd)
if [ -z "$BINARY" ]; then
	for f in "$HERE"/minikube-*-linux-"$ARCH"; do
		[ -f "$f" ] && BINARY=$f
	done
	[ -n "$BINARY" ] || die "no minikube-*-linux-$ARCH beside $0; pass --binary FILE"
fi
[ -f "$BINARY" ] || die "$BINARY: no such file"

# Check the file against SHA256SUMS when it sits beside it.
SUMS="$(dirname "$BINARY")/SHA256SUMS"
if [ -f "$SUMS" ] && command -v sha256sum >/dev/null; then
	name=$(basename "$BINARY")
	want=$(awk -v n="$name" '$2 == n || $2 == "*" n { print $1 }' "$SUMS")
	if [ -n "$want" ]; then
		got=$(sha256sum "$BINARY" | cut -d' ' -f1)
		[ "$got" = "$want" ] || die "$name: sha256 $got does not match SHA256SUMS ($want)"
		info "verified $name against SHA256SUMS"
	fi
fi

if [ "$ROLE" = agent ]; then
	[ -n "$URL" ] || die "an agent needs --join https://SERVER:6443 (or MINIKUBE_URL)"
	case "$URL" in https://*) ;; *) die "--join must be an https:// URL, got $URL" ;; esac
	[ -n "$TOKEN" ] || [ -f "$ROOT$DATA_DIR/agent/client.crt" ] ||
		die "an agent needs --token K10... (or MINIKUBE_TOKEN) to join $URL"
fi

# An arguments-only check that the binary runs here (right architecture,
# glibc new enough) before anything is replaced.
if [ -z "$ROOT" ]; then
	"$BINARY" version >/dev/null 2>&1 ||
		die "$BINARY does not run on this machine (architecture or glibc too old?): $("$BINARY" version 2>&1 | head -1)"
fi

mkdir -p "$ROOT$BIN_DIR" "$(dirname "$UNIT_FILE")" "$(dirname "$ENV_FILE")"
# Install beside, then rename: a running minikube keeps its old inode.
cp "$BINARY" "$ROOT$BIN_DIR/.minikube.new"
chmod 755 "$ROOT$BIN_DIR/.minikube.new"
mv -f "$ROOT$BIN_DIR/.minikube.new" "$ROOT$BIN_DIR/minikube"
info "installed $ROOT$BIN_DIR/minikube ($(basename "$BINARY"))"

umask 077
{
	echo "# written by install.sh; read by $UNIT.service"
	echo "MINIKUBE_DATA_DIR=$DATA_DIR"
	if [ "$ROLE" = agent ]; then
		echo "MINIKUBE_URL=$URL"
		echo "MINIKUBE_TOKEN=$TOKEN"
	fi
	echo "MINIKUBE_EXEC=$EXTRA${NODE_NAME:+ --node-name $NODE_NAME}"
} >"$ENV_FILE"
chmod 600 "$ENV_FILE"
umask 022

if [ "$ROLE" = agent ]; then
	DESC="minikube agent (Kubernetes node)"
	EXEC="$BIN_DIR/minikube agent --join \${MINIKUBE_URL} --token \${MINIKUBE_TOKEN} --data-dir \${MINIKUBE_DATA_DIR} \$MINIKUBE_EXEC"
else
	DESC="minikube server (Kubernetes control plane)"
	EXEC="$BIN_DIR/minikube server --data-dir \${MINIKUBE_DATA_DIR} \$MINIKUBE_EXEC"
fi
cat >"$UNIT_FILE" <<EOF
# written by install.sh
[Unit]
Description=$DESC
Documentation=file://$BIN_DIR/minikube
Wants=network-online.target
After=network-online.target

[Service]
Type=simple
EnvironmentFile=$ENV_PATH
ExecStart=$EXEC
# The agent creates containers in its own cgroup subtree.
Delegate=yes
LimitNOFILE=1048576
LimitNPROC=infinity
LimitCORE=infinity
TasksMax=infinity
Restart=always
RestartSec=5s

[Install]
WantedBy=multi-user.target
EOF
info "wrote $UNIT_FILE and $ENV_FILE"

if [ -n "$SKIP_START" ]; then
	info "not starting ($UNIT.service): start it with systemctl enable --now $UNIT"
elif has_systemd; then
	systemctl daemon-reload
	systemctl enable "$UNIT.service" >/dev/null 2>&1
	systemctl restart "$UNIT.service"
	info "started $UNIT.service (journalctl -u $UNIT -f)"
	[ "$ROLE" = server ] && info "kubeconfig: $DATA_DIR/kubeconfig.yaml; join token: minikube token create --data-dir $DATA_DIR"
else
	info "no systemd here: run $BIN_DIR/minikube $ROLE yourself"
fi
