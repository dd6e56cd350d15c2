#!/bin/sh
# Drive the typed request's fuzz target (AT+QHTTPCFG="requestheader",1)
# with 3000 seeded inputs.
exec "$FOTASIM_BUILDDIR/tests/fuzz/qhttpreq-fuzz" -n 3000
