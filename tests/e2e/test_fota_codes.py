"""AT+QFOTADL's error codes, each from its real cause: a fake-server fault
directive, a URL, the simulated DNS or the link.  Each case runs on a fresh
modem (--speed max, untimed flash) with the embedded servers, asserts the
exact bytes from the command to FTPEND/HTTPEND, and that the modem still
answers on the old firmware with its FOTA area back to idle.  A case is
named after its code: fota-ftp-625, ...

The bundled scenarios (scenarios/codes, run by tests/scenarios.sh) are the
source of truth for each code's cause; a case stays here only when it
asserts what a scenario does not (docs/error-codes.md, "Tests"): a cause
the scenario does not use (another URL, the link), or the exact framing of
the FTPEND/HTTPEND lines, kept for one code per protocol (625, 723)."""
import os
import shutil
import subprocess
import tempfile

from fotasim_test import check, run, serve, ready, still_usable, BUILDDIR

A = "EC200TCNHAR02A14M16"
B = "EC200TCNHAR02A15M16"
PKG = os.path.join(BUILDDIR, "fotasim-pkg")
OK = b"\r\nOK\r\n"
FTP = "ftp://test:test@{ftp}/a.pkg"
HTTP = "http://{http}/a.pkg"

# (name, URL template, fault directives, code, URC word)
CASES = [
    ("fota-ftp-610-not-root", "ftp://test:test@{ftp}/fw/a.pkg", "", 610),
    ("fota-ftp-610-bad-port", "ftp://test:test@127.0.0.1:0/a.pkg", "", 610),
    ("fota-ftp-604", "ftp://test:test@nowhere.invalid/a.pkg", "", 604),
    ("fota-ftp-609", FTP, "ftp RETR hang\n", 609),
    ("fota-ftp-625", "ftp://test:wrong@{ftp}/a.pkg", "", 625),
    ("fota-http-714", "http://nowhere.invalid/a.pkg", "", 714),
    ("fota-http-717", HTTP, "http /a.pkg reset\n", 717),
    ("fota-http-723", HTTP, "http /a.pkg status 404\n", 723),
]


# (name, URL template, fotasim options, code): causes on the link.
LINK_CASES = [
    ("fota-ftp-605-no-socket", FTP, ["--sockets-in-use", "12"], 605),
    ("fota-ftp-605-no-data-socket", FTP, ["--sockets-in-use", "11"], 605),
    ("fota-http-716-refuse", HTTP, ["--link-fault", "any refuse"], 716),
    ("fota-http-716-blackhole", HTTP, ["--link-fault", "any blackhole"], 716),
    # a RST before the request on an unshaped link: libcurl's connect check
    # sees it (not 718); with a round trip it comes after the request (717)
    ("fota-http-716-early-reset", HTTP,
     ["--link-shape", "rtt=0", "--link-fault", "up reset after=0"], 716),
    ("fota-http-717-late-reset", HTTP, ["--link-fault", "up reset after=0"],
     717),
    ("fota-ftp-605-refuse", FTP, ["--link-fault", "any refuse"], 605),
    ("fota-ftp-609-blackhole", FTP, ["--link-fault", "any blackhole"], 609),
    ("fota-ftp-605-data-refused", FTP, ["--link-fault", "any refuse conn=2"],
     605),
    ("fota-http-717-link", HTTP, ["--link-fault", "down reset after=40000"],
     717),
    ("fota-ftp-608-link", FTP,
     ["--link-fault", "down reset after=40000 conn=2"], 608),
    ("fota-ftp-607-link", FTP,
     ["--link-fault", "down close after=1000 conn=2"], 607),
    ("fota-http-719-link", HTTP, ["--link-fault", "down close after=1000"],
     719),
    ("fota-http-722-link", HTTP, ["--link-fault", "down stall after=1000"],
     722),
    # the headers are 141 bytes: they pass, then nothing
    ("fota-http-727-link", HTTP, ["--link-fault", "down stall after=141"],
     727),
    ("fota-http-728-link", HTTP, ["--link-fault", "down stall"], 728),
]


def qfotadl(h, url):
    """Send AT+QFOTADL and return everything through its FTPEND/HTTPEND."""
    h.send('AT+QFOTADL="%s"\r' % url)
    m = h.expect(rb'(?s)^(.*?\+QIND: "FOTA","(FTP|HTTP)END",\d+\r\n)', 60)
    return m.group(1)


def code_case(h, m, name, url, code):
    """AT+QFOTADL of url ends with `code`, exactly, and leaves the modem
    usable on A; returns the transcript."""
    got = qfotadl(h, url)
    check(got == expected(url, code), "%s: %r" % (name, got))
    return still_usable(h, m, A, name)


def expected(url, code):
    word = b"FTP" if url.lower().startswith("ftp") else b"HTTP"
    return (OK + b'\r\n+QIND: "FOTA","' + word + b'START"\r\n'
            b'\r\n+QIND: "FOTA","' + word + b'END",' + str(code).encode() +
            b"\r\n")


def body(modem):
    root = tempfile.mkdtemp(prefix="fotasim-www.")
    subprocess.run([PKG, "create", "--model", "EC200T", "--from", A, "--to", B,
                    "-o", os.path.join(root, "a.pkg")], check=True)

    only = os.environ.get("FOTA_CASES", "").split()
    # Fault directives for the server, or fotasim options (the link).
    cases = ([(n, u, f, [], c) for n, u, f, c in CASES] +
             [(n, u, "", x, c) for n, u, x, c in LINK_CASES])
    for name, url, faults, extra, code in cases:
        if only and name not in only:
            continue
        m = modem(speed="max")
        m.args += ["--flash-timing", "zero"] + extra
        addr = serve(m, root, faults)
        h = ready(m)
        tr = code_case(h, m, name, url.format(**addr), code)
        h.close()
        if only:
            print(tr)
        m.cleanup()

    shutil.rmtree(root)


run(body)
