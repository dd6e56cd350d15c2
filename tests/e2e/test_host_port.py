"""The host opening and closing the port: output while nobody listens is
discarded, a half-typed line does not survive, and the modem keeps going."""
import fcntl
import os
import re
import select
import time

from fotasim_test import check, run, Host

OK = b"\r\nOK\r\n"


def rss_bytes(m):
    """Resident memory of the fotasim process."""
    with open("/proc/%d/statm" % m.proc.pid) as f:
        return int(f.read().split()[1]) * 4096


def body(modem):
    m = modem().start()
    h = m.boot()
    check(h.cmd("ATE0") == b"ATE0\r" + OK, "echo off")
    check(h.cmd("AT+CREG=1") == OK, "+CREG URCs on")

    # Half a line, then the host goes away.
    h.send("AT+CFUN=0")
    h.close()
    # Reopen once the modem has seen the host leave (a host that closes and
    # reopens before the hang-up is handled is indistinguishable from one
    # that stayed):
    # the half line was dropped, not completed by the next bytes.
    m.wait_transcript(r"state port host detached", 1)
    h = Host(m.link)
    h.send("\r")
    check(h.quiet_for(0.4) == b"", "half line from the previous open was dropped")
    check(h.cmd("AT+CFUN?") == b"\r\n+CFUN: 1\r\n" + OK, "radio still on")

    # Close and reopen many times; every open gets a working modem.
    for i in range(20):
        h.close()
        h = Host(m.link)
        got = h.cmd("AT+CSQ")
        if got != b"\r\n+CSQ: 24,99\r\n" + OK:
            break
    check(got == b"\r\n+CSQ: 24,99\r\n" + OK, "20 close/reopen cycles")

    # Output queued for a host that left is not delivered to the next one.
    detached = len(re.findall(r"host detached", m.transcript()))
    h.send("AT+CFUN=0\r")
    h.close()           # leave before reading OK and the +CREG: 0 URC
    m.wait_transcript(r"state port host detached", detached + 1)
    h = Host(m.link)
    stale = h.quiet_for(0.4)
    check(stale == b"", "stale output discarded on reopen: %r" % stale)
    check(h.cmd("AT+CFUN?") == b"\r\n+CFUN: 0\r\n" + OK, "the command did run")

    # A second opener that comes and goes does not hang up the first.
    h2 = Host(m.link)
    h2.close()
    check(h.cmd("AT+CGMM") == b"\r\nEC200T\r\n" + OK,
          "first host unaffected by a second open/close")
    h.close()
    # A host that sends commands but never reads the answers is pushed back
    # on: its writes stop being accepted, the modem's memory stays bounded,
    # and once it reads, every accepted command is answered.
    h = Host(m.link)
    h.cmd("ATE0")
    fl = fcntl.fcntl(h.fd, fcntl.F_GETFL)
    fcntl.fcntl(h.fd, fcntl.F_SETFL, fl | os.O_NONBLOCK)
    sent = 0
    stalls = 0
    while sent < 4 * 1000000 and stalls < 50:
        try:
            sent += os.write(h.fd, b"ATI\r" * 256)
            stalls = 0
        except BlockingIOError:
            stalls += 1
            select.select([], [], [], 0.02)   # let the modem catch up, if it will
    check(sent < 4 * 1000000, "host writes blocked (backpressure) after %d bytes" % sent)
    rss = rss_bytes(m)
    check(rss < 256 * 1024 * 1024, "modem memory bounded: %d MB" % (rss >> 20))
    fcntl.fcntl(h.fd, fcntl.F_SETFL, fl)
    commands = sent // 4
    answered = 0
    tail = b""
    while answered < commands:
        h._fill(time.monotonic() + 30)
        data = tail + h.take()
        answered += data.count(b"\r\nOK\r\n")
        tail = data[-5:]
    check(answered == commands, "all %d accepted commands answered" % commands)
    check(h.cmd("AT+CGMM") == b"\r\nEC200T\r\n" + OK, "still in sync")

    # One line can answer with ~200 KiB; 200 repeats of it in one write must
    # not be run ahead of a host that is not reading: ~40 MB of output would
    # pile up in the modem.  It stops at the 64 KiB backlog instead.
    for cid in range(1, 16):
        h.cmd("AT+CGDCONT=%d,\"IP\",\"%s\"" % (cid, "a" * 99))
    big = "AT" + "+CGDCONT?;" * 100
    first = h.cmd(big)
    check(len(first) > 200000, "one line answers %d bytes" % len(first))
    before = rss_bytes(m)
    h.send(b"A/" * 200)
    select.select([], [], [], 1.0)      # time to run ahead, if it would
    grew = rss_bytes(m) - before
    check(grew < 24 * 1024 * 1024, "output held to the backlog: grew %d kB" % (grew >> 10))
    got, tail = 0, b""
    while got < 200:
        h._fill(time.monotonic() + 60)
        data = tail + h.take()
        got += data.count(b"\r\nOK\r\n")
        tail = data[-5:]
    check(got == 200, "all 200 repeats answered once read")
    check(h.cmd("AT+CGMI") == b"\r\nQuectel\r\n" + OK, "in sync after the flood")
    h.close()
    check(m.proc.poll() is None, "fotasim still running")
    check(os.path.islink(m.link), "link still in place")


run(body)
