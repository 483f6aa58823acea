#!/usr/bin/env bash
# Integration test of xskb-fwd on the three-namespace lab (client, proxy,
# backend): in the proxy namespace it forwards exactly N frames from the
# client to the backend, byte for byte with the MACs rewritten, and frames
# from the backend back to the MAC it learned on the client side; --count N
# ends the run after exactly N; 9000-byte frames go through as multi-buffer
# chains; a hairpin with --macswap sends frames back to the client with the
# MACs swapped; SIGINT in the middle of a flood stops it cleanly; nothing
# stays attached after any run. Bad arguments exit 2.
# usage: test_fwd_tool.sh BIN_DIR     (root; CI=true turns "cannot" into failure)
set -uo pipefail
bin=$1
prefix="xf$(( $$ % 100000 ))"
jprefix="xj$(( $$ % 100000 ))"
work=$(mktemp -d /tmp/xskb-fwd-test.XXXXXX)
pids=()

cleanup() {
	for p in "${pids[@]}"; do
		kill -KILL "$p" 2>/dev/null
	done
	"$bin/xskb-lab" down -p "$prefix" >/dev/null 2>&1
	"$bin/xskb-lab" down -p "$jprefix" >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT

source "$(dirname "$0")/tool_test_lib.sh"

port_num() {	# port_num in_port|out_port KEY FILE -> KEY inside that port's object
	sed -n "s/.*\"$1\":{//p" "$3" | grep -o "\"$2\":[0-9]*" | head -n1 | cut -d: -f2
}
mac_of() {	# mac_of NETNS IFACE
	ip -n "$1" -br link show "$2" | awk '{print $3}'
}

# start NAME ERRFILE OUTFILE COMMAND...: in the background, wait for its banner.
# Sets $last_pid; the banner means the programs are attached and queues bound.
start() {
	local err=$2 out=$3
	shift 3
	"$@" >"$out" 2>"$err" &
	last_pid=$!
	pids+=("$last_pid")
	for _ in $(seq 1 200); do
		grep -qs "Ctrl-C to stop" "$err" && return 0
		kill -0 "$last_pid" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}
# stop PID: SIGINT, wait at most 10 s; sets $status (124 if it hung: then killed)
stop() {
	kill -INT "$1" 2>/dev/null
	ends "$1"
}
ends() {	# ends PID: wait at most 10 s for it to exit by itself; sets $status
	for _ in $(seq 1 200); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$1" 2>/dev/null; then
		kill -KILL "$1"
		wait "$1" 2>/dev/null
		status=124
	else
		wait "$1"
		status=$?
	fi
}
xdp_on() {	# xdp_on NETNS IFACE: an XDP program is attached
	ip -n "$1" link show "$2" 2>/dev/null | grep -q xdp
}
nothing_attached() {	# nothing_attached NETNS IFACE...: no XDP, and xskb-rx --detach agrees
	local ns=$1
	shift
	for ifc in "$@"; do
		xdp_on "$ns" "$ifc" && return 1
		"$bin/xskb-rx" -n "$ns" --detach "$ifc" 2>&1 | grep -q "no xskb XDP program attached" ||
			return 1
	done
	return 0
}

# --- arguments ---------------------------------------------------------------
"$bin/xskb-fwd" --help | grep -q -- "--dst-mac MAC"
check "--help documents --dst-mac" test $? -eq 0
"$bin/xskb-fwd" -i x >/dev/null 2>"$work/err"
check "no -o: exit 2" test $? -eq 2
check "no -o: says why" grep -q "are required" "$work/err"
"$bin/xskb-fwd" -i x -o y --dst-mac 02:00:00:00:00 >/dev/null 2>"$work/err"
check "bad --dst-mac: exit 2" test $? -eq 2
check "bad --dst-mac: says why" grep -q "is not a MAC address" "$work/err"
"$bin/xskb-fwd" -i x -o y --macswap --dst-mac 02:00:00:00:00:01 >/dev/null 2>&1
check "--macswap with --dst-mac: exit 2" test $? -eq 2
"$bin/xskb-fwd" -i x -o y --copy --zero-copy >/dev/null 2>&1
check "--copy with --zero-copy: exit 2" test $? -eq 2
"$bin/xskb-fwd" -i x -o y --count 0 >/dev/null 2>&1
check "--count 0: exit 2" test $? -eq 2
"$bin/xskb-fwd" -i xskb-no-such0 -o xskb-no-such1 -d 1 >/dev/null 2>"$work/err"
check "unknown interface: exit 1" test $? -eq 1
check "unknown interface: says why" grep -q "no interface named xskb-no-such0" "$work/err"

# --- the lab -------------------------------------------------------------------
[ "$(id -u)" -eq 0 ] || cannot "xskb-fwd needs root for its veth lab"
command -v tshark >/dev/null || cannot "tshark is needed to read the MACs back"
"$bin/xskb-lab" down -p "$prefix" >/dev/null 2>&1
"$bin/xskb-lab" up -3 -p "$prefix" --static-neigh --no-ipv6 >/dev/null 2>"$work/err" ||
	cannot "lab: $(cat "$work/err")"
nc="$prefix-client" np="$prefix-proxy" nb="$prefix-backend"
ic="${prefix}c" ia="${prefix}a" ib="${prefix}b" is="${prefix}s"
mac_c=$(mac_of "$nc" "$ic") mac_a=$(mac_of "$np" "$ia")
mac_b=$(mac_of "$np" "$ib") mac_s=$(mac_of "$nb" "$is")
echo "lab $prefix: client $mac_c, proxy $mac_a / $mac_b, backend $mac_s"

gen() {	# gen ARGS...: frames from the client to the backend's address, through the proxy
	"$bin/xskb-gen" -n "$nc" -i "$ic" --dst-mac "$mac_a" --src-ip 198.18.1.1 \
		--dst-ip 198.18.2.2 "$@"
}
backend_rx() {	# backend_rx NAME ARGS...: xskb-rx on the backend, JSON and pcap
	start "$1" "$work/$1.rx.err" "$work/$1.rx.json" "$bin/xskb-rx" -n "$nb" -i "$is" \
		--json --verify --pcap "$work/$1.pcap" "${@:2}"
}
macs_are() {	# macs_are PCAP SRC DST COUNT: every frame has those MACs
	local n
	n=$(tshark -r "$1" -T fields -e eth.src -e eth.dst 2>/dev/null | sort | uniq -c |
		awk -v s="$2" -v d="$3" '$2 == s && $3 == d { print $1 }')
	[ "${n:-0}" -eq "$4" ]
}

# --- 1. exactly N frames, client -> proxy -> backend -------------------------
N=20000
backend_rx exact
check "exact: backend receiver started" test $? -eq 0
rx_pid=$last_pid
start exact "$work/exact.err" "$work/exact.json" "$bin/xskb-fwd" -n "$np" -i "$ia" -o "$ib" \
	--dst-mac "$mac_s" --json
check "exact: xskb-fwd started" test $? -eq 0
fwd_pid=$last_pid
check "exact: XDP on both proxy legs while running" bash -c \
	"ip -n '$np' link show '$ia' | grep -q xdp && ip -n '$np' link show '$ib' | grep -q xdp"
t0=$(date +%s.%N)
gen -e packet -c "$N" -s 200 -r 50k -j >"$work/exact.gen.json"
sleep 1
stop "$fwd_pid"
t1=$(date +%s.%N)
check "exact: SIGINT: exit 0 (status $status)" test "$status" -eq 0
stop "$rx_pid"
check "exact: generator sent $N" test "$(json_num sent "$work/exact.gen.json")" = "$N"
check "exact: live stats line on stderr" grep -q "Mpps" "$work/exact.err"
for k in received forwarded sent completed; do
	v=$(json_num "$k" "$work/exact.json")
	check "exact: fwd $k $N ($v)" test "$v" = "$N"
done
check "exact: fwd sent_bytes $((N * 200))" test "$(json_num sent_bytes "$work/exact.json")" = $((N * 200))
check "exact: fwd pending 0" test "$(json_num pending "$work/exact.json")" = 0
check "exact: no tx drops" grep -q '"tx":{"qdisc":0,"too_big":0,"runt":0,"not_owner":0,"gone":0,"csum":0}' "$work/exact.json"
check "exact: in_port received $N" test "$(port_num in_port rx_packets "$work/exact.json")" = "$N"
check "exact: out_port sent $N" test "$(port_num out_port tx_packets "$work/exact.json")" = "$N"
zc=$(json_num tx_zerocopy "$work/exact.json")
cp=$(json_num tx_copied "$work/exact.json")
check "exact: every send zero-copy from its own frame (zc $zc, copied $cp)" test "$zc" = "$N" -a "$cp" = 0
check "exact: backend rx_packets $N" test "$(json_num rx_packets "$work/exact.rx.json")" = "$N"
check "exact: backend rx_bytes $((N * 200))" test "$(json_num rx_bytes "$work/exact.rx.json")" = $((N * 200))
check "exact: backend verify_ok $N (headers, checksums, payload)" \
	test "$(json_num verify_ok "$work/exact.rx.json")" = "$N"
check "exact: every frame from $mac_b to $mac_s" macs_are "$work/exact.pcap" "$mac_b" "$mac_s" "$N"
check "exact: nothing attached after exit" nothing_attached "$np" "$ia" "$ib"
echo "exact: $N frames of 200 bytes, generator $(json_num pps "$work/exact.gen.json") pps," \
	"forwarder $(json_num pps "$work/exact.json") pps, run $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s"

# --- 2. --count N ends the run after exactly N ---------------------------------
backend_rx count
rx_pid=$last_pid
start count "$work/count.err" "$work/count.json" "$bin/xskb-fwd" -n "$np" -i "$ia" -o "$ib" \
	--dst-mac "$mac_s" --json --count 5000
check "count: started" test $? -eq 0
fwd_pid=$last_pid
gen -e packet -c 6000 -s 100 -r 50k >/dev/null
ends "$fwd_pid"
check "count: ends by itself with exit 0 (status $status)" test "$status" -eq 0
stop "$rx_pid"
check "count: forwarded 5000" test "$(json_num forwarded "$work/count.json")" = 5000
check "count: completed 5000" test "$(json_num completed "$work/count.json")" = 5000
check "count: backend received exactly 5000" test "$(json_num rx_packets "$work/count.rx.json")" = 5000
check "count: backend verify_ok 5000" test "$(json_num verify_ok "$work/count.rx.json")" = 5000
check "count: nothing attached after exit" nothing_attached "$np" "$ia" "$ib"

# --- 3. hairpin with --macswap: frames come back to the client ----------------
start hairpin.rx "$work/hp.rx.err" "$work/hp.rx.json" "$bin/xskb-rx" -n "$nc" -i "$ic" \
	--json --verify --pcap "$work/hp.pcap"
rx_pid=$last_pid
start hairpin "$work/hp.err" "$work/hp.json" "$bin/xskb-fwd" -n "$np" -i "$ia" -o "$ia" \
	--macswap --json
check "hairpin: started" test $? -eq 0
fwd_pid=$last_pid
check "hairpin: banner says hairpin" grep -q "hairpin" "$work/hp.err"
gen -e packet -c 3000 -s 128 -r 30k >/dev/null
sleep 1
stop "$fwd_pid"
check "hairpin: exit 0 (status $status)" test "$status" -eq 0
stop "$rx_pid"
check "hairpin: forwarded 3000" test "$(json_num forwarded "$work/hp.json")" = 3000
check "hairpin: JSON says hairpin" grep -q '"hairpin":true' "$work/hp.json"
check "hairpin: client got 3000 back" test "$(json_num rx_packets "$work/hp.rx.json")" = 3000
check "hairpin: client verify_ok 3000" test "$(json_num verify_ok "$work/hp.rx.json")" = 3000
check "hairpin: MACs swapped on every frame ($mac_a -> $mac_c)" \
	macs_are "$work/hp.pcap" "$mac_a" "$mac_c" 3000
check "hairpin: nothing attached after exit" nothing_attached "$np" "$ia"
check "hairpin: client receiver detached" nothing_attached "$nc" "$ic"

# --- the return direction: OUT -> IN, to the MAC learned on IN ---------------------
start back.rx "$work/back.rx.err" "$work/back.rx.json" "$bin/xskb-rx" -n "$nc" -i "$ic" \
	--json --verify --pcap "$work/back.pcap"
rx_pid=$last_pid
start back "$work/back.err" "$work/back.json" "$bin/xskb-fwd" -n "$np" -i "$ia" -o "$ib" \
	--dst-mac "$mac_s" --json
fwd_pid=$last_pid
from_backend() {	# from_backend ARGS...: frames from the backend to the client's address
	"$bin/xskb-gen" -n "$nb" -i "$is" --dst-mac "$mac_b" --src-ip 198.18.2.2 \
		--dst-ip 198.18.1.1 -e packet -s 100 "$@" >/dev/null
}
# Before the client has sent anything there is no MAC to return to.
from_backend -c 500 -r 50k
# To an address the backend's kernel drops quietly (not its own, no
# forwarding): no ICMP comes back to muddle the client's counts.
gen -e packet -c 100 -s 100 --dst-ip 198.18.2.99 >/dev/null
from_backend -c 2000 -r 50k
sleep 1
stop "$fwd_pid"
check "return: exit 0 (status $status)" test "$status" -eq 0
stop "$rx_pid"
check "return: 500 dropped before a MAC was learned" \
	test "$(json_num no_return_mac "$work/back.json")" = 500
check "return: out_port forwarded 2000" test "$(port_num out_port forwarded "$work/back.json")" = 2000
check "return: in_port forwarded 100" test "$(port_num in_port forwarded "$work/back.json")" = 100
check "return: client got exactly the 2000" test "$(json_num rx_packets "$work/back.rx.json")" = 2000
check "return: client verify_ok 2000" test "$(json_num verify_ok "$work/back.rx.json")" = 2000
check "return: every frame from $mac_a to the learned $mac_c" \
	macs_are "$work/back.pcap" "$mac_a" "$mac_c" 2000
check "return: nothing attached after exit" nothing_attached "$np" "$ia" "$ib"

# --- 4. SIGINT in the middle of a flood ---------------------------------------------
backend_rx flood
rx_pid=$last_pid
start flood "$work/flood.err" "$work/flood.json" "$bin/xskb-fwd" -n "$np" -i "$ia" -o "$ib" \
	--dst-mac "$mac_s" --json
fwd_pid=$last_pid
gen -e xdp -d 4 -s 64 >"$work/flood.gen" 2>&1 &
gen_pid=$!
pids+=("$gen_pid")
sleep 1.5
check "flood: forwarding under way" grep -q "Mpps" "$work/flood.err"
stop "$fwd_pid"
check "flood: SIGINT mid-flood: exit 0 within 10 s (status $status)" test "$status" -eq 0
check "flood: nothing attached on the proxy legs right after" nothing_attached "$np" "$ia" "$ib"
wait "$gen_pid"
stop "$rx_pid"
f=$(json_num forwarded "$work/flood.json")
d=$(json_num completed "$work/flood.json")
r=$(json_num rx_packets "$work/flood.rx.json")
check "flood: forwarded something ($f)" test "${f:-0}" -gt 0
check "flood: all forwarded completed ($d of $f)" test "$d" = "$f"
check "flood: pending 0" test "$(json_num pending "$work/flood.json")" = 0
check "flood: the backend got at most what was forwarded ($r of $f)" test "${r:-0}" -le "$f"
echo "flood: forwarded $f, backend received $r; generator: $(tail -n1 "$work/flood.gen")"

# --- TX checksum offload on the client's veth: xskb-fwd warns ---------------------
if command -v ethtool >/dev/null; then
	ip netns exec "$nc" ethtool -K "$ic" tx on >/dev/null 2>&1
	"$bin/xskb-fwd" -n "$np" -i "$ia" -o "$ib" -d 1 --quiet 2>"$work/csum.err"
	status=$?
	check "csum offload on: still exit 0 (status $status)" test "$status" -eq 0
	check "csum offload on the client's veth: warned" \
		grep -q "TX checksum offload is on on $ic" "$work/csum.err"
	ip netns exec "$nc" ethtool -K "$ic" tx off >/dev/null 2>&1
	"$bin/xskb-fwd" -n "$np" -i "$ia" -o "$ib" -d 1 --quiet 2>"$work/csum.err"
	check "csum offload off: no warning" bash -c "! grep -q 'checksum offload' '$work/csum.err'"
elif [ "${CI:-}" = true ]; then
	check "ethtool installed in CI" false
fi

# --- 5. 9000-byte frames as multi-buffer chains --------------------------------------
"$bin/xskb-lab" down -p "$jprefix" >/dev/null 2>&1
if "$bin/xskb-lab" up -3 -p "$jprefix" -m 9000 --static-neigh --no-ipv6 >/dev/null 2>"$work/err"; then
	jc="$jprefix-client" jp="$jprefix-proxy" jb="$jprefix-backend"
	ja="${jprefix}a" jbb="${jprefix}b" js="${jprefix}s"
	jmac_a=$(mac_of "$jp" "$ja") jmac_b=$(mac_of "$jp" "$jbb") jmac_s=$(mac_of "$jb" "$js")
	M=1000
	start jumbo.rx "$work/j.rx.err" "$work/j.rx.json" "$bin/xskb-rx" -n "$jb" -i "$js" --json \
		--verify --multi-buffer --mb-mode frags --pcap "$work/j.pcap"
	rx_pid=$last_pid
	start jumbo "$work/j.err" "$work/j.json" "$bin/xskb-fwd" -n "$jp" -i "$ja" -o "$jbb" \
		--dst-mac "$jmac_s" --multi-buffer --json
	check "jumbo: xskb-fwd --multi-buffer started" test $? -eq 0
	fwd_pid=$last_pid
	"$bin/xskb-gen" -n "$jc" -i "${jprefix}c" --dst-mac "$jmac_a" -e packet -s 9014 -c "$M" \
		-r 20k >/dev/null
	sleep 1
	stop "$fwd_pid"
	check "jumbo: exit 0 (status $status)" test "$status" -eq 0
	stop "$rx_pid"
	check "jumbo: forwarded $M" test "$(json_num forwarded "$work/j.json")" = "$M"
	check "jumbo: received as chains (skb_frags $M)" test "$(port_num in_port skb_frags "$work/j.json")" = "$M"
	descs=$(json_num sent_descs "$work/j.json")
	check "jumbo: sent as the chains they arrived as ($descs descriptors, 3 each)" \
		test "${descs:-0}" = $((M * 3)) -a "$(json_num tx_linearized "$work/j.json")" = 0
	check "jumbo: headers copied, payload not (tx_hdr_copied $M, tx_copied 0)" \
		test "$(json_num tx_hdr_copied "$work/j.json")" = "$M" -a \
		"$(json_num tx_copied "$work/j.json")" = 0
	check "jumbo: sent_bytes $((M * 9014))" test "$(json_num sent_bytes "$work/j.json")" = $((M * 9014))
	check "jumbo: completed = descriptors" test "$(json_num completed "$work/j.json")" = "$descs"
	check "jumbo: backend rx_packets $M" test "$(json_num rx_packets "$work/j.rx.json")" = "$M"
	check "jumbo: backend rx_bytes $((M * 9014))" test "$(json_num rx_bytes "$work/j.rx.json")" = $((M * 9014))
	check "jumbo: backend verify_ok $M (every byte)" test "$(json_num verify_ok "$work/j.rx.json")" = "$M"
	check "jumbo: every frame from $jmac_b to $jmac_s" macs_are "$work/j.pcap" "$jmac_b" "$jmac_s" "$M"
	check "jumbo: nothing attached after exit" nothing_attached "$jp" "$ja" "$jbb"
	echo "jumbo: header-copied sends $(json_num tx_hdr_copied "$work/j.json"), copies $(json_num tx_copied "$work/j.json")"
	"$bin/xskb-lab" down -p "$jprefix" >/dev/null 2>&1
else
	check "jumbo: MTU 9000 lab ($(cat "$work/err"))" false
fi

[ "$fails" -eq 0 ] || { echo "$fails check(s) failed"; exit 1; }
echo "all xskb-fwd checks passed"
