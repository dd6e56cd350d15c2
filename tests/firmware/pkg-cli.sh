#!/bin/sh
# pkg-cli.sh: fotasim-pkg end to end: image, create (full and delta),
# inspect, verify, and clear failures on corrupt or truncated packages.
set -eu
PKG="$FOTASIM_BUILDDIR/fotasim-pkg"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

A=EC200TCNHAR02A14M16
B=EC200TCNHAR02A15M16

"$PKG" image --model EC200T --revision $A --size 512k -o "$T/a1.img"
"$PKG" image --model EC200T --revision $A --size 512k -o "$T/a2.img"
cmp -s "$T/a1.img" "$T/a2.img" || fail "image is not deterministic"
[ "$(wc -c < "$T/a1.img")" -eq 524288 ] || fail "image size"
"$PKG" image --model EC200T --revision $B --size 512k -o "$T/b.img"
cmp -s "$T/a1.img" "$T/b.img" && fail "two revisions give the same image"

"$PKG" create --model EC200T --from $A --to $B --size 512k --full -o "$T/full.pkg"
"$PKG" create --model EC200T --from $A --to $B --size 512k --delta -o "$T/delta.pkg"
full=$(wc -c < "$T/full.pkg")
delta=$(wc -c < "$T/delta.pkg")
[ "$full" -eq $((524288 + 256)) ] || fail "full package size $full"
[ "$delta" -lt $((full / 8)) ] || fail "delta ($delta) not much smaller than full ($full)"

# From image files: the same bytes as from revisions.
"$PKG" create --from-image "$T/a1.img" --to-image "$T/b.img" --delta -o "$T/delta2.pkg"
cmp -s "$T/delta.pkg" "$T/delta2.pkg" || fail "create from images differs"
if "$PKG" create --from-image "$T/delta.pkg" --to $B -o "$T/x.pkg" 2> "$T/err"; then
	fail "create from a non-image passed"
fi
grep -q "not a firmware image" "$T/err" || fail "non-image: message"

"$PKG" inspect "$T/delta.pkg" > "$T/inspect"
grep -qx "kind: delta" "$T/inspect" || fail "inspect kind"
grep -qx "source-revision: $A" "$T/inspect" || fail "inspect source"
grep -qx "target-revision: $B" "$T/inspect" || fail "inspect target"
md5=$(md5sum < "$T/b.img" | cut -d' ' -f1)
grep -qx "target-md5: $md5" "$T/inspect" || fail "inspect target md5"

for p in full delta; do
	"$PKG" verify "$T/$p.pkg" > "$T/verify" || fail "verify $p"
	grep -q "target MD5 ok" "$T/verify" || fail "verify $p did not apply"
done

# One flipped payload byte: verify fails with a clear message, no crash.
cp "$T/full.pkg" "$T/bad.pkg"
printf 'X' | dd of="$T/bad.pkg" bs=1 seek=1000 conv=notrunc 2>/dev/null
if "$PKG" verify "$T/bad.pkg" 2> "$T/err"; then fail "corrupt verify passed"; fi
grep -q "MD5" "$T/err" || fail "corrupt: message"
# Truncated.
head -c 3000 "$T/delta.pkg" > "$T/short.pkg"
if "$PKG" verify "$T/short.pkg" 2> "$T/err"; then fail "truncated verify passed"; fi
grep -q "truncated" "$T/err" || fail "truncated: message"
# Not a package at all.
if "$PKG" inspect "$T/a1.img" 2> "$T/err"; then fail "inspect of an image passed"; fi
grep -q "magic" "$T/err" || fail "image: message"
# --help and --version go to stdout and exit 0; usage errors exit 2.
"$PKG" --help | grep -q "^usage: fotasim-pkg image" || fail "--help"
"$PKG" --version | grep -q "^fotasim-pkg [0-9]" || fail "--version"
set +e
"$PKG" 2>/dev/null; [ $? -eq 2 ] || fail "no arguments status"
"$PKG" create --from $A -o "$T/x.pkg" 2>/dev/null; [ $? -eq 2 ] || fail "usage status"
"$PKG" image --revision "bad rev" -o "$T/x.img" 2>/dev/null; [ $? -eq 2 ] || fail "bad name status"
set -e
echo "pkg-cli: ok"
