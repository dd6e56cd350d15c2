"""fotasim-host, the reference host client, against a real fotasim: an
upgrade over HTTP, a rollback over FTP, an upgrade over the serial line
(FILE mode with flow control), over the module's file system (--ufs: a
package for another revision, an upgrade and a rollback), a failed first
attempt retried (--retries),
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
    m.cleanup()

    # --ufs: AT+QFUPL then the local AT+QFOTADL.  At --speed 1, so that
    # QFUPL's 5-second timeout is 5 wall seconds between the host's KiBs.
    m = modem(speed="1")
    m.args += ["--flash-timing", "zero"]
    m.start()
    for name, frm, to in [("b-a.pkg", B, A), ("a-b.pkg", A, B)]:
        path = os.path.join(root, name)
        with open(path, "rb") as f:
            data = f.read()
        sent = "uploading %d bytes\nuploading 25%%\nuploading 50%%\n" \
            "uploading 75%%\nuploading 100%%\nuploaded, checksum %x\n" \
            "update started\n" % (len(data), xor16(data))
        if frm == B:
            # From A: the rollback package does not apply (END,504).
            rc, out, err = client(m, "upgrade", "--ufs", path)
            check(rc == 1 and out == "revision %s\n" % A + sent +
                  "END,504\n" and err == "fotasim-host: upgrade failed\n",
                  "ufs: a package for another revision: END,504, exit 1: "
                  "%r %r" % (out, err))
            continue
        rc, out, err = client(m, "upgrade", "--ufs", path)
        check(rc == 0 and out.startswith("revision %s\n" % frm + sent) and
              out.endswith("updating 100%%\nEND,0\nrevision %s\n" % to),
              "ufs upgrade: QFUPL, checksum, local QFOTADL, %s then %s: "
              "%r %r" % (frm, to, out, err))
    rc, out, err = client(m, "upgrade", "--ufs", os.path.join(root,
                                                             "b-a.pkg"))
    check(rc == 0 and out.startswith("revision %s\nuploading" % B) and
          out.endswith("END,0\nrevision %s\n" % A),
          "ufs rollback (the old file deleted first): B then A: %r %r" %
          (out[-120:], err))
    shutil.rmtree(tmp)


def xor16(data):
    s = 0
    for i in range(0, len(data), 2):
        s ^= data[i] << 8 | (data[i + 1] if i + 1 < len(data) else 0)
    return s


run(body)
