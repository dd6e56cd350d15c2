"""The simulated DNS (--dns, docs/network.md): each answer a name can get,
from a --dns entry, through the code table to the exact +QIND line, and the
modem still usable on the old firmware afterwards.

- several addresses: the first refuses connections, the job goes on to
  the next (the server answers: a 404 for a missing file, 723);
- nxdomain, servfail, timeout, and a name not in the table: 604 / 714;
- timeout at --speed 10: the job waits --dns-timeout simulated seconds
  (transcript stamps), the AT port answering meanwhile;
- first=N: N lookups answered (the server's 723), then 714;
- loopback names resolve without an entry; bad entries exit 2."""
import re
import subprocess
import tempfile

from fotasim_test import (check, run, serve, ready, booted, still_usable,
                          FOTASIM)

A = "EC200TCNHAR02A14M16"
OK = b"\r\nOK\r\n"


def qind(word, code=None):
    s = b'\r\n+QIND: "FOTA","' + word + b'"'
    if code is not None:
        s += b"," + str(code).encode()
    return s + b"\r\n"


def expected(word, code):
    return OK + qind(word + b"START") + qind(word + b"END", code)


def qfotadl(h, url):
    h.send('AT+QFOTADL="%s"\r' % url)
    return h.expect(rb'(?s)^(.*?\+QIND: "FOTA","(FTP|HTTP)END",\d+\r\n)',
                    60).group(1)


def stamp(tr, pattern):
    """The simulated time of the first transcript record matching."""
    m = re.search(r"^(\d+\.\d+) \S+ state " + pattern, tr, re.M)
    check(m is not None, "transcript has %r" % pattern)
    return float(m.group(1)) if m else 0.0


def body(modem):
    root = tempfile.mkdtemp(prefix="fotasim-www.")

    # One answer per modem, at --speed max: (name, --dns entry, URL, code).
    cases = [
        ("dns-http-two-addresses", "fota.test=127.0.0.2,127.0.0.1",
         "http://fota.test:{hport}/missing.pkg", b"HTTP", 723),
        ("dns-http-loopback", None,
         "http://fota.localhost:{hport}/missing.pkg", b"HTTP", 723),
        ("dns-http-nxdomain", "fota.test=nxdomain",
         "http://fota.test/a.pkg", b"HTTP", 714),
        ("dns-http-servfail", "fota.test=servfail",
         "http://fota.test/a.pkg", b"HTTP", 714),
        ("dns-http-timeout", "fota.test=timeout",
         "http://fota.test/a.pkg", b"HTTP", 714),
        ("dns-http-not-in-table", "other.test=127.0.0.1",
         "http://fota.test/a.pkg", b"HTTP", 714),
        ("dns-ftp-nxdomain", "fota.test=nxdomain",
         "ftp://test:test@fota.test/a.pkg", b"FTP", 604),
        ("dns-ftp-servfail", "fota.test=servfail",
         "ftp://test:test@fota.test/a.pkg", b"FTP", 604),
        ("dns-ftp-timeout", "fota.test=timeout",
         "ftp://test:test@fota.test/a.pkg", b"FTP", 604),
    ]
    for name, entry, url, word, code in cases:
        m = modem(speed="max")
        m.args += ["--flash-timing", "zero"]
        if entry:
            m.args += ["--dns", entry]
        addr = serve(m, root)
        h = ready(m)
        u = url.format(hport=addr["http"].split(":")[1])
        got = qfotadl(h, u)
        check(got == expected(word, code), "%s: %r" % (name, got))
        tr = still_usable(h, m, A, name)
        if name == "dns-http-two-addresses":
            check("dns lookup fota.test: 127.0.0.2,127.0.0.1" in tr and
                  "fota connect to 127.0.0.2 failed, trying 127.0.0.1" in tr
                  and "download http < HTTP/1.1 404" in tr,
                  "%s: both addresses given, the second answered" % name)
        h.close()
        m.cleanup()

    # No answer at --speed 10: the job waits the DNS timeout on the
    # simulated clock while the AT port keeps answering.
    m = modem("--dns", "fota.test=timeout", "--dns-timeout", "20",
              speed="10")
    m.start()
    h = booted(m)
    h.send('AT+QFOTADL="http://fota.test/a.pkg"\r')
    h.expect(rb"^" + re.escape(OK + qind(b"HTTPSTART")), 10)
    m.wait_transcript(r"state dns lookup fota\.test: timeout$")
    check(h.cmd("AT+CSQ").endswith(OK), "dns-timeout: AT answers meanwhile")
    got = h.expect(rb'(?s)^(.*?"HTTPEND",\d+\r\n)', 30).group(1)
    check(got == qind(b"HTTPEND", 714), "dns-timeout: %r" % got)
    tr = still_usable(h, m, A, "dns-timeout")
    t0 = stamp(tr, r"dns lookup fota\.test: timeout")
    t1 = stamp(tr, r"fota dns: no answer for fota\.test in 20 s")
    check(abs((t1 - t0) - 20) < 0.5,
          "dns-timeout: waited %.3f simulated s, not 20" % (t1 - t0))
    h.close()
    m.cleanup()

    # Flapping: the first 2 lookups are answered (the server's 404: 723),
    # the third fails (servfail by default): 714.
    m = modem("--dns", "fota.test=127.0.0.1,first=2", speed="max")
    m.args += ["--flash-timing", "zero"]
    addr = serve(m, root)
    h = ready(m)
    u = "http://fota.test:%s/missing.pkg" % addr["http"].split(":")[1]
    for i, code in enumerate([723, 723, 714]):
        got = qfotadl(h, u)
        check(got == expected(b"HTTP", code),
              "dns-flapping: download %d: %r" % (i + 1, got))
    tr = still_usable(h, m, A, "dns-flapping")
    check("dns lookup fota.test: servfail (lookup 3, first=2)" in tr,
          "dns-flapping: the third lookup fails")
    h.close()
    m.cleanup()

    # Bad entries: exit 2 with a message, before anything starts.
    for bad in ["fota.test", "fota.test=", "fota.test=1.2.3",
                "fota.test=nxdomain,1.2.3.4", "fota.test=1.2.3.4,first=0",
                "fota.test=1.2.3.4,first=2,then=maybe", "a b=1.2.3.4",
                "fota.test=1.1.1.1,2.2.2.2,3.3.3.3,4.4.4.4,5.5.5.5"]:
        p = subprocess.run([FOTASIM, "--link", "/nonexistent/at", "--dns", bad],
                           stdin=subprocess.DEVNULL, capture_output=True)
        check(p.returncode == 2 and b"--dns: " in p.stderr,
              "--dns %s: exit %d, %r" % (bad, p.returncode, p.stderr))


run(body)
