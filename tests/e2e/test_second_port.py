"""--link2: the module's second AT interface.  Two hosts, one per pty:
exact bytes on each, per-interface echo/verbose/CMEE, an asynchronous
result (AT+QFUPL) on the interface that issued it while the other answers,
704 ("UART busy") for an HTTP FOTA started while the other interface is in
data mode (AT+QHTTPURL's CONNECT, AT+QHTTPREAD's body not yet read by its
host, AT+QFUPL's CONNECT), an FTP FOTA that
goes on (the FTP table has no such code) and whose reboot takes both ports
away and brings both back; on the UART both go silent and stay.
AT+QURCCFG="urcport" moves the URCs no command asked for (the boot chain)
to port 2, keeps the setting across reboots, and loses them to "uart1",
which fotasim does not emulate on USB."""
import os
import tempfile
import time

import serial

from fotasim_test import (check, run, serve, booted, package, qind, upgrade,
                          whole_sequence, Host, LIMIT)

A = "EC200TCNHAR02A14M16"
B = "EC200TCNHAR02A15M16"
OK = b"\r\nOK\r\n"
CHAIN = (b"\r\nRDY\r\n\r\n+CPIN: READY\r\n\r\n+QUSIM: 1\r\n\r\n+CFUN: 1\r\n"
         b"\r\n+QIND: SMS DONE\r\n\r\n+QIND: PB DONE\r\n")


def two(modem, *args):
    """A modem with --link2 at a numeric speed: (modem, second link).  At
    --speed max the data-mode waits would race the FOTA's start."""
    m = modem(speed="10")
    link2 = os.path.join(m.tmp, "at2.tty")
    m.args += ["--link2", link2, "--flash-timing", "zero"] + list(args)
    return m, link2


def open2(m, link2, boots=1):
    """Open the second interface once its pty of this boot is up."""
    m.wait_transcript(r"state port2 up ", boots)
    return Host(link2)


def checksum(data):
    """AT+QFUPL's checksum: XOR of the 16-bit big-endian words."""
    s = 0
    for i, b in enumerate(data):
        s ^= b << 8 if i % 2 == 0 else b
    return s


def read_through(port, final, limit=LIMIT):
    """pyserial: read until the bytes end with `final`; return them all."""
    got = b""
    deadline = time.monotonic() + limit
    while not got.endswith(final) and time.monotonic() < deadline:
        got += port.read(1)
    return got


def pyserial_clients(modem):
    """Two pyserial clients, one per interface, as host software opens
    them: each line answers on its own port, with that port's echo."""
    m, link2 = two(modem)
    m.start()
    booted(m).close()                   # ATE0 on port 1
    p1 = serial.Serial(m.link, 115200, rtscts=True, timeout=0.5)
    p2 = serial.Serial(link2, 115200, rtscts=True, timeout=0.5)
    p1.write(b"AT\r")
    p2.write(b"ATI\r")
    got1 = read_through(p1, OK)
    got2 = read_through(p2, OK)
    check(got1 == OK, "pyserial port 1: AT: %r" % got1)
    check(got2 == b"ATI\r\r\nQuectel\r\nEC200T\r\nRevision: " +
          A.encode() + b"\r\n" + OK, "pyserial port 2: ATI: %r" % got2)
    p2.write(b"AT+CGMR\r")
    p1.write(b"AT+CGMR\r")
    got2 = read_through(p2, OK)
    got1 = read_through(p1, OK)
    check(got1 == b"\r\n" + A.encode() + b"\r\n" + OK,
          "pyserial port 1: echo off: %r" % got1)
    check(got2 == b"AT+CGMR\r\r\n" + A.encode() + b"\r\n" + OK,
          "pyserial port 2: echo on: %r" % got2)
    p1.close()
    p2.close()
    m.cleanup()


def settings(modem):
    m, link2 = two(modem)
    m.start()
    h1 = booted(m)                      # the URC port: the boot chain
    h2 = open2(m, link2)
    check(h2.cmd("AT") == b"AT\r" + OK,
          "port 2: echo on while port 1 has ATE0")
    check(h1.cmd("AT") == OK, "port 1: echo off")
    got = h2.answer(b"ATV0\r", rb"\r0\r")
    check(got == b"ATV0\r0\r", "port 2: ATV0 answers 0: %r" % got)
    check(h1.cmd("AT+QFOO") == b"\r\nERROR\r\n", "port 1: still verbose")
    got = h2.answer(b"AT+QFOO\r", rb"\r4\r")
    check(got == b"AT+QFOO\r4\r", "port 2: numeric ERROR: %r" % got)
    got = h2.answer(b"ATV1\r", rb"\r\nOK\r\n")
    check(got == b"ATV1\r" + OK, "port 2: ATV1: %r" % got)
    check(h1.cmd("AT+CMEE=2") == OK, "port 1: CMEE=2")
    check(h1.cmd("AT+CMEE?") == b"\r\n+CMEE: 2\r\n" + OK, "port 1: CMEE 2")
    check(h2.cmd("AT+CMEE?") == b"AT+CMEE?\r\r\n+CMEE: 1\r\n" + OK,
          "port 2: CMEE still 1")
    check(h2.cmd("ATE0") == b"ATE0\r" + OK, "port 2: ATE0")

    # An asynchronous command answers on its own interface; the other
    # interface's bytes are commands meanwhile, not the upload's.
    data = b"second\r\nport"
    got = h2.answer(b'AT+QFUPL="p2.txt",%d,30\r' % len(data),
                    rb"\r\nCONNECT\r\n")
    check(got == b"\r\nCONNECT\r\n", "port 2: QFUPL CONNECT: %r" % got)
    check(h1.cmd("AT+CGMR") == b"\r\n" + A.encode() + b"\r\n" + OK,
          "port 1 answers while port 2 is in data mode")
    got = h2.answer(data, rb"\r\nOK\r\n")
    want = b"\r\n+QFUPL: %d,%x\r\n" % (len(data), checksum(data)) + OK
    check(got == want, "port 2: +QFUPL and OK on port 2: %r" % got)
    check(h1.cmd("AT+QFLST=\"p2.txt\"") ==
          b"\r\n+QFLST: \"UFS:p2.txt\",%d\r\n" % len(data) + OK,
          "port 1 sees the file port 2 uploaded (one file system)")
    check(h1.quiet_for(0.2) == b"" and h2.quiet_for(0.2) == b"",
          "nothing stray on either port")
    m.cleanup()


def busy(modem):
    root = tempfile.mkdtemp(prefix="fotasim-www.")
    package(root, "a.pkg", A, B)
    big = bytes(range(256)) * 4096                 # 1 MiB
    with open(os.path.join(root, "big.bin"), "wb") as f:
        f.write(big)
    m, link2 = two(modem)
    addr = serve(m, root)
    http = addr["http"].encode()
    h1 = booted(m)
    h2 = open2(m, link2)
    check(h2.cmd("ATE0") == b"ATE0\r" + OK, "port 2: ATE0")

    # http-704: port 1 is in AT+QHTTPURL's data mode; port 2's HTTP FOTA.
    url = b"http://%s/a.pkg" % http
    got = h1.answer(b"AT+QHTTPURL=%d,600\r" % len(url), rb"\r\nCONNECT\r\n")
    check(got == b"\r\nCONNECT\r\n", "port 1: QHTTPURL CONNECT: %r" % got)
    got = h2.answer(b'AT+QFOTADL="%s"\r' % url, rb'"HTTPEND",\d+\r\n')
    check(got == OK + qind(b'"HTTPSTART"') + qind(b'"HTTPEND"', 704),
          "http-704: FOTA from port 2 while port 1 is in data mode: %r" % got)
    got = h1.answer(url, rb"\r\nOK\r\n")
    check(got == OK, "port 1: the URL typed after all: %r" % got)
    check(h2.cmd("AT+CGMR") == b"\r\n" + A.encode() + b"\r\n" + OK,
          "http-704: still on the old firmware")
    check("download failed: 704" in m.transcript(),
          "http-704: the transcript has the job's code")

    # http-704 from AT+QHTTPREAD: its CONNECT and the body go to port 1,
    # whose host does not read yet: port 1 stays in data mode.
    big_url = b"http://%s/big.bin" % http
    got = h1.answer(b"AT+QHTTPURL=%d,60\r" % len(big_url), rb"CONNECT\r\n")
    check(got == b"\r\nCONNECT\r\n", "port 1: QHTTPURL again: %r" % got)
    check(h1.answer(big_url, rb"\r\nOK\r\n") == OK, "port 1: the URL")
    got = h1.answer(b"AT+QHTTPGET\r", rb"\+QHTTPGET: [^\r]*\r\n", 60)
    check(got == OK + b"\r\n+QHTTPGET: 0,200,%d\r\n" % len(big),
          "port 1: GET of 1 MiB: %r" % got)
    h1.send(b"AT+QHTTPREAD\r")
    m.wait_transcript(r"state http read: %d bytes" % len(big))
    got = h2.answer(b'AT+QFOTADL="%s"\r' % url, rb'"HTTPEND",\d+\r\n')
    check(got == OK + qind(b'"HTTPSTART"') + qind(b'"HTTPEND"', 704),
          "http-704: FOTA from port 2 while port 1's host has not read "
          "QHTTPREAD's body: %r" % got)
    got = h1.expect(rb"(?s)^.*?\+QHTTPREAD: \d+\r\n", 60).group(0)
    check(got == b"\r\nCONNECT\r\n" + big + OK + b"\r\n+QHTTPREAD: 0\r\n",
          "port 1: the whole body, OK, +QHTTPREAD: 0 (%d bytes)" % len(got))

    # The other way round: port 2 in AT+QFUPL's data mode, port 1's FOTA.
    got = h2.answer(b'AT+QFUPL="hold.bin",100,600\r', rb"\r\nCONNECT\r\n")
    check(got == b"\r\nCONNECT\r\n", "port 2: QFUPL CONNECT: %r" % got)
    got = h1.answer(b'AT+QFOTADL="%s"\r' % url, rb'"HTTPEND",\d+\r\n')
    check(got == OK + qind(b'"HTTPSTART"') + qind(b'"HTTPEND"', 704),
          "http-704: FOTA from port 1 while port 2 uploads: %r" % got)

    # FTP has no 704: the download goes on, the update runs and the reboot
    # takes both ports away.
    got, ups = upgrade(h1, 'AT+QFOTADL="FTP://test:test@%s/a.pkg"' %
                       addr["ftp"], b"FTP")
    check(whole_sequence(got, b"FTP", ups),
          "ftp while port 2 is in data mode: the whole upgrade: %r" % got)
    rest = h2.wait_hangup()
    check(rest == b"" and h2.eof,
          "port 2 hangs up with port 1 on the reboot: %r" % rest)
    h1.close()
    h2.close()
    h1 = m.open_port()
    got = h1.expect(rb"(?s)^.*?\+QIND: PB DONE\r\n").group(0)
    check(got == CHAIN, "port 1 back: the boot chain: %r" % got)
    h2 = open2(m, link2, 2)
    check(h2.cmd("AT+CGMR") == b"AT+CGMR\r\r\n" + B.encode() + b"\r\n" + OK,
          "port 2 back, on the new firmware, echo on again")
    check(h2.quiet_for(0.2) == b"", "port 2: no boot URC (not the URC port)")
    m.cleanup()


def ftp_com(modem):
    """http-704-ftp-com: port 1's AT+QFTPGET "COM:" is a data mode too."""
    root = tempfile.mkdtemp(prefix="fotasim-www.")
    package(root, "a.pkg", A, B)
    slow = bytes(range(256)) * 8
    with open(os.path.join(root, "slow.bin"), "wb") as f:
        f.write(slow)
    m, link2 = two(modem)
    addr = serve(m, root, "ftp data throttle 200B/s\n")
    host, port = addr["ftp"].rsplit(":", 1)
    h1 = booted(m)
    h2 = open2(m, link2)
    check(h2.cmd("ATE0") == b"ATE0\r" + OK, "port 2: ATE0")
    check(h1.cmd('AT+QFTPCFG="account","test","test"') == OK,
          "port 1: QFTPCFG account")
    got = h1.answer(b'AT+QFTPOPEN="%s",%s\r' % (host.encode(), port.encode()),
                    rb"\+QFTPOPEN: [^\r]*\r\n", 60)
    check(got == OK + b"\r\n+QFTPOPEN: 0,0\r\n", "port 1: QFTPOPEN: %r" % got)
    h1.send(b'AT+QFTPGET="slow.bin","COM:"\r')
    got = h1.expect(rb"^\r\nCONNECT\r\n", 60).group(0)
    check(got == b"\r\nCONNECT\r\n", "port 1: QFTPGET COM: CONNECT")
    got = h2.answer(b'AT+QFOTADL="http://%s/a.pkg"\r' % addr["http"].encode(),
                    rb'"HTTPEND",\d+\r\n')
    check(got == OK + qind(b'"HTTPSTART"') + qind(b'"HTTPEND"', 704),
          "http-704-ftp-com: FOTA from port 2 while port 1 takes an FTP "
          "file in data mode: %r" % got)
    got = h1.expect(rb"(?s)^.*?\+QFTPGET: [^\r]*\r\n", 60).group(0)
    check(got == slow + OK + b"\r\n+QFTPGET: 0,%d\r\n" % len(slow),
          "port 1: the file's bytes exactly, OK, +QFTPGET: 0,<len>")
    m.cleanup()


def uart(modem):
    m, link2 = two(modem, "--port", "uart")
    m.start()
    h1 = booted(m)
    h2 = open2(m, link2)
    target1, target2 = os.readlink(m.link), os.readlink(link2)
    got = h2.answer(b"AT+CFUN=1,1\r", rb"\r\nOK\r\n")
    check(got == b"AT+CFUN=1,1\r" + OK, "uart: reboot from port 2: %r" % got)
    got = h1.expect(rb"(?s)^.*?\+QIND: PB DONE\r\n").group(0)
    check(got == CHAIN, "uart: port 1 silent, then the boot chain: %r" % got)
    check(not h1.eof and not h2.eof, "uart: neither port hung up")
    check(os.readlink(m.link) == target1 and os.readlink(link2) == target2,
          "uart: both links keep their ptys")
    check(h2.cmd("AT") == b"AT\r" + OK, "uart: port 2 answers again")
    check(h1.cmd('AT+QURCCFG="urcport"') ==
          b'AT+QURCCFG="urcport"\r\r\n+QURCCFG: "urcport","uart1"\r\n' +
          OK, "uart: the URC port is the main UART, uart1 (echo on again "
          "after the reboot)")
    m.cleanup()


def reboot_both(h1, h2, echo=b""):
    """AT+CFUN=1,1 from port 1: its OK (after the echo), then both ports
    hang up."""
    h1.send("AT+CFUN=1,1\r")
    rest = h1.wait_hangup()
    check(rest == echo + OK, "urcport: OK before the reboot: %r" % rest)
    check(h2.wait_hangup() == b"" and h2.eof, "urcport: port 2 hangs up")
    h1.close()
    h2.close()


def urcport(modem):
    """AT+QURCCFG="urcport": the port the URCs no command asked for go
    to, saved across reboots; a port fotasim does not emulate loses them."""
    m, link2 = two(modem)
    m.start()
    h1 = booted(m)
    h2 = open2(m, link2)
    check(h2.cmd("ATE0") == b"ATE0\r" + OK, "urcport: port 2 ATE0")
    check(h1.cmd("AT+QURCCFG=?") == b'\r\n+QURCCFG: "urcport",("usbat",'
          b'"usbmodem","uart1")\r\n' + OK, "urcport: the test form")
    check(h1.cmd('AT+QURCCFG="urcport"') ==
          b'\r\n+QURCCFG: "urcport","usbat"\r\n' + OK,
          "urcport: the default is the first interface, usbat on USB")
    for bad in ('AT+QURCCFG="urcport","com9"', 'AT+QURCCFG="urcport",1',
                'AT+QURCCFG="other"', 'AT+QURCCFG="urcport","usbat",1'):
        check(h1.cmd(bad) == b"\r\n+CME ERROR: 50\r\n",
              "urcport: %s refused" % bad)
    check(h2.cmd('AT+QURCCFG="urcport","usbmodem"') == OK,
          "urcport: usbmodem set from port 2")
    check(h1.cmd('AT+QURCCFG="urcport"') ==
          b'\r\n+QURCCFG: "urcport","usbmodem"\r\n' + OK,
          "urcport: port 1 reads the one setting")

    reboot_both(h1, h2)
    h2 = open2(m, link2, 2)
    got = h2.expect(rb"(?s)^.*?\+QIND: PB DONE\r\n").group(0)
    check(got == CHAIN, "urcport usbmodem: port 2 gets the boot chain: %r"
          % got)
    m.wait_transcript(r"state port up ", 2)
    h1 = Host(m.link)
    check(h1.cmd('AT+QURCCFG="urcport"') ==
          b'AT+QURCCFG="urcport"\r\r\n+QURCCFG: "urcport","usbmodem"\r\n'
          + OK, "urcport: saved across the reboot; port 1 got no boot URC "
          "(echo on again from the profile)")

    # uart1 is not one of the two USB interfaces: the URCs are lost.
    check(h1.cmd('AT+QURCCFG="urcport","UART1"') ==
          b'AT+QURCCFG="urcport","UART1"\r' + OK, "urcport: uart1 set")
    reboot_both(h1, h2, b"AT+CFUN=1,1\r")
    h2 = open2(m, link2, 3)
    m.wait_transcript(r"state port up ", 3)
    h1 = Host(m.link)
    m.wait_transcript(r"urc to uart1, not emulated: \+QIND: PB DONE")
    check(h1.cmd('AT+QURCCFG="urcport","usbat"') ==
          b'AT+QURCCFG="urcport","usbat"\r' + OK,
          "urcport uart1: no boot chain on port 1 before the answer")
    check(h2.quiet_for(0.2) == b"", "urcport uart1: none on port 2")
    chain = [l for l in CHAIN.split(b"\r\n") if l]
    lost = [l.split(", not emulated: ", 1)[-1].encode()
            for l in m.transcript().splitlines()
            if "urc to uart1, not emulated: " in l]
    check(lost == chain, "urcport uart1: the whole boot chain lost, in the "
          "transcript: %r" % lost)
    m.cleanup()


def body(modem):
    pyserial_clients(modem)
    settings(modem)
    busy(modem)
    ftp_com(modem)
    uart(modem)
    urcport(modem)


run(body)
