#!/usr/bin/env bash
# Install the Debian 12 packages xskb needs, only those missing (sourced by
# tests/run.sh and tools/demo.sh; run directly to install the full set).
#
#   source tools/deps.sh; xskb_install_deps build   # library + tools
#   source tools/deps.sh; xskb_install_deps test    # + CMocka, valgrind, tshark
#   bash tools/deps.sh [build|test|bench]

XSKB_DEPS_BUILD=(cmake make gcc pkg-config clang llvm libxdp-dev libbpf-dev libnuma-dev
	libelf-dev zlib1g-dev libpcap-dev iproute2)
XSKB_DEPS_TEST=(libcmocka-dev valgrind tshark g++)
# dpdk-dev: Debian 12's dpdk-testpmd is there (the dpdk package has none).
XSKB_DEPS_BENCH=(gnuplot-nox python3 dpdk dpdk-dev librte-net-af-xdp23 librte-net-null23
	librte-mempool-ring23)

xskb_install_deps() {
	local want=("${XSKB_DEPS_BUILD[@]}") missing=() p
	case "${1:-build}" in
	build) ;;
	test) want+=("${XSKB_DEPS_TEST[@]}") ;;
	bench) want+=("${XSKB_DEPS_TEST[@]}" "${XSKB_DEPS_BENCH[@]}") ;;
	*) echo "xskb_install_deps: unknown set '$1' (build, test or bench)" >&2; return 2 ;;
	esac
	for p in "${want[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		echo "missing packages: ${missing[*]}; run as root or apt-get install them" >&2
		return 1
	fi
	echo "== installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	# tshark asks whether non-root users may capture; answer no up front.
	echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
	apt-get update -qq &&
		apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -euo pipefail
	xskb_install_deps "${1:-test}"
fi
