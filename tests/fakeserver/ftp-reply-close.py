"""The one rule for "reply CODE" faults (ftpd_session_fault_reply): after
the reply the control connection closes when the code is 421, or when the
reply replaces the greeting with a 4xx/5xx; every other reply keeps the
session.  Each row asserts the exact reply line a raw client reads, then
whether a NOOP is still answered or the server has hung up."""
import os
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fsharness import TIMEOUT, Checker, Server  # noqa: E402

T421 = "421 Service not available, closing control connection."
# directive (without "connection N"), the reply it puts on the wire, closes?
ROWS = [
    ("greeting reply 421", T421, True),
    ("greeting reply 530 Go away", "530 Go away", True),
    ("greeting reply 120 Wait", "120 Wait", False),
    ("RETR reply 421", T421, True),
    ("RETR reply 450", "450 Requested file action not taken.", False),
    ("PASV reply 502 No", "502 No", False),
    ("data after 100 bytes reply 421", T421, True),
    ("data after 100 bytes reply 426", "426 Connection closed; transfer aborted.", False),
    ("final reply 421 Bye", "421 Bye", True),
    ("final reply 452", "452 Requested action not taken: insufficient storage.", False),
]


class Client:
    """A raw FTP control connection that reads one reply line at a time."""

    def __init__(self, port):
        self.port = port
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        self.rest = b""

    def line(self):
        """The next reply line without CRLF; None at EOF or reset."""
        while b"\r\n" not in self.rest:
            try:
                chunk = self.sock.recv(4096)
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                return None
            self.rest += chunk
        text, self.rest = self.rest.split(b"\r\n", 1)
        return text.decode("latin-1")

    def cmd(self, text):
        """Send a command; the reply line, or None if the server is gone."""
        try:
            self.sock.sendall(text.encode() + b"\r\n")
        except (BrokenPipeError, ConnectionResetError):
            return None
        return self.line()

    def retr(self, name):
        """PASV, connect, RETR: the 150 line, then the bytes of the data
        connection; the final reply is left for the caller."""
        pasv = self.cmd("PASV")
        h = pasv[pasv.index("(") + 1:pasv.index(")")].split(",")
        data = socket.create_connection(("127.0.0.1", int(h[4]) * 256 + int(h[5])),
                                        timeout=TIMEOUT)
        first = self.cmd("RETR " + name)
        got = b""
        while True:
            chunk = data.recv(65536)
            if not chunk:
                break
            got += chunk
        data.close()
        return first, got


faults = "".join("ftp %s connection %d %s\n" % (d.split(" ", 1)[0], n,
                                                d.split(" ", 1)[1])
                 for n, (d, _, _) in enumerate(ROWS, 1))
c = Checker()
with Server(faults=faults) as s:
    s.file("fw.bin", os.urandom(1000))
    for d, want, closes in ROWS:
        cl = Client(s.ports["ftp"])
        stage = d.split(" ", 1)[0]
        if stage == "greeting":
            got = cl.line()
        else:
            c.eq(d + ": greeting", (cl.line() or "")[:4], "220 ")
            cl.cmd("USER anonymous")
            cl.cmd("PASS x")
            if stage in ("RETR", "PASV"):
                got = cl.cmd(stage + (" fw.bin" if stage == "RETR" else ""))
            else:
                first, body = cl.retr("fw.bin")
                c.eq(d + ": 150 first", first[:4], "150 ")
                c.eq(d + ": data bytes", len(body), 100 if stage == "data" else 1000)
                got = cl.line()
        c.eq(d + ": the reply", got, want)
        after = cl.cmd("NOOP")
        if not closes:
            c.eq(d + ": NOOP answered", after, "200 NOOP ok.")
        c.eq(d + ": " + ("closes" if closes else "keeps the session"),
             after is None, closes)
        cl.sock.close()
    c.show_log(s)
c.done()
