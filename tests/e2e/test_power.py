"""Power: SIGTERM is an orderly power-down, SIGKILL a power cut whose next
power-on keeps the saved profile, AT+QPOWD powers down, and one state dir
belongs to one modem at a time."""
import os
import signal
import subprocess

from fotasim_test import check, run, FOTASIM

OK = b"\r\nOK\r\n"


def body(modem):
    m = modem().start()
    h = m.boot()
    check(h.cmd("AT+CMEE=2;&W") == b"AT+CMEE=2;&W\r" + OK, "profile saved")

    # A second fotasim on the same state dir is refused.
    other = subprocess.run([FOTASIM, "--link", m.link + "2", "--state-dir",
                            m.state_dir, "--speed", "max"],
                           stderr=subprocess.PIPE, timeout=30)
    check(other.returncode != 0 and b"in use" in other.stderr,
          "state dir locked: %r" % other.stderr)

    # SIGTERM: POWERED DOWN, then the port goes away and the process exits 0.
    m.signal(signal.SIGTERM)
    rest = h.wait_hangup()
    check(rest == b"\r\nPOWERED DOWN\r\n", "SIGTERM says POWERED DOWN: %r" % rest)
    check(m.wait() == 0, "exit status 0 after orderly power-down")
    check(not os.path.lexists(m.link), "link removed at power-down")
    h.close()

    # SIGKILL: a power cut.  The next power-on on the same dir keeps AT&W.
    m2 = modem(state_dir=m.state_dir, tmp=m.tmp).start()
    h = m2.boot()
    check(h.cmd("AT+CMEE?") == b"AT+CMEE?\r\r\n+CMEE: 2\r\n" + OK,
          "profile survived an orderly restart")
    check(h.cmd("AT+CMEE=0;&W") == b"AT+CMEE=0;&W\r" + OK, "save again")
    m2.signal(signal.SIGKILL)
    check(m2.wait() == -signal.SIGKILL, "killed")
    h.wait_hangup()
    h.close()
    m3 = modem(state_dir=m.state_dir, tmp=m.tmp).start()
    h = m3.boot()
    check(h.cmd("AT+CFUN=7") == b"AT+CFUN=7\r\r\nERROR\r\n",
          "profile written before the power cut is intact (CMEE=0)")

    # AT+QPOWD: OK, POWERED DOWN, hang-up, exit.
    h.send("AT+QPOWD\r")
    rest = h.wait_hangup()
    check(rest == b"AT+QPOWD\r" + OK + b"\r\nPOWERED DOWN\r\n",
          "AT+QPOWD: %r" % rest)
    check(m3.wait() == 0, "exit 0 after AT+QPOWD")
    h.close()

    # AT+QPOWD=0: immediate, no POWERED DOWN.
    m4 = modem(state_dir=m.state_dir, tmp=m.tmp).start()
    h = m4.boot()
    h.send("AT+QPOWD=0\r")
    rest = h.wait_hangup()
    check(rest == b"AT+QPOWD=0\r" + OK, "AT+QPOWD=0: %r" % rest)
    check(m4.wait() == 0, "exit 0 after AT+QPOWD=0")
    h.close()



run(body)
