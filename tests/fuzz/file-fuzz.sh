#!/bin/sh
# Drive the FILE receiver's fuzz target with 3000 seeded inputs.
exec "$FOTASIM_BUILDDIR/tests/fuzz/file-fuzz" -n 3000
