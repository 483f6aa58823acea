#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The loss study of issue 9 §4: xskb-rx and the bare libxdp loop side by side
# through tools/bench/soak.sh, cases alternating within every repetition.
set -u

usage() {
	cat <<'EOF'
Usage: tools/bench/lossprof.sh [--phase baseline|candidates|all|none] [--seconds S]
                               [--reps N] [--bin DIR] [--out DIR]
                               [--case "RATE RECEIVER RX-CPU GEN-CPU [OPTIONS]"]...

baseline:   500k pps and the maximum rate; xskb-rx (defaults) and xskb-bare;
            unpinned, and pinned (receiver CPU 1, generator CPU 0).
candidates: xskb-rx with existing options at the same rates: --idle-us 0,
            --ring 16384 --frames 32768, both, and the receiver on the
            generator's CPU (where the veth receive softirq runs).
--case adds a case of your own (RATE 0: as fast as possible; RECEIVER xskb
or bare; CPUs a number or none), e.g. --phase none --case "500k xskb 1 0 --idle-us 0".
Each case is one soak.sh run of S seconds (30); every repetition runs all
cases in turn (N = 2). A table of all runs goes to OUT/table.md.
EOF
}

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
extra_cases=()
phase=all secs=30 reps=2 bin="$root/build/bin" out="$root/build/lossprof/$(date -u +%Y%m%d-%H%M%S)"
while [ $# -gt 0 ]; do
	case "$1" in
	--phase) phase=$2; shift 2 ;;
	--seconds) secs=$2; shift 2 ;;
	--reps) reps=$2; shift 2 ;;
	--bin) bin=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	--case) extra_cases+=("$2"); shift 2 ;;
	-h|--help) usage; exit 0 ;;
	*) echo "lossprof.sh: unknown option '$1'" >&2; exit 2 ;;
	esac
done
[[ "$secs" =~ ^[0-9]+$ && "$reps" =~ ^[0-9]+$ ]] || { echo "lossprof.sh: bad number" >&2; exit 2; }
mkdir -p "$out" || exit 1
child=""
trap '[ -n "$child" ] && kill -TERM "$child" 2>/dev/null; wait; exit 130' INT TERM

# rate receiver rx_cpu gen_cpu receiver-options...
cases=()
if [ "$phase" = baseline ] || [ "$phase" = all ]; then
	for rate in 500k 0; do
		cases+=("$rate bare none none" "$rate xskb none none" "$rate bare 1 0" "$rate xskb 1 0")
	done
fi
if [ "$phase" = candidates ] || [ "$phase" = all ]; then
	for rate in 500k 0; do
		cases+=("$rate xskb 1 0 --idle-us 0" "$rate xskb 1 0 --ring 16384 --frames 32768"
			"$rate xskb 1 0 --idle-us 0 --ring 16384 --frames 32768"
			"$rate xskb none none --idle-us 0" "$rate xskb none none --idle-us 0 --ring 16384 --frames 32768"
			"$rate xskb 0 0" "$rate bare 0 0")
	done
fi
cases+=("${extra_cases[@]}")
[ ${#cases[@]} -gt 0 ] || { echo "lossprof.sh: no cases" >&2; exit 2; }

dirs=()
for ((r = 1; r <= reps; r++)); do
	for ((i = 0; i < ${#cases[@]}; i++)); do
		# Alternate the order per repetition so drift spreads over all cases.
		k=$(( (i + (r - 1) * 3) % ${#cases[@]} ))
		read -r rate rcv rcpu gcpu extra <<<"${cases[$k]}"
		d="$out/r$r-c$k"
		echo "lossprof.sh: rep $r case $k: rate $rate $rcv rx-cpu $rcpu gen-cpu $gcpu ${extra:-}" >&2
		# shellcheck disable=SC2086
		timeout -k 10 $((secs + 90)) "$here/soak.sh" --bin "$bin" -d "$secs" -r "$rate" \
			--receiver "$rcv" --rx-cpu "$rcpu" --gen-cpu "$gcpu" --out "$d" -- ${extra:-} \
			>/dev/null 2>"$d.log" &
		child=$!
		wait "$child"
		child=""
		dirs+=("$d")
		python3 "$here/lossprof.py" table "$d" | tail -n 1 >&2
	done
done
python3 "$here/lossprof.py" table "${dirs[@]}" >"$out/table.md"
cat "$out/table.md"
