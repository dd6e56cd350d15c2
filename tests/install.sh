#!/bin/sh
# install.sh: `make install DESTDIR=...` from the build tree installs exactly
# the programs, the documents (README.md in $(docdir), the rest
# under $(docdir)/docs with docs/internals kept) and the man page
# fotasim-scenario(5), and the installed programs run.  The expected list is the programs, README.md and every docs/**/*.md
# of the source tree, so a document missing from docs/Makefile.inc fails.
#
# The make is a separate one, serial: MAKEFLAGS is dropped so that it neither
# looks for the parent's jobserver (this is not a recursive rule) nor adds
# jobs to it, and it only reads the build tree, which `make check` has
# already brought up to date.  It works in a VPATH build with a read-only
# source tree: it writes only under a temporary DESTDIR.
set -u
: "${FOTASIM_BUILDDIR:?}" "${FOTASIM_SRCDIR:?}" "${FOTASIM_BINDIR:?}" \
  "${FOTASIM_DOCDIR:?}" "${FOTASIM_MANDIR:?}"
make=${FOTASIM_MAKE:-make}

T=$(mktemp -d "${TMPDIR:-/tmp}/fotasim-install.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
n=0; failed=0
t() {
	n=$((n + 1))
	if "$@"; then echo "ok $n - $desc"; else echo "not ok $n - $desc"; failed=1; fi
}

dest="$T/dest"
desc="make install DESTDIR=... exits 0"
t sh -c 'cd "$1" && unset MAKEFLAGS MFLAGS MAKELEVEL &&
	$2 install DESTDIR="$3" >"$4" 2>&1' sh "$FOTASIM_BUILDDIR" "$make" \
	"$dest" "$T/install.log"
[ $failed = 0 ] || sed 's/^/# /' "$T/install.log"

{
	for p in fotasim fotasim-host fotasim-pkg fotasim-run fotasim-server; do
		echo "$FOTASIM_BINDIR/$p"
	done
	echo "$FOTASIM_DOCDIR/README.md"
	echo "$FOTASIM_MANDIR/man5/fotasim-scenario.5"
	(cd "$FOTASIM_SRCDIR" && find docs -type f -name '*.md' &&
	    find scenarios -type f \( -name '*.scn' -o -name '*.inc' \) ! -name Makefile.inc) |
	    sed "s|^|$FOTASIM_DOCDIR/|"
} | LC_ALL=C sort > "$T/expected"
(cd "$dest" && find . ! -type d) | sed 's|^\.||' | LC_ALL=C sort > "$T/installed"
desc="installed files are exactly the programs and the documents"
t cmp -s "$T/expected" "$T/installed"
diff "$T/expected" "$T/installed" | sed -n 's/^\([<>]\)/# \1/p'

for p in fotasim fotasim-host fotasim-pkg fotasim-run fotasim-server; do
	bin="$dest$FOTASIM_BINDIR/$p"
	desc="$p is executable"; t test -x "$bin"
	desc="installed $p --help exits 0"; t sh -c '"$1" --help >/dev/null' sh "$bin"
	desc="installed $p --version"
	t sh -c '"$1" --version | grep -qx "$2 [0-9][0-9.]*"' sh "$bin" "$p"
done
desc="README.md installed as it is"
t cmp -s "$FOTASIM_SRCDIR/README.md" "$dest$FOTASIM_DOCDIR/README.md"
desc="docs/internals kept as a folder"
t cmp -s "$FOTASIM_SRCDIR/docs/internals/clock.md" \
	"$dest$FOTASIM_DOCDIR/docs/internals/clock.md"

echo "# $n checks"
exit $failed
