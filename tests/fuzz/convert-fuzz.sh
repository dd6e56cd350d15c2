#!/bin/sh
# Drive the log converter's fuzz target with 20000 seeded inputs built
# from its dictionary (transcript records and capture lines).
exec "$FOTASIM_BUILDDIR/tests/fuzz/convert-fuzz" -n 20000 \
    -d "$FOTASIM_SRCDIR/tests/fuzz/convert.dict"
