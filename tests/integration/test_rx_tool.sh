#!/usr/bin/env bash
# Integration test of the xskb-rx command line: on a lab of its own, it must
# receive exactly what xskb-gen sends, print the documented JSON, write a pcap
# tshark reads with the same count, exit cleanly on SIGINT leaving no XDP
# program attached, and reject bad arguments with exit status 2. After a
# kill -9 the next run takes the interface over (or --detach cleans it); a
# live receiver's program is left alone; a deleted interface ends the run
# with status 1. With exactly the documented capabilities it receives,
# without one it names it, and --user drops to nobody after set-up.
# usage: test_rx_tool.sh BIN_DIR     (root; CI=true turns "cannot" into failure)
set -uo pipefail
bin=$1
prefix="xr$(( $$ % 100000 ))"
work=$(mktemp -d /tmp/xskb-rx-test.XXXXXX)
rx_pid=

cleanup() {
	[ -n "$rx_pid" ] && kill -KILL "$rx_pid" 2>/dev/null
	"$bin/xskb-lab" down -p "$prefix" >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT

source "$(dirname "$0")/tool_test_lib.sh"

rx_exits_within_5s() {	# true once $rx_pid has exited, false after 5 s
	for _ in $(seq 1 100); do
		kill -0 "$rx_pid" 2>/dev/null || return 0
		sleep 0.05
	done
	return 1
}

# --- arguments ---------------------------------------------------------------
"$bin/xskb-rx" --help | grep -q -- "--pcap FILE"
check "--help documents --pcap" test $? -eq 0
"$bin/xskb-rx" >/dev/null 2>&1
check "no interface: exit 2" test $? -eq 2
"$bin/xskb-rx" -i x --mode turbo >/dev/null 2>"$work/err"
check "bad --mode: exit 2" test $? -eq 2
check "bad --mode: says why" grep -q "not copy, zerocopy or auto" "$work/err"
"$bin/xskb-rx" -i x --count 0 >/dev/null 2>&1
check "--count 0: exit 2" test $? -eq 2
"$bin/xskb-rx" -i xskb-no-such0 -d 1 >/dev/null 2>"$work/err"
check "unknown interface: exit 1" test $? -eq 1
check "unknown interface: says why" grep -q "no interface named xskb-no-such0" "$work/err"

# --- a lab -------------------------------------------------------------------
[ "$(id -u)" -eq 0 ] || cannot "xskb-rx needs root for its veth lab"
"$bin/xskb-lab" up -p "$prefix" >/dev/null 2>"$work/err" || cannot "lab: $(cat "$work/err")"

# Clones freed on another thread, rings of their own sizes.
"$bin/xskb-rx" -n "$prefix-rx" -i "${prefix}r" --json --verify --pcap "$work/rx.pcap" \
	--free-thread --fill-ring 8192 --rx-ring 4096 >"$work/rx.json" 2>"$work/rx.err" &
rx_pid=$!
# Ready when its banner is out (the program is attached and the queue bound).
for _ in $(seq 1 100); do
	grep -qs "Ctrl-C to stop" "$work/rx.err" && break
	sleep 0.05
done
check "xskb-rx started" grep -q "Ctrl-C to stop" "$work/rx.err"
check "XDP program attached while running" \
	bash -c "ip -n '$prefix-rx' link show '${prefix}r' | grep -q xdp"

"$bin/xskb-gen" -L "$prefix" -e packet -c 20000 -s 200 -r 100k >/dev/null
sleep 1
kill -INT "$rx_pid"
wait "$rx_pid"
status=$?
rx_pid=
check "SIGINT: exit 0 (status $status)" test "$status" -eq 0
check "live stats line on stderr" grep -q "Mpps" "$work/rx.err"

check "JSON rx_packets 20000" test "$(json_num rx_packets "$work/rx.json")" = 20000
check "JSON rx_bytes 4000000" test "$(json_num rx_bytes "$work/rx.json")" = 4000000
check "JSON skb_inplace 20000" test "$(json_num skb_inplace "$work/rx.json")" = 20000
check "JSON skb_slab 0" test "$(json_num skb_slab "$work/rx.json")" = 0
check "JSON skb_frags 0" test "$(json_num skb_frags "$work/rx.json")" = 0
check "JSON fill_ring_empty present" test -n "$(json_num fill_ring_empty "$work/rx.json")"
check "JSON drops object" grep -q '"drops":{"nomem":0,' "$work/rx.json"
check "JSON mode copy" grep -q '"mode":"copy"' "$work/rx.json"
check "JSON verify_ok 20000" test "$(json_num verify_ok "$work/rx.json")" = 20000
check "JSON pcap_packets 20000" test "$(json_num pcap_packets "$work/rx.json")" = 20000
check "JSON remote_freed 20000 (--free-thread)" test "$(json_num remote_freed "$work/rx.json")" = 20000
if command -v tshark >/dev/null; then
	n=$(tshark -r "$work/rx.pcap" -Y "udp.dstport == 9000" 2>/dev/null | wc -l)
	check "tshark reads 20000 UDP frames from the pcap ($n)" test "$n" -eq 20000
elif [ "${CI:-}" = true ]; then
	check "tshark installed in CI" false
fi
check "no XDP program left after exit" \
	bash -c "! ip -n '$prefix-rx' link show '${prefix}r' | grep -q xdp"

# --- --count and --duration end the run on their own ---------------------------
"$bin/xskb-rx" -n "$prefix-rx" -i "${prefix}r" --json --count 5000 >"$work/c.json" 2>"$work/c.err" &
rx_pid=$!
# Sending before the queue is bound would give the frames to the kernel.
for _ in $(seq 1 200); do
	grep -qs "Ctrl-C to stop" "$work/c.err" && break
	sleep 0.05
done
"$bin/xskb-gen" -L "$prefix" -e packet -c 5000 -s 100 -r 50k >/dev/null
if ! rx_exits_within_5s; then
	check "--count 5000 ends the run" false
else
	wait "$rx_pid"
	check "--count 5000 ends the run with exit 0" test $? -eq 0
	check "--count 5000 received 5000" test "$(json_num rx_packets "$work/c.json")" = 5000
fi
rx_pid=

"$bin/xskb-rx" -n "$prefix-rx" -i "${prefix}r" --quiet -d 1 --claim udp:9001 >/dev/null
check "--duration 1 with a claim rule: exit 0" test $? -eq 0

# --- kill -9 leaves the program attached; the next run and --detach cope ------
xdp_on() {	# is an XDP program attached to the lab's rx end?
	ip -n "$prefix-rx" link show "${prefix}r" 2>/dev/null | grep -q xdp
}
start_rx() {	# start_rx ERRFILE ARGS...: background xskb-rx, wait for its banner
	local err=$1
	shift
	start_cmd "$err" /dev/null "$bin/xskb-rx" -n "$prefix-rx" -i "${prefix}r" "$@"
}
start_cmd() {	# start_cmd ERRFILE OUTFILE COMMAND...: in the background, wait for the banner
	local err=$1 out=$2
	shift 2
	"$@" >"$out" 2>"$err" &
	rx_pid=$!
	for _ in $(seq 1 100); do
		grep -qs "Ctrl-C to stop" "$err" && return 0
		sleep 0.05
	done
	return 1
}
kill9_rx() {
	kill -KILL "$rx_pid" 2>/dev/null
	wait "$rx_pid" 2>/dev/null
	rx_pid=
}

start_rx "$work/k1.err"
check "kill -9 run: started" grep -q "Ctrl-C to stop" "$work/k1.err"
kill9_rx
check "kill -9: the program stays attached" xdp_on
timeout 20 "$bin/xskb-rx" -n "$prefix-rx" -i "${prefix}r" --quiet -d 1 2>"$work/k2.err"
status=$?
check "after kill -9 the next run works (status $status)" test "$status" -eq 0
check "after kill -9 the next run says it took over" grep -q "which is gone" "$work/k2.err"
check "after kill -9 and a clean run: nothing attached" bash -c "! ip -n '$prefix-rx' link show '${prefix}r' | grep -q xdp"

start_rx "$work/k3.err"
kill9_rx
"$bin/xskb-rx" -n "$prefix-rx" --detach "${prefix}r" 2>"$work/d1.err"
check "--detach after kill -9: exit 0" test $? -eq 0
check "--detach after kill -9: says so" grep -q "removed xskb's XDP program" "$work/d1.err"
check "--detach after kill -9: nothing attached" bash -c "! ip -n '$prefix-rx' link show '${prefix}r' | grep -q xdp"
"$bin/xskb-rx" -n "$prefix-rx" --detach "${prefix}r" 2>"$work/d2.err"
check "--detach with nothing attached: exit 0" test $? -eq 0
check "--detach with nothing attached: says so" grep -q "no xskb XDP program attached" "$work/d2.err"
"$bin/xskb-rx" -n "$prefix-rx" --detach xskb-no-such0 2>/dev/null
check "--detach unknown interface: exit 1" test $? -eq 1
"$bin/xskb-rx" --force -i x 2>/dev/null
check "--force without --detach: exit 2" test $? -eq 2

# --- capabilities -------------------------------------------------------------
# The documented minimum (docs/xskb-rx.md) receives; one capability less is
# named in the error; --user runs the receive loop as nobody. As root,
# setpriv's bounding set is what limits the capabilities after exec.
caps_rx() {	# caps_rx CAPS COMMAND...: in the rx namespace with exactly CAPS
	local caps=$1
	shift
	ip netns exec "$prefix-rx" setpriv --bounding-set "-all,$caps" --inh-caps -all -- "$@"
}
cap_run() {	# cap_run NAME CAPS XSKB-RX-ARGS...: receive 1000 frames, check, clean
	local name=$1 caps=$2
	shift 2
	# Not through caps_rx: $! must be xskb-rx itself (ip and setpriv exec it).
	start_cmd "$work/$name.err" "$work/$name.json" ip netns exec "$prefix-rx" \
		setpriv --bounding-set "-all,$caps" --inh-caps -all -- "$bin/xskb-rx" \
		-i "${prefix}r" --json -d 2 "$@"
	check "$name: started" grep -q "Ctrl-C to stop" "$work/$name.err"
	"$bin/xskb-gen" -L "$prefix" -e packet -c 1000 -s 100 -r 20k >/dev/null
}
cap_end() {	# cap_end NAME: wait for the run, check it got everything and left nothing
	local name=$1
	wait "$rx_pid"
	local status=$?
	rx_pid=
	check "$name: exit 0 (status $status)" test "$status" -eq 0
	check "$name: received 1000" test "$(json_num rx_packets "$work/$name.json")" = 1000
	check "$name: nothing attached after exit" bash -c "! ip -n '$prefix-rx' link show '${prefix}r' | grep -q xdp"
}
if command -v setpriv >/dev/null; then
	min="+net_admin,+bpf,+net_raw,+ipc_lock"
	cap_run caps4 "$min"
	cap_end caps4
	caps_rx "+net_admin,+bpf,+net_raw" "$bin/xskb-rx" -i "${prefix}r" -d 1 --quiet \
		2>"$work/c1.err"
	check "without CAP_IPC_LOCK: exit 1" test $? -eq 1
	check "without CAP_IPC_LOCK: named" grep -q "lacks CAP_IPC_LOCK" "$work/c1.err"
	caps_rx "+net_admin,+net_raw,+ipc_lock" "$bin/xskb-rx" -i "${prefix}r" -d 1 --quiet \
		2>"$work/c2.err"
	check "without CAP_BPF: exit 1" test $? -eq 1
	check "without CAP_BPF: named" grep -q "lacks CAP_BPF" "$work/c2.err"
	caps_rx "+bpf,+net_raw,+ipc_lock" "$bin/xskb-rx" -i "${prefix}r" -d 1 --quiet \
		2>"$work/c3.err"
	check "without CAP_NET_ADMIN: named" grep -q "lacks CAP_NET_ADMIN" "$work/c3.err"

	start_rx "$work/c4.err"
	kill9_rx
	caps_rx "$min" "$bin/xskb-rx" --detach "${prefix}r" 2>"$work/c5.err"
	check "--detach without CAP_SYS_ADMIN: exit 1" test $? -eq 1
	check "--detach without CAP_SYS_ADMIN: named" grep -q "lacks CAP_SYS_ADMIN" "$work/c5.err"
	caps_rx "+net_admin,+sys_admin" "$bin/xskb-rx" --detach "${prefix}r" 2>/dev/null
	check "--detach with CAP_NET_ADMIN and CAP_SYS_ADMIN: exit 0" test $? -eq 0
	check "--detach with CAP_NET_ADMIN and CAP_SYS_ADMIN: nothing attached" bash -c "! ip -n '$prefix-rx' link show '${prefix}r' | grep -q xdp"

	# --user: every thread runs as nobody without effective capabilities.
	cap_run user "$min,+setuid,+setgid,+setpcap" --user nobody
	check "--user nobody: uid 65534" grep -Eq "^Uid:\s+65534\s" "/proc/$rx_pid/status"
	bad=0
	for t in /proc/"$rx_pid"/task/*; do
		grep -Eq "^Uid:\s+65534\s" "$t/status" || bad=1
		grep -Eq "^CapEff:\s+0+$" "$t/status" || bad=1
	done
	check "--user nobody: no thread keeps root or effective capabilities" test "$bad" -eq 0
	check "--user nobody: only CAP_NET_ADMIN permitted" grep -Eq "^CapPrm:\s+0*1000$" "/proc/$rx_pid/status"
	cap_end user
	"$bin/xskb-rx" -n "$prefix-rx" -i "${prefix}r" -d 1 --quiet --user xskb-no-user0 2>"$work/c6.err"
	check "--user unknown: exit 1" test $? -eq 1
	check "--user unknown: says so" grep -q "no such user" "$work/c6.err"
elif [ "${CI:-}" = true ]; then
	check "setpriv installed in CI" false
fi

# Someone removes the program from under a running receiver: it stops, status 1.
start_rx "$work/x1.err" -d 20
ip -n "$prefix-rx" link set dev "${prefix}r" xdp off
if ! rx_exits_within_5s; then
	check "program removed: the run ends within 5 s" false
	kill9_rx
else
	wait "$rx_pid"
	status=$?
	rx_pid=
	check "program removed: exit 1 (status $status)" test "$status" -eq 1
	check "program removed: says so" grep -q "no longer on ${prefix}r" "$work/x1.err"
fi

# A live receiver keeps its program: a second run and --detach refuse.
start_rx "$work/l1.err" -d 20
timeout 20 "$bin/xskb-rx" -n "$prefix-rx" -i "${prefix}r" --quiet -d 1 2>"$work/l2.err"
check "second run beside a live one: exit 1" test $? -eq 1
check "second run names the live owner" grep -q "for process $rx_pid, which is alive" "$work/l2.err"
"$bin/xskb-rx" -n "$prefix-rx" --detach "${prefix}r" 2>"$work/l3.err"
check "--detach of a live receiver's program: exit 1" test $? -eq 1
check "live receiver still attached" xdp_on

# --- the interface disappears under a running receiver -----------------------
ip -n "$prefix-rx" link del "${prefix}r"
if ! rx_exits_within_5s; then
	check "deleted interface ends the run within 5 s" false
	kill9_rx
else
	wait "$rx_pid"
	status=$?
	rx_pid=
	check "deleted interface: exit 1 (status $status)" test "$status" -eq 1
	check "deleted interface: says so" grep -q "interface ${prefix}r is gone" "$work/l1.err"
fi

[ "$fails" -eq 0 ] || { echo "$fails check(s) failed"; exit 1; }
echo "all xskb-rx checks passed"
