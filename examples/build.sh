#!/bin/sh
# Rebuilds every example object from its C source with clang (the committed objects were built
# by the clang version named in CLANG_VERSION). Run from anywhere:
#
#   examples/build.sh            rebuild the objects next to their sources
#   examples/build.sh OUTDIR     build into OUTDIR instead (the test compares OUTDIR with the tree)
#   CLANG=clang-14 examples/build.sh
#
# The flags make the output independent of the checkout: file names are relative and the DWARF
# compilation directory is ".", so the same clang gives the same bytes anywhere.
set -eu
cd "$(dirname "$0")"
out=${1:-.}
CLANG=${CLANG:-clang}
mkdir -p "$out/refused"
for src in *.c refused/*.c; do
    obj="$out/${src%.c}.o"
    "$CLANG" -target bpf -O2 -g -mcpu=v3 -fdebug-compilation-dir=. -I. -c "$src" -o "$obj"
done
if [ "$out" = . ]; then
    "$CLANG" --version | head -n 1 > CLANG_VERSION
fi
