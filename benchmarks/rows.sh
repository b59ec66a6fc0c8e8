# benchmarks/rows.sh: the one machine-readable row format every benchmark
# script writes for benchmarks/report, next to its human table. Source it.
#
# When $BENCH_ROWS names a file, each call appends one line to it:
#   SECTION|id|title|peer name            a table of the report (once per script)
#   ROW|id|metric (unit)|ours|peer|ratio|target|met|note
#   PLOT|id|title|unit|file=label[,file=label...]   latency samples, one ms value a line
#   NOTE|id|text                          a line printed under the section's table
# ratio is "times better than the peer" (> 1: minikube is better) for lower-
# and higher-is-better metrics alike; met is yes, no, or - (no target, or the
# figure could not be taken: then note says why). $BENCH_DIR, when set, is a
# directory for sample files that outlive the script (the report's work dir).
# Without $BENCH_ROWS every call does nothing, so scripts still run alone.

# bench_section ID TITLE PEER-NAME
bench_section() {
	[ -n "${BENCH_ROWS:-}" ] || return 0
	printf 'SECTION|%s|%s|%s\n' "$1" "$2" "$3" >>"$BENCH_ROWS"
}

# bench_note ID TEXT
bench_note() {
	[ -n "${BENCH_ROWS:-}" ] || return 0
	printf 'NOTE|%s|%s\n' "$1" "${2//|//}" >>"$BENCH_ROWS"
}

# bench_plot ID TITLE UNIT FILE=LABEL...: FILE holds one sample a line.
bench_plot() {
	[ -n "${BENCH_ROWS:-}" ] || return 0
	local id=$1 title=$2 unit=$3 series
	shift 3
	series=$(IFS=,; echo "$*")
	printf 'PLOT|%s|%s|%s|%s\n' "$id" "$title" "$unit" "$series" >>"$BENCH_ROWS"
}

# bench_ratio OURS PEER low|high -> "2.10x" or "-"
bench_ratio() {
	awk -v a="$1" -v b="$2" -v d="$3" 'BEGIN {
		if (a !~ /^[0-9.]+$/ || b !~ /^[0-9.]+$/ || a == 0 || b == 0) { print "-"; exit }
		printf "%.2fx\n", d == "high" ? a / b : b / a }'
}

# bench_met OURS PEER TARGET -> yes|no|-. TARGET is "OP N" (<=, <, >=, >)
# or "OP Nx peer" (relative to the peer's figure from the same run).
bench_met() {
	awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN {
		if (a !~ /^-?[0-9.]+$/ || !match(t, /^(<=|>=|<|>) *[0-9.]+/)) { print "-"; exit }
		op = t; sub(/ *[0-9.].*$/, "", op)
		n = t; sub(/^(<=|>=|<|>) */, "", n); rel = (n ~ /^[0-9.]+x/); n += 0
		if (rel) { if (b !~ /^[0-9.]+$/) { print "-"; exit } n *= b }
		ok = (op == "<=") ? a <= n : (op == "<") ? a < n : (op == ">=") ? a >= n : a > n
		print ok ? "yes" : "no" }'
}

# bench_row ID METRIC UNIT OURS PEER TARGET low|high [NOTE]
# OURS or PEER empty or "-": not measured (say why in NOTE).
bench_row() {
	[ -n "${BENCH_ROWS:-}" ] || return 0
	local ours=${4:--} peer=${5:--} note=${8:-}
	printf 'ROW|%s|%s (%s)|%s|%s|%s|%s|%s|%s\n' "$1" "$2" "$3" "$ours" "$peer" \
		"$(bench_ratio "$ours" "$peer" "$7")" "${6:--}" "$(bench_met "$ours" "$peer" "$6")" \
		"${note//|//}" >>"$BENCH_ROWS"
}
