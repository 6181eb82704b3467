#!/usr/bin/env bash
# test_python.sh BUILD_DIR SOURCE_DIR - the Python package as a user gets it:
# a virtual environment that sees Debian's numpy, pandas and cffi, an offline
# `pip install` of python/ built against this build's libtradewar.so, then
# the package's pytest suite (python/tests) from outside the source tree.
set -euo pipefail
BUILD=$(cd "$1" && pwd)
SRC=$(cd "$2" && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
PY=/usr/bin/python3 # Debian's, whose numpy, pandas, cffi and pytest the venv sees
"$PY" -m venv --system-site-packages "$T/venv"
cp -r "$SRC/python" "$T/python" # pip builds in the tree it is given: keep the source clean
rm -rf "$T/python/build" "$T/python/"*.egg-info
export TRADEWAR_INCLUDE_DIR=$SRC/include TRADEWAR_LIBRARY_DIR=$BUILD
"$T/venv/bin/pip" install --no-index --quiet "$T/python" >"$T/pip.log" 2>&1 || { cat "$T/pip.log"; exit 1; }
cd "$T"
TRADEWAR_SOURCE_DIR=$SRC TRADEWAR_CLI=$BUILD/tradewar OPENBLAS_NUM_THREADS=1 \
  "$T/venv/bin/python" -m pytest -q -p no:cacheprovider "$SRC/python/tests"
