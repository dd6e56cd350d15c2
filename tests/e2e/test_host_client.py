"""fotasim-host, the reference host client, against a real fotasim: an
upgrade over HTTP, a rollback over FTP, an upgrade over the serial line
(FILE mode with flow control), a failed first attempt retried (--retries),
and a failure that exits 1.  Each run's output and exit status are
asserted, and the module's revision afterwards."""
import os
import shutil
import subprocess
import tempfile

from fotasim_test import check, run, serve, BUILDDIR, PKG

A = "EC200TCNHAR02A14M16"
B = "EC200TCNHAR02A15M16"
HOST = os.path.join(BUILDDIR, "fotasim-host")


def client(m, *args):
    r = subprocess.run([HOST, "--port", m.link, "--timeout", "120"] +
                       list(args), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=300)
    return r.returncode, r.stdout.decode(), r.stderr.decode()


def body(modem):
    tmp = tempfile.mkdtemp(prefix="fotasim-hostc.")
    root = os.path.join(tmp, "www")
    os.makedirs(root)
    for name, frm, to in [("a-b.pkg", A, B), ("b-a.pkg", B, A)]:
        subprocess.run([PKG, "create", "--model", "EC200T", "--from", frm,
                        "--to", to, "-o", os.path.join(root, name)],
                       check=True)
    m = modem(speed="20")
    m.args += ["--flash-timing", "zero"]
    addr = serve(m, root, "http /retry.pkg first 1 times status 503\n")
    shutil.copy(os.path.join(root, "a-b.pkg"), os.path.join(root, "retry.pkg"))

    rc, out, err = client(m, "upgrade", "http://%s/a-b.pkg" % addr["http"])
    check(rc == 0 and out.startswith("revision %s\n" % A) and
          out.endswith("HTTPEND,0\nupdate started\nupdating 25%%\n"
                       "updating 50%%\nupdating 75%%\nupdating 100%%\n"
                       "END,0\nrevision %s\n" % B),
          "http upgrade: exit 0, A then B: %r %r" % (out[-200:], err))

    rc, out, err = client(m, "upgrade", "ftp://test:test@%s/b-a.pkg" %
                          addr["ftp"])
    check(rc == 0 and out.startswith("revision %s\n" % B) and
          "FTPEND,0\n" in out and out.endswith("END,0\nrevision %s\n" % A),
          "ftp rollback: exit 0, B then A: %r %r" % (out[-120:], err))

    rc, out, err = client(m, "upgrade", "--file", os.path.join(root, "a-b.pkg"))
    check(rc == 0 and "sending %d bytes\n" % os.path.getsize(
          os.path.join(root, "a-b.pkg")) in out and "FILEEND,0\n" in out and
          out.endswith("END,0\nrevision %s\n" % B),
          "file upgrade with flow control: exit 0, A then B: %r %r" %
          (out[-120:], err))

    # A 503 the first time, then the package: --retries 1 succeeds.
    rc, out, err = client(m, "--retries", "1", "upgrade",
                          "ftp://test:test@%s/b-a.pkg" % addr["ftp"])
    check(rc == 0, "ftp rollback again: exit 0: %r" % err)
    rc, out, err = client(m, "--retries", "1", "upgrade",
                          "http://%s/retry.pkg" % addr["http"])
    check(rc == 0 and "HTTPEND,723\nretry 1 of 1\n" in out and
          out.endswith("END,0\nrevision %s\n" % B),
          "retry: HTTPEND,723, retry 1 of 1, then END,0: %r %r" %
          (out[-200:], err))

    # A missing file fails for good: exit 1, the module untouched.
    rc, out, err = client(m, "upgrade", "http://%s/missing.pkg" % addr["http"])
    check(rc == 1 and out.endswith("HTTPEND,723\n") and
          err == "fotasim-host: upgrade failed\n",
          "missing package: exit 1: %r %r" % (out, err))
    rc, out, err = client(m)
    check(rc == 2 and out == "" and err.startswith("usage: fotasim-host"),
          "no arguments: usage, exit 2")
    shutil.rmtree(tmp)


run(body)
