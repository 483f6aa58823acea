#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Soak: a rate through a veth lab for a while, with a per-second loss profile.
set -u

usage() {
	cat <<'EOF'
Usage: tools/bench/soak.sh [options] [-- RECEIVER-OPTIONS...]

Brings up a veth lab of its own (xskb-lab, 198.18.0.0/15, two namespaces),
runs a receiver in the rx namespace and xskb-gen in the tx namespace at a
fixed rate for a fixed time, and samples once a second: frames sent (tx
veth), arrived and dropped (rx veth), the receiver's counters (xskb-rx's
live line: rx, fill_empty, ring_full, drops), the receiver's RSS, the CPU
each receiver and generator thread ran on (/proc/PID/task/*/stat field 39),
the poll thread's CPU use and voluntary context switches (its sleeps) and
NET_RX softirqs per CPU. At exit: the per-second profile (profile.tsv), the
receiver's and generator's JSON, and a summary with the frame accounting
(summary.json). Everything it created is removed on any exit.

Options:
  -m, --minutes M       soak length in minutes, fractions allowed (1)
  -d, --seconds S       soak length in seconds (overrides --minutes), 1..86400
  -r, --rate PPS        generator rate, k/M suffixes; 0 = as fast as possible (500k)
  -s, --size BYTES      frame size (64)
  -e, --engine E        xskb-gen engine: xdp or packet (xdp)
      --receiver R      xskb (xskb-rx, default options) or bare (xskb-bare) (xskb)
      --rx-cpu N|none   pin the receiver to CPU N (none)
      --gen-cpu N|none  pin the generator to CPU N (none)
      --free-thread     xskb-rx hands a clone of every skb to another thread,
                        which frees it: frames return through remote frees
      --bin DIR         where the tools are (build/bin)
      --out DIR         results folder (build/soak/<date-time>-<pid>)
  -h, --help            this text

Everything after "--" goes to the receiver, e.g. -- --idle-us 0 --ring 16384.

Clones freed on other threads: --free-thread (xskb-rx --free-thread); the
summary's receiver JSON then has remote_freed.

Exit status: 0 when the run completed and the frame accounting adds up (lost
frames are reported, not an error), 1 on failure, 2 on bad usage.
EOF
}

die_usage() { echo "soak.sh: $*" >&2; echo "Try 'soak.sh --help'." >&2; exit 2; }

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
minutes=1 seconds="" rate=500k size=64 engine=xdp receiver=xskb rx_cpu=none gen_cpu=none
bin="$root/build/bin" out=""
rx_extra=() free_thread=0
while [ $# -gt 0 ]; do
	case "$1" in
	-m|--minutes) [ $# -ge 2 ] || die_usage "$1 needs a value"; minutes=$2; shift 2 ;;
	-d|--seconds) [ $# -ge 2 ] || die_usage "$1 needs a value"; seconds=$2; shift 2 ;;
	-r|--rate) [ $# -ge 2 ] || die_usage "$1 needs a value"; rate=$2; shift 2 ;;
	-s|--size) [ $# -ge 2 ] || die_usage "$1 needs a value"; size=$2; shift 2 ;;
	-e|--engine) [ $# -ge 2 ] || die_usage "$1 needs a value"; engine=$2; shift 2 ;;
	--receiver) [ $# -ge 2 ] || die_usage "$1 needs a value"; receiver=$2; shift 2 ;;
	--rx-cpu) [ $# -ge 2 ] || die_usage "$1 needs a value"; rx_cpu=$2; shift 2 ;;
	--gen-cpu) [ $# -ge 2 ] || die_usage "$1 needs a value"; gen_cpu=$2; shift 2 ;;
	--bin) [ $# -ge 2 ] || die_usage "$1 needs a value"; bin=$2; shift 2 ;;
	--out) [ $# -ge 2 ] || die_usage "$1 needs a value"; out=$2; shift 2 ;;
	-h|--help) usage; exit 0 ;;
	--free-thread) free_thread=1; shift ;;
	--) shift; rx_extra+=("$@"); break ;;
	*) die_usage "unknown option '$1'" ;;
	esac
done
if [ -z "$seconds" ]; then
	[[ "$minutes" =~ ^[0-9]+(\.[0-9]+)?$ ]] || die_usage "--minutes: '$minutes' is not a number"
	seconds=$(awk -v m="$minutes" 'BEGIN { s = int(m * 60 + 0.5); print s < 1 ? 1 : s }')
fi
[[ "$seconds" =~ ^[0-9]+$ ]] && [ "$seconds" -ge 1 ] && [ "$seconds" -le 86400 ] ||
	die_usage "--seconds: '$seconds' is not a whole number 1..86400"
[[ "$rate" =~ ^[0-9]+[kKmM]?$ ]] || die_usage "--rate: '$rate' is not PPS (k/M suffixes)"
[[ "$size" =~ ^[0-9]+$ ]] || die_usage "--size: '$size' is not a number"
case "$engine" in xdp|packet) ;; *) die_usage "--engine: '$engine' is not xdp or packet" ;; esac
case "$receiver" in xskb|bare) ;; *) die_usage "--receiver: '$receiver' is not xskb or bare" ;; esac
for c in "$rx_cpu" "$gen_cpu"; do
	[ "$c" = none ] || [[ "$c" =~ ^[0-9]+$ ]] || die_usage "CPU '$c' is not a number or none"
done
[ "$(id -u)" = 0 ] || { echo "soak.sh: needs root (namespaces, XDP, AF_XDP)" >&2; exit 1; }
rx_bin="$bin/xskb-rx"
[ "$receiver" = bare ] && rx_bin="$bin/xskb-bare"
for b in "$bin/xskb-lab" "$bin/xskb-gen" "$rx_bin"; do
	[ -x "$b" ] || { echo "soak.sh: $b not found: build first or pass --bin" >&2; exit 1; }
done
for t in ip python3 taskset; do
	command -v "$t" >/dev/null || { echo "soak.sh: $t not found" >&2; exit 1; }
done

lab="sk$(( $$ % 100000 ))"
ns_rx="$lab-rx" if_rx="${lab}r" ns_tx="$lab-tx" if_tx="${lab}t"
[ -n "$out" ] || out="$root/build/soak/$(date -u +%Y%m%d-%H%M%S)-$$"
mkdir -p "$out" || exit 1
pids=()
lab_up=0

cleanup() {
	local p n
	trap - EXIT INT TERM HUP
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do
		for n in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	if [ $lab_up = 1 ]; then
		# A receiver killed hard leaves its program: the namespace goes anyway.
		ip -n "$ns_rx" link set dev "$if_rx" xdp off 2>/dev/null
		"$bin/xskb-lab" down -p "$lab" >/dev/null 2>&1 || ip netns del "$ns_rx" 2>/dev/null
		ip netns del "$ns_tx" 2>/dev/null
	fi
}
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM HUP
trap cleanup EXIT

# Run in the background only (it execs): $! is then the program's own pid.
pin() { if [ "$1" = none ]; then shift; exec "$@"; else local c=$1; shift; exec taskset -c "$c" "$@"; fi; }

"$bin/xskb-lab" up -p "$lab" >"$out/lab.log" 2>&1 || { cat "$out/lab.log" >&2; exit 1; }
lab_up=1

rx_secs=$((seconds + 8))
echo "soak.sh: $seconds s at ${rate} pps ($engine, $size B) into $receiver ${rx_extra[*]:-(defaults)}," \
     "receiver CPU $rx_cpu, generator CPU $gen_cpu; results in $out" >&2
{
	echo "{\"seconds\":$seconds,\"rate\":\"$rate\",\"size\":$size,\"engine\":\"$engine\","
	echo "\"receiver\":\"$receiver\",\"rx_cpu\":\"$rx_cpu\",\"gen_cpu\":\"$gen_cpu\","
	printf '"rx_options":"%s","date":"%s","commit":"%s"}\n' "${rx_extra[*]:-}" \
		"$(date -u +%FT%TZ)" "$(git -C "$root" rev-parse --short HEAD 2>/dev/null)"
} | tr -d '\n' >"$out/config.json"
echo >>"$out/config.json"

if [ "$receiver" = xskb ]; then
	[ "$free_thread" = 1 ] && rx_extra+=(--free-thread)
	# Each live line timestamped as it arrives (bash's $EPOCHREALTIME).
	pin "$rx_cpu" "$rx_bin" -n "$ns_rx" -i "$if_rx" -d "$rx_secs" --json "${rx_extra[@]}" \
		>"$out/rx.json" 2> >(while IFS= read -r l; do printf '%s %s\n' "$EPOCHREALTIME" "$l"; done \
					>"$out/rx.log") &
else
	pin "$rx_cpu" "$rx_bin" -n "$ns_rx" -i "$if_rx" -d "$rx_secs" --json "${rx_extra[@]}" \
		>"$out/rx.json" 2>"$out/rx.log" &
fi
rx_pid=$!
pids+=("$rx_pid")
for _ in $(seq 1 100); do
	ip -n "$ns_rx" link show dev "$if_rx" 2>/dev/null | grep -q 'prog/xdp' && break
	kill -0 "$rx_pid" 2>/dev/null || break
	sleep 0.1
done
ip -n "$ns_rx" link show dev "$if_rx" 2>/dev/null | grep -q 'prog/xdp' ||
	{ echo "soak.sh: the receiver did not attach:" >&2; tail -n 3 "$out/rx.log" >&2; exit 1; }
sleep 1		# attached is not yet bound

python3 "$here/lossprof.py" sample --out "$out/samples.jsonl" --ns-tx "$ns_tx" --if-tx "$if_tx" \
	--ns-rx "$ns_rx" --if-rx "$if_rx" --rx-pid "$rx_pid" --gen-pid-file "$out/gen.pid" \
	--seconds $((seconds + 4)) &
pids+=("$!")
sleep 1		# one sample before the first frame

gen_rate=()
[ "$rate" = 0 ] || gen_rate=(-r "$rate")
pin "$gen_cpu" "$bin/xskb-gen" -L "$lab" -d "$seconds" "${gen_rate[@]}" -s "$size" -e "$engine" \
	--json >"$out/gen.json" 2>"$out/gen.log" &
gen_pid=$!
pids+=("$gen_pid")
echo "$gen_pid" >"$out/gen.pid"
gen_rc=0
wait "$gen_pid" || gen_rc=$?
[ $gen_rc = 0 ] || { echo "soak.sh: xskb-gen failed ($gen_rc):" >&2; tail -n 3 "$out/gen.log" >&2; }
sleep 2		# the rings drain; two more samples
kill -TERM "$rx_pid" 2>/dev/null
rx_rc=0
for _ in $(seq 1 100); do kill -0 "$rx_pid" 2>/dev/null || break; sleep 0.1; done
wait "$rx_pid" || rx_rc=$?
wait "${pids[1]}" 2>/dev/null
[ $rx_rc = 0 ] || { echo "soak.sh: receiver exit status $rx_rc:" >&2; tail -n 3 "$out/rx.log" >&2; }
sleep 0.2	# the live-line timestamper finishes writing

python3 "$here/lossprof.py" report --dir "$out" >"$out/report.txt"
rep_rc=$?
cat "$out/report.txt"
[ $gen_rc = 0 ] && [ $rx_rc = 0 ] && [ $rep_rc = 0 ]
