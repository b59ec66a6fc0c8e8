# benchmarks/cgroup.sh: the cgroup helpers the benchmarks share (memory
# accounting of a cluster, the TINY=1 box), for cgroup v1 (also the v1 side of
# a hybrid host) and v2. Source it.

# cg_v2: true on a pure cgroup v2 host.
cg_v2() { [ "$(stat -fc %T /sys/fs/cgroup 2>/dev/null)" = cgroup2fs ]; }

# cg_parent CONTROLLER: where our cgroups go. v1: below the caller's own
# cgroup of that hierarchy (whoever limits us keeps doing so); v2: below the
# root, since a v2 cgroup holding processes cannot have children with
# controllers.
cg_parent() {
	if cg_v2; then
		echo /sys/fs/cgroup
	else
		echo "/sys/fs/cgroup/$1$(awk -F: -v c="$1" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' /proc/self/cgroup | sed 's:^/$::')"
	fi
}

# cg_make NAME: makes cgroup NAME with the memory and cpu controllers; prints
# its directories (v1: the memory one then the cpu one; v2: one).
cg_make() {
	if cg_v2; then
		grep -qw memory /sys/fs/cgroup/cgroup.subtree_control ||
			echo "+memory" >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null
		grep -qw cpu /sys/fs/cgroup/cgroup.subtree_control ||
			echo "+cpu" >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null
		mkdir -p "/sys/fs/cgroup/$1" && echo "/sys/fs/cgroup/$1"
	else
		local m c
		m=$(cg_parent memory)/$1 c=$(cg_parent cpu)/$1
		mkdir -p "$m" "$c" && echo "$m $c"
	fi
}

# cg_limit DIRS CPUS MEM-BYTES: cpu bandwidth of CPUS cores, a memory limit.
cg_limit() {
	local d
	for d in $1; do
		if [ -e "$d/memory.max" ]; then
			echo "$3" >"$d/memory.max" && echo "$((100000 * $2)) 100000" >"$d/cpu.max"
		elif [ -e "$d/memory.limit_in_bytes" ]; then
			echo "$3" >"$d/memory.limit_in_bytes"
		elif [ -e "$d/cpu.cfs_quota_us" ]; then
			echo 100000 >"$d/cpu.cfs_period_us" && echo "$((100000 * $2))" >"$d/cpu.cfs_quota_us"
		fi || return 1
	done
}

# cg_join DIRS PID: moves PID into every one of the cgroups.
cg_join() {
	local d
	for d in $1; do echo "$2" >"$d/cgroup.procs" || return 1; done
}

# cg_remove DIRS: moves what is left back to the parent (our own processes
# only: nothing else runs in these cgroups) and removes the cgroups.
cg_remove() {
	local d p
	for d in $1; do
		[ -d "$d" ] || continue
		for _ in 1 2 3 4 5; do
			for p in $(cat "$d/cgroup.procs" 2>/dev/null); do echo "$p" >"$(dirname "$d")/cgroup.procs" 2>/dev/null; done
			find "$d" -mindepth 1 -depth -type d -exec rmdir {} + 2>/dev/null
			rmdir "$d" 2>/dev/null && break
			sleep 0.2
		done
	done
}

# cg_mem_dir DIRS: the memory cgroup among DIRS.
cg_mem_dir() { local d; for d in $1; do [ -e "$d/memory.stat" ] && { echo "$d"; return; }; done; }

# cg_mem_used MEMDIR: the working set in KB (usage minus inactive file
# pages: what the kernel could not simply drop), as the kubelet counts it.
cg_mem_used() {
	if [ -e "$1/memory.current" ]; then
		awk -v u="$(cat "$1/memory.current")" '$1 == "inactive_file" {i = $2} END {printf "%d\n", (u - i) / 1024}' "$1/memory.stat"
	else
		awk -v u="$(cat "$1/memory.usage_in_bytes")" '$1 == "total_inactive_file" {i = $2} END {printf "%d\n", (u - i) / 1024}' "$1/memory.stat"
	fi
}

# cg_mem_limit MEMDIR: the memory limit in KB ("" when unlimited).
cg_mem_limit() {
	local v
	v=$(cat "$1/memory.max" 2>/dev/null || cat "$1/memory.limit_in_bytes" 2>/dev/null)
	case $v in max | "" | 9223372036854*) ;; *) echo $((v / 1024)) ;; esac
}
