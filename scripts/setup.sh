#!/usr/bin/env bash
# Install what a fresh Debian 12 machine lacks and build tradewar into build/.
# Usage: bash scripts/setup.sh        (as root, or with sudo available)
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages, and why each is there (see README.md, "Dependencies").
PACKAGES=(build-essential cmake pkg-config
          libsundials-dev   # KINSOL: Anderson fixed point and Newton-Krylov solvers
          libnlopt-dev      # NLopt: optimal policies, talks (L-BFGS with bounds)
          liblapacke-dev libopenblas-dev # LAPACK (LU) for the adjoint welfare gradients
          libcsv-dev        # CSV parsing of data sets
          libreadstat-dev   # Stata .dta input of `tradewar gravity` (src/io_table.c)
          libyaml-dev       # scenario files and data-set manifests
          libjansson-dev    # JSON output
          librsvg2-dev      # charts: cli/plot.c writes SVG itself; librsvg rasterises it to PNG
          fonts-dejavu-core # the charts' lettering (plot.c measures text with its widths)
          help2man          # manual pages made from --help at build time (man/gen-man.sh)
          man-db            # `man`: tests/cli/test_install.sh reads an installed page
          chromium          # tests/cli/test_browser.sh opens the HTML pages in headless Chromium
          nodejs            # ... driven by puppeteer-core from npm (tests/browser/)
          zsh               # tests/cli/test_install.sh checks the zsh completion parses
          nettle-dev        # SHA-256 of imported source tables (tradewar import icio)
          libopenmpi-dev openmpi-bin # MPI: tradewar sweep across ranks and machines (mpirun)
          libcmocka-dev     # unit-test framework
          clang-format      # the `format` test: the C sources as .clang-format lays them out
          valgrind          # CLI tests under valgrind (ctest -L valgrind, tests/valgrind)
          python3           # CLI tests read the JSON output; scripts/us2025_scenario.py
          python3-dev python3-cffi python3-venv python3-setuptools python3-wheel # the Python package (python/): cffi binding, built offline by pip
          python3-numpy python3-pandas python3-pytest) # its arrays, tables and tests

missing=()
for p in "${PACKAGES[@]}"; do
  [ -n "$p" ] || continue
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup: installing ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm for the browser test's puppeteer-core: Debian packages it apart from
# nodejs, while Node's own packages (nodesource) bundle it and refuse Debian's.
if ! command -v npm >/dev/null; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends npm >/dev/null
fi

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
echo "setup: built build/tradewar" >&2
