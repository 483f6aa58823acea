#!/usr/bin/env bash
# Instructions per byte of each csum_partial() implementation under callgrind:
# only the function itself (and what it calls) is counted, --toggle-collect.
# usage: csum_ir.sh [BENCH_BINARY]   (default build/bin/xskb-csum-bench)
set -euo pipefail
bench=${1:-build/bin/xskb-csum-bench}
iters=2000
declare -A fn=([ref16]=ref16_csum [generic]=xskb_csum_partial_generic [adc]=xskb_csum_partial_adc
	       [avx2]=xskb_csum_partial_avx2 [csum_partial]=xskb_csum_partial)
printf '%-14s %10s %10s %10s   (instructions per byte; per call in brackets)\n' impl 64 1500 9000
for impl in ref16 generic adc avx2 csum_partial; do
	printf '%-14s' "$impl"
	for len in 64 1500 9000; do
		out=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null --toggle-collect="${fn[$impl]}" \
			"$bench" --impl "$impl" --len "$len" --iters "$iters" --runs 1 2>&1 >/dev/null)
		ir=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' <<<"$out")
		printf ' %5.3f [%4.0f]' "$(bc -l <<<"$ir / ($iters * $len)")" "$(bc -l <<<"$ir / $iters")"
	done
	echo
done
