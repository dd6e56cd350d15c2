#!/bin/sh
# Drive the package fuzz target: valid packages made here with fotasim-pkg
# (full, delta, a delta with moved blocks, rollback, a tiny image) are the
# seeds; the runner checks each, then 20000 seeded mutations of them.
set -eu
PKG="$FOTASIM_BUILDDIR/fotasim-pkg"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

A=EC200TCNHAR02A14M16
B=EC200TCNHAR02A15M16
"$PKG" create --model EC200T --from $A --to $B --size 16k --full -o "$T/full.pkg"
"$PKG" create --model EC200T --from $A --to $B --size 32k --delta -o "$T/delta.pkg"
"$PKG" create --model EC200T --from $B --to $A --size 32k --delta -o "$T/back.pkg"
"$PKG" create --model UC200T --from $A --to $B --size 256 --delta -o "$T/tiny.pkg"
# A target made of the source's blocks in another order, plus new bytes:
# COPY operations from other offsets, DATA in between.  It keeps the
# source's first block (the identity block, which names the size) and its
# size.
"$PKG" image --model EC200T --revision $A --size 32k -o "$T/a.img"
"$PKG" image --model EC200T --revision $B --size 8k -o "$T/b.img"
{ head -c 4096 "$T/a.img"; tail -c 12288 "$T/a.img"; \
  tail -c 3000 "$T/b.img"; head -c 16384 "$T/a.img" | tail -c 8192; \
  head -c 5192 "$T/b.img"; } > "$T/moved.img"
"$PKG" create --from-image "$T/a.img" --to-image "$T/moved.img" --delta \
    -o "$T/moved.pkg"
for p in "$T"/*.pkg; do
	"$PKG" verify "$p" > /dev/null
done
exec "$FOTASIM_BUILDDIR/tests/fuzz/pkg-fuzz" -n 20000 "$T"/*.pkg
