"""One test per FTP reply behind the module's codes 614-630 (RFC 959 421,
425, 426, 450, 451, 452, 500, 501, 502, 503, 504, 530, 532, 550, 551, 552,
553), each injected at the stage where a downloading client meets it.

Each directive is tied to one control connection ("connection N") so that a
single server runs the whole table; curl runs once per row, in order.  The
assertions are what the client sees: curl's exit code and the last reply
code it read (%{response_code})."""
import ftplib
import os
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fsharness import Checker, Server, run  # noqa: E402

# module code, FTP reply, directive (stage + position), curl exit, curl's
# last reply code (None: not read by curl, checked with ftplib below).
ROWS = [
    (614, 421, "greeting", 28, 421),
    (615, 425, "RETR", 19, 425),
    (616, 426, "data after 1000 bytes", 18, None),
    (617, 450, "RETR", 19, 450),
    (618, 451, "RETR", 19, 451),
    (619, 452, "final", 18, 452),
    (620, 500, "TYPE", 17, 500),
    (621, 501, "RETR", 19, 501),
    (622, 502, "PASV", 13, 502),
    (623, 503, "PASS", 67, 503),
    (624, 504, "TYPE", 17, 504),
    (625, 530, "PASS", 67, 530),
    (626, 532, "RETR", 19, 532),
    (627, 550, "RETR", 78, 550),
    (628, 551, "RETR", 19, 551),
    (629, 552, "final", 70, 552),
    (630, 553, "RETR", 19, 553),
]

faults = []
for n, (_, reply, where, _, _) in enumerate(ROWS, 1):
    stage, _, pos = where.partition(" ")
    faults.append("ftp %s connection %d %s reply %d" % (stage, n, pos, reply))
# Extra rows for ftplib: 426 after partial data, and 421 at the greeting.
faults.append("ftp data connection %d after 1000 bytes reply 426" % (len(ROWS) + 1))
faults.append("ftp greeting connection %d reply 421" % (len(ROWS) + 2))

c = Checker()
with Server(faults="\n".join(faults) + "\n") as s:
    s.file("fw.bin", os.urandom(200000))
    for module, reply, where, want_exit, want_rc in ROWS:
        p = run(["curl", "-s", "--disable-epsv", "--max-time", "30", "-o",
                 "/dev/null", "-w", "%{response_code}", s.url("ftp", "fw.bin")])
        got_rc = int(p.stdout or b"0")
        name = "%d: reply %d at %s" % (module, reply, where)
        c.eq(name + ": curl exit", p.returncode, want_exit)
        if want_rc is not None:
            c.eq(name + ": curl read the reply", got_rc, want_rc)

    ftp = ftplib.FTP()
    ftp.connect("127.0.0.1", s.ports["ftp"], timeout=30)
    ftp.login()
    chunks = []
    try:
        ftp.retrbinary("RETR fw.bin", chunks.append)
        r = "226"
    except ftplib.Error as e:
        r = str(e)[:3]
    got = sum(map(len, chunks))
    c.eq("616: ftplib gets 426 after 1000 bytes", (r, got), ("426", 1000))
    ftp.close()

    try:
        ftplib.FTP().connect("127.0.0.1", s.ports["ftp"], timeout=30)
        r = "220"
    except ftplib.Error as e:
        r = str(e)[:3]
    c.eq("614: ftplib greeting 421", r, "421")
    log = s.logtext()
    c.eq("each directive logged once", log.count("applying:"), len(ROWS) + 2)
    c.show_log(s)

# A second transfer command while one waits for its data connection gets
# 450; a client that sends everything and then shuts down its side still
# reads one reply per command before the server closes.
with Server() as s:
    s.file("fw.bin", b"x" * 1000)
    sock = socket.create_connection(("127.0.0.1", s.ports["ftp"]), timeout=30)
    sock.sendall(b"USER anonymous\r\nPASS x\r\nPASV\r\nNLST\r\n"
                 b"RETR fw.bin\r\nLIST\r\n")
    sock.shutdown(socket.SHUT_WR)
    got = b""
    while True:
        chunk = sock.recv(4096)
        if not chunk:
            break
        got += chunk
    sock.close()
    codes = [line[:3] for line in got.decode().split("\r\n") if line]
    c.eq("pipelined commands after a half-close: one reply each", codes,
         ["220", "331", "230", "227", "150", "450", "450"])
    c.show_log(s)
c.done()
