#!/bin/sh
# Drive AT+QFUPL's receiver's fuzz target with 3000 seeded inputs.
exec "$FOTASIM_BUILDDIR/tests/fuzz/qfupl-fuzz" -n 3000
