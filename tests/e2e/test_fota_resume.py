"""--fota-resume: a download whose connection breaks on the wire resumes
where it broke (FTP REST, HTTP Range) and completes, with the flash slot
byte-identical to the target image; a server that refuses the offset gives
612 ("file position invalid"); a connection that keeps breaking ends with
its own code once the resumes are used up; without the option nothing
resumes (the 607/719 cases of test_fota_codes)."""
import os
import re
import subprocess
import tempfile

from fotasim_test import (check, run, serve, ready, image, slot_bytes,
                          still_usable, qind, package, upgrade,
                          whole_sequence, FOTASIM)

A = "EC200TCNHAR02A14M16"
B = "EC200TCNHAR02A15M16"
OK = b"\r\nOK\r\n"


def start(modem, root, faults, resumes):
    m = modem(speed="max")
    m.args += ["--flash-timing", "zero", "--fota-resume", str(resumes)]
    addr = serve(m, root, faults)
    return m, addr, ready(m)


def body(modem):
    root = tempfile.mkdtemp(prefix="fotasim-www.")
    package(root, "a.pkg", A, B)
    size = os.path.getsize(os.path.join(root, "a.pkg"))
    cut = size * 40 // 100

    # The first data connection (FTP) or response (HTTP) breaks at 40%;
    # the module resumes from the byte it has, once, and the upgrade ends
    # as any other: the whole URC sequence, then slot B is image B.
    for word, url, faults, wire in [
            (b"FTP", "ftp://test:test@{ftp}/a.pkg",
             "ftp data first 1 times after 40% close\n",
             r"download ftp > REST %d\n" % cut),
            (b"HTTP", "http://{http}/a.pkg",
             "http /a.pkg first 1 times after 40% close\n",
             r"download http < HTTP/1\.1 206 Partial Content\n")]:
        m, addr, h = start(modem, root, faults, 1)
        got, ups = upgrade(h, 'AT+QFOTADL="%s"' % url.format(**addr), word)
        check(whole_sequence(got, word, ups) and ups[-1:] == [100],
              "%s resumed: the whole upgrade sequence: %r" % (word, got[:300]))
        tr = m.transcript()
        check(re.search(r"state fota transfer broke at %d \(\d+\), resuming "
                        r"\(1 of 1\)\n" % cut, tr) and re.search(wire, tr),
              "%s: the transcript shows the break at %d and the resume" %
              (word, cut))
        h.close()
        h = ready(m)
        check(h.cmd("AT+CGMR") == b"\r\n" + B.encode() + b"\r\n" + OK,
              "%s resumed: the new revision" % word)
        check(slot_bytes(m.state_dir, 1) == image(m.tmp, B),
              "%s resumed: slot B is exactly fotasim-pkg image of B" % word)
        h.close()
        m.cleanup()

    # 612: the server refuses the resume offset with a reply outside the
    # manual's reply table (RFC 3659's 554 for an invalid REST); an HTTP
    # server that answers the range with 200 cannot be resumed (701).
    # A connection that breaks every time: one resume, then its own code.
    for name, url, faults, code in [
            ("fota-ftp-612", "ftp://test:test@{ftp}/a.pkg",
             "ftp data first 1 times after 40% close\n"
             "ftp REST reply 554 Invalid REST parameter\n", 612),
            ("http, the resumed request answered 200",
             "http://{http}/a.pkg",
             "http /a.pkg first 1 times after 40% close\n"
             "http /a.pkg request 2 status 200\n", 701),
            ("ftp, breaks every time", "ftp://test:test@{ftp}/a.pkg",
             "ftp data after 1000 bytes close\n", 607),
            ("http, breaks every time", "http://{http}/a.pkg",
             "http /a.pkg after 1000 bytes close\n", 719)]:
        m, addr, h = start(modem, root, faults, 1)
        word = b"FTP" if url.startswith("ftp") else b"HTTP"
        h.send('AT+QFOTADL="%s"\r' % url.format(**addr))
        got = h.expect(rb'(?s)^(.*?"%sEND",\d+\r\n)' % word, 60).group(1)
        check(got == OK + qind(b'"%sSTART"' % word) +
              qind(b'"%sEND"' % word, code),
              "%s: %sEND,%d: %r" % (name, word, code, got))
        tr = still_usable(h, m, A, name)
        check(tr.count("resuming (") == 1,
              "%s: resumed exactly once" % name)
        h.close()
        m.cleanup()

    # The option's value is checked.
    for bad in ["11", "-1", "x", "", "2x"]:
        p = subprocess.run([FOTASIM, "--link", os.path.join(root, "at"),
                            "--fota-resume", bad], capture_output=True)
        check(p.returncode == 2 and p.stderr ==
              b"fotasim: --fota-resume: expected 0 to 10, not '%s'\n" %
              bad.encode(), "--fota-resume %r refused: %d %r" %
              (bad, p.returncode, p.stderr))


if __name__ == "__main__":
    run(body)
