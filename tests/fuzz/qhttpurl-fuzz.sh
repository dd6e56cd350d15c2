#!/bin/sh
# Drive AT+QHTTPURL's receiver's fuzz target with 3000 seeded inputs.
exec "$FOTASIM_BUILDDIR/tests/fuzz/qhttpurl-fuzz" -n 3000
