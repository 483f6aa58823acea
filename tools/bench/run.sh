#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The benchmark harness: xskb against its baselines on veth labs, on replay
# queues and in the allocator; raw JSON into a results directory, then
# docs/benchmarks.md and a plot through report.py. Needs root.
set -uo pipefail

usage() {
	cat <<EOF
usage: tools/bench/run.sh [options]

Runs every benchmark of xskb against its baselines, alternating the
contenders run by run and quoting medians:

  veth    xskb-rx vs a bare libxdp ring loop (xskb-bare) vs dpdk-testpmd
          (net_af_xdp, rxonly) vs a kernel UDP socket (xskb-kudp), fed by
          xskb-gen on a veth lab of its own: 64 and 1500-byte frames from the
          live-frame engine at full rate, 9000-byte frames (MTU 9000 lab,
          multi-buffer receivers) from the AF_PACKET engine
  replay  xskb-bench replay vs replay --bare vs dpdk-testpmd net_null rxonly,
          one core each; callgrind instructions per packet
  slab    xskb-bench micro: kmalloc/kfree vs glibc malloc/free
  fwd     forwarding, on a three-namespace lab (client, proxy, backend) of
          its own and on replay queues: xskb-bench replay-fwd vs replay-fwd
          --bare vs the bare in-memory ring loop (xskb-ringfwd) vs
          dpdk-testpmd net_null macswap and io; xskb-fwd vs xskb-bare --fwd
          vs dpdk-testpmd (two net_af_xdp ports, mac mode) vs the kernel's
          IP forwarding, xskb-gen in the client namespace on CPU 0, the
          forwarder on CPU 1, frames counted by an XDP counter (xskb-sink) in
          the backend namespace; xskb-udp-proxy vs a kernel UDP relay
          (xskb-krelay), UDP clients (xskb-udpload) and an echo (xskb-kudp
          --echo). Alone: --only fwd --quick takes about three minutes

Raw results go to RESULTS/<date-time>/ (RESULTS/latest links to it); then
docs/benchmarks.md and docs/bench-veth.png are written from them.

options:
  --quick           fewer frames per run (a few minutes; default full:
                    30M-frame 64-byte runs, ~10 minutes)
  --runs N          runs per contender, 1..21 (default 3)
  --only LIST       comma-separated subset of veth,replay,slab,fwd (repeatable)
  --build DIR       build directory (default build)
  --no-build        do not run cmake --build first
  --results DIR     where raw results go (default BUILD/bench-results)
  --docs DIR        where benchmarks.md and the plot go (default docs)
  --no-docs         keep the results, write no documentation
  --report-only DIR regenerate the documentation from results directory DIR
  -h, --help        this text

Labs are named xb<pid><a|b|f> and always deleted at exit (also on Ctrl-C);
host interfaces are never touched. Receivers run on CPU 1, the generator
and DPDK's idle main lcore on CPU 0.
EOF
}

die() { echo "run.sh: $*" >&2; exit 1; }
bad_usage() { echo "run.sh: $* (try --help)" >&2; exit 2; }
log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)

quick=0 runs="" only="" build_dir="$top/build" do_build=1 results="" docs="$top/docs"
write_docs=1 report_only=""
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) quick=1 ;;
	--runs)
		[ $# -ge 2 ] || bad_usage "--runs needs a value"
		if ! [[ "$2" =~ ^[0-9]+$ ]] || [ "$2" -lt 1 ] || [ "$2" -gt 21 ]; then
			bad_usage "--runs: '$2' is not a number in 1..21"
		fi
		runs=$2; shift ;;
	--only)
		[ $# -ge 2 ] || bad_usage "--only needs a value"
		for s in ${2//,/ }; do
			case "$s" in
			veth|replay|slab|fwd) [[ " $only " == *" $s "* ]] || only="$only $s" ;;
			*) bad_usage "--only: '$s' is not veth, replay, slab or fwd" ;;
			esac
		done
		[ -n "$only" ] || bad_usage "--only: empty list"
		shift ;;
	--build) [ $# -ge 2 ] || bad_usage "--build needs a value"; build_dir=$(realpath -m "$2"); shift ;;
	--no-build) do_build=0 ;;
	--results) [ $# -ge 2 ] || bad_usage "--results needs a value"; results=$(realpath -m "$2"); shift ;;
	--docs) [ $# -ge 2 ] || bad_usage "--docs needs a value"; docs=$(realpath -m "$2"); shift ;;
	--no-docs) write_docs=0 ;;
	--report-only)
		[ $# -ge 2 ] || bad_usage "--report-only needs a value"
		report_only=$(realpath -m "$2"); shift ;;
	-h|--help) usage; exit 0 ;;
	*) bad_usage "unknown option '$1'" ;;
	esac
	shift
done
[ -n "$only" ] || only=" veth replay slab fwd"
[ -n "$runs" ] || runs=3
[ -n "$results" ] || results="$build_dir/bench-results"
bin="$build_dir/bin"

report() {
	local dir=$1
	[ $write_docs = 1 ] || { log "results in $dir (no documentation written: --no-docs)"; return 0; }
	mkdir -p "$docs" || return 1
	python3 "$here/report.py" --results "$dir" --template "$here/benchmarks.md.in" \
		--out "$docs/benchmarks.md" --plot "$docs/bench-veth.png" \
		--optlog "$docs/optimisations.md"
}

if [ -n "$report_only" ]; then
	[ -f "$report_only/meta.json" ] || die "$report_only has no meta.json: not a results directory"
	report "$report_only"
	exit $?
fi

[ "$(id -u)" = 0 ] || die "needs root (network namespaces, XDP, AF_XDP)"
for t in ip taskset timeout python3 stdbuf unshare; do
	command -v "$t" >/dev/null || die "$t not found"
done
if [ $do_build = 1 ]; then
	log "building in $build_dir"
	{ cmake -S "$top" -B "$build_dir" >/dev/null && cmake --build "$build_dir" -j"$(nproc)" >/dev/null; } ||
		die "the build failed (cmake --build $build_dir shows why)"
fi
for b in xskb-lab xskb-gen xskb-rx xskb-bare xskb-kudp xskb-bench; do
	[ -x "$bin/$b" ] || die "$bin/$b missing: build first (cmake --build $build_dir)"
done
if [[ " $only " == *" fwd "* ]]; then
	for b in xskb-sink xskb-krelay xskb-udpload xskb-ringfwd; do
		[ -x "$bin/$b" ] || die "$bin/$b missing: build first (cmake --build $build_dir)"
	done
fi
[ "$(nproc)" -ge 2 ] || die "needs 2 CPUs: receivers run on CPU 1, the generator on CPU 0"
testpmd=$(command -v dpdk-testpmd || true)

# ---- sizes of the runs ----------------------------------------------------------
if [ $quick = 1 ]; then
	count_64=3000000 count_1500=1000000 count_9000=100000
	replay_secs=1 cg_n1=100000 cg_n2=600000 micro_args="--quick"
	fwd_count=2000000 udp_secs=2
else
	count_64=30000000 count_1500=5000000 count_9000=300000
	replay_secs=2 cg_n1=200000 cg_n2=1200000 micro_args=""
	fwd_count=10000000 udp_secs=5
fi
replay_sizes="64 1500"

stamp=$(date +%Y%m%d-%H%M%S)
res="$results/$stamp"
mkdir -p "$res" || die "cannot create $res"
ln -sfn "$stamp" "$results/latest"
manifest="$res/manifest.jsonl"
: >"$manifest"

# ---- cleanup: everything this script starts is tracked and undone ----------------
prefix_base="xb$$"
labs=()
pids=()
fds=()
dpdk_prefixes=()

# Every process this script starts runs under timeout(1), which makes itself
# the leader of a new process group: killing that group kills the receiver
# too, never anything else.
kill_group() {
	kill -KILL -- "-$1" 2>/dev/null || kill -KILL "$1" 2>/dev/null
}

cleanup() {
	local p n
	trap - EXIT INT TERM
	for p in "${pids[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "${pids[@]}"; do
		for n in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill_group "$p"
		wait "$p" 2>/dev/null
	done
	for p in "${fds[@]}"; do eval "exec $p>&-" 2>/dev/null; done
	for p in "${labs[@]}"; do
		"$bin/xskb-lab" down -p "$p" >/dev/null 2>&1 || {
			for n in tx rx client proxy backend; do
				ip netns del "$p-$n" 2>/dev/null
			done
		}
	done
	for p in "${dpdk_prefixes[@]}"; do
		rmdir "/var/run/dpdk/$p" 2>/dev/null
	done
	rmdir /var/run/dpdk 2>/dev/null
	rm -f "$res"/*.fifo 2>/dev/null
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

untrack_pid() {
	local p keep=()
	for p in "${pids[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
	pids=("${keep[@]}")
}

untrack_fd() {
	local f keep=()
	for f in "${fds[@]}"; do [ "$f" = "$1" ] || keep+=("$f"); done
	fds=("${keep[@]}")
}

# Wait for a background process to end, at most $2 seconds, then kill it.
# Prints nothing; returns its exit status (137 if it had to be killed).
wait_bounded() {
	local pid=$1 secs=$2 i rc
	for ((i = 0; i < secs * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && kill_group "$pid"
	wait "$pid" 2>/dev/null
	rc=$?
	untrack_pid "$pid"
	return $rc
}

# True once the interface in the namespace has an XDP program (at most $3 s).
wait_xdp() {
	local ns=$1 ifname=$2 secs=$3 i
	for ((i = 0; i < secs * 10; i++)); do
		ip -n "$ns" link show dev "$ifname" 2>/dev/null | grep -q 'prog/xdp' && return 0
		sleep 0.1
	done
	return 1
}

# True once file $1 contains $2 (at most $3 s), or false when $4 (a pid) ended.
wait_text() {
	local file=$1 text=$2 secs=$3 pid=$4 i
	for ((i = 0; i < secs * 10; i++)); do
		grep -q -- "$text" "$file" 2>/dev/null && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# Benchmark processes this script did not start (another session's runs)
# distort every figure on a two-CPU machine. Called between measurements,
# when none of ours runs.
foreign_procs() {
	ps -eo pid=,stat=,comm= | awk '$2 !~ /^Z/ &&
		$3 ~ /^(xskb-rx|xskb-gen|xskb-bench|xskb-bare|xskb-kudp|xskb-fwd|xskb-udp-prox|xskb-sink|xskb-krelay|xskb-udpload|xskb-ringfwd|dpdk-testpmd|valgrind|callgrind-amd64|memcheck-amd64)/ {
		printf "%s(%s) ", $3, $1 }'
}

# Wait up to 30 s for foreign benchmark processes to end; sets $disturbed to
# those still running (empty when the machine is ours).
disturbed=""
wait_quiet() {
	local i
	for ((i = 0; i < 30; i++)); do
		disturbed=$(foreign_procs)
		[ -n "$disturbed" ] || return 0
		[ $i = 0 ] && log "  waiting up to 30 s for other benchmark processes: $disturbed"
		sleep 1
	done
	log "  measuring anyway, flagged as disturbed"
}

json_str() {
	local s
	s=$(printf '%s' "$1" | tr -d '\000-\037')
	s=${s//\\/\\\\}
	printf '%s' "${s//\"/\\\"}"
}

# manifest SUITE SIZE CONTENDER RUN ID STATUS NOTE: one line per measurement,
# flagged when other benchmark processes ran before or after it.
manifest() {
	local after
	after=$(foreign_procs)
	printf '{"suite":"%s","size":%s,"contender":"%s","run":%s,"id":"%s","status":"%s","note":"%s","disturbed":"%s"}\n' \
		"$1" "$2" "$3" "$4" "$5" "$6" "$(json_str "$7")" "$(json_str "$disturbed${after:+ after: $after}")" \
		>>"$manifest"
	disturbed=""
}

# measure SUITE SIZE CONTENDER RUN ID FUNC ARGS...: run FUNC ARGS (which sets
# m_status and m_note), measuring again, at most twice, when benchmark
# processes this script did not start ran before or after it; then record it.
m_status="" m_note=""
measure() {
	local suite=$1 size=$2 cont=$3 run=$4 id=$5 attempt after
	shift 5
	for attempt in 1 2 3; do
		wait_quiet
		m_status=failed m_note=""
		"$@"
		after=$(foreign_procs)
		if [ -z "$disturbed$after" ] || [ $attempt = 3 ]; then
			break
		fi
		log "  $id: other benchmark processes ran (${disturbed}${after}): measuring again"
	done
	manifest "$suite" "$size" "$cont" "$run" "$id" "$m_status" "$m_note"
}

# ---- metadata ----------------------------------------------------------------------
pkgver() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo unknown; }
{
	commit=$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo unknown)
	dirty=$(git -C "$top" status --porcelain --untracked-files=no 2>/dev/null | grep -q . && echo true || echo false)
	cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
	printf '{"date":"%s","host_kernel":"%s","cpu":"%s","cpus":%s,"commit":"%s","dirty":%s,' \
		"$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(uname -r)" "${cpu//\"/}" "$(nproc)" "$commit" "$dirty"
	printf '"quick":%s,"runs":%s,"suites":"%s","count_64":%s,"count_1500":%s,"count_9000":%s,' \
		"$([ $quick = 1 ] && echo true || echo false)" "$runs" "${only# }" \
		"$count_64" "$count_1500" "$count_9000"
	printf '"replay_seconds":%s,"replay_sizes":"%s","callgrind_n1":%s,"callgrind_n2":%s,' \
		"$replay_secs" "$replay_sizes" "$cg_n1" "$cg_n2"
	printf '"fwd_count":%s,"udp_seconds":%s,' "$fwd_count" "$udp_secs"
	printf '"libxdp":"%s","dpdk":"%s","testpmd":%s}\n' "$(pkgver libxdp1)" "$(pkgver dpdk)" \
		"$([ -n "$testpmd" ] && echo true || echo false)"
} >"$res/meta.json"

# ---- dpdk-testpmd ---------------------------------------------------------------------

# Interactive testpmd, rxonly forwarding on lcore 1 while the main lcore (0)
# idles at the prompt, fed commands through a FIFO on fd $tp_fd.
#   testpmd_start ID PREFIX LOG VDEV WRAPPER...   (sets tp_pid, tp_fd, tp_fifo)
# VDEV may name several devices, separated by spaces. $tp_mode (default
# rxonly) is the forwarding mode, $tp_args more testpmd options; both are
# reset after each start.
tp_mode="" tp_args=()
testpmd_start() {
	local id=$1 pfx=$2 log=$3 v
	local -a vdevs=()
	for v in $4; do vdevs+=(--vdev "$v"); done
	shift 4
	tp_fifo="$res/$id.fifo" tp_pfx=$pfx tp_pid="" tp_fd=""
	rm -f "$tp_fifo"
	mkfifo "$tp_fifo" || return 1
	dpdk_prefixes+=("$pfx")
	"$@" stdbuf -oL -eL "$testpmd" \
		--no-huge --no-shconf --file-prefix "$pfx" -m 1024 --no-pci -l 0,1 \
		"${vdevs[@]}" --log-level=lib.eal:warning -- \
		-i --forward-mode="${tp_mode:-rxonly}" --nb-cores=1 --total-num-mbufs=16384 \
		"${tp_args[@]}" -a <"$tp_fifo" >"$log" 2>&1 &
	tp_pid=$!
	tp_mode="" tp_args=()
	pids+=("$tp_pid")
	# Read-write open: never blocks, even if testpmd is already gone.
	exec {tp_fd}<>"$tp_fifo"
	fds+=("$tp_fd")
}

# Send COMMANDS (then stop and quit), wait for testpmd, remove its traces.
testpmd_stop() {
	printf '%bstop\nquit\n' "$1" 1>&"$tp_fd" 2>/dev/null
	wait_bounded "$tp_pid" 20
	exec {tp_fd}>&-
	untrack_fd "$tp_fd"
	rm -f "$tp_fifo"
	rmdir "/var/run/dpdk/$tp_pfx" 2>/dev/null
}

# ---- veth -----------------------------------------------------------------------------

# One measurement: start the receiver, wait until it is attached, send COUNT
# frames, let the rings drain, stop the receiver, keep both JSON outputs.
veth_measure() {
	local lab=$1 size=$2 engine=$3 count=$4 cont=$5 run=$6
	local ns_rx="$lab-rx" if_rx="${lab}r"
	local id="veth-$size-$cont-$run" rx_pid="" rc status=ok note="" gen_bound rx_bound
	local rx_json="$res/$id.rx.json" rx_log="$res/$id.rx.log" gen_json="$res/$id.gen.json"
	local -a extra=()

	# The slowest case (kernel UDP stack on the generator's CPU) sends
	# ~1 Mpps; packet-engine jumbo frames ~0.2 Mpps. Bounds, not estimates.
	gen_bound=$((count / 100000 + 30))
	rx_bound=$((gen_bound + 60))
	# A receiver that died on a previous run must not leave its program.
	if ip -n "$ns_rx" link show dev "$if_rx" 2>/dev/null | grep -q 'prog/xdp'; then
		log "removing a leftover XDP program from $if_rx"
		ip -n "$ns_rx" link set dev "$if_rx" xdp off 2>/dev/null
	fi
	case "$cont" in
	bare|bare-mb)
		[ "$cont" = bare-mb ] && extra=(--multi-buffer)
		timeout -k 5 "$rx_bound" taskset -c 1 "$bin/xskb-bare" -n "$ns_rx" -i "$if_rx" \
			--json --quiet -d "$rx_bound" "${extra[@]}" >"$rx_json" 2>"$rx_log" &
		;;
	xskb|xskb-slab|xskb-frags)
		[ "$cont" = xskb-slab ] && extra=(--multi-buffer --mb-mode slab)
		[ "$cont" = xskb-frags ] && extra=(--multi-buffer --mb-mode frags)
		# --idle-us 0: busy-polls like the bare loop and testpmd (see the
		# caveats in benchmarks.md for what sleeping costs on this VM).
		timeout -k 5 "$rx_bound" taskset -c 1 "$bin/xskb-rx" -n "$ns_rx" -i "$if_rx" \
			--json --quiet --idle-us 0 -d "$rx_bound" "${extra[@]}" >"$rx_json" 2>"$rx_log" &
		;;
	kudp)
		timeout -k 5 "$rx_bound" taskset -c 1 "$bin/xskb-kudp" -n "$ns_rx" -i "$if_rx" \
			--json --quiet -d "$rx_bound" >"$rx_json" 2>"$rx_log" &
		;;
	dpdk)
		testpmd_start "$id" "$prefix_base$cont$run" "$rx_log" "net_af_xdp0,iface=$if_rx" \
			timeout -k 5 "$rx_bound" ip netns exec "$ns_rx" ||
			{ m_note="mkfifo $tp_fifo failed"; return; }
		rx_pid=$tp_pid
		;;
	esac
	[ -n "$rx_pid" ] || { rx_pid=$!; pids+=("$rx_pid"); }

	if ! wait_xdp "$ns_rx" "$if_rx" 30 ||
	   { [ "$cont" = dpdk ] && ! wait_text "$rx_log" "Start automatic packet forwarding" 30 "$rx_pid"; }; then
		status=failed note="receiver did not attach: $(tail -n 3 "$rx_log" | tr '\n' ' ')"
	else
		# Attached is not yet bound: give the socket a moment.
		sleep 1
		timeout -k 5 "$gen_bound" taskset -c 0 "$bin/xskb-gen" --lab "$lab" -c "$count" \
			-s "$size" -e "$engine" --json >"$gen_json" 2>"$res/$id.gen.log" ||
			{ status=failed note="xskb-gen failed: $(tail -n 2 "$res/$id.gen.log" | tr '\n' ' ')"; }
		sleep 1
	fi
	if [ "$cont" = dpdk ]; then
		testpmd_stop 'show port stats all\n'
		python3 "$here/report.py" --parse-testpmd "$rx_log" >"$rx_json" 2>/dev/null ||
			[ $status != ok ] || { status=failed note="no statistics in testpmd's output"; }
	else
		kill -TERM "$rx_pid" 2>/dev/null
		wait_bounded "$rx_pid" 20
		rc=$?
		if [ $rc != 0 ] && [ $status = ok ]; then
			status=failed note="receiver exit status $rc: $(tail -n 2 "$rx_log" | tr '\n' ' ')"
		fi
	fi
	[ -s "$rx_json" ] || [ $status != ok ] || { status=failed note="receiver wrote no JSON"; }
	m_status=$status m_note=$note
	log "  veth $size B $cont run $run: $status $(python3 "$here/report.py" --one-line "$res" "$id" 2>/dev/null)"
}

veth_size() {
	local size=$1 mtu=1500 engine=xdp count contenders lab
	case "$size" in
	64) count=$count_64; contenders="bare xskb dpdk kudp" ;;
	1500) count=$count_1500; contenders="bare xskb dpdk kudp" ;;
	9000) count=$count_9000; mtu=9000; engine=packet
	      contenders="bare-mb xskb-slab xskb-frags dpdk kudp" ;;
	esac
	lab="$prefix_base$([ "$mtu" = 9000 ] && echo b || echo a)"
	if ! printf '%s\n' "${labs[@]}" | grep -qx "$lab"; then
		labs+=("$lab")
		"$bin/xskb-lab" up -p "$lab" -m "$mtu" >"$res/lab-$lab.txt" 2>&1 ||
			{ log "cannot create lab $lab: $(cat "$res/lab-$lab.txt")"; return 1; }
	fi
	local -a order
	read -r -a order <<<"$contenders"
	local n=${#order[@]} run k c
	for ((run = 1; run <= runs; run++)); do
		# Rotate who goes first, so drift over time (thermal, other
		# tenants) spreads over every contender alike.
		for ((k = 0; k < n; k++)); do
			c=${order[$(((run - 1 + k) % n))]}
			if [ "$c" = dpdk ] && [ -z "$testpmd" ]; then
				manifest veth "$size" dpdk "$run" "veth-$size-dpdk-$run" skipped "dpdk-testpmd not installed"
				continue
			fi
			if [ "$c" = dpdk ] && [ "$size" = 9000 ]; then
				manifest veth "$size" dpdk "$run" "veth-$size-dpdk-$run" skipped \
					"DPDK 22.11 net_af_xdp has no multi-buffer: its XDP program is not frags-aware, so veth refuses it at MTU 9000"
				continue
			fi
			measure veth "$size" "$c" "$run" "veth-$size-$c-$run" \
				veth_measure "$lab" "$size" "$engine" "$count" "$c" "$run"
		done
	done
}

veth_suite() {
	log "veth: sizes 64 1500 9000, $runs runs, counts $count_64/$count_1500/$count_9000"
	local size lab
	for size in 64 1500 9000; do
		veth_size "$size"
		# Delete the lab once its sizes are done (9000 has its own).
		if [ "$size" = 1500 ] || [ "$size" = 9000 ]; then
			lab="$prefix_base$([ "$size" = 9000 ] && echo b || echo a)"
			"$bin/xskb-lab" down -p "$lab" >/dev/null 2>&1
		fi
	done
}

# ---- replay ------------------------------------------------------------------------------

replay_dpdk() {
	local size=$1 id=$2 status=ok note="" mode=${4:-rxonly}
	# unshare --net: a namespace of its own, so not even a host interface is
	# visible to DPDK. One forwarding core (CPU 1) as xskb-bench replay's one
	# thread; net_null copy=0 produces mbufs without writing them, as the
	# replay queue produces descriptors by default. A forwarding mode other
	# than rxonly sends every mbuf back out of the same port (loop topology).
	tp_mode=$mode
	[ "$mode" = rxonly ] || tp_args=(--port-topology=loop)
	testpmd_start "$id" "${prefix_base}null$3" "$res/$id.log" "net_null0,size=$size,copy=0" \
		timeout -k 5 $((replay_secs + 60)) unshare --net -- ||
		{ m_note="mkfifo $tp_fifo failed"; return; }
	if wait_text "$res/$id.log" "Start automatic packet forwarding" 30 "$tp_pid"; then
		# One second of warm-up, then testpmd's own rate over the window.
		sleep 1
		printf 'show port stats all\n' >&"$tp_fd"
		sleep "$replay_secs"
		printf 'show port stats all\n' >&"$tp_fd"
		sleep 0.2
	else
		status=failed note="testpmd did not start: $(tail -n 3 "$res/$id.log" | tr '\n' ' ')"
	fi
	testpmd_stop ''
	if [ $status = ok ]; then
		python3 "$here/report.py" --parse-testpmd "$res/$id.log" >"$res/$id.json" ||
			{ status=failed note="no statistics in testpmd's output"; }
	fi
	m_status=$status m_note=$note
}

# One xskb-bench replay run on CPU 1 (xskb, or the bare loop).
replay_xskb() {
	local size=$1 c=$2 id=$3 rc
	local -a extra=()
	[ "$c" = bare ] && extra=(--bare)
	timeout -k 5 $((replay_secs + 60)) taskset -c 1 "$bin/xskb-bench" replay \
		--size "$size" --seconds "$replay_secs" --json "${extra[@]}" \
		>"$res/$id.json" 2>"$res/$id.log"
	rc=$?
	if [ $rc = 0 ]; then
		m_status=ok
	else
		m_note="exit status $rc: $(tail -n 2 "$res/$id.log" | tr '\n' ' ')"
	fi
}

replay_suite() {
	local have=1 size run k c id n=3
	local -a order=(xskb bare dpdk)
	log "replay: sizes $replay_sizes, $runs runs of ${replay_secs}s"
	if ! "$bin/xskb-bench" replay --help >/dev/null 2>&1; then
		have=0
		log "  xskb-bench replay is not available: xskb and bare reported as such"
	fi
	for size in $replay_sizes; do
		for ((run = 1; run <= runs; run++)); do
			for ((k = 0; k < n; k++)); do
				c=${order[$(((run - 1 + k) % n))]}
				id="replay-$size-$c-$run"
				case "$c" in
				xskb|bare)
					if [ $have = 0 ]; then
						manifest replay "$size" "$c" "$run" "$id" unavailable "xskb-bench replay not available"
						continue
					fi
					measure replay "$size" "$c" "$run" "$id" replay_xskb "$size" "$c" "$id"
					;;
				dpdk)
					if [ -z "$testpmd" ]; then
						manifest replay "$size" dpdk "$run" "$id" skipped "dpdk-testpmd not installed"
						continue
					fi
					measure replay "$size" dpdk "$run" "$id" replay_dpdk "$size" "$id" "$run"
					;;
				esac
				log "  replay $size B $c run $run: $(python3 "$here/report.py" --one-line "$res" "$id" 2>/dev/null)"
			done
		done
	done

	# Instructions per packet: the difference of two callgrind runs cancels
	# start-up and teardown, leaving the per-packet loop.
	if [ $have = 0 ]; then
		manifest callgrind 64 xskb 1 cg-xskb unavailable "xskb-bench replay not available"
		manifest callgrind 64 bare 1 cg-bare unavailable "xskb-bench replay not available"
		return
	fi
	if ! command -v valgrind >/dev/null; then
		manifest callgrind 64 xskb 1 cg-xskb skipped "valgrind not installed"
		manifest callgrind 64 bare 1 cg-bare skipped "valgrind not installed"
		return
	fi
	for c in xskb bare; do
		local ok=ok nn
		local -a extra=()
		[ "$c" = bare ] && extra=(--bare)
		for nn in "$cg_n1" "$cg_n2"; do
			timeout -k 5 600 valgrind --tool=callgrind --callgrind-out-file="$res/cg-$c-$nn.out" \
				"$bin/xskb-bench" replay --size 64 --packets "$nn" --json "${extra[@]}" \
				>"$res/cg-$c-$nn.json" 2>"$res/cg-$c-$nn.log" || ok=failed
		done
		manifest callgrind 64 "$c" 1 "cg-$c" "$ok" \
			"$([ $ok = ok ] || tail -n 2 "$res/cg-$c-$cg_n1.log" | tr '\n' ' ')"
		log "  callgrind $c: $ok"
	done
}

# ---- fwd: forwarding ------------------------------------------------------------------------

# One replay-forwarding run on CPU 1: xskb-bench replay-fwd (xskb or --bare)
# or the bare in-memory ring loop.
fwd_replay_one() {
	local size=$1 c=$2 id=$3 rc
	local -a cmd
	case "$c" in
	xskb) cmd=("$bin/xskb-bench" replay-fwd) ;;
	bare) cmd=("$bin/xskb-bench" replay-fwd --bare) ;;
	ringfwd) cmd=("$bin/xskb-ringfwd") ;;
	esac
	timeout -k 5 $((replay_secs + 60)) taskset -c 1 "${cmd[@]}" \
		--size "$size" --seconds "$replay_secs" --json >"$res/$id.json" 2>"$res/$id.log"
	rc=$?
	if [ $rc = 0 ]; then
		m_status=ok
	else
		m_note="exit status $rc: $(tail -n 2 "$res/$id.log" | tr '\n' ' ')"
	fi
}

fwd_replay_suite() {
	local have=1 size run k c id n=5
	local -a order=(xskb bare ringfwd dpdk-macswap dpdk-io)
	log "fwd replay: sizes $replay_sizes, $runs runs of ${replay_secs}s"
	if ! "$bin/xskb-bench" replay-fwd --help >/dev/null 2>&1; then
		have=0
		log "  xskb-bench replay-fwd does not exist yet: its contenders are skipped"
	fi
	for size in $replay_sizes; do
		for ((run = 1; run <= runs; run++)); do
			for ((k = 0; k < n; k++)); do
				c=${order[$(((run - 1 + k) % n))]}
				id="fwdreplay-$size-$c-$run"
				case "$c" in
				xskb|bare)
					if [ $have = 0 ]; then
						manifest fwd-replay "$size" "$c" "$run" "$id" skipped \
							"xskb-bench replay-fwd does not exist yet"
						continue
					fi
					measure fwd-replay "$size" "$c" "$run" "$id" fwd_replay_one "$size" "$c" "$id"
					;;
				ringfwd)
					measure fwd-replay "$size" "$c" "$run" "$id" fwd_replay_one "$size" "$c" "$id"
					;;
				dpdk-*)
					if [ -z "$testpmd" ]; then
						manifest fwd-replay "$size" "$c" "$run" "$id" skipped "dpdk-testpmd not installed"
						continue
					fi
					measure fwd-replay "$size" "$c" "$run" "$id" replay_dpdk "$size" "$id" \
						"$c$run" "${c#dpdk-}"
					;;
				esac
				log "  fwd replay $size B $c run $run: $(python3 "$here/report.py" --one-line "$res" "$id" 2>/dev/null)"
			done
		done
	done
}

# The MACs of the lab's client, proxy a-leg and backend ends (xskb-lab show --json).
f_client_mac="" f_proxy_a_mac="" f_backend_mac=""
fwd_lab_vars() {
	read -r f_client_mac f_proxy_a_mac f_backend_mac < <(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(" ".join(d[e]["mac"] for e in ("client", "proxy_a", "backend")))
' "$1")
	[ -n "$f_backend_mac" ]
}

# Stop a tracked background process with SIGTERM, at most $2 s; its status.
stop_bounded() {
	kill -TERM "$1" 2>/dev/null
	wait_bounded "$1" "$2"
}

# One veth forwarding run: the XDP counter in the backend, the forwarder in
# the proxy on CPU 1, COUNT live frames from the client on CPU 0 addressed to
# the proxy's a-leg MAC and the backend's IP.
fwd_veth_measure() {
	local lab=$1 count=$2 cont=$3 run=$4
	local ns_p="$lab-proxy" ns_b="$lab-backend" if_a="${lab}a" if_b="${lab}b" if_s="${lab}s"
	local id="fwdveth-64-$cont-$run" status=ok note="" fw_pid="" sink_pid rc i
	local gen_bound=$((count / 100000 + 30)) bound
	local fw_json="$res/$id.fwd.json" fw_log="$res/$id.fwd.log"
	bound=$((gen_bound + 60))
	for i in "$ns_p:$if_a" "$ns_p:$if_b" "$ns_b:$if_s"; do
		if ip -n "${i%%:*}" link show dev "${i#*:}" 2>/dev/null | grep -q 'prog/xdp'; then
			log "removing a leftover XDP program from ${i#*:}"
			ip -n "${i%%:*}" link set dev "${i#*:}" xdp off 2>/dev/null
		fi
	done
	timeout -k 5 "$bound" "$bin/xskb-sink" -n "$ns_b" -i "$if_s" -d "$bound" --json --quiet \
		>"$res/$id.sink.json" 2>"$res/$id.sink.log" &
	sink_pid=$!
	pids+=("$sink_pid")
	case "$cont" in
	xskb)
		timeout -k 5 "$bound" "$bin/xskb-fwd" -n "$ns_p" -i "$if_a" -o "$if_b" \
			--dst-mac "$f_backend_mac" --duration "$bound" --json --cpu 1 --idle-us 0 \
			--quiet >"$fw_json" 2>"$fw_log" &
		;;
	bare|bare-k32)
		local -a budget=(--tx-budget 2048)
		[ "$cont" = bare-k32 ] && budget=()
		timeout -k 5 "$bound" "$bin/xskb-bare" --fwd -n "$ns_p" -i "$if_a" -o "$if_b" \
			--dst-mac "$f_backend_mac" -d "$bound" --cpu 1 "${budget[@]}" --json --quiet \
			>"$fw_json" 2>"$fw_log" &
		;;
	dpdk)
		# Two net_af_xdp ports, mac mode: port 1's frames to the backend,
		# port 0's to the client; forwarding lcore on CPU 1.
		tp_mode=mac
		tp_args=(--eth-peer="0,$f_client_mac" --eth-peer="1,$f_backend_mac")
		testpmd_start "$id" "$prefix_base$cont$run" "$fw_log" \
			"net_af_xdp0,iface=$if_a net_af_xdp1,iface=$if_b" \
			timeout -k 5 "$bound" ip netns exec "$ns_p" ||
			{ m_note="mkfifo $tp_fifo failed"; return; }
		fw_pid=$tp_pid
		;;
	kernel)
		# The kernel's own forwarding, moved to CPU 1 with RPS as the other
		# forwarders run there. A counting XDP_PASS program on the a leg
		# enables veth NAPI, which live frames need to arrive, and restores
		# the bytes the kernel rewrote in the generator's recycled pages
		# (see xdp_count.h).
		ip netns exec "$ns_p" sysctl -qw net.ipv4.ip_forward=1
		ip netns exec "$ns_p" sh -c "echo 2 >/sys/class/net/$if_a/queues/rx-0/rps_cpus"
		timeout -k 5 "$bound" "$bin/xskb-sink" -n "$ns_p" -i "$if_a" --pass --restore-ttl 64 \
			-d "$bound" --json --quiet >"$fw_json" 2>"$fw_log" &
		;;
	esac
	[ -n "$fw_pid" ] || { fw_pid=$!; pids+=("$fw_pid"); }

	if ! wait_xdp "$ns_b" "$if_s" 30 || ! wait_xdp "$ns_p" "$if_a" 30 ||
	   { [ "$cont" = dpdk ] && ! wait_text "$fw_log" "Start automatic packet forwarding" 30 "$fw_pid"; }; then
		status=failed note="forwarder or sink did not attach: $(tail -n 3 "$fw_log" "$res/$id.sink.log" | tr '\n' ' ')"
	else
		sleep 1
		timeout -k 5 "$gen_bound" taskset -c 0 "$bin/xskb-gen" -n "$lab-client" -i "${lab}c" \
			--dst-mac "$f_proxy_a_mac" --src-ip 198.18.1.1 --dst-ip 198.18.2.2 \
			-c "$count" -s 64 -e xdp --json >"$res/$id.gen.json" 2>"$res/$id.gen.log" ||
			{ status=failed note="xskb-gen failed: $(tail -n 2 "$res/$id.gen.log" | tr '\n' ' ')"; }
		sleep 1
	fi
	if [ "$cont" = dpdk ]; then
		testpmd_stop 'show port stats all\n'
		python3 "$here/report.py" --parse-testpmd "$fw_log" >"$fw_json" 2>/dev/null
	else
		stop_bounded "$fw_pid" 20
		rc=$?
		if [ $rc != 0 ] && [ $status = ok ]; then
			status=failed note="forwarder exit status $rc: $(tail -n 2 "$fw_log" | tr '\n' ' ')"
		fi
	fi
	if [ "$cont" = kernel ]; then
		ip netns exec "$ns_p" sysctl -qw net.ipv4.ip_forward=0
		ip netns exec "$ns_p" sh -c "echo 0 >/sys/class/net/$if_a/queues/rx-0/rps_cpus"
	fi
	stop_bounded "$sink_pid" 10
	[ -s "$res/$id.sink.json" ] || [ $status != ok ] || { status=failed note="the sink wrote no JSON"; }
	m_status=$status m_note=$note
	log "  fwd veth 64 B $cont run $run: $status $(python3 "$here/report.py" --one-line "$res" "$id" 2>/dev/null)"
}

# One UDP proxy run: the echo in the backend and the clients both on CPU 0,
# the proxy on CPU 1.
fwd_udp_measure() {
	local lab=$1 cont=$2 run=$3
	local ns_p="$lab-proxy" id="fwdudp-18-$cont-$run" status=ok note="" px_pid echo_pid rc
	local bound=$((udp_secs + 40)) px_json="$res/$id.proxy.json" px_log="$res/$id.proxy.log"
	timeout -k 5 "$bound" taskset -c 0 "$bin/xskb-kudp" -n "$lab-backend" -p 9000 --echo \
		-d "$bound" --json --quiet >"$res/$id.echo.json" 2>"$res/$id.echo.log" &
	echo_pid=$!
	pids+=("$echo_pid")
	case "$cont" in
	xskb)
		timeout -k 5 "$bound" "$bin/xskb-udp-proxy" -n "$ns_p" \
			--listen "${lab}a,198.18.1.2,9000" --backend "${lab}b,198.18.2.2,9000" \
			--backend-mac "$f_backend_mac" --duration "$bound" --json --cpu 1 --idle-us 0 \
			--quiet >"$px_json" 2>"$px_log" &
		;;
	krelay)
		timeout -k 5 "$bound" "$bin/xskb-krelay" -n "$ns_p" --listen 198.18.1.2:9000 \
			--backend 198.18.2.2:9000 --cpu 1 -d "$bound" --json >"$px_json" 2>"$px_log" &
		;;
	esac
	px_pid=$!
	pids+=("$px_pid")
	if { [ "$cont" = xskb ] && ! wait_xdp "$ns_p" "${lab}a" 30; } ||
	   { [ "$cont" = krelay ] && ! wait_text "$px_log" relaying 30 "$px_pid"; }; then
		status=failed note="the proxy did not start: $(tail -n 3 "$px_log" | tr '\n' ' ')"
	else
		sleep 1
		timeout -k 5 $((udp_secs + 30)) "$bin/xskb-udpload" -n "$lab-client" \
			--target 198.18.1.2:9000 --flows 16 --cpu 0 -d "$udp_secs" --json \
			>"$res/$id.client.json" 2>"$res/$id.client.log" ||
			{ status=failed note="xskb-udpload failed: $(tail -n 2 "$res/$id.client.log" | tr '\n' ' ')"; }
	fi
	stop_bounded "$px_pid" 20
	rc=$?
	if [ $rc != 0 ] && [ $status = ok ]; then
		status=failed note="proxy exit status $rc: $(tail -n 2 "$px_log" | tr '\n' ' ')"
	fi
	stop_bounded "$echo_pid" 10
	m_status=$status m_note=$note
	log "  fwd udp $cont run $run: $status $(python3 "$here/report.py" --one-line "$res" "$id" 2>/dev/null)"
}

# One-way UDP proxy capacity: live frames (one flow, valid checksums) from
# the client to the proxy's listen address as fast as the generator goes,
# the proxy on CPU 1 relaying to the backend, where xskb-sink counts them.
fwd_udp1_measure() {
	local lab=$1 count=$2 cont=$3 run=$4
	local ns_p="$lab-proxy" id="fwdudp1-64-$cont-$run" status=ok note="" px_pid sink_pid
	local pass_pid="" rc gen_bound=$((count / 100000 + 30)) bound
	local px_json="$res/$id.proxy.json" px_log="$res/$id.proxy.log"
	bound=$((gen_bound + 60))
	timeout -k 5 "$bound" "$bin/xskb-sink" -n "$lab-backend" -i "${lab}s" -d "$bound" --json \
		--quiet >"$res/$id.sink.json" 2>"$res/$id.sink.log" &
	sink_pid=$!
	pids+=("$sink_pid")
	case "$cont" in
	xskb)
		timeout -k 5 "$bound" "$bin/xskb-udp-proxy" -n "$ns_p" \
			--listen "${lab}a,198.18.1.2,9000" --backend "${lab}b,198.18.2.2,9000" \
			--backend-mac "$f_backend_mac" --duration "$bound" --json --cpu 1 --idle-us 0 \
			--quiet >"$px_json" 2>"$px_log" &
		px_pid=$!
		;;
	krelay)
		# Live frames need veth NAPI on the a leg: a counting XDP_PASS.
		timeout -k 5 "$bound" "$bin/xskb-sink" -n "$ns_p" -i "${lab}a" --pass -d "$bound" \
			--json --quiet >"$res/$id.pass.json" 2>"$res/$id.pass.log" &
		pass_pid=$!
		pids+=("$pass_pid")
		timeout -k 5 "$bound" "$bin/xskb-krelay" -n "$ns_p" --listen 198.18.1.2:9000 \
			--backend 198.18.2.2:9000 --cpu 1 -d "$bound" --json >"$px_json" 2>"$px_log" &
		px_pid=$!
		;;
	esac
	pids+=("$px_pid")
	if ! wait_xdp "$lab-backend" "${lab}s" 30 || ! wait_xdp "$ns_p" "${lab}a" 30 ||
	   { [ "$cont" = krelay ] && ! wait_text "$px_log" relaying 30 "$px_pid"; }; then
		status=failed note="the proxy or sink did not start: $(tail -n 3 "$px_log" | tr '\n' ' ')"
	else
		sleep 1
		timeout -k 5 "$gen_bound" taskset -c 0 "$bin/xskb-gen" -n "$lab-client" -i "${lab}c" \
			--dst-mac "$f_proxy_a_mac" --src-ip 198.18.1.1 --dst-ip 198.18.1.2 \
			--sport 40000 --dport 9000 -c "$count" -s 64 -e xdp --json \
			>"$res/$id.gen.json" 2>"$res/$id.gen.log" ||
			{ status=failed note="xskb-gen failed: $(tail -n 2 "$res/$id.gen.log" | tr '\n' ' ')"; }
		sleep 1
	fi
	stop_bounded "$px_pid" 20
	rc=$?
	if [ $rc != 0 ] && [ $status = ok ]; then
		status=failed note="proxy exit status $rc: $(tail -n 2 "$px_log" | tr '\n' ' ')"
	fi
	[ -z "$pass_pid" ] || stop_bounded "$pass_pid" 10
	stop_bounded "$sink_pid" 10
	[ -s "$res/$id.sink.json" ] || [ $status != ok ] || { status=failed note="the sink wrote no JSON"; }
	m_status=$status m_note=$note
	log "  fwd udp one-way $cont run $run: $status $(python3 "$here/report.py" --one-line "$res" "$id" 2>/dev/null)"
}

fwd_lab_suite() {
	local lab="${prefix_base}f" run k c n
	local -a order
	labs+=("$lab")
	if ! "$bin/xskb-lab" up --proxy -p "$lab" --static-neigh --no-ipv6 >"$res/lab-$lab.txt" 2>&1 ||
	   ! "$bin/xskb-lab" show --proxy -p "$lab" --json >"$res/lab-$lab.json" 2>>"$res/lab-$lab.txt" ||
	   ! fwd_lab_vars "$res/lab-$lab.json"; then
		log "cannot create lab $lab: $(cat "$res/lab-$lab.txt")"
		return 1
	fi

	log "fwd veth: 64 B, $runs runs of $fwd_count frames, three-namespace lab $lab"
	order=(xskb bare bare-k32 dpdk kernel)
	n=${#order[@]}
	for ((run = 1; run <= runs; run++)); do
		for ((k = 0; k < n; k++)); do
			c=${order[$(((run - 1 + k) % n))]}
			if [ "$c" = xskb ] && [ ! -x "$bin/xskb-fwd" ]; then
				manifest fwd-veth 64 xskb "$run" "fwdveth-64-xskb-$run" skipped \
					"xskb-fwd is not built yet"
				continue
			fi
			if [ "$c" = dpdk ] && [ -z "$testpmd" ]; then
				manifest fwd-veth 64 dpdk "$run" "fwdveth-64-dpdk-$run" skipped "dpdk-testpmd not installed"
				continue
			fi
			measure fwd-veth 64 "$c" "$run" "fwdveth-64-$c-$run" \
				fwd_veth_measure "$lab" "$fwd_count" "$c" "$run"
		done
	done

	log "fwd udp: 18-byte datagrams, 16 flows, $runs runs of ${udp_secs}s"
	order=(xskb krelay)
	n=${#order[@]}
	for ((run = 1; run <= runs; run++)); do
		for ((k = 0; k < n; k++)); do
			c=${order[$(((run - 1 + k) % n))]}
			if [ "$c" = xskb ] && [ ! -x "$bin/xskb-udp-proxy" ]; then
				manifest fwd-udp 18 xskb "$run" "fwdudp-18-xskb-$run" skipped \
					"xskb-udp-proxy is not built yet"
				continue
			fi
			measure fwd-udp 18 "$c" "$run" "fwdudp-18-$c-$run" fwd_udp_measure "$lab" "$c" "$run"
		done
	done

	log "fwd udp one-way: 64-byte frames, one flow, $runs runs of $fwd_count frames"
	for ((run = 1; run <= runs; run++)); do
		for ((k = 0; k < n; k++)); do
			c=${order[$(((run - 1 + k) % n))]}
			if [ "$c" = xskb ] && [ ! -x "$bin/xskb-udp-proxy" ]; then
				manifest fwd-udp1 64 xskb "$run" "fwdudp1-64-xskb-$run" skipped \
					"xskb-udp-proxy is not built yet"
				continue
			fi
			measure fwd-udp1 64 "$c" "$run" "fwdudp1-64-$c-$run" \
				fwd_udp1_measure "$lab" "$fwd_count" "$c" "$run"
		done
	done
	"$bin/xskb-lab" down -p "$lab" >/dev/null 2>&1
}

fwd_suite() {
	fwd_replay_suite
	fwd_lab_suite
}

# ---- slab ----------------------------------------------------------------------------------

slab_suite() {
	log "slab: xskb-bench micro $micro_args"
	wait_quiet
	# Not pinned: the two-thread cases need both CPUs.
	if timeout -k 5 900 "$bin/xskb-bench" micro --json $micro_args >"$res/micro.json" 2>"$res/micro.log"; then
		manifest slab 0 micro 1 micro ok ""
	else
		manifest slab 0 micro 1 micro failed "exit status $?: $(tail -n 2 "$res/micro.log" | tr '\n' ' ')"
	fi
}

# ---- main ------------------------------------------------------------------------------------
t0=$(date +%s)
log "results in $res ($([ $quick = 1 ] && echo quick || echo full) mode)"
for s in $only; do
	case "$s" in
	veth) veth_suite ;;
	replay) replay_suite ;;
	slab) slab_suite ;;
	fwd) fwd_suite ;;
	esac
done
log "measurements took $(($(date +%s) - t0)) s"
report "$res" || die "report.py failed"
