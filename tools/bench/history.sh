#!/usr/bin/env bash
# Measure the receive path of several commits side by side: each commit's
# library is built (in a git worktree under $HISTORY_DIR) with today's
# replay benchmark, then `xskb-bench replay` runs alternately across the
# commits (median of --runs, 1 s each) and callgrind counts the marginal
# instructions per packet ((Ir(600k) - Ir(100k)) / 500k).
#
#   bash tools/bench/history.sh [--runs N] [--size BYTES] COMMIT...
#
# Used for docs/optimisations.md: every before/after there is one run of this.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
dir=${HISTORY_DIR:-/tmp/xskb-history}
runs=5 size=64
while [ $# -gt 0 ]; do
	case "$1" in
	--runs) runs=$2; shift 2 ;;
	--size) size=$2; shift 2 ;;
	-h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "history.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] || { echo "history.sh: give at least one commit (try --help)" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "history.sh: needs valgrind" >&2; exit 1; }
mkdir -p "$dir"

bench_of() { echo "$dir/$1/build/bin/xskb-bench"; }
for c in "$@"; do
	id=$(git -C "$top" rev-parse --short "$c")
	w=$dir/$id
	[ -x "$(bench_of "$id")" ] && continue
	rm -rf "$w"
	git -C "$top" worktree add -f --detach "$w" "$id" >/dev/null
	cp "$top"/tools/bench/{replay.c,bench_main.c,bench.h} "$w/tools/bench/"
	# Commits before the stack/ split had one internal header.
	[ -f "$w/stack/replay_internal.h" ] ||
		printf '#include "xsk_internal.h"\n' >"$w/stack/replay_internal.h"
	printf 'add_executable(xskb-bench bench_main.c micro.c replay.c)\ntarget_link_libraries(xskb-bench PRIVATE xskb_static xskb_tools)\n' \
		>"$w/tools/bench/CMakeLists.txt"
	cmake -S "$w" -B "$w/build" -DXSKB_BUILD_TESTS=OFF >/dev/null
	cmake --build "$w/build" -j "$(nproc)" --target xskb-bench >/dev/null
done

declare -A mpps
for _ in $(seq 1 "$runs"); do
	for c in "$@"; do
		id=$(git -C "$top" rev-parse --short "$c")
		m=$("$(bench_of "$id")" replay --seconds 1 --size "$size" --json | sed 's/.*"mpps":\([0-9.]*\).*/\1/')
		mpps[$id]="${mpps[$id]:-} $m"
	done
done
printf '| commit | Mpps (median of %s) | runs | instructions/packet |\n|---|---|---|---|\n' "$runs"
for c in "$@"; do
	id=$(git -C "$top" rev-parse --short "$c")
	ir() {
		valgrind --tool=callgrind --callgrind-out-file="$dir/cg.$1" "$(bench_of "$id")" replay \
			--packets "$1" --size "$size" >/dev/null 2>&1
		sed -n 's/^totals: \([0-9]*\).*/\1/p' "$dir/cg.$1"
	}
	i1=$(ir 100000)
	i2=$(ir 600000)
	med=$(echo ${mpps[$id]} | tr ' ' '\n' | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
	printf '| %s %s | %s | %s | %d |\n' "$id" "$(git -C "$top" log -1 --format=%s "$id" | cut -c1-40)" \
		"$med" "${mpps[$id]# }" $(( (i2 - i1) / 500000 ))
done
