"""The module's own FTP client for the host (AT+QFTPCFG, AT+QFTPOPEN,
AT+QFTPCWD, AT+QFTPPWD, AT+QFTPSIZE, AT+QFTPGET to the port and to the
UFS, AT+QFTPCLOSE, AT+QFTPSTAT): the exact answer of every command against
the embedded server and vsftpd through the simulated link, one control
connection for the whole session, a file stored in the UFS byte for byte
(it is a FOTA package the module then installs from the UFS), the server's
replies as <protocol_error>, a control connection the server closed in
between (606), and the sharing of the module's one FTP session with a FOTA
download over FTP, both ways: ftp-602 and ftp-603 (the FOTA download's
FTPEND line), ftp-open-602 and ftp-open-603 (the host's +QFTPOPEN line).
Each case ends with the modem answering AT."""
import os
import tempfile

import fotasim_test
from fotasim_test import (check, run, serve, ready, booted, qind, package,
                          upgrade, slot_bytes, image)
from realservers import vsftpd, stop

A = "EC200TCNHAR02A14M16"
B = "EC200TCNHAR02A15M16"
OK = b"\r\nOK\r\n"


def res(h, line, word, limit=60):
    """A session command: everything through its +QFTP<word> result (or
    the command's own error)."""
    return h.answer(line + "\r", rb"(\+QFTP%s: [^\r]*|\+CME ERROR: \d+)\r\n"
                    % word.encode(), limit)


def finish(m):
    """Stop a modem; keep its files if a check has failed so far."""
    m.cleanup(keep=fotasim_test._failures > 0)


def usable(h, name):
    check(h.cmd("AT") == OK, "%s: the modem still answers" % name)


def start(modem, root, faults, speed, *args):
    m = modem(speed=speed)
    m.args += ["--flash-timing", "zero"] + list(args)
    addr = serve(m, root, faults)
    # At 1000 the boot chain is over before a host could read it.
    h = ready(m) if speed in ("max", "1000") else booted(m)
    return m, addr, h, addr["ftp"].split(":")


def files(root):
    os.chmod(root, 0o755)           # vsftpd's anonymous user reads it
    blob = bytes(range(256)) * 40 + b"\r\n\x00end"
    with open(os.path.join(root, "blob.bin"), "wb") as f:
        f.write(blob)
    os.mkdir(os.path.join(root, "sub"))
    with open(os.path.join(root, "sub", "x.txt"), "wb") as f:
        f.write(b"hello\r\n")
    with open(os.path.join(root, "slow.bin"), "wb") as f:
        f.write(b"s" * 100000)
    package(root, "a.pkg", A, B)
    with open(os.path.join(root, "a.pkg"), "rb") as f:
        pkg = f.read()
    return blob, pkg


def session(modem, root, blob, pkg):
    """Every command against the embedded server, at --speed max."""
    faults = ("ftp PASS first 1 times reply 530 Login incorrect.\n"
              "ftp CWD path gone reply 421 Bye.\n")
    m, addr, h, (host, port) = start(modem, root, faults, "max")
    opn = 'AT+QFTPOPEN="%s",%s' % (host, port)

    # Nothing open: the state, and commands that need a session.
    check(h.cmd("AT+QFTPSTAT") == b"\r\n+QFTPSTAT: IDLE\r\n" + OK,
          "QFTPSTAT: IDLE")
    for line in ['AT+QFTPCWD="sub"', "AT+QFTPPWD", 'AT+QFTPSIZE="blob.bin"',
                 'AT+QFTPGET="blob.bin","COM:"']:
        got = h.cmd(line)
        check(got == b"\r\n+CME ERROR: 3\r\n", "%s with no session: %r" %
              (line, got))
    for line, want in [
            ('AT+QFTPCFG="account","anonymous","me@example.org"', OK),
            ('AT+QFTPCFG="account"',
             b'\r\n+QFTPCFG: "account","anonymous","me@example.org"\r\n' +
             OK),
            ('AT+QFTPCFG="filetype",0', OK),
            ('AT+QFTPCFG="transmode",1', OK),
            ('AT+QFTPCFG="transmode",0', b"\r\n+CME ERROR: 4\r\n"),
            ('AT+QFTPCFG="transmode"', b'\r\n+QFTPCFG: "transmode",1\r\n' +
             OK),
            ('AT+QFTPCFG="rsptimeout",90', OK),
            ('AT+QFTPCFG="rsptimeout",19', b"\r\n+CME ERROR: 50\r\n"),
            ('AT+QFTPCFG="contextid",1', OK),
            ('AT+QFTPCFG="contextid",16', b"\r\n+CME ERROR: 50\r\n"),
            ('AT+QFTPCFG="ssltype",0', OK),
            ('AT+QFTPCFG="ssltype",1', b"\r\n+CME ERROR: 4\r\n"),
            ('AT+QFTPCFG="sslctxid",5', OK),
            ('AT+QFTPCFG="colour",1', b"\r\n+CME ERROR: 50\r\n")]:
        got = h.cmd(line)
        check(got == want, "%s: %r" % (line, got))

    # The login refused once: the server's 530 as <protocol_error>.
    got = res(h, opn, "OPEN")
    check(got == OK + b"\r\n+QFTPOPEN: 625,530\r\n", "ftp-open-625: %r" % got)
    check(h.cmd("AT+QFTPSTAT") == b"\r\n+QFTPSTAT: IDLE\r\n" + OK,
          "after a refused login: IDLE")

    # The session: open, and each command's whole answer.
    for line, word, want in [
            (opn, "OPEN", b"+QFTPOPEN: 0,0"),
            ("AT+QFTPPWD", "PWD", b'+QFTPPWD: 0,"/"'),
            ('AT+QFTPSIZE="blob.bin"', "SIZE", b"+QFTPSIZE: 0,%d" % len(blob)),
            ('AT+QFTPSIZE="none.bin"', "SIZE", b"+QFTPSIZE: 627,550"),
            ('AT+QFTPCWD="sub"', "CWD", b"+QFTPCWD: 0,0"),
            ("AT+QFTPPWD", "PWD", b'+QFTPPWD: 0,"/sub"'),
            ('AT+QFTPSIZE="x.txt"', "SIZE", b"+QFTPSIZE: 0,7"),
            ('AT+QFTPCWD="nope"', "CWD", b"+QFTPCWD: 627,550"),
            ('AT+QFTPGET="none.bin","COM:"', "GET", b"+QFTPGET: 627,550")]:
        got = res(h, line, word)
        check(got == OK + b"\r\n" + want + b"\r\n", "%s: %r" % (line, got))
    check(h.cmd("AT+QFTPSTAT") == b"\r\n+QFTPSTAT: OPENED\r\n" + OK,
          "QFTPSTAT: OPENED")
    got = res(h, 'AT+QFTPGET="x.txt","COM:"', "GET")
    check(got == b"\r\nCONNECT\r\nhello\r\n" + OK +
          b"\r\n+QFTPGET: 0,7\r\n", "GET to COM: CONNECT, the bytes, OK, "
          "+QFTPGET: 0,7: %r" % got)
    for line, word, want in [
            ('AT+QFTPCWD="/"', "CWD", b"+QFTPCWD: 0,0"),
            ('AT+QFTPGET="blob.bin","COM:"', "GET", None),
            ('AT+QFTPGET="blob.bin","UFS:blob.bin"', "GET",
             b"+QFTPGET: 0,%d" % len(blob)),
            ('AT+QFTPGET="a.pkg","a.pkg"', "GET", b"+QFTPGET: 0,%d" % len(pkg))]:
        got = res(h, line, word)
        if want is None:
            want_all = (b"\r\nCONNECT\r\n" + blob + OK +
                        b"\r\n+QFTPGET: 0,%d\r\n" % len(blob))
        else:
            want_all = OK + b"\r\n" + want + b"\r\n"
        check(got == want_all, "%s: the whole answer (%d bytes)" %
              (line, len(got)))
    got = h.cmd('AT+QFTPGET="blob.bin","UFS:blob.bin"')
    check(got == b"\r\n+CME ERROR: 407\r\n", "GET to a UFS name taken: 407: %r"
          % got)
    got = h.cmd('AT+QFLST="*"')
    check(got == b'\r\n+QFLST: "UFS:blob.bin",%d\r\n+QFLST: "UFS:a.pkg",%d\r\n'
          % (len(blob), len(pkg)) + OK, "QFLST: the files' sizes: %r" % got)

    # One control connection, one login, for the whole session so far.
    tr = m.transcript()
    opened = tr[tr.rindex("state ftp IDLE -> OPENING"):]
    check(opened.count("> USER anonymous") == 1 and
          opened.count("link conn 1 connect ") == 1,
          "one login on one control connection for every command")

    check(res(h, "AT+QFTPCLOSE", "CLOSE") == OK + b"\r\n+QFTPCLOSE: 0,0\r\n",
          "QFTPCLOSE: OK, +QFTPCLOSE: 0,0")
    check(m.wait_transcript(r"state download ftp > QUIT") is None,
          "QFTPCLOSE says QUIT")
    check(h.cmd("AT+QFTPSTAT") == b"\r\n+QFTPSTAT: IDLE\r\n" + OK,
          "after QFTPCLOSE: IDLE")

    # The stack's own codes on the host's session: a name the DNS does
    # not know, a refused connect, a host no URL carries.
    for name, line, code in [
            ("ftp-open-604", 'AT+QFTPOPEN="nowhere.invalid",21', 604),
            ("ftp-open-605", 'AT+QFTPOPEN="127.0.0.1",1', 605),
            ("ftp-open-610", 'AT+QFTPOPEN="bad host",21', 610)]:
        got = res(h, line, "OPEN")
        check(got == OK + b"\r\n+QFTPOPEN: %d,0\r\n" % code, "%s: %r" %
              (name, got))

    # The server says 421 and closes the control connection: the command
    # gets 614 with the reply, and the session is over.
    check(res(h, opn, "OPEN") == OK + b"\r\n+QFTPOPEN: 0,0\r\n", "open again")
    got = res(h, 'AT+QFTPCWD="gone"', "CWD")
    check(got == OK + b"\r\n+QFTPCWD: 614,421\r\n", "ftp-cwd-614: %r" % got)
    check(h.cmd("AT+QFTPSTAT") == b"\r\n+QFTPSTAT: IDLE\r\n" + OK,
          "after the 421: IDLE")
    usable(h, "session")

    # The package stored by QFTPGET is the server's byte for byte: the
    # module installs it from the UFS.
    got, _ = upgrade(h, 'AT+QFOTADL="/data/ufs/a.pkg"', b"", 120)
    check(got.endswith(qind(b'"END"', 0)), "the UFS copy installs: %r" %
          got[-80:])
    h.close()
    h = ready(m)
    check(h.cmd("AT+CGMR") == b"\r\n" + B.encode() + b"\r\n" + OK,
          "after the update from the UFS copy: %s" % B)
    check(slot_bytes(m.state_dir, 1) == image(m.tmp, B),
          "the slot holds exactly fotasim-pkg image of %s" % B)
    h.close()
    finish(m)


def lost(modem, root):
    """ftp-session-606: the server closes an idle session (its idle
    timeout, 300 simulated seconds: speed 1000); the next command finds
    the control connection closed, the session is over, and QFTPCLOSE has
    nothing to close."""
    name = "ftp-session-606"
    m, addr, h, (host, port) = start(modem, root, None, "1000")
    got = res(h, 'AT+QFTPOPEN="%s",%s' % (host, port), "OPEN")
    check(got == OK + b"\r\n+QFTPOPEN: 0,0\r\n", "%s: open: %r" %
          (name, got))
    m.wait_transcript(r"state link conn 1 closed toward the module")
    got = res(h, 'AT+QFTPSIZE="blob.bin"', "SIZE")
    check(got == OK + b"\r\n+QFTPSIZE: 606,0\r\n",
          "%s: the next command: %r" % (name, got))
    check(h.cmd("AT+QFTPSTAT") == b"\r\n+QFTPSTAT: IDLE\r\n" + OK,
          "%s: IDLE" % name)
    check(res(h, "AT+QFTPCLOSE", "CLOSE") == OK +
          b"\r\n+QFTPCLOSE: 0,0\r\n", "%s: QFTPCLOSE" % name)
    usable(h, name)
    h.close()
    finish(m)


def fota_end(h, line):
    """AT+QFOTADL: everything through its FTPEND line."""
    return h.answer(line + "\r", rb'"FTPEND",\d+\r\n', 60)


def sharing(modem, root):
    """602 and 603, both ways, at a numeric speed (the transfers that must
    last are throttled, or their login held)."""
    slow = "ftp data throttle 2000B/s\n"
    # ftp-602: the host's session is open; a FOTA download over FTP.
    m, addr, h, (host, port) = start(modem, root, slow, "10")
    opn = 'AT+QFTPOPEN="%s",%s' % (host, port)
    fota = 'AT+QFOTADL="ftp://%s/a.pkg"' % addr["ftp"]
    check(res(h, opn, "OPEN") == OK + b"\r\n+QFTPOPEN: 0,0\r\n",
          "ftp-602: the host's session")
    got = fota_end(h, fota)
    check(got == OK + qind(b'"FTPSTART"') + qind(b'"FTPEND"', 602),
          "ftp-602: AT+QFOTADL while the host's session is open: %r" % got)
    check(h.cmd("AT+QFTPSTAT") == b"\r\n+QFTPSTAT: OPENED\r\n" + OK,
          "ftp-602: the host's session stays")

    # ftp-603: the host's AT+QFTPGET runs on it.
    got = h.cmd('AT+QFTPGET="slow.bin","UFS:slow.bin"')
    check(got == OK, "ftp-603: QFTPGET to the UFS: OK")
    m.wait_transcript(r"state download ftp < 150 ")
    check(h.cmd("AT+QFTPSTAT") == b"\r\n+QFTPSTAT: TRANSFER\r\n" + OK,
          "ftp-603: QFTPSTAT: TRANSFER")
    got = fota_end(h, fota)
    check(got == OK + qind(b'"FTPSTART"') + qind(b'"FTPEND"', 603),
          "ftp-603: AT+QFOTADL while the host's QFTPGET runs: %r" % got)
    # QFTPCLOSE ends the transfer (no +QFTPGET) and the session.
    got = res(h, "AT+QFTPCLOSE", "CLOSE")
    check(got == OK + b"\r\n+QFTPCLOSE: 0,0\r\n", "ftp-603: QFTPCLOSE "
          "during the GET: %r" % got)
    check(h.cmd('AT+QFLST="*"') == OK, "ftp-603: no half file in the UFS")
    check(h.cmd("AT+CGMR") == b"\r\n" + A.encode() + b"\r\n" + OK,
          "ftp-602/603: still on the old firmware")
    h.close()
    finish(m)

    # ftp-open-603: a FOTA download over FTP moves its file; the host's
    # QFTPOPEN.  ftp-open-602: the download is logging in (its USER held by
    # the server).
    for name, faults, path, seen, code, why in [
            ("ftp-open-603", slow, "slow.bin", r"state download ftp < 150 ",
             603, "while a FOTA download's file moves"),
            ("ftp-open-602", "ftp USER connection 1 delay 1h\n", "a.pkg",
             r"state download ftp > USER ", 602,
             "while a FOTA download logs in")]:
        m, addr, h, (host, port) = start(modem, root, faults, "10")
        h.send('AT+QFOTADL="ftp://%s/%s"\r' % (addr["ftp"], path))
        h.expect(rb'"FTPSTART"\r\n')
        m.wait_transcript(seen)
        got = res(h, 'AT+QFTPOPEN="%s",%s' % (host, port), "OPEN")
        check(got == OK + b"\r\n+QFTPOPEN: %d,0\r\n" % code,
              "%s: QFTPOPEN %s: %r" % (name, why, got))
        # CFUN=0 ends the download (605).
        h.send("AT+CFUN=0\r")
        h.expect(rb'"FTPEND",605\r\n')
        check(h.cmd("AT+CFUN=1") == OK, "%s: CFUN=1" % name)
        usable(h, name)
        h.close()
        finish(m)


def real(modem, root, blob, pkg):
    """vsftpd through the simulated link (a numeric speed: it is outside
    the simulation)."""
    tmp = tempfile.mkdtemp(prefix="fotasim-vsftpd.")
    proc, port = vsftpd(root, tmp)
    # As root vsftpd chroots into root; as anyone else (distcheck runs as
    # an ordinary uid) it only changes into it, and PWD names the real path.
    top = "" if os.getuid() == 0 else root
    try:
        m = modem(speed="20")
        m.args += ["--flash-timing", "zero"]
        m.start()
        h = booted(m)
        h.cmd('AT+QFTPCFG="account","anonymous","guest"')
        for line, word, want in [
                ('AT+QFTPOPEN="127.0.0.1",%d' % port, "OPEN",
                 OK + b"\r\n+QFTPOPEN: 0,0\r\n"),
                ('AT+QFTPSIZE="a.pkg"', "SIZE",
                 OK + b"\r\n+QFTPSIZE: 0,%d\r\n" % len(pkg)),
                ('AT+QFTPCWD="sub"', "CWD", OK + b"\r\n+QFTPCWD: 0,0\r\n"),
                ("AT+QFTPPWD", "PWD", OK + b'\r\n+QFTPPWD: 0,"%s/sub"\r\n'
                 % top.encode()),
                ('AT+QFTPGET="x.txt","COM:"', "GET", b"\r\nCONNECT\r\n"
                 b"hello\r\n" + OK + b"\r\n+QFTPGET: 0,7\r\n"),
                ('AT+QFTPCWD="%s/"' % top, "CWD",
                 OK + b"\r\n+QFTPCWD: 0,0\r\n"),
                ('AT+QFTPGET="blob.bin","COM:"', "GET", b"\r\nCONNECT\r\n" +
                 blob + OK + b"\r\n+QFTPGET: 0,%d\r\n" % len(blob)),
                ('AT+QFTPGET="a.pkg","UFS:a.pkg"', "GET",
                 OK + b"\r\n+QFTPGET: 0,%d\r\n" % len(pkg)),
                ('AT+QFTPGET="none","COM:"', "GET",
                 OK + b"\r\n+QFTPGET: 627,550\r\n"),
                ("AT+QFTPCLOSE", "CLOSE", OK + b"\r\n+QFTPCLOSE: 0,0\r\n")]:
            got = res(h, line, word)
            check(got == want, "vsftpd: %s: %r" % (line, got[:200]))
        check(h.cmd('AT+QFLST="a.pkg"') == b'\r\n+QFLST: "UFS:a.pkg",%d\r\n'
              % len(pkg) + OK, "vsftpd: the package in the UFS, its size")
        tr = m.transcript()
        check(tr.count("> USER anonymous") == 1, "vsftpd: one login")
        usable(h, "vsftpd")
        h.close()
        finish(m)
    finally:
        stop(proc)


def body(modem):
    root = tempfile.mkdtemp(prefix="fotasim-ftp.")
    blob, pkg = files(root)
    session(modem, root, blob, pkg)
    lost(modem, root)
    sharing(modem, root)
    real(modem, root, blob, pkg)


if __name__ == "__main__":
    run(body)
