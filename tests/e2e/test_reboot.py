"""AT+CFUN=1,1 reboots: on USB the old port hangs up and the link moves to a
new pty that boots with RDY; on UART the same pty goes silent and boots."""
import os

from fotasim_test import check, run, Host

OK = b"\r\nOK\r\n"
CHAIN = [b"RDY", b"+CPIN: READY", b"+QUSIM: 1", b"+CFUN: 1",
         b"+QIND: SMS DONE", b"+QIND: PB DONE"]


def body(modem):
    # USB port: the pty vanishes and comes back.
    m = modem().start()
    h = m.open_port()
    first = h.expect(rb"(?s).*?\+QIND: PB DONE\r\n").group(0)
    lines = [l for l in first.split(b"\r\n") if l]
    check(lines == CHAIN, "boot chain in order: %r" % lines)
    old_target = os.readlink(m.link)
    check(h.cmd("ATE0;+CMEE=2;&W") == b"ATE0;+CMEE=2;&W\r" + OK,
          "profile saved before reboot")
    check(h.cmd("AT+CEREG=1") == OK, "a volatile setting")
    h.send("AT+CFUN=1,1\r")
    rest = h.wait_hangup()
    check(rest == OK, "OK reaches the host before the port drops: %r" % rest)
    check(h.eof, "old fd sees hang-up")
    try:
        os.write(h.fd, b"AT\r")
        wrote = True
    except OSError:
        wrote = False
    check(not wrote, "writing to the old fd fails")
    h.close()
    m.wait_transcript(r"state port up ", 2)
    h = Host(m.link)
    got = h.expect(rb"(?s).*?\+QIND: PB DONE\r\n").group(0)
    lines = [l for l in got.split(b"\r\n") if l]
    check(lines == CHAIN, "boot chain again after reboot: %r" % lines)
    check(os.path.islink(m.link), "link re-pointed (still a symlink)")
    print("# link %s -> %s" % (old_target, os.readlink(m.link)))
    check(h.cmd("AT+CMEE?") == b"\r\n+CMEE: 2\r\n" + OK,
          "saved profile survives the reboot (echo off, CMEE=2)")
    check(h.cmd("AT+CEREG?") == b"\r\n+CEREG: 0,1\r\n" + OK,
          "volatile URC mode reset by the reboot")
    t = m.transcript()
    check("power on -> resetting" in t and "power off -> booting" in t,
          "transcript records the power transitions")
    # Nothing after the reboot command runs: not the rest of its line, not
    # the lines after it in the same write, not even a power-off.
    h.send("AT+CFUN=1,1;+CGMR\rATI\rAT+QPOWD=0\r")
    rest = h.wait_hangup()
    check(rest == OK, "only the reboot's OK after AT+CFUN=1,1: %r" % rest)
    h.close()
    m.wait_transcript(r"state port up ", 3)
    h = Host(m.link)
    h.expect(rb"\+QIND: PB DONE\r\n")
    check(m.proc.poll() is None, "the QPOWD=0 sent after the reboot did not run")
    h.send("AT+QPOWD\rATI\r")
    rest = h.wait_hangup()
    check(rest == OK + b"\r\nPOWERED DOWN\r\n",
          "nothing answered between QPOWD's OK and POWERED DOWN: %r" % rest)
    check(m.wait() == 0, "powered down")
    h.close()
    m.stop()

    # UART port: the same pty stays open across the reboot.
    u = modem("--port", "uart").start()
    h = u.boot()
    target = os.readlink(u.link)
    h.send("AT+CFUN=1,1\r")
    got = h.expect(rb"(?s).*?\+QIND: PB DONE\r\n").group(0)
    lines = [l for l in got.split(b"\r\n") if l]
    check(lines[:2] == [b"AT+CFUN=1,1\r", b"OK"] and lines[2:] == CHAIN,
          "UART: OK, silence, then the boot chain on the same fd: %r" % lines)
    check(not h.eof, "UART: no hang-up")
    check(os.readlink(u.link) == target, "UART: link unchanged")
    check(h.cmd("AT") == b"AT\r" + OK, "UART: answers after reboot")
    h.close()


run(body)
