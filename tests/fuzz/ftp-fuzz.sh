#!/bin/sh
# Drive the FTP command-line fuzz target with 3000 seeded inputs built from
# its dictionary, each on its own control connection to 127.0.0.1.
exec "$FOTASIM_BUILDDIR/tests/fuzz/ftp-fuzz" -n 3000 \
    -d "$FOTASIM_SRCDIR/tests/fuzz/ftp.dict"
