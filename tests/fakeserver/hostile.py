"""Issue 9: the fake servers under hostile input.  Each section is the repro
of one defect, asserted by the whole answer a raw client reads (or by the
log, for log injection)."""
import os
import socket
import ssl
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fsharness import (TIMEOUT, Checker, Server, curl, read_all,  # noqa: E402
                       tls_get)

c = Checker()


def raw(port, data):
    """Send bytes on a new connection and read until the server closes."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    sock.sendall(data)
    return read_all(sock) or b""        # a hang fails every check below


# 5. Log injection: whatever a client puts in a path, a command or a user
# name, the log keeps one line per event, so no forged "applying:" line.
FORGE = "fakeserver: applying: FAKE:1: injected"
with Server(args=["-v"], services=["--ftp", "0", "--http", "0",
                                   "--https", "0"]) as s:
    s.file("ok.txt", b"inside\n")
    target = b"/x%0afakeserver:%20applying:%20FAKE:1:%20injected"
    for proto in ("http", "https"):
        req = b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        if proto == "http":
            got = raw(s.ports["http"], req)
        else:
            got, _ = tls_get(s, req)
        c.check("%s %%0a path refused" % proto,
                got.startswith(b"HTTP/1.1 403 "), got[:60])
    got = raw(s.ports["ftp"], b"USER u\rfakeserver: applying: FAKE:1: injected\r\n"
              b"PASS x\r\nQUIT\r\n")
    c.check("ftp: CR in a user name is just a byte of it",
            got.endswith(b"530 Login incorrect.\r\n221 Goodbye.\r\n"), got)
    log = s.logtext()
    lines = log.split("\n")
    c.eq("no line of the log is a forged applying: line",
         [l for l in lines if l.startswith("fakeserver: applying:")], [])
    c.check("no raw CR in the log", "\r" not in log)
    c.check("the http path is logged escaped",
            ("http[1]: GET /x\\n" + FORGE) in log, log[-2000:])
    c.check("the ftp user is logged escaped",
            ("login refused for \"u\\r" + FORGE + "\"") in log, log[-2000:])
    c.show_log(s)

# 6. garbage N sends exactly N bytes: the FTP session clamped at 256 bytes.
faults = ("ftp greeting connection 1 garbage 300\n"
          "ftp greeting connection 2 garbage 4096\n"
          "ftp greeting connection 3 garbage 1\n"
          "http /g.bin request 1 garbage 4096\n"
          "http /g.bin request 2 garbage\n")
with Server(faults=faults, services=["--ftp", "0", "--http", "0"]) as s:
    s.file("g.bin", b"g")
    for n in (300, 4096, 1):
        got = raw(s.ports["ftp"], b"")
        c.eq("ftp greeting garbage %d: %d bytes and CR LF, then close" % (n, n),
             (len(got), got[-2:]), (n + 2, b"\r\n"))
    for n in (4096, 64):
        got = raw(s.ports["http"], b"GET /g.bin HTTP/1.1\r\nHost: x\r\n\r\n")
        c.eq("http garbage %d: exactly %d bytes, then close" % (n, n),
             len(got), n)
    c.show_log(s)

# 3. Request headers too large for the server's memory get 431 on HTTP and
# HTTPS alike, whatever their size: HTTPS gave no answer from 300 KB on.
def huge_header(s, proto, size):
    """Send a request with a `size`-byte header; what comes back, even if
    the server stops reading (and resets) before the client is done."""
    sock = socket.create_connection(("127.0.0.1", s.ports[proto]),
                                    timeout=TIMEOUT)
    if proto == "https":
        ctx = ssl.create_default_context(cafile=s.ca)
        sock = ctx.wrap_socket(sock, server_hostname="localhost")
    try:
        sock.sendall(b"GET /ok.txt HTTP/1.1\r\nHost: x\r\nX-Big: " +
                     b"a" * size + b"\r\n\r\n")
    except OSError:
        pass                # the answer may already be there; read it
    return read_all(sock) or b""


with Server(services=["--http", "0", "--https", "0"]) as s:
    s.file("ok.txt", b"inside\n")
    for proto in ("http", "https"):
        for size in (200 << 10, 300 << 10, 1 << 20, 4 << 20):
            got = huge_header(s, proto, size)
            c.check("%s %d-byte header: the whole 431 answer" % (proto, size),
                    got.startswith(b"HTTP/1.1 431 Request Header Fields Too "
                                   b"Large\r\n") and
                    b"\r\nConnection: close\r\n" in got and
                    got.endswith(b"</body></html>"), got[:80])
    c.check("server still running", s.alive())
    c.show_log(s)

# A throttled download at --speed max takes little wall time: the server
# waits for each slice off the loop, and max mode skips the wait.  500 KB
# at 5 kB/s are 100 simulated seconds; curl gives up after 30 wall seconds
# (the HTTP server used to spin on 0-byte reads, so that time never came).
faults = "http /slow.bin throttle 5kB/s\nftp data throttle 5kB/s\n"
with Server(faults=faults, args=["--speed", "max"],
            services=["--ftp", "0", "--http", "0", "--https", "0"]) as s:
    slow = s.file("slow.bin", os.urandom(500 * 1000))
    for proto in ("http", "https", "ftp"):
        extra = ["--cacert", s.ca] if proto == "https" else []
        rc, body = curl(*(extra + [s.url(proto, "slow.bin")]))
        c.check("%s throttle 5kB/s at --speed max: the whole file (curl %d)" %
                (proto, rc), rc == 0 and body == slow, len(body))
    c.eq("throttle applied 3 times", s.logtext().count("applying:"), 3)
    c.show_log(s)
c.done()
