"""tradewar's Python package: a cffi binding of the C library (libtradewar).

Build the C library first (bash scripts/setup.sh at the top of the
repository), then, offline, into a virtual environment that sees Debian's
numpy, pandas and cffi:

    python3 -m venv --system-site-packages venv
    venv/bin/pip install ./python

The binding is compiled against the header and shared library found by
tradewar/_build.py: $TRADEWAR_PREFIX, else pkg-config, else ../build.
(No pyproject.toml on purpose: pip then builds with the setuptools, wheel and
cffi already installed, instead of fetching them, which needs the network.)
"""
import os
import re
import runpy

from setuptools import setup

HERE = os.path.dirname(os.path.abspath(__file__))


def c_version():
    """The C library's version, from the header the binding is built against."""
    build = runpy.run_path(os.path.join(HERE, "tradewar", "_build.py"))
    with open(os.path.join(build["include_dir"], "tradewar.h"), encoding="utf-8") as f:
        return re.search(r'#define TW_VERSION_STRING "([^"]+)"', f.read()).group(1)


setup(
    name="tradewar",
    version=c_version(),
    description="Trade-war counterfactuals, optimal policies and games (Python binding of libtradewar)",
    license="MIT",
    packages=["tradewar"],
    python_requires=">=3.9",
    install_requires=["numpy", "pandas", "cffi>=1.12"],
    setup_requires=["cffi>=1.12"],
    cffi_modules=["tradewar/_build.py:ffibuilder"],
    zip_safe=False,
)
