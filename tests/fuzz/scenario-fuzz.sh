#!/bin/sh
# Drive the scenario parser's fuzz target with 20000 seeded inputs built
# from its dictionary.
exec "$FOTASIM_BUILDDIR/tests/fuzz/scenario-fuzz" -n 20000 \
    -d "$FOTASIM_SRCDIR/tests/fuzz/scenario.dict"
