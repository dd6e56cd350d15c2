"""curl, wget and Python's urllib fetch from fotasim-server's HTTP and HTTPS
servers: whole files, HEAD, Range/206 resume, 416, 404 and TLS trust."""
import os
import ssl
import sys
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fsharness import Checker, Server, curl, run  # noqa: E402

c = Checker()
with Server(services=["--http", "0", "--https", "0"]) as s:
    data = s.file("fw.bin", os.urandom(2 * 1024 * 1024 + 3))
    out = os.path.join(s.dir, "out")

    for svc in ("http", "https"):
        extra = ["--cacert", s.ca] if svc == "https" else []
        rc, body = curl(*extra, s.url(svc, "fw.bin"))
        c.check(svc + " curl GET identical", rc == 0 and body == data,
                "rc %d len %d" % (rc, len(body)))
        p = run(["curl", "-sS", "-I"] + extra + [s.url(svc, "fw.bin")])
        head = p.stdout.decode().lower()
        c.check(svc + " HEAD Content-Length", "content-length: %d\r" % len(data)
                in head, head)
        p = run(["curl", "-sS", "-r", "1000-1999", "-w", "%{http_code}", "-o",
                 out] + extra + [s.url(svc, "fw.bin")])
        with open(out, "rb") as f:
            c.eq(svc + " Range 206", (p.stdout, f.read()), (b"206", data[1000:2000]))
        p = run(["curl", "-sS", "-C", "12345", "-o", "-"] + extra + [s.url(svc, "fw.bin")])
        c.check(svc + " curl -C resume", p.returncode == 0 and
                p.stdout == data[12345:], p.returncode)
        p = run(["curl", "-sS", "-r", "%d-" % (len(data) + 10), "-w", "%{http_code}",
                 "-o", "/dev/null"] + extra + [s.url(svc, "fw.bin")])
        c.eq(svc + " Range beyond end 416", p.stdout, b"416")
        rc, _ = curl("-f", *extra, s.url(svc, "nope.bin"))
        c.eq(svc + " missing file -> curl -f 22", rc, 22)

    rc, _ = curl(s.url("https", "fw.bin"))
    c.eq("https without the CA -> curl 60", rc, 60)
    rc, _ = curl("--cacert", s.ca, "https://127.0.0.1:%d/fw.bin" % s.ports["https"])
    c.eq("https by IP address verifies", rc, 0)

    os.unlink(out)
    p = run(["wget", "-q", "-O", out, s.url("http", "fw.bin")])
    with open(out, "rb") as f:
        c.check("wget http", p.returncode == 0 and f.read() == data)
    os.unlink(out)
    p = run(["wget", "-q", "--ca-certificate", s.ca, "-O", out, s.url("https", "fw.bin")])
    with open(out, "rb") as f:
        c.check("wget https", p.returncode == 0 and f.read() == data)

    with urllib.request.urlopen(s.url("http", "fw.bin"), timeout=30) as r:
        c.check("urllib http", r.status == 200 and r.read() == data)
    ctx = ssl.create_default_context(cafile=s.ca)
    req = urllib.request.Request(s.url("https", "fw.bin"), headers={"Range": "bytes=-10"})
    with urllib.request.urlopen(req, timeout=30, context=ctx) as r:
        c.eq("urllib https suffix range", (r.status, r.read()), (206, data[-10:]))
    try:
        urllib.request.urlopen(urllib.request.Request(s.url("http", "fw.bin"),
                               data=b"x"), timeout=30)
        code = 200
    except urllib.error.HTTPError as e:
        code = e.code
    c.eq("POST -> 405", code, 405)
    c.show_log(s)
c.done()
