"""A path-traversal corpus against FTP, HTTP and HTTPS: plain, encoded,
double encoded, overlong UTF-8, %00 after a valid name, backslash, absolute
and symlink escapes.  Not one byte from outside the root may be served, and
each refusal is logged."""
import ftplib
import os
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fsharness import Checker, Server, read_all, tls_get  # noqa: E402

SECRET = b"TOP-SECRET-OUTSIDE-THE-ROOT"

c = Checker()
s = Server(services=["--ftp", "0", "--http", "0", "--https", "0"])
outside = os.path.join(s.dir, "outside")
os.makedirs(outside)
with open(os.path.join(outside, "secret.txt"), "wb") as f:
    f.write(SECRET)
s.file("ok.txt", b"inside\n")
os.symlink(os.path.join(outside, "secret.txt"), os.path.join(s.root, "link"))
os.symlink(outside, os.path.join(s.root, "dirlink"))
os.symlink("ok.txt", os.path.join(s.root, "innerlink"))
rootname = os.path.basename(s.root)

http_corpus = [
    "/../outside/secret.txt", "/%2e%2e/outside/secret.txt",
    "/%2E%2E%2Foutside%2Fsecret.txt", "/%252e%252e/outside/secret.txt",
    "/..%2foutside/secret.txt", "/..\\outside\\secret.txt",
    "/%2e%2e%5coutside%5csecret.txt", "/ok.txt/../../outside/secret.txt",
    "//" + outside + "/secret.txt", "/" + outside + "/secret.txt",
    "/link", "/dirlink/secret.txt", "/./../outside/secret.txt",
    "/....//outside/secret.txt", "/%00/../outside/secret.txt",
    "/../" + rootname + "/../outside/secret.txt",
    # Overlong UTF-8 for "." and "/" (RFC 3629 forbids them; IIS once
    # decoded them): bytes of a name like any other, never a separator.
    "/%c0%ae%c0%ae/outside/secret.txt", "/%c0%ae%c0%ae%c0%afoutside%c0%afsecret.txt",
    "/%e0%80%ae%e0%80%ae/outside/secret.txt", "/ok.txt%c0%af..%c0%af..%c0%afsecret.txt",
    # %00 after a valid name: the decoded path is cut at the NUL.
    "/ok.txt%00.bin", "/ok.txt%00/../../../etc/passwd",
    "/ok.txt%00/../outside/secret.txt", "/%00", "/ok.txt?x=%00",
]
# Refused outright (400 or 403, with a "refused:" log line): everything but
# names of files that do not exist (404): the overlong forms and "....".
not_found = [t for t in http_corpus if "%c0" in t or "%e0" in t] + \
    ["/....//outside/secret.txt"]
ftp_corpus = [
    "../outside/secret.txt", "/../outside/secret.txt", "..\\outside\\secret.txt",
    "%2e%2e/outside/secret.txt", "//" + outside + "/secret.txt",
    outside + "/secret.txt", "link", "dirlink/secret.txt", "~/secret.txt",
    "ok.txt/../../outside/secret.txt", "./../outside/secret.txt",
    "%c0%ae%c0%ae/outside/secret.txt", "ok.txt%00/../outside/secret.txt",
]


def http_raw(port, target):
    """Send a raw request line (clients normalise paths) and read all."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.sendall(b"GET " + target.encode() + b" HTTP/1.1\r\nHost: x\r\n"
                 b"Connection: close\r\n\r\n")
    return read_all(sock) or b""


def https_raw(s, target):
    """The same over TLS."""
    return tls_get(s, b"GET " + target.encode() + b" HTTP/1.1\r\nHost: x\r\n"
                   b"Connection: close\r\n\r\n")[0]


with s:
    for proto, get in (("http", lambda t: http_raw(s.ports["http"], t)),
                       ("https", lambda t: https_raw(s, t))):
        for target in http_corpus:
            before = s.logtext().count("refused:")
            got = get(target)
            status = got.split(b" ", 2)[1] if got.startswith(b"HTTP/") else got[:20]
            want = (b"404",) if target in not_found else (b"400", b"403")
            logged = s.logtext().count("refused:") - before
            c.check("%s %s refused (%s, %d logged)" % (
                proto, target, status.decode("latin-1"), logged),
                SECRET not in got and b"inside" not in got and
                status in want and logged == (0 if target in not_found else 1),
                got[:200])
        for target, what in (("/innerlink", "a symlink inside the root"),
                             ("/ok.txt", "the valid name alone")):
            got = get(target)
            c.check("%s %s is served" % (proto, what),
                    got.startswith(b"HTTP/1.1 200 ") and
                    got.endswith(b"\r\n\r\ninside\n"), got)

    ftp = ftplib.FTP()
    ftp.connect("127.0.0.1", s.ports["ftp"], timeout=30)
    ftp.login()
    for target in ftp_corpus:
        chunks = []
        try:
            ftp.retrbinary("RETR " + target, chunks.append)
            r = "226"
        except ftplib.error_perm as e:
            r = str(e)[:3]
        c.check("ftp RETR %s refused (%s)" % (target, r),
                r == "550" and SECRET not in b"".join(chunks))
        try:
            r = ftp.sendcmd("SIZE " + target)[:3]
        except ftplib.error_perm as e:
            r = str(e)[:3]
        c.eq("ftp SIZE %s refused" % target, r, "550")
    for target in ("..", "dirlink", "../outside", "/" + outside[1:]):
        try:
            r = ftp.sendcmd("CWD " + target)[:3]
        except ftplib.error_perm as e:
            r = str(e)[:3]
        c.eq("ftp CWD %s refused" % target, r, "550")
    c.eq("ftp still at /", ftp.pwd(), "/")
    lines = []
    try:
        ftp.retrlines("LIST ../outside", lines.append)
    except ftplib.error_perm:
        pass
    c.check("ftp LIST outside shows nothing", not any("secret" in l for l in lines),
            lines)
    ftp.quit()
    c.check("server still running", s.alive())
    c.show_log(s)
c.done()
