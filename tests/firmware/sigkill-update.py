"""Power cut during UPDATING on the real fotasim: SIGKILL it mid-update,
start it again on the same state dir, and the update resumes where it
stopped, reports END,0, reboots, and ATI shows the new revision."""
import os
import re
import signal
import subprocess

from fotasim_test import check, run, BUILDDIR, slot_bytes, image

A = "EC200TCNHAR02A14M16"
B = "EC200TCNHAR02A15M16"
PKG = os.path.join(BUILDDIR, "fotasim-pkg")
STAGE = os.path.join(BUILDDIR, "tests", "firmware", "fw-stage")
UPDATING = rb'\+QIND: "FOTA","UPDATING",(\d+)\r\n'


def ati(h):
    return h.cmd("ATI")


def body(modem):
    # A fresh modem runs the factory image of A.
    m = modem("--revision", A).start()
    h = m.boot()
    check(b"Revision: " + A.encode() in ati(h), "fresh state dir runs A")
    m.signal(signal.SIGTERM)
    h.wait_hangup()
    h.close()
    m.wait()
    check(slot_bytes(m.state_dir, 0) == image(m.tmp, A),
          "fresh flash holds the same bytes as fotasim-pkg image")

    # A downloaded delta package A -> B waits in the FOTA area.
    pkg = os.path.join(m.tmp, "a-b.pkg")
    subprocess.run([PKG, "create", "--model", "EC200T", "--from", A,
                    "--to", B, "-o", pkg], check=True)
    subprocess.run([STAGE, m.state_dir, "EC200T", A, pkg], check=True,
                   stdout=subprocess.DEVNULL)

    # Power on at 10x: 1 MiB at ~15 kB/s is ~7 wall seconds of UPDATING.
    m2 = modem(state_dir=m.state_dir, tmp=m.tmp).start()
    h = m2.open_port()
    h.expect(rb'\+QIND: "FOTA","START"\r\n')
    seen = [int(h.expect(UPDATING).group(1)) for _ in range(3)]
    m2.signal(signal.SIGKILL)
    check(m2.wait() == -signal.SIGKILL, "killed during UPDATING at %d%%"
          % seen[-1])
    check(seen[-1] < 100, "the cut came before the end")
    h.wait_hangup()
    h.close()

    # Next power-on: resume, END,0, reboot, new revision.
    m3 = modem(state_dir=m.state_dir, tmp=m.tmp).start()
    h = m3.open_port()
    h.expect(rb"\r\nRDY\r\n")
    h.expect(rb'\+QIND: "FOTA","START"\r\n')
    rest = h.wait_hangup()
    got = [int(p) for p in re.findall(UPDATING, rest)]
    check(len(got) > 0 and got[0] >= seen[-1],
          "resumed, not restarted: %r after %r" % (got[:3], seen))
    check(got == sorted(set(got)) and got[-1] == 100,
          "percentages rise to 100: %r" % got)
    check(rest.rstrip().endswith(b'+QIND: "FOTA","END",0'),
          "END,0 is the last thing before the reboot: %r" % rest[-80:])
    h.close()
    h = m3.boot()
    check(b"Revision: " + B.encode() in ati(h), "after the reboot ATI says B")
    h.close()

    # And one more power cycle keeps B.
    m3.signal(signal.SIGKILL)
    m3.wait()
    m4 = modem(state_dir=m.state_dir, tmp=m.tmp).start()
    h = m4.boot()
    check(b"Revision: " + B.encode() in ati(h), "B survives a power cut")
    h.close()
    check(slot_bytes(m.state_dir, 1) == image(m.tmp, B),
          "slot B is byte-identical to fotasim-pkg image of B")
    check(slot_bytes(m.state_dir, 0) == image(m.tmp, A),
          "slot A still holds A (the rollback target)")


run(body)
