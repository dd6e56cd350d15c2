"""FTP fault primitives, each asserted by what a real client sees.  One
server runs every row: directive N is tied to control connection N and the
clients run in order.  --speed 1000 makes the stalls, delays and throttles
of simulated time short; no assertion depends on wall time."""
import ftplib
import hashlib
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fsharness import Checker, Server, run  # noqa: E402

SIZE = 1000000
# directive (without "connection N"), extra curl options, curl exit, check
ROWS = [
    ("ftp data after 5000 bytes close", [], 18, "5000"),
    ("ftp data after 5000 bytes reset", [], 56, None),
    ("ftp data after 50% reply 426", [], 18, "500000"),
    ("ftp PASV port 1", [], 7, None),
    ("ftp PASV address 127.0.0.2", ["--no-ftp-skip-pasv-ip"], 7, None),
    ("ftp PASV refuse", [], 7, None),
    ("ftp data refuse", [], 19, None),
    ("ftp greeting garbage 40", [], 56, None),
    ("ftp control after 30 bytes close", [], 56, None),
    ("ftp PASS reset", [], 56, None),
    ("ftp USER close", [], 56, None),
    ("ftp data at byte 777 flip", [], 0, "flipped"),
    ("ftp data throttle 200kB/s", [], 0, "same"),
    ("ftp data after 50% stall 100s", [], 0, "same"),
    ("ftp greeting delay 100s", [], 0, "same"),
    ("ftp RETR delay 50s", [], 0, "same"),
    ("ftp RETR hang", ["--max-time", "2"], 28, None),
    ("ftp data after 10% garbage 100", [], 18, "garbage %d 100" % (SIZE // 10)),
    ("ftp data hang", ["--speed-limit", "1", "--speed-time", "2"], 28, None),
]

faults = "".join("%s connection %d %s\n" % (d.split(" ", 2)[0] + " " +
                 d.split(" ", 2)[1], n, d.split(" ", 2)[2])
                 for n, (d, _, _, _) in enumerate(ROWS, 1))
faults += "ftp RETR connection %d first 1 times reply 450\n" % (len(ROWS) + 1)

c = Checker()
with Server(faults=faults, args=["--speed", "1000", "--idle-timeout", "100000"]) as s:
    data = s.file("fw.bin", os.urandom(SIZE))
    out = os.path.join(s.dir, "out")
    for d, opts, want_exit, check in ROWS:
        if os.path.exists(out):
            os.unlink(out)
        p = run(["curl", "-s", "--disable-epsv", "--max-time", "30"] + opts +
                ["-o", out, "-w", "%{size_download}", s.url("ftp", "fw.bin")])
        c.eq(d + ": curl exit", p.returncode, want_exit)
        got = open(out, "rb").read() if os.path.exists(out) else b""
        if check == "same":
            c.check(d + ": body identical", got == data, len(got))
        elif check == "flipped":
            diff = [i for i in range(min(len(got), SIZE)) if got[i] != data[i]]
            c.eq(d + ": exactly byte 777 differs", (len(got), diff,
                 got[777] ^ data[777] if diff else 0), (SIZE, [777], 0xff))
            c.check(d + ": md5 differs", hashlib.md5(got).digest() !=
                    hashlib.md5(data).digest())
        elif check is not None and check.startswith("garbage"):
            # The file up to the position, then N bytes that are not it.
            at, n = (int(w) for w in check.split()[1:])
            c.eq(d + ": bytes received", p.stdout.decode(), str(at + n))
            c.check(d + ": the file's first %d bytes, then %d others" % (at, n),
                    len(got) == at + n and got[:at] == data[:at] and
                    got[at:] != data[at:at + n], len(got))
        elif check is not None:
            n = int(check)
            c.eq(d + ": bytes received", p.stdout.decode(), check)
            c.check(d + ": exactly the file's first %d bytes" % n,
                    got == data[:n], len(got))

    # "first 1 times": the retry succeeds, as the module's host would expect.
    ftp = ftplib.FTP()
    ftp.connect("127.0.0.1", s.ports["ftp"], timeout=30)
    ftp.login()
    try:
        ftp.retrbinary("RETR fw.bin", lambda b: None)
        r = "226"
    except ftplib.Error as e:
        r = str(e)[:3]
    c.eq("first 1 times: first RETR 450", r, "450")
    got = []
    ftp.retrbinary("RETR fw.bin", got.append)
    c.check("first 1 times: retry succeeds", b"".join(got) == data)
    ftp.quit()
    log = s.logtext()
    c.eq("every directive logged 'applying:'", log.count("applying:"), len(ROWS) + 1)
    c.check("server still running", s.alive())
    c.show_log(s)
c.done()
