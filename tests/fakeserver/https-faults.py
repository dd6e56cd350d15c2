"""TLS directives per connection, raw HTTP lies over HTTPS, and what
"connection N" counts.  Every check is what curl (with --cacert) or Python's
ssl module sees.  Clients run one after another, so connection numbers are
known in advance."""
import os
import socket
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fsharness import Checker, Server, read_all, run, tls_get  # noqa: E402

SIZE = 200000
c = Checker()


def curl_https(s, path, *opts):
    """curl over HTTPS trusting the exported CA; returns (exit, body)."""
    out = os.path.join(s.dir, "out")
    if os.path.exists(out):
        os.unlink(out)
    p = run(["curl", "-s", "--max-time", "30", "--cacert", s.ca] +
            list(opts) + ["-o", out, s.url("https", path)])
    body = open(out, "rb").read() if os.path.exists(out) else b""
    return p.returncode, body


# 1. tls directives obey WHEN: connection numbers are TCP connections to
# the HTTPS port, counted at accept.
faults = """\
tls * first 2 times           certificate expired
tls * connection 4            certificate wrong-name
tls * connection 5            certificate untrusted
tls * connection 6            handshake abort
tls * connection 7            no-close-notify
"""
want = [60, 60, 0, 60, 60, 35, 0, 0]
with Server(faults=faults, services=["--https", "0"]) as s:
    data = s.file("fw.bin", os.urandom(SIZE))
    for n, w in enumerate(want, 1):
        rc, body = curl_https(s, "fw.bin")
        c.eq("tls connection %d: curl exit" % n, rc, w)
        if w == 0:
            c.check("tls connection %d: body identical" % n, body == data,
                    len(body))
    log = s.logtext()
    c.eq("tls directives applied 6 times (first 2 times: twice)", log.count("applying:"), 6)
    c.show_log(s)

# probability: with a fixed seed some connections get the bad certificate
# and some do not, and a second run repeats the same sequence.
runs = []
for attempt in range(2):
    with Server(faults="seed 7\ntls * probability 0.5 certificate untrusted\n",
                services=["--https", "0"]) as s:
        s.file("p.bin", b"p")
        seq = ""
        for i in range(20):
            rc, _ = curl_https(s, "p.bin")
            seq += "x" if rc == 60 else "." if rc == 0 else "?"
        runs.append(seq)
        c.show_log(s)
c.check("tls probability 0.5: both outcomes (%s)" % runs[0],
        3 <= runs[0].count("x") <= 17 and "?" not in runs[0], runs[0])
c.eq("tls probability with the same seed repeats exactly", runs[1], runs[0])

# 2. Raw lies over HTTPS give curl the same exit codes as over HTTP.
ROWS = [
    ("garbage 100", 1, None),
    ("content-length +1000", 18, "all"),
    ("content-length -1000", 0, SIZE - 1000),
    ("chunked bad", 56, None),
    ("close", 52, None),
    ("reset", 56, None),
    ("after 5000 bytes close", 18, 5000),
    ("at byte 777 flip", 0, "flipped"),
]
faults = "".join("https /fw.bin request %d %s\n" % (n, d)
                 for n, (d, _, _) in enumerate(ROWS, 1))
with Server(faults=faults, services=["--http", "0", "--https", "0"]) as s:
    data = s.file("fw.bin", os.urandom(SIZE))
    for d, w, check in ROWS:
        rc, body = curl_https(s, "fw.bin")
        c.eq("https %s: curl exit" % d, rc, w)
        if check == "all":
            c.check("https %s: whole body before the close" % d,
                    body == data, len(body))
        elif check == "flipped":
            c.check("https %s: same length, byte 777 inverted" % d,
                    len(body) == SIZE and body[777] == data[777] ^ 0xff and
                    body[:777] == data[:777] and body[778:] == data[778:])
        elif check is not None:
            c.check("https %s: exactly the first %d bytes" % (d, check),
                    body == data[:check], len(body))
    rc, body = curl_https(s, "fw.bin")
    c.check("https after the lies: a clean download", rc == 0 and body == data)
    c.check("server still running", s.alive())
    c.show_log(s)

# The raw responder over TLS ends with close_notify; with no-close-notify
# on that connection it does not (Python's ssl reports the ragged end).
faults = "tls * connection 1 no-close-notify\n" \
         "https /fw.bin content-length -1000\n"
with Server(faults=faults, services=["--https", "0"]) as s:
    data = s.file("fw.bin", os.urandom(SIZE))
    for n, want_end in ((1, "ragged"), (2, "clean")):
        got, end = tls_get(s, b"GET /fw.bin HTTP/1.1\r\nHost: localhost\r\n\r\n")
        c.eq("raw lie on tls connection %d: end of stream" % n, end, want_end)
        c.check("raw lie on tls connection %d: lying header and body" % n,
                b"Content-Length: %d\r\n" % (SIZE - 1000) in got and
                got.endswith(data), len(got))
    c.show_log(s)

# 3. "connection N" counts TCP connections; "request N" counts requests.
# One curl run fetches two URLs over one kept-alive connection.  Each port
# numbers its own connections; http and https directives are synonyms.
faults = "http /a.bin connection 2 status 503\n" \
         "http /b.bin request 2 status 503\n"
with Server(faults=faults, services=["--http", "0", "--https", "0"]) as s:
    s.file("a.bin", b"a")
    s.file("b.bin", b"b")
    fmt = "%{http_code} %{num_connects}\n"
    for proto in ("http", "https"):
        ca = ["--cacert", s.ca] if proto == "https" else []
        p = run(["curl", "-s", "--max-time", "30", "-o", "/dev/null",
                 "-o", "/dev/null", "-w", fmt] + ca +
                [s.url(proto, "a.bin"), s.url(proto, "a.bin")])
        c.eq("%s connection 1, two requests: both 200, one connect" % proto,
             p.stdout.decode().split("\n")[:2], ["200 1", "200 0"])
        p = run(["curl", "-s", "--max-time", "30", "-o", "/dev/null",
                 "-w", "%{http_code}"] + ca + [s.url(proto, "a.bin")])
        c.eq("%s connection 2: 503" % proto, p.stdout, b"503")
    p = run(["curl", "-s", "--max-time", "30", "-o", "/dev/null",
             "-o", "/dev/null", "-w", "%{http_code}\n",
             s.url("http", "b.bin"), s.url("http", "b.bin")])
    c.eq("request 2 is the second request on one connection",
         p.stdout.decode().split(), ["200", "503"])
    c.show_log(s)

# 4. tls hang: the handshake never starts; curl's own timeout fires.
with Server(faults="tls * connection 1 hang\n",
            services=["--https", "0"]) as s:
    data = s.file("fw.bin", b"x" * 1000)
    rc, _ = curl_https(s, "fw.bin", "--max-time", "2")
    c.eq("tls hang: curl times out", rc, 28)
    rc, body = curl_https(s, "fw.bin")
    c.check("tls connection 2 after the hang: fine", rc == 0 and body == data,
            rc)
    c.show_log(s)

# 5. The relay under load: parallel large downloads with back-pressure,
# next to clients that speak plain HTTP to the HTTPS port or stop in the
# middle of a ClientHello.
with Server(services=["--https", "0"]) as s:
    big = s.file("big.bin", os.urandom(4 << 20))
    port = s.ports["https"]
    junk = socket.create_connection(("127.0.0.1", port), timeout=30)
    junk.sendall(b"GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
    half = socket.create_connection(("127.0.0.1", port), timeout=30)
    half.sendall(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")
    half.close()
    outs = [os.path.join(s.dir, "big%d" % i) for i in range(6)]
    procs = [subprocess.Popen(["curl", "-s", "--max-time", "60", "--cacert",
                               s.ca, "-o", o, s.url("https", "big.bin")])
             for o in outs]
    rcs = [p.wait(60) for p in procs]
    c.eq("6 parallel 4 MB https downloads: curl exits", rcs, [0] * 6)
    c.check("6 parallel 4 MB https downloads: bodies identical",
            all(open(o, "rb").read() == big for o in outs))
    # The handshake fails at once ("http request"): the server closes the
    # connection without a byte, long before the client's own timeout (a
    # timeout here means the server left it hanging).
    junk.settimeout(30)
    c.eq("plain HTTP on the HTTPS port: closed without a byte",
         read_all(junk), b"")
    rc, body = curl_https(s, "big.bin")
    c.check("https still serves after the junk", rc == 0 and body == big, rc)
    c.check("server still running", s.alive())
    c.show_log(s)
c.done()
