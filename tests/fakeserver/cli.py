"""fotasim-server's command line: the machine-readable port lines, --bind,
--check, and clear errors (file:line:col for fault files) with exit codes."""
import ftplib
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fsharness import SERVER, Checker, Server, curl, run  # noqa: E402

c = Checker()
tmp = tempfile.TemporaryDirectory(prefix="fakeserver-cli-")
bad = os.path.join(tmp.name, "bad.faults")
with open(bad, "w") as f:
    f.write("# fine\nftp RETR reply 550\nhttp /x  explode\n")
good = os.path.join(tmp.name, "good.faults")
with open(good, "w") as f:
    f.write("ftp PASS reply 530\nhttp /a.bin status 503\n")

p = run([SERVER, "--check", "--faults", bad])
c.eq("--check bad file: exit 1", p.returncode, 1)
c.eq("--check bad file: file:line:col message", p.stderr.decode().strip(),
     "%s:3:10: unknown word \"explode\"" % bad)
# Issue 9: a NUL byte does not end the file; it is an error at its column.
nul = os.path.join(tmp.name, "nul.faults")
with open(nul, "wb") as f:
    f.write(b"ftp RETR reply 550\nftp PASS reply 530 x\0junk\n"
            b"http /y frobnicate\n")
p = run([SERVER, "--check", "--faults", nul])
c.eq("--check NUL byte: exit 1 and the error at its file:line:col",
     (p.returncode, p.stdout, p.stderr.decode().strip()),
     (1, b"", "%s:2:21: NUL byte 0x00 cannot be in a directive file "
      "(text: printable ASCII or UTF-8)" % nul))
# Issue 9: a word that can never match is an error, not a directive.
rert = os.path.join(tmp.name, "rert.faults")
with open(rert, "w") as f:
    f.write("ftp RERT reply 450\n")
p = run([SERVER, "--check", "--faults", rert])
c.eq("--check ftp RERT: exit 1 at the word", (p.returncode, p.stderr.decode()
     .split(" (")[0]), (1, "%s:1:5: unknown FTP command or stage \"RERT\"" % rert))
p = run([SERVER, "--check", "--faults", good])
c.eq("--check good file", (p.returncode, p.stdout.decode().strip()),
     (0, "%s: 2 directives" % good))
p = run([SERVER, "--root", tmp.name, "--ftp", "0", "--faults", bad])
c.check("start with bad faults: exit 1 and the error",
        p.returncode == 1 and b":3:10: unknown word" in p.stderr, p.stderr)
for args, what in ((["--root", tmp.name, "--ftp", "70000"], "bad port"),
                   (["--root", tmp.name, "--user", "nocolon"], "bad --user"),
                   (["--ftp", "0"], "no --root"),
                   (["--root", tmp.name, "--speed", "fast"], "bad --speed"),
                   (["--root", tmp.name, "extra"], "stray argument")):
    p = run([SERVER] + args)
    c.eq(what + ": exit 2", p.returncode, 2)
p = run([SERVER, "--root", "/nonexistent/x", "--ftp", "0"])
c.check("missing root: exit 1 and names it", p.returncode == 1 and
        b"/nonexistent/x" in p.stderr, p.stderr)
p = run([SERVER, "--help"])
c.check("--help prints usage", p.returncode == 0 and b"--faults FILE" in p.stdout)
p = run([SERVER, "--version"])
c.eq("--version", (p.returncode, p.stdout.split()[:1]), (0, [b"fotasim-server"]))

with Server(services=[]) as s:
    c.eq("no service options: all three start", sorted(s.ports), ["ftp", "http", "https"])
    c.check("CA path printed and readable", s.ca is not None and os.access(s.ca, os.R_OK))

with Server(services=["--ftp", "0", "--http", "0"], args=["--bind", "127.0.0.2"]) as s:
    s.file("a.bin", b"abc")
    line = "ftp 127.0.0.2:%d" % s.ports["ftp"]
    c.check("port line format", re.fullmatch(r"ftp 127\.0\.0\.2:\d+", line), line)
    rc, body = curl("http://127.0.0.2:%d/a.bin" % s.ports["http"])
    c.eq("--bind 127.0.0.2: http answers there", (rc, body), (0, b"abc"))
    rc, _ = curl("--max-time", "5", "http://127.0.0.1:%d/a.bin" % s.ports["http"])
    c.eq("--bind 127.0.0.2: nothing on 127.0.0.1", rc, 7)
    ftp = ftplib.FTP()
    ftp.connect("127.0.0.2", s.ports["ftp"], timeout=30)
    ftp.login()
    c.check("--bind: PASV advertises the bound address",
            ftp.sendcmd("PASV").find("(127,0,0,2,") > 0)
    ftp.close()
    c.show_log(s)

with Server(args=["--user", "fota:pw", "--user", "ops:x"]) as s:
    s.file("a.bin", b"abc")
    for user, want in (("fota:pw", 0), ("ops:x", 0), ("anonymous:", 67),
                       ("fota:x", 67)):
        rc, _ = curl("-u", user, s.url("ftp", "a.bin"))
        c.eq("--user: login %s" % user, rc, want)
    c.check("refused logins are logged", s.logtext().count("login refused") == 2)
    c.show_log(s)
tmp.cleanup()
c.done()
