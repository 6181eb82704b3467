#!/usr/bin/env bash
# test_install.sh BUILD_DIR SOURCE_DIR - tradewar as an installed product:
# `cmake --install` into a temporary prefix, then, from a folder outside the
# source tree, build examples/us_tariff.c with pkg-config and with CMake's
# find_package, run both, and check the shared library exports exactly the
# functions that include/tradewar.h declares.
set -euo pipefail
BUILD=$(cd "$1" && pwd)
SRC=$(cd "$2" && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

P=$T/prefix
cmake --install "$BUILD" --prefix "$P" >"$T/install.log" || { cat "$T/install.log"; exit 1; }
LIBDIR=$(dirname "$(find "$P" -name 'tradewar.pc' | head -1)")/..
[ -f "$P/include/tradewar.h" ] || fail "header not installed"
ls "$LIBDIR"/libtradewar.so.* >/dev/null 2>&1 || fail "no versioned shared library"
[ -f "$LIBDIR/libtradewar.a" ] || fail "no static library"
soname=$(objdump -p "$LIBDIR/libtradewar.so" | awk '/SONAME/ {print $2}')
[[ "$soname" == libtradewar.so.* ]] || fail "soname is '$soname'"

# exports: exactly the header's functions
nm -D --defined-only "$LIBDIR/libtradewar.so" | awk '$2 == "T" {sub(/@.*/, "", $3); print $3}' | sort -u >"$T/exported"
sort -u "$BUILD/tradewar.exports" >"$T/declared"
if ! diff -u "$T/declared" "$T/exported" >"$T/exports.diff"; then
  fail "exported symbols differ from the header's declarations (- declared only, + exported only):"
  cat "$T/exports.diff" >&2
fi

mkdir -p "$T/work"
cd "$T/work" # outside the source and build trees
DATA=$P/share/tradewar/data/us-china-2017
[ -d "$DATA" ] || fail "data not installed at $DATA"

# pkg-config, exactly as the README says
export PKG_CONFIG_PATH=$LIBDIR/pkgconfig
cc "$SRC/examples/us_tariff.c" $(pkg-config --cflags --libs tradewar) -Wl,-rpath,"$LIBDIR" -o us_tariff_pc \
  || fail "example with pkg-config does not build"
if [ -x us_tariff_pc ]; then
  ./us_tariff_pc "$DATA" >pc.out 2>pc.err || { fail "pkg-config example failed"; cat pc.err >&2; }
  grep -q '^US welfare [+-][0-9.]*%$' pc.out || fail "pkg-config example printed: $(cat pc.out)"
  # a bad data folder: a non-zero exit and the library's message, no crash
  if ./us_tariff_pc "$T/nowhere" >bad.out 2>bad.err; then fail "bad folder accepted"; fi
  grep -q "us_tariff: loading the data: .*nowhere" bad.err || fail "bad folder message: $(cat bad.err)"
fi

# CMake find_package
cmake -S "$SRC/examples" -B ex-build -DCMAKE_PREFIX_PATH="$P" >cmake.log 2>&1 \
  || { fail "find_package(tradewar) failed"; cat cmake.log >&2; }
if [ -f ex-build/Makefile ] || [ -f ex-build/build.ninja ]; then
  cmake --build ex-build >>cmake.log 2>&1 || { fail "example with CMake does not build"; cat cmake.log >&2; }
  ex-build/us_tariff "$DATA" >cm.out 2>cm.err || { fail "CMake example failed"; cat cm.err >&2; }
  cmp -s cm.out pc.out || fail "the two builds print different answers"
fi

# the installed program finds its data without configuration
if [ -x "$P/bin/tradewar" ]; then
  "$P/bin/tradewar" info -q >info.out 2>info.err || { fail "installed program: info failed"; cat info.err >&2; }
  grep -q "USA" info.out || fail "installed program did not find the bundled data"
fi

[ "$fails" -eq 0 ] || { echo "$fails check(s) failed" >&2; exit 1; }
echo "install: ok (prefix $P)"
