"""A client that sends a request (whole, cut short, or garbage) and then
shuts down its sending side always gets its reply or a close, never a
silent keep-alive.  The hard case for libmicrohttpd's edge-triggered epoll
is the request bytes and the FIN arriving in one readiness event: on plain
HTTP the test makes that certain by stopping the server (SIGSTOP) while both
arrive; on HTTPS the front always relays them together after close_notify.
Every wait is a bound on an event (a reply, a close), never a timing
assertion."""
import os
import signal
import socket
import ssl
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fsharness import TIMEOUT, Checker, Server, curl  # noqa: E402

GARBAGE = b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 64
WHOLE = b"GET /fw.bin HTTP/1.1\r\nHost: x\r\n\r\n"
CASES = [("TLS ClientHello fragment", GARBAGE),
         ("cut request line", b"GET /fw"),
         ("request line only", b"GET /fw.bin HTTP/1.1\r\n"),
         ("cut header", b"GET /fw.bin HTTP/1.1\r\nHost: x\r\nRange: by"),
         ("whole request", WHOLE)]

c = Checker()


def read_to_close(recv):
    """Everything until the server closes; (bytes, how it ended)."""
    got = b""
    try:
        while True:
            chunk = recv()
            if not chunk:
                return got, "close"
            got += chunk
    except ConnectionResetError:
        return got, "reset"
    except (socket.timeout, ssl.SSLWantReadError):
        return got, "timeout"


def check_answer(name, got, end, whole, data):
    """A cut request: a 4xx or just a close.  A whole one: the file, then
    the close."""
    c.check("%s: server closed (%s)" % (name, end), end != "timeout",
            "no close within %d s; got %r" % (TIMEOUT, got[:80]))
    if whole:
        c.check("%s: 200 with the whole file" % name,
                got.startswith(b"HTTP/1.1 200 ") and got.endswith(data),
                got[:80])
    else:
        c.check("%s: a 4xx or nothing" % name,
                got == b"" or got[9:10] == b"4", got[:80])


def plain_exchange(s, raw, stop):
    """Send raw bytes and SHUT_WR, with the server stopped meanwhile if
    asked; read to the close."""
    a = socket.create_connection(("127.0.0.1", s.ports["http"]),
                                 timeout=TIMEOUT)
    if stop:
        # A whole exchange on another connection: the server has accepted
        # `a`, found nothing to read and gone back to waiting.
        rc, _ = curl(s.url("http", "fw.bin"))
        c.eq("curl round trip before stopping the server", rc, 0)
        os.kill(s.proc.pid, signal.SIGSTOP)
    try:
        a.sendall(raw)
        a.shutdown(socket.SHUT_WR)
    finally:
        if stop:
            os.kill(s.proc.pid, signal.SIGCONT)
    got, end = read_to_close(lambda: a.recv(65536))
    a.close()
    return got, end


class TlsClient:
    """A TLS client over memory BIOs, so that the request and close_notify
    leave in one TCP write."""

    def __init__(self, s):
        ctx = ssl.create_default_context(cafile=s.ca)
        self.sock = socket.create_connection(("127.0.0.1", s.ports["https"]),
                                             timeout=TIMEOUT)
        self.inc, self.out = ssl.MemoryBIO(), ssl.MemoryBIO()
        self.tls = ctx.wrap_bio(self.inc, self.out,
                                server_hostname="localhost")
        while True:
            try:
                self.tls.do_handshake()
                break
            except ssl.SSLWantReadError:
                self.flush()
                self.feed()
        self.flush()

    def flush(self):
        if self.out.pending:
            self.sock.sendall(self.out.read())

    def feed(self):
        data = self.sock.recv(65536)
        if not data:
            self.inc.write_eof()
        self.inc.write(data)
        return data

    def send_and_close(self, raw):
        """The request, then close_notify, in one write."""
        self.tls.write(raw)
        try:
            self.tls.unwrap()
        except ssl.SSLWantReadError:
            pass
        self.flush()

    def recv(self):
        """Plaintext, b"" at close_notify or TCP EOF."""
        while True:
            try:
                return self.tls.read(65536)
            except ssl.SSLZeroReturnError:
                return b""
            except ssl.SSLWantReadError:
                if not self.feed():
                    return b""
            except ssl.SSLError:
                return b""     # TCP closed without close_notify


with Server(services=["--http", "0"]) as s:
    data = s.file("fw.bin", os.urandom(4096))
    for stop in (False, True):
        when = "server stopped" if stop else "server running"
        for what, raw in CASES:
            got, end = plain_exchange(s, raw, stop)
            check_answer("http %s, %s" % (what, when), got, end,
                         raw == WHOLE, data)
    rc, body = curl(s.url("http", "fw.bin"))
    c.check("http still serves", rc == 0 and body == data, rc)
    c.show_log(s)

with Server(services=["--https", "0"]) as s:
    data = s.file("fw.bin", os.urandom(4096))
    for what, raw in CASES:
        t = TlsClient(s)
        t.send_and_close(raw)
        got, end = read_to_close(t.recv)
        t.sock.close()
        check_answer("https %s, then close_notify" % what, got, end,
                     raw == WHOLE, data)
    c.show_log(s)
c.done()
