"""What the Python benchmarks share: the --build argument, the end-to-end
helpers (tests/e2e/fotasim_test.py) on the path, and transcript stamps."""
import argparse
import datetime
import os
import sys


def setup():
    """Parse --build; return (args, the fotasim_test module)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    args = ap.parse_args()
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                    "..", "tests", "e2e"))
    os.environ["FOTASIM_BUILDDIR"] = args.build
    import fotasim_test
    return args, fotasim_test


def stamp(line):
    """The wall time of a transcript record, in seconds."""
    wall = line.split(" ")[1]
    t = datetime.datetime.strptime(wall, "%Y-%m-%dT%H:%M:%S.%fZ")
    return t.replace(tzinfo=datetime.timezone.utc).timestamp()
