#!/bin/sh
# Drive the AT fuzz target with 20000 seeded inputs built from its dictionary.
exec "$FOTASIM_BUILDDIR/tests/fuzz/at-fuzz" -n 20000 -d "$FOTASIM_SRCDIR/tests/fuzz/at.dict"
