"""HTTP and HTTPS fault primitives, each asserted by what curl, wget or
urllib sees.  Directive N applies to request N for /fw.bin; clients run in
order.  --speed 1000 shortens the simulated stalls and delays."""
import hashlib
import os
import ssl
import sys
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fsharness import Checker, Server, run, tls_get  # noqa: E402

SIZE = 1000000
# directive (after "http /fw.bin request N"), curl options, curl exit, check
ROWS = [
    ("status 503", [], 0, "code 503"),
    ("status 404", ["-f"], 22, None),
    ("redirect 302 /small.txt", ["-L"], 0, "small"),
    ("redirect 301 /small.txt", [], 0, "code 301"),
    ("after 5000 bytes close", [], 18, "prefix 5000"),
    # At the body's first byte (a fresh GET, or a range that starts past
    # the position): headers, then the close at once, not at a timeout.
    ("after 0 bytes close", [], 18, "prefix 0"),
    ("after 1000 bytes close", ["-r", "5000-"], 18, "prefix 0"),
    ("after 50% reset", [], 56, None),
    ("close", [], 52, None),
    ("reset", [], 56, None),
    ("garbage 100", [], 1, None),
    ("content-length +1000", [], 18, "same"),
    ("content-length -1000", [], 0, "prefix %d" % (SIZE - 1000)),
    ("chunked bad", [], 56, None),
    ("gzip junk", ["--compressed"], 61, None),
    ("at byte 777 flip", [], 0, "flipped"),
    ("throttle 500kB/s", [], 0, "same"),
    ("after 50% stall 100s", [], 0, "same"),
    ("delay 100s", [], 0, "same"),
    ("hang", ["--max-time", "2"], 28, None),
    ("after 50% hang", ["--speed-limit", "1", "--speed-time", "2"], 28, None),
]

faults = "".join("http /fw.bin request %d %s\n" % (n, d)
                 for n, (d, _, _, _) in enumerate(ROWS, 1))
faults += "https /fw.bin request %d after 1000 bytes close\n" % (len(ROWS) + 1)
faults += "tls * connection 2 handshake abort\n"
faults += "tls * connection 4 no-close-notify\n"
faults += "http /retry.bin first 2 times status 503\n"

c = Checker()
with Server(faults=faults, args=["--speed", "1000"],
            services=["--http", "0", "--https", "0"]) as s:
    data = s.file("fw.bin", os.urandom(SIZE))
    small = s.file("small.txt", b"small file\n")
    s.file("retry.bin", data)
    out = os.path.join(s.dir, "out")
    for d, opts, want_exit, check in ROWS:
        if os.path.exists(out):
            os.unlink(out)
        p = run(["curl", "-s", "--max-time", "30"] + opts +
                ["-o", out, "-w", "%{response_code}", s.url("http", "fw.bin")])
        c.eq(d + ": curl exit", p.returncode, want_exit)
        got = open(out, "rb").read() if os.path.exists(out) else b""
        if check == "same":
            c.check(d + ": body identical", got == data, len(got))
        elif check == "small":
            c.eq(d + ": followed", got, small)
        elif check and check.startswith("code"):
            c.eq(d + ": status", p.stdout.decode(), check.split()[1])
        elif check and check.startswith("prefix"):
            n = int(check.split()[1])
            c.check(d + ": got exactly the first %d bytes" % n, got == data[:n],
                    len(got))
        elif check == "flipped":
            diff = [i for i in range(min(len(got), SIZE)) if got[i] != data[i]]
            c.eq(d + ": same length, byte 777 inverted",
                 (len(got), diff, got[777] ^ data[777]), (SIZE, [777], 0xff))
            c.check(d + ": md5 differs", hashlib.md5(got).digest() !=
                    hashlib.md5(data).digest())

    # http and https directives count /fw.bin requests together: this is
    # request 20, the first on the HTTPS port.  TLS connection 2 is aborted.
    p = run(["curl", "-s", "--max-time", "30", "--cacert", s.ca, "-o", out,
             s.url("https", "fw.bin")])
    c.eq("https cut after 1000 bytes: curl exit", p.returncode, 18)
    p = run(["curl", "-s", "--max-time", "30", "--cacert", s.ca, "-o", out,
             s.url("https", "fw.bin")])
    c.eq("tls handshake abort: curl exit", p.returncode, 35)
    ctx = ssl.create_default_context(cafile=s.ca)
    with urllib.request.urlopen(s.url("https", "fw.bin"), context=ctx,
                                timeout=30) as r:
        c.check("https after the faults: urllib fine", r.read() == data)

    # TLS connections 4 and 5: only the faulty one ends without close_notify.
    # curl 7.88 ignores a missing close_notify; Python's ssl, told not to,
    # reports it.
    for n, want in ((4, "ragged"), (5, "clean")):
        got, end = tls_get(s, b"GET /fw.bin HTTP/1.1\r\nHost: localhost\r\n"
                              b"Connection: close\r\n\r\n")
        c.eq("tls connection %d: end of stream" % n, end, want)
        c.check("tls connection %d: whole body before the end" % n,
                got.endswith(data), len(got))

    # first 2 times: wget with retries gets the file on the third try.
    p = run(["wget", "-q", "--tries=3", "--waitretry=0", "--retry-on-http-error=503",
             "-O", out, s.url("http", "retry.bin")])
    c.eq("first 2 times 503: wget's third try succeeds", p.returncode, 0)
    c.check("wget retry body identical", open(out, "rb").read() == data)
    log = s.logtext()
    c.eq("each directive logged 'applying:'", log.count("applying:"), len(ROWS) + 5)
    c.check("server still running", s.alive())
    c.show_log(s)

# probability: the seeded generator gives the same sequence on every run.
runs = []
for attempt in range(2):
    with Server(faults="seed 3\nhttp /p.bin probability 0.5 status 503\n",
                services=["--http", "0"]) as s:
        s.file("p.bin", b"p")
        seq = ""
        for i in range(40):
            p = run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                     s.url("http", "p.bin")])
            seq += "x" if p.stdout == b"503" else "." if p.stdout == b"200" else "?"
        runs.append(seq)
        c.show_log(s)
c.check("probability 0.5: both outcomes occur (%s)" % runs[0],
        10 <= runs[0].count("x") <= 30 and "?" not in runs[0], runs[0])
c.eq("probability with the same seed repeats exactly", runs[1], runs[0])

# Certificate faults are chosen for the whole HTTPS server at start-up.
for kind, want in (("expired", 60), ("wrong-name", 60), ("untrusted", 60)):
    with Server(faults="tls * certificate %s\n" % kind,
                services=["--https", "0"]) as s:
        s.file("fw.bin", b"x" * 100)
        p = run(["curl", "-sS", "--max-time", "30", "--cacert", s.ca, "-o",
                 "/dev/null", s.url("https", "fw.bin")])
        c.eq("certificate %s: curl exit" % kind, p.returncode, want)
        c.check("certificate %s: curl says why" % kind,
                {"expired": b"expired", "wrong-name": b"wrong.invalid",
                 "untrusted": b"issuer"}[kind] in p.stderr.lower() or
                kind == "wrong-name" and b"match" in p.stderr, p.stderr)
        p = run(["curl", "-s", "-k", "--max-time", "30", "-o", "/dev/null",
                 s.url("https", "fw.bin")])
        c.eq("certificate %s: -k still downloads" % kind, p.returncode, 0)
        c.show_log(s)
c.done()
