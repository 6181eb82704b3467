"""cffi builder for tradewar's C library (API mode: the C compiler, not this
file, decides struct layouts and enum values, so the binding follows the
header). The declarations are the public header itself, run through the C
preprocessor; nothing is written out by hand."""
import os
import re
import subprocess

import shutil

import cffi

# (this file is run by cffi at build time, before the package exists: no package imports)
HERE = os.path.dirname(os.path.abspath(__file__))


def _from_prefix(prefix):
    for libdir in ("lib", "lib64", "lib/x86_64-linux-gnu"):
        if os.path.exists(os.path.join(prefix, libdir, "libtradewar.so")):
            return os.path.join(prefix, "include"), os.path.join(prefix, libdir)
    return None


def locate():
    inc, lib = os.environ.get("TRADEWAR_INCLUDE_DIR"), os.environ.get("TRADEWAR_LIBRARY_DIR")
    if inc and lib:
        return os.path.realpath(inc), os.path.realpath(lib)
    prefix = os.environ.get("TRADEWAR_PREFIX")
    if prefix:
        found = _from_prefix(prefix)
        if not found:
            raise RuntimeError(f"TRADEWAR_PREFIX={prefix}: no lib/libtradewar.so there")
        return found
    if shutil.which("pkg-config"):
        r = subprocess.run(["pkg-config", "--exists", "tradewar"])
        if r.returncode == 0:
            inc = subprocess.run(["pkg-config", "--variable=includedir", "tradewar"],
                                 capture_output=True, text=True).stdout.strip()
            lib = subprocess.run(["pkg-config", "--variable=libdir", "tradewar"],
                                 capture_output=True, text=True).stdout.strip()
            if os.path.exists(os.path.join(lib, "libtradewar.so")):
                return os.path.realpath(inc), os.path.realpath(lib)
    top = os.path.dirname(os.path.dirname(HERE))  # python/tradewar -> the repository
    build = os.environ.get("TRADEWAR_BUILD_DIR", os.path.join(top, "build"))
    if os.path.exists(os.path.join(build, "libtradewar.so")):
        return os.path.join(top, "include"), os.path.realpath(build)
    raise RuntimeError("libtradewar.so not found: build tradewar first (bash scripts/setup.sh), "
                       "or set TRADEWAR_PREFIX to an install prefix")


def declarations(header):
    """The header's declarations in the form cffi's parser takes."""
    text = subprocess.run(["cc", "-E", "-P", "-std=c11", header], check=True,
                          capture_output=True, text=True).stdout
    # keep what follows <stddef.h>: the header's own declarations
    start = text.index("const char *tw_version(void);")
    text = text[start:]
    # static inline helpers have bodies; Python indexes arrays itself
    text = re.sub(r"static inline[^{;]*\{[^}]*\}", "", text)
    # array parameters sized by an enum constant: cffi takes them as pointers
    text = re.sub(r"(\w+)\[[A-Z_]+\]\)", r"*\1)", text)
    # integer #define constants (TW_INSTRUMENT_*, ...) vanish in the preprocessor:
    # declare them for cffi, which takes their values from the compiler
    with open(header, encoding="utf-8") as f:
        raw = f.read()
    names = re.findall(r"^#define (TW_[A-Z0-9_]+)\s+\(?\d+u?\)?\s*(?:/\*.*)?$", raw, re.M)
    return text + "".join(f"\n#define {n} ..." for n in names) + "\n"


include_dir, lib_dir = locate()
ffibuilder = cffi.FFI()
ffibuilder.cdef(declarations(os.path.join(include_dir, "tradewar.h")))
ffibuilder.set_source(
    "tradewar._tradewar", "#include <tradewar.h>",
    include_dirs=[include_dir], library_dirs=[lib_dir], libraries=["tradewar"],
    runtime_library_dirs=[lib_dir])

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)
