#!/bin/sh
# Drive the fault-directive fuzz target with 20000 seeded inputs built from
# its dictionary.
exec "$FOTASIM_BUILDDIR/tests/fuzz/faults-fuzz" -n 20000 \
    -d "$FOTASIM_SRCDIR/tests/fuzz/faults.dict"
