"""Issue 9: every listener has a connection cap and an idle timeout on the
simulated clock.  Up to the cap, idle peers (connected only, kept alive
after a request, or, on HTTPS, before and after the handshake) do not keep
a new client from downloading; one connection more is refused the way its
protocol does (FTP 421, HTTP 503, a close on HTTPS), and a place frees up
when a peer leaves.  Idle connections end at the idle timeout."""
import os
import socket
import ssl
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fsharness import (TIMEOUT, Checker, Server, curl, read_all,  # noqa: E402
                       run)

CAP = 200
FTP_REFUSAL = b"421 Too many connections.\r\n"
HTTP_REFUSAL = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain"
                b"\r\nContent-Length: 21\r\nRetry-After: 1\r\nConnection: close"
                b"\r\n\r\ntoo many connections\n")
c = Checker()


def connect(s, proto):
    return socket.create_connection(("127.0.0.1", s.ports[proto]),
                                    timeout=TIMEOUT)


def tls(s, sock):
    ctx = ssl.create_default_context(cafile=s.ca)
    return ctx.wrap_socket(sock, server_hostname="localhost")


def small_ok(got):
    """Whether a whole answer is 200 with the body of /small."""
    return (got is not None and got.startswith(b"HTTP/1.1 200 OK\r\n") and
            got.endswith(b"\r\n\r\nsmall\n"))


def served(s, proto, sock):
    """The socket once the server is seen to serve it (FTP: its greeting;
    HTTP(S): the handshake and a request kept alive), or None if the
    server refused it."""
    try:
        if proto == "ftp":
            got = b""
            while not got.endswith(b"\r\n"):
                chunk = sock.recv(1)
                if not chunk:
                    break
                got += chunk
            return sock if got == b"220 fotasim FTP server ready.\r\n" else None
        if proto == "https":
            sock = tls(s, sock)
        sock.sendall(b"GET /small HTTP/1.1\r\nHost: x\r\n\r\n")
        got = b""
        while not got.endswith(b"\r\n\r\nsmall\n"):
            chunk = sock.recv(4096)
            if not chunk:
                return None
            got += chunk
        return sock if got.startswith(b"HTTP/1.1 200 OK\r\n") else None
    except OSError:         # a reset, or the handshake refused
        return None


def idle_peer(s, proto, i):
    """One idle connection: FTP ones after the greeting; HTTP(S) ones half
    connected only, half idle after a request (HTTPS: after the
    handshake)."""
    sock = connect(s, proto)
    if proto == "ftp" or i % 2:
        sock = served(s, proto, sock)
        c.check("%s idle peer %d served" % (proto, i), sock is not None)
    return sock


def last_peer(s, proto):
    """The peer that fills the cap, seen to be served: the server may not
    have seen the client before it leave yet, and then refuses it."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        sock = served(s, proto, connect(s, proto))
        if sock is not None:
            return sock
        time.sleep(0.05)    # the server has yet to see a close
    c.check("%s: the last place under the cap is served" % proto, False)
    return connect(s, proto)


def download(s, proto):
    """curl's exit code and whether the body is the file."""
    args = ["--cacert", s.ca] if proto == "https" else []
    rc, body = curl(*(args + [s.url(proto, "fw.bin")]))
    return rc, body == DATA


def refused(s, proto):
    """What one connection too many reads before the server closes."""
    sock = connect(s, proto)
    if proto == "http":
        try:
            sock.sendall(b"GET /fw.bin HTTP/1.1\r\nHost: x\r\n\r\n")
        except OSError:
            pass
    return read_all(sock)


args = ["--max-connections", str(CAP), "--idle-timeout", "100000"]
with Server(args=args, services=["--ftp", "0", "--http", "0",
                                 "--https", "0"]) as s:
    DATA = s.file("fw.bin", os.urandom(256 * 1024))
    s.file("small", b"small\n")
    want_refusal = {"ftp": FTP_REFUSAL, "http": HTTP_REFUSAL, "https": b""}
    for proto in ("ftp", "http", "https"):
        peers = [idle_peer(s, proto, i) for i in range(CAP - 1)]
        c.eq("%s: a download while %d idle peers hold connections" %
             (proto, CAP - 1), download(s, proto), (0, True))
        peers.append(last_peer(s, proto))
        before = s.logtext().count(proto + ": refused a connection")
        c.eq("%s: one connection beyond the cap of %d is refused" %
             (proto, CAP), refused(s, proto), want_refusal[proto])
        # curl maps a 421 greeting to 28, as for "ftp greeting reply 421".
        rc, _ = download(s, proto)
        c.eq("%s: so is a download (curl exit)" % proto, rc,
             {"ftp": 28, "http": 0, "https": 35}[proto])
        c.eq("%s: the refusals are logged" % proto,
             s.logtext().count(proto + ": refused a connection") - before, 2)
        # HTTP: curl reads the 503 as an answer; without -f it exits 0.
        if proto == "http":
            p = run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                     s.url("http", "fw.bin")])
            c.eq("http: curl sees 503", p.stdout, b"503")
        for sock in peers[:20]:
            if sock is not None:
                sock.close()
        deadline = time.monotonic() + TIMEOUT
        while download(s, proto) != (0, True) and time.monotonic() < deadline:
            time.sleep(0.05)    # the server has yet to see the closes
        c.eq("%s: peers leave, a download works again" % proto,
             download(s, proto), (0, True))
        for sock in peers[20:]:
            if sock is not None:
                sock.close()
    c.check("server still running", s.alive())
    c.show_log(s)

# Idle connections end at the idle timeout, on the simulated clock: 60
# simulated seconds at --speed 1000.  Each wait is for the server's close.
with Server(args=["--idle-timeout", "60", "--speed", "1000"],
            services=["--ftp", "0", "--http", "0", "--https", "0"]) as s:
    s.file("small", b"small\n")
    c.eq("ftp: an idle session gets 421 Timeout, then the close",
         read_all(connect(s, "ftp")),
         b"220 fotasim FTP server ready.\r\n421 Timeout.\r\n")
    c.eq("http: a connection with no request is closed",
         read_all(connect(s, "http")), b"")
    sock = connect(s, "http")
    sock.sendall(b"GET /small HTTP/1.1\r\nHost: x\r\n\r\n")
    got = read_all(sock)
    c.check("http: kept alive after a response, then closed when idle",
            small_ok(got), got)
    c.eq("https: a connection that never starts the handshake is closed",
         read_all(connect(s, "https")), b"")
    sock = tls(s, connect(s, "https"))
    c.eq("https: handshaken, no request: closed with close_notify",
         read_all(sock), b"")
    log = s.logtext()
    c.check("the idle timeouts are logged",
            "ftp[1]: idle timeout" in log and
            "http connection 1: idle timeout" in log and
            "http connection 2: idle timeout" in log and
            "https[1]: handshake idle timeout" in log and
            "https connection 2: idle timeout" in log, log[-3000:])
    c.check("server still running", s.alive())
    c.show_log(s)

# At --speed max the idle timeouts are watchdogs: the clock does not skip
# to them while a client is merely slow in wall time (it closed at once).
with Server(args=["--speed", "max"],
            services=["--ftp", "0", "--http", "0", "--https", "0"]) as s:
    s.file("small", b"small\n")
    # One protocol at a time, each left alone for a while in wall time.
    t = connect(s, "https")
    time.sleep(0.3)
    try:
        t = tls(s, t)
        t.sendall(b"GET /small HTTP/1.1\r\nHost: x\r\nConnection: close"
                  b"\r\n\r\n")
        got = read_all(t)
    except (OSError, ssl.SSLError) as e:
        got = repr(e).encode()
    c.check("max: https handshake after a wall-time pause", small_ok(got),
            got)
    h = connect(s, "http")
    time.sleep(0.3)
    h.sendall(b"GET /small HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    c.check("max: http connection still there after a wall-time pause",
            small_ok(read_all(h)), "")
    f = connect(s, "ftp")
    want = b"220 fotasim FTP server ready.\r\n"
    c.eq("max: ftp greeting", f.recv(len(want)), want)
    time.sleep(0.3)
    f.sendall(b"NOOP\r\nQUIT\r\n")
    c.eq("max: ftp session still there after a wall-time pause",
         read_all(f), b"200 NOOP ok.\r\n221 Goodbye.\r\n")
    c.eq("max: no idle timeout logged", s.logtext().count("idle timeout"), 0)
    c.show_log(s)
c.done()
