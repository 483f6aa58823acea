#!/usr/bin/env bash
# The xskb test command: install what is missing (Debian 12, apt-get),
# configure, build and run the whole suite with ctest, build the unit tests
# with -fsanitize=address,undefined and run them again, then with clang's
# -fsanitize=thread (any ThreadSanitizer report fails the run), then run each
# libFuzzer harness for 30 s (tests/fuzz/run.sh; skipped without clang).
#
#   bash tests/run.sh            # everything (as root for the veth tests)
#   bash tests/run.sh --no-deps  # skip the package check
#
# Environment: BUILD_DIR (default build), ASAN_BUILD_DIR (default build-asan),
# TSAN_BUILD_DIR (default build-tsan), FUZZ_BUILD_DIR (default build-fuzz),
# JOBS (default nproc). CI=true makes integration tests fail, not skip, when
# they cannot build their veth lab.
set -euo pipefail
cd "$(dirname "$0")/.."

deps=1
for arg in "$@"; do
	case "$arg" in
	--no-deps) deps=0 ;;
	-h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "tests/run.sh: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
	esac
done

# shellcheck source=../tools/deps.sh
source tools/deps.sh
[ "$deps" = 1 ] && xskb_install_deps test

JOBS=${JOBS:-$(nproc)}
BUILD_DIR=${BUILD_DIR:-build}
ASAN_BUILD_DIR=${ASAN_BUILD_DIR:-build-asan}

echo "== build ($BUILD_DIR, RelWithDebInfo)"
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DXSKB_BUILD_TESTS=ON -DXSKB_BUILD_TOOLS=ON >/dev/null
cmake --build "$BUILD_DIR" -j "$JOBS"
echo "== test ($BUILD_DIR): unit, memcheck, install, integration"
ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$JOBS"

echo "== build ($ASAN_BUILD_DIR, Debug, -fsanitize=address,undefined)"
cmake -S . -B "$ASAN_BUILD_DIR" -DCMAKE_BUILD_TYPE=Debug -DXSKB_SANITIZE=ON >/dev/null
cmake --build "$ASAN_BUILD_DIR" -j "$JOBS"
echo "== test ($ASAN_BUILD_DIR): unit under ASan/UBSan"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	ctest --test-dir "$ASAN_BUILD_DIR" --output-on-failure -j "$JOBS" -L unit

# clang: gcc refuses atomic_thread_fence under TSan. A report makes its test
# exit 66 and fail; halt_on_error=0 lets it print every report first.
TSAN_BUILD_DIR=${TSAN_BUILD_DIR:-build-tsan}
echo "== build ($TSAN_BUILD_DIR, Debug, clang -fsanitize=thread)"
cmake -S . -B "$TSAN_BUILD_DIR" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug -DXSKB_TSAN=ON >/dev/null
cmake --build "$TSAN_BUILD_DIR" -j "$JOBS"
echo "== test ($TSAN_BUILD_DIR): unit under TSan"
# TSan before LLVM 18 cannot place its shadow memory with more than 28 bits
# of mmap randomisation (newer kernels allow 32): run without ASLR there.
norand=()
if [ "$(cat /proc/sys/vm/mmap_rnd_bits 2>/dev/null || echo 28)" -gt 28 ]; then
	norand=(setarch "$(uname -m)" -R)
fi
TSAN_OPTIONS=halt_on_error=0:exitcode=66:second_deadlock_stack=1 \
	"${norand[@]}" ctest --test-dir "$TSAN_BUILD_DIR" --output-on-failure -j "$JOBS" -L unit

# libFuzzer harnesses, 30 s each, where clang can link -fsanitize=fuzzer.
fuzz_probe=$(mktemp -d)
echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return (void)d, (int)(n & 0); }' \
	>"$fuzz_probe/probe.c"
if command -v clang >/dev/null && clang -fsanitize=fuzzer -o "$fuzz_probe/probe" "$fuzz_probe/probe.c" 2>/dev/null; then
	rm -rf "$fuzz_probe"
	FUZZ_BUILD_DIR=${FUZZ_BUILD_DIR:-build-fuzz} JOBS=$JOBS bash tests/fuzz/run.sh 30
else
	rm -rf "$fuzz_probe"
	echo "== fuzz: skipped (no clang with libFuzzer: apt-get install clang)"
fi
echo "== all tests passed"
