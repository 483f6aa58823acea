#!/usr/bin/env bash
# Install the build into a scratch prefix, then build and run an out-of-tree
# consumer three ways: pkg-config --static (fully static binary), pkg-config
# (shared), and CMake find_package(xskb).
# usage: check.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
src=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/xskb-install.XXXXXX)
trap 'rm -rf "$work"' EXIT

cmake --install "$build" --prefix "$work/prefix" >/dev/null
pc=$(dirname "$(find "$work/prefix" -name xskb.pc)")
export PKG_CONFIG_PATH="$pc"

echo "pkg-config --static: $(pkg-config --cflags --libs --static xskb)"
# shellcheck disable=SC2046
cc -std=gnu11 -Wall -Werror -static -o "$work/consumer_static_pc" "$src/consumer.c" \
	$(pkg-config --cflags --libs --static xskb)
"$work/consumer_static_pc"

# shellcheck disable=SC2046
cc -std=gnu11 -Wall -Werror -o "$work/consumer_shared_pc" "$src/consumer.c" \
	$(pkg-config --cflags --libs xskb) -Wl,-rpath,"$(pkg-config --variable=libdir xskb)"
"$work/consumer_shared_pc"

# The headers also hold under strict C11 and in C++.
# shellcheck disable=SC2046
cc -std=c11 -Wall -Wextra -Werror -c -o "$work/strict.o" "$src/consumer.c" $(pkg-config --cflags xskb)
# shellcheck disable=SC2046
c++ -Wall -Werror -o "$work/consumer_cxx" "$src/cxx_consumer.cc" \
	$(pkg-config --cflags --libs xskb) -Wl,-rpath,"$(pkg-config --variable=libdir xskb)"
"$work/consumer_cxx"

# The usage example at the top of napi.h compiles as written.
{
	echo '#include <xskb/napi.h>'
	echo 'void example(struct xskb_queue *q);'
	echo 'void example(struct xskb_queue *q) {'
	sed -n '1,/\*\//{/^ \*   /{s/^ \*   //;/^\.\.\.$/d;p}}' "$src/../../include/xskb/napi.h"
	echo '}'
} >"$work/napi_example.c"
# shellcheck disable=SC2046
cc -std=c11 -Wall -Wextra -Werror -c -o "$work/napi_example.o" "$work/napi_example.c" \
	$(pkg-config --cflags xskb)

cmake -S "$src" -B "$work/cmake-build" -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/cmake-build" >/dev/null
LD_LIBRARY_PATH="$(pkg-config --variable=libdir xskb)" "$work/cmake-build/consumer_shared"
"$work/cmake-build/consumer_static"
echo "install check: ok"
