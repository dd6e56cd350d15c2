"""bench/scenarios: the whole scenario library through fotasim-run.

Runs scenarios/ with `fotasim-run --jobs 2 --json` and prints the total
wall time, the median wall time per scenario and the slowest five, against
the issue's targets (a library of at least 80 scenarios in under 20 s, the
median under 150 ms).  Exits 1 only if fotasim-run cannot be run or a
scenario fails, not when a target is missed."""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

TOTAL_GOAL = 20.0
MEDIAN_GOAL = 0.150


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=".")
    ap.add_argument("--jobs", default="2")
    ap.add_argument("dirs", nargs="*")
    a = ap.parse_args()
    src = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    dirs = a.dirs or [os.path.join(src, "scenarios")]
    with tempfile.TemporaryDirectory(prefix="fotasim-bench.") as tmp:
        report = os.path.join(tmp, "r.json")
        t0 = time.monotonic()
        p = subprocess.run([os.path.join(a.build, "fotasim-run"), "--jobs",
                            a.jobs, "--json", report, "--keep",
                            os.path.join(tmp, "kept")] + dirs,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        total = time.monotonic() - t0
        if not os.path.exists(report):
            sys.stdout.write(p.stdout.decode(errors="replace"))
            return 1
        r = json.load(open(report))
    secs = sorted((s["seconds"], s["path"]) for s in r["scenarios"])
    n = len(secs)
    median = statistics.median(s for s, _ in secs) if n else 0.0
    print("scenarios: %d (%d passed, %d failed), --jobs %s" %
          (n, r["passed"], r["failed"], a.jobs))
    print("total wall time: %.2f s (goal < %.0f s for >= 80 scenarios)" %
          (total, TOTAL_GOAL))
    print("median per scenario: %.0f ms (goal < %.0f ms)" %
          (median * 1000, MEDIAN_GOAL * 1000))
    print("slowest five:")
    for s, path in reversed(secs[-5:]):
        print("  %6.0f ms  %s" % (s * 1000, os.path.relpath(path, src)))
    return 1 if r["failed"] else 0


sys.exit(main())
