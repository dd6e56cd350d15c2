"""bench/idle: what an idle modem costs.

Boots fotasim (at max speed, so the boot chain is over at once), lets it
settle, then counts over a window of wall time (10 s by default) its wakeups
(voluntary plus involuntary context switches, /proc/<pid>/task/*/status)
and its CPU (time on CPU in ns, /proc/<pid>/task/*/schedstat): first with no host, then with a host
that holds the port open and says nothing.  Goal: 0 wakeups/s in both.
Exits 1 only if fotasim cannot be started, not when the goal is missed."""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tty

GOAL = 0.0


def per_thread(pid, name):
    """The text of /proc/<pid>/task/<tid>/<name> for every thread."""
    for tid in os.listdir("/proc/%d/task" % pid):
        with open("/proc/%d/task/%s/%s" % (pid, tid, name)) as f:
            yield f.read()


def wakeups(pid):
    """Context switches of every thread of pid so far."""
    return sum(int(l.split()[1]) for text in per_thread(pid, "status")
               for l in text.splitlines() if "ctxt_switches" in l)


def cpu_seconds(pid):
    """Time on CPU of every thread of pid so far, in seconds."""
    return sum(int(text.split()[0]) for text in per_thread(pid, "schedstat")) / 1e9


def window(pid, seconds):
    """(wakeups per second, CPU share of one core) over `seconds`."""
    w0, c0, t0 = wakeups(pid), cpu_seconds(pid), time.monotonic()
    time.sleep(seconds)
    w1, c1, t1 = wakeups(pid), cpu_seconds(pid), time.monotonic()
    return (w1 - w0) / (t1 - t0), (c1 - c0) / (t1 - t0)


def wait_transcript(log, text, proc, limit=30):
    """Wait until the transcript holds `text` (the modem got that far)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with open(log) as f:
                if text in f.read():
                    return True
        except FileNotFoundError:
            pass
        time.sleep(0.01)
    return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.getcwd())
    ap.add_argument("--seconds", type=float, default=10.0)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="fotasim-idle-")
    link = os.path.join(tmp, "at")
    log = os.path.join(tmp, "log")
    # No --state-dir: fotasim's temporary one goes when it stops.
    proc = subprocess.Popen([os.path.join(args.build, "fotasim"), "--link",
                             link, "--speed", "max", "--log", log])
    fd = None
    try:
        # The boot chain's last timer, the registration, at max speed.
        if not wait_transcript(log, "network registration 2 -> 1", proc):
            print("bench/idle: fotasim did not boot")
            return 1
        print("idle: one modem, %.0f s per window" % args.seconds)
        rows = [("no host", window(proc.pid, args.seconds))]
        fd = os.open(link, os.O_RDWR | os.O_NOCTTY)
        tty.setraw(fd)
        if not wait_transcript(log, "host attached", proc):
            print("bench/idle: the modem did not see the host")
            return 1
        time.sleep(0.2)
        rows.append(("silent host", window(proc.pid, args.seconds)))
        for name, (rate, cpu) in rows:
            print("  %-12s %7.1f wakeups/s  CPU %.4f%% of a core  (goal %g "
                  "wakeups/s: %s)" % (name, rate, 100 * cpu, GOAL,
                                      "met" if rate <= GOAL else "MISSED"))
        return 0
    finally:
        if fd is not None:
            os.close(fd)
        proc.terminate()
        proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
