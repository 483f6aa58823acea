#!/usr/bin/env bash
# Build the libFuzzer harnesses (every tests/fuzz/fuzz_*.c) with clang in a
# build directory of their own, run each for SECONDS (default 300) from its
# seed corpus, and print the executions per harness.
#
#   bash tests/fuzz/run.sh [SECONDS]
#
# Environment: FUZZ_BUILD_DIR (default build-fuzz), JOBS (default nproc),
# FUZZ_CC (default clang), FUZZ_ARGS (more libFuzzer flags, e.g. -jobs=4).
# Seeds are read from tests/fuzz/corpus/<harness>/ and never written; new
# inputs go to $FUZZ_BUILD_DIR/corpus/<harness>/, crashes to
# $FUZZ_BUILD_DIR/artifacts/<harness>/ (replay one: bin/<harness> FILE).
# Exit status 1 when a harness fails.
set -euo pipefail
cd "$(dirname "$0")/../.."

secs=${1:-300}
case "$secs" in
''|*[!0-9]*|0) echo "tests/fuzz/run.sh: SECONDS must be a positive integer, not '$secs'" >&2; exit 2 ;;
esac
dir=${FUZZ_BUILD_DIR:-build-fuzz}
jobs=${JOBS:-$(nproc)}
cc=${FUZZ_CC:-clang}

if ! command -v "$cc" >/dev/null; then
	echo "tests/fuzz/run.sh: $cc not found (apt-get install clang, or bash tools/deps.sh build)" >&2
	exit 2
fi

echo "== fuzz: build ($dir, $cc, -fsanitize=fuzzer,address,undefined)"
cmake -S . -B "$dir" -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DXSKB_FUZZ=ON \
	-DXSKB_BUILD_TOOLS=ON -DXSKB_VALGRIND_TESTS=OFF >/dev/null
cmake --build "$dir" -j "$jobs" --target xskb_fuzzers

status=0
results=()
for src in tests/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	work=$dir/corpus/$name
	art=$dir/artifacts/$name
	log=$dir/$name.log
	mkdir -p "$work" "$art"
	corpora=("$work")
	[ -d "tests/fuzz/corpus/$name" ] && corpora+=("tests/fuzz/corpus/$name")
	echo "== fuzz: $name for ${secs} s (log $log)"
	# shellcheck disable=SC2086 # FUZZ_ARGS is a list of flags
	if "$dir/bin/$name" -max_total_time="$secs" -timeout=20 -print_final_stats=1 \
		-artifact_prefix="$art/" ${FUZZ_ARGS:-} "${corpora[@]}" >"$log" 2>&1; then
		verdict=ok
	else
		verdict=FAILED
		status=1
		tail -n 40 "$log" >&2
	fi
	runs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1 runs in \2 s/p' "$log" | tail -n 1)
	[ -n "$runs" ] || runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1) runs"
	results+=("$(printf '%-16s %-6s %s' "$name" "$verdict" "$runs")")
done

echo "== fuzz: executions per harness"
printf '%s\n' "${results[@]}"
exit "$status"
