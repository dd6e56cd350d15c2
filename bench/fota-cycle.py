"""bench/fota-cycle: one whole AT+QFOTADL cycle with an 8 MB full package
over HTTP from the embedded server, at --speed max with untimed flash:
the command, the download, the check, the update, the reboot and the power
on after it.  In the same run, pairwise and repeated, plain curl fetches
the same file from the same server; the figures are the cycle's wall time
and the download's ratio to curl's.  Times come from the transcript's wall
stamps (the modem's own records), so the host's reading is not measured.

Targets: the whole cycle under 1 s; the download within 1.5x of curl."""
import os
import shutil
import statistics
import subprocess
import tempfile
import time

from benchlib import setup, stamp

ROUNDS = 9
SIZE = "8M"
A = "EC200TCNHAR02A14M16"
B = "EC200TCNHAR02A15M16"




def records(log, start):
    with open(log) as f:
        return f.read().splitlines()[start:]


def main():
    args, ft = setup()

    pkg = os.path.join(args.build, "fotasim-pkg")
    tmp = tempfile.mkdtemp(prefix="fotasim-bench-cycle.")
    root = os.path.join(tmp, "www")
    os.makedirs(root)
    for name, frm, to in [("a-b.pkg", A, B), ("b-a.pkg", B, A)]:
        subprocess.run([pkg, "create", "--model", "EC200T", "--from", frm,
                        "--to", to, "--size", SIZE, "--full", "-o",
                        os.path.join(root, name)], check=True)
    m = ft.Modem("--image-size", SIZE, "--flash-timing", "zero",
                 speed="max", tmp=tmp)
    addr = ft.serve(m, root)
    h = ft.ready(m)
    cycles, downloads, curls = [], [], []
    current = A
    try:
        for i in range(ROUNDS):
            name = "a-b.pkg" if current == A else "b-a.pkg"
            url = "http://%s/%s" % (addr["http"], name)
            # curl first, then the modem, then compare: one pair per round.
            t0 = time.monotonic()
            subprocess.run(["curl", "-s", "-o", "/dev/null", url], check=True)
            curls.append(time.monotonic() - t0)
            start = len(records(m.log, 0))
            h.send('AT+QFOTADL="%s"\r' % url)
            h.wait_hangup(120)
            h.close()
            h = ft.ready(m)
            rec = records(m.log, start)
            t_cmd = stamp(next(r for r in rec if " h>m AT+QFOTADL" in r))
            t_dl = stamp(next(r for r in rec if "fota download done" in r))
            t_on = stamp([r for r in rec if "power booting -> on" in r][-1])
            cycles.append(t_on - t_cmd)
            downloads.append(t_dl - t_cmd)
            current = B if current == A else A
            if h.cmd("AT+CGMR") != b"\r\n" + current.encode() + b"\r\n\r\nOK\r\n":
                raise RuntimeError("round %d: the upgrade did not land" % i)
    finally:
        h.close()
        m.cleanup()
        shutil.rmtree(tmp, ignore_errors=True)
    ratios = [d / c for d, c in zip(downloads, curls)]
    cyc = statistics.median(cycles)
    ratio = statistics.median(ratios)
    print("fota-cycle: %s full package over HTTP, --speed max, untimed flash, "
          "%d rounds" % (SIZE, ROUNDS))
    for i in range(ROUNDS):
        print("  round %d: cycle %.3f s, download %.3f s, curl %.3f s, "
              "ratio %.2f" % (i + 1, cycles[i], downloads[i], curls[i],
                              ratios[i]))
    print("cycle (median): %.3f s  (target < 1 s: %s)" %
          (cyc, "met" if cyc < 1 else "NOT met"))
    print("download / curl (median of pairs): %.2fx  (target <= 1.5x: %s)" %
          (ratio, "met" if ratio <= 1.5 else "NOT met"))


main()
