"""Four FTP clients nobody here wrote (curl, wget, lftp, Python's ftplib)
download from fotasim-server, byte for byte, including resume and listings."""
import ftplib
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fsharness import Checker, Server, curl, run  # noqa: E402

c = Checker()
with Server(args=["--user", "fota:secret", "--anonymous"]) as s:
    data = s.file("fw.bin", os.urandom(3 * 1024 * 1024 + 17))
    small = s.file("dir/a.txt", b"hello\n")
    port = s.ports["ftp"]
    out = os.path.join(s.dir, "out")

    rc, body = curl(s.url("ftp", "fw.bin"))
    c.eq("curl anonymous exit", rc, 0)
    c.check("curl body identical", body == data, "%d bytes" % len(body))

    rc, body = curl("--disable-epsv", "-u", "fota:secret", s.url("ftp", "dir/a.txt"))
    c.eq("curl PASV user", (rc, body), (0, small))

    rc, body = curl("-u", "fota:wrong", s.url("ftp", "fw.bin"))
    c.eq("curl bad password exits 67", rc, 67)

    rc, body = curl("-C", "1000000", s.url("ftp", "fw.bin"))
    c.check("curl resume (REST)", rc == 0 and body == data[1000000:],
            "rc %d len %d" % (rc, len(body)))

    rc, body = curl("--list-only", s.url("ftp", "/"))
    c.eq("curl NLST", (rc, sorted(body.split())), (0, [b"dir", b"fw.bin"]))

    rc, body = curl(s.url("ftp", "missing.bin"))
    c.eq("curl missing file exits 78", rc, 78)

    p = run(["wget", "-q", "-O", out, s.url("ftp", "fw.bin")])
    c.eq("wget exit", p.returncode, 0)
    with open(out, "rb") as f:
        c.check("wget body identical", f.read() == data)

    os.unlink(out)
    p = run(["lftp", "-c", "set net:max-retries 1; set net:timeout 20; "
             "open -u fota,secret -p %d 127.0.0.1; get fw.bin -o %s" % (port, out)])
    c.eq("lftp exit", p.returncode, 0)
    with open(out, "rb") as f:
        c.check("lftp body identical", f.read() == data)

    ftp = ftplib.FTP()
    ftp.connect("127.0.0.1", port, timeout=30)
    ftp.login("fota", "secret")
    c.eq("ftplib SYST", ftp.sendcmd("SYST")[:3], "215")
    c.check("ftplib FEAT lists EPSV", "EPSV" in ftp.sendcmd("FEAT"))
    c.eq("ftplib PWD", ftp.pwd(), "/")
    ftp.cwd("dir")
    c.eq("ftplib CWD", ftp.pwd(), "/dir")
    c.eq("ftplib SIZE", ftp.size("a.txt"), len(small))
    c.eq("ftplib MDTM", ftp.sendcmd("MDTM a.txt")[:4], "213 ")
    ftp.sendcmd("CDUP")
    c.eq("ftplib CDUP", ftp.pwd(), "/")
    lines = []
    ftp.retrlines("LIST", lines.append)
    c.check("ftplib LIST", len(lines) == 2 and lines[0].split()[-1] in ("dir", "fw.bin"),
            lines)
    got = []
    ftp.retrbinary("RETR fw.bin", got.append)
    c.check("ftplib RETR identical", b"".join(got) == data)
    got = []
    ftp.retrbinary("RETR fw.bin", got.append, rest=len(data) - 5)
    c.eq("ftplib REST+RETR", b"".join(got), data[-5:])
    for cmd, want in (("MODE S", "200"), ("STRU F", "200"), ("TYPE X", "504"),
                      ("MODE B", "504"), ("NOOP", "200"), ("ACCT x", "202"),
                      ("PORT 127,0,0,1,1,1", "502"), ("BOGUS", "500"),
                      ("RETR", "501"), ("ABOR", "226")):
        try:
            r = ftp.sendcmd(cmd)
        except ftplib.Error as e:
            r = str(e)
        c.eq("reply to " + cmd, r[:3], want)
    c.eq("ftplib QUIT", ftp.quit()[:3], "221")

    ftp = ftplib.FTP()
    ftp.connect("127.0.0.1", port, timeout=30)
    try:
        ftp.sendcmd("RETR fw.bin")
        r = "no error"
    except ftplib.Error as e:
        r = str(e)
    c.eq("RETR before login is 530", r[:3], "530")
    try:
        ftp.sendcmd("PASS x")
        r = "no error"
    except ftplib.Error as e:
        r = str(e)
    c.eq("PASS before USER is 503", r[:3], "503")
    ftp.close()
    c.show_log(s)
c.done()
