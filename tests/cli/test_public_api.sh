# test_public_api.sh - the program is a client of the library's public API
# only: its sources include tradewar.h and the program's own headers (cli/),
# never a library-internal one, and the program links the shared library,
# which exports exactly the header's functions, so an internal call would not
# even link. Checked here in both forms.
source "$(dirname "$0")/lib.sh" "$@"
RC=0
for f in "$SRC"/cli/*.c "$SRC"/cli/*.h; do
  while IFS= read -r inc; do
    name=${inc#*\"}
    name=${name%\"*}
    if [ "$name" != tradewar.h ] && [ ! -f "$SRC/cli/$name" ]; then
      fail "$(basename "$f") includes \"$name\", which is neither tradewar.h nor a header of cli/"
    fi
  done < <(grep -E '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f")
done
# the program's undefined tw_ symbols: all exported by libtradewar.so
nm -D --undefined-only "$TW" | awk '{print $2}' | sed 's/@.*//' | grep '^tw_' | sort -u >"$T/used"
[ -s "$T/used" ] || fail "the program calls no tw_ function from a shared library (linked statically?)"
lib=$(ldd "$TW" | awk '/libtradewar\.so/ {print $3}')
[ -n "$lib" ] || fail "the program is not linked to libtradewar.so"
if [ -n "$lib" ]; then
  nm -D --defined-only "$lib" | awk '{print $3}' | sed 's/@.*//' | sort -u >"$T/exported"
  missing=$(comm -23 "$T/used" "$T/exported")
  [ -z "$missing" ] || fail "used but not exported: $missing"
fi
finish
