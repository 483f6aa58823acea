#!/usr/bin/env bash
# The xskb demo: install what is missing, build, bring up a veth lab, flood it
# with xskb-gen while xskb-rx receives with live statistics, then tear the
# lab down. Needs root (namespaces, XDP, AF_XDP). Nothing outside the lab's
# two namespaces is touched.
#
#   bash tools/demo.sh [--seconds N] [--size BYTES] [--rate PPS] [--no-deps]
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=6 size=64 rate= deps=1
usage() { sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
	case "$1" in
	--seconds) seconds=${2:?--seconds needs a value}; shift ;;
	--size) size=${2:?--size needs a value}; shift ;;
	--rate) rate=${2:?--rate needs a value}; shift ;;
	--no-deps) deps=0 ;;
	-h|--help) usage; exit 0 ;;
	*) echo "tools/demo.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
	esac
	shift
done
case "$seconds" in ''|*[!0-9]*) echo "tools/demo.sh: --seconds must be 3..600" >&2; exit 2 ;; esac
if [ "$seconds" -lt 3 ] || [ "$seconds" -gt 600 ]; then
	echo "tools/demo.sh: --seconds must be 3..600" >&2
	exit 2
fi
[ "$(id -u)" -eq 0 ] || { echo "tools/demo.sh: run as root (network namespaces, XDP)" >&2; exit 1; }

# shellcheck source=deps.sh
source tools/deps.sh
[ "$deps" = 1 ] && xskb_install_deps build

BUILD_DIR=${BUILD_DIR:-build-demo}
echo "== build ($BUILD_DIR)"
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DXSKB_BUILD_TESTS=OFF >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)" >/dev/null
bin=$BUILD_DIR/bin

lab=xdemo
rx_pid=
cleanup() {
	[ -n "$rx_pid" ] && kill -INT "$rx_pid" 2>/dev/null && wait "$rx_pid" 2>/dev/null
	"$bin/xskb-lab" down -p "$lab" >/dev/null 2>&1 || true
	echo "== lab $lab removed"
}
trap cleanup EXIT INT TERM

echo "== lab"
"$bin/xskb-lab" down -p "$lab" >/dev/null 2>&1 || true
"$bin/xskb-lab" up -p "$lab"

# The veth receive softirq runs on the sender's CPU: keep the receiver off
# it when there is another (docs/benchmarks.md, "Loss at a steady rate").
rx_cpu=() gen_cpu=()
if [ "$(nproc)" -ge 2 ]; then
	rx_cpu=(--cpu 1)
	gen_cpu=(taskset -c 0)
fi
echo "== xskb-rx on ${lab}r for ${seconds}s (live statistics every second)"
"$bin/xskb-rx" -n "$lab-rx" -i "${lab}r" -d "$seconds" "${rx_cpu[@]}" --json \
	>"$BUILD_DIR/demo-rx.json" &
rx_pid=$!
sleep 1
echo "== xskb-gen: ${size}-byte UDP frames${rate:+ at $rate pps} for $((seconds - 2))s"
"${gen_cpu[@]}" "$bin/xskb-gen" -L "$lab" -s "$size" -d "$((seconds - 2))" ${rate:+-r "$rate"} ||
	echo "(xskb-gen failed: see above)"
wait "$rx_pid" || true
rx_pid=
echo "== summary (xskb-rx --json)"
cat "$BUILD_DIR/demo-rx.json"
