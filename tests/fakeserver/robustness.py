"""Slowloris, 1000 concurrent connections, over-long lines and malformed
requests: the server answers each with a clean error or keeps waiting,
serves real clients all along, keeps its memory bounded and keeps running."""
import os
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fsharness import TIMEOUT, Checker, Server, curl  # noqa: E402

N = 1000


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def connect(port):
    """A client socket whose every wait is bounded by the harness TIMEOUT."""
    return socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)


def read_reply(sock):
    """Read one FTP reply line (bounded by the socket timeout)."""
    data = b""
    while not data.endswith(b"\r\n"):
        chunk = sock.recv(1)
        if not chunk:
            break
        data += chunk
    return data


def http_exchange(port, raw):
    """Send raw bytes, end the request side, read until the server closes
    (or a kept-alive reply's headers are in).  None if neither happens
    within the bound."""
    sock = connect(port)
    try:
        sock.sendall(raw)
        sock.shutdown(socket.SHUT_WR)  # no more is coming: answer or close
    except OSError:
        pass                           # the server already answered and closed
    got = b""
    try:
        while len(got) < 65536:
            chunk = sock.recv(65536)
            if not chunk:
                break
            got += chunk
            if b"\r\n\r\n" in got and b"Connection: close" not in got:
                break
    except ConnectionResetError:
        got += b"<reset>"
    except socket.timeout:
        got = None
    sock.close()
    return got


c = Checker()
with Server(services=["--ftp", "0", "--http", "0"]) as s:
    data = s.file("fw.bin", os.urandom(512 * 1024))
    pid = s.proc.pid
    fport, hport = s.ports["ftp"], s.ports["http"]
    base = rss_kb(pid)

    # 1000 concurrent connections: half FTP (greeted, then idle), half HTTP
    # slowloris (headers that never end, one more header line each round).
    ftp_socks, http_socks = [], []
    for i in range(N // 2):
        ftp_socks.append(connect(fport))
        h = connect(hport)
        h.sendall(b"GET /fw.bin HTTP/1.1\r\nHost: x\r\n")
        http_socks.append(h)
    greeted = sum(read_reply(f).startswith(b"220 ") for f in ftp_socks)
    c.eq("all %d FTP connections greeted" % (N // 2), greeted, N // 2)
    for rnd in range(3):
        for h in http_socks:
            h.sendall(b"X-Slow-%d: %s\r\n" % (rnd, b"a" * 100))
        for f in ftp_socks:
            f.sendall(b"NOOP\r\n")
        ok = sum(read_reply(f).startswith(b"200 ") for f in ftp_socks)
        c.eq("round %d: every FTP session answers NOOP" % rnd, ok, N // 2)
        rc, body = curl(s.url("http", "fw.bin"))
        c.check("round %d: curl HTTP download while %d are open" % (rnd, N),
                rc == 0 and body == data, rc)
        rc, body = curl(s.url("ftp", "fw.bin"))
        c.check("round %d: curl FTP download while %d are open" % (rnd, N),
                rc == 0 and body == data, rc)
    grown = rss_kb(pid) - base
    c.check("memory bounded with %d connections (%d kB grown)" % (N, grown),
            grown < 64 * 1024, grown)
    for sk in ftp_socks + http_socks:
        sk.close()

    # FTP: an endless line gets one 500 and the session goes on.
    f = connect(fport)
    read_reply(f)
    for i in range(200):
        f.sendall(b"A" * 1000)
    f.sendall(b"\r\nNOOP\r\n")
    c.eq("ftp over-long line -> 500", read_reply(f)[:4], b"500 ")
    c.eq("ftp session usable after it", read_reply(f)[:4], b"200 ")
    for cmd, want in ((b"RE\x00TR x", b"500 "), (b"\xff\xfe\x01garbage", b"500 "),
                      (b"USER", b"501 "), (b"RETR", b"530 "), (b"", b"500 "),
                      (b"PASS x", b"503 "), (b"NOOP extra", b"501 ")):
        f.sendall(cmd + b"\r\n")
        c.eq("ftp %r -> %s" % (cmd, want.decode().strip()), read_reply(f)[:4], want)
    f.sendall(b"QUIT\r\n")
    c.eq("ftp QUIT after junk", read_reply(f)[:4], b"221 ")
    f.close()
    c.check("ftp rss still bounded", rss_kb(pid) - base < 64 * 1024)

    # HTTP: malformed requests get a 4xx status line (or a close), never 2xx.
    for raw in (b"BLAH\r\n\r\n",
                b"GET /fw.bin HTTP/9.9\r\nHost: x\r\n\r\n",
                b"GET /fw.bin HTTP/1.1\r\n\r\n",
                b"GET /fw.bin HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
                b"GET /fw.bin HTTP/1.1\r\nHost: x\r\nX: " + b"a" * 100000 + b"\r\n\r\n",
                b"GET /" + b"a" * 100000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
                b"GET /fw.bin HTTP/1.1\r\nHost: x\r\nRange: bytes=zz-\r\n\r\n",
                b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 64,
                b"GET /\x00/fw.bin HTTP/1.1\r\nHost: x\r\n\r\n"):
        got = http_exchange(hport, raw)
        if not c.check("http %r: answered or closed" % raw[:40],
                       got is not None, "neither within %d s" % TIMEOUT):
            continue
        status = got[9:12] if got.startswith(b"HTTP/1.") else b"-"
        ok = (status in (b"400", b"403", b"404", b"405", b"413", b"414", b"431",
                         b"505", b"-") or (b"Range" in raw and status == b"200"))
        c.check("http %r -> %s" % (raw[:40], status.decode("latin-1")), ok, got[:80])
    rc, body = curl(s.url("http", "fw.bin"))
    c.check("http still serves after malformed requests", rc == 0 and body == data)
    c.check("server still running", s.alive())
    c.show_log(s)

# Idle timeout: 60 simulated seconds at --speed 1000; the test waits for
# the server's reply, not for time.
with Server(args=["--idle-timeout", "60", "--speed", "1000"]) as s:
    f = connect(s.ports["ftp"])
    c.eq("greeting", read_reply(f)[:4], b"220 ")
    c.eq("idle session gets 421", read_reply(f)[:4], b"421 ")
    c.eq("then the server closes", f.recv(10), b"")
    f.close()
    c.show_log(s)
c.done()
