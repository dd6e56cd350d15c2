"""AT+QFOTADL against servers nobody here wrote, started on loopback from
Debian packages: nginx (plain and TLS), vsftpd, Python's http.server (plain
and wrapped in ssl).  One modem upgrades back and forth between two
revisions, once per server; each upgrade ends with the reboot, the new
revision in AT+CGMR and the flash slot byte-identical to fotasim-pkg image."""
import os
import re
import shutil
import subprocess
import tempfile

from fotasim_test import (check, run, booted, image, slot_bytes, PKG)
from realservers import certificate, nginx, python_server, stop, vsftpd

A = "EC200TCNHAR02A14M16"
B = "EC200TCNHAR02A15M16"
OK = b"\r\nOK\r\n"


def body(modem):
    for prog in ("nginx", "vsftpd", "openssl"):
        if shutil.which(prog) is None and not os.path.exists("/usr/sbin/" + prog):
            check(False, "%s is installed (./bootstrap installs it)" % prog)
            return
    os.environ["PATH"] += ":/usr/sbin"
    tmp = tempfile.mkdtemp(prefix="fotasim-interop.")
    root = os.path.join(tmp, "www")
    os.makedirs(root)
    os.chmod(tmp, 0o755)
    os.chmod(root, 0o755)
    for name, frm, to in [("a-b.pkg", A, B), ("b-a.pkg", B, A)]:
        path = os.path.join(root, name)
        subprocess.run([PKG, "create", "--model", "EC200T", "--from", frm,
                        "--to", to, "-o", path], check=True)
        os.chmod(path, 0o644)
    tls = certificate(tmp)

    m = modem(speed="20")
    m.args += ["--flash-timing", "zero"]
    m.start()
    h = booted(m)
    current = A
    servers = [
        ("nginx", lambda: nginx(root, tmp), "http://127.0.0.1:%d/%s", b"HTTP"),
        ("vsftpd", lambda: vsftpd(root, tmp),
         "ftp://anonymous:guest@127.0.0.1:%d/%s", b"FTP"),
        ("python http.server", lambda: python_server(root),
         "http://127.0.0.1:%d/%s", b"HTTP"),
        ("python http.server over ssl", lambda: python_server(root, tls),
         "https://localhost:%d/%s", b"HTTP"),
        ("nginx over TLS", lambda: nginx(root, tmp, tls),
         "https://localhost:%d/%s", b"HTTP"),
    ]
    for name, start, url, word in servers:
        proc, port = start()
        target = B if current == A else A
        pkg = "a-b.pkg" if current == A else "b-a.pkg"
        h.send('AT+QFOTADL="%s"\r' % (url % (port, pkg)))
        got = h.wait_hangup(120)
        ups = re.findall(rb'"UPDATING",(\d+)\r\n', got)
        check(got.startswith(OK + b'\r\n+QIND: "FOTA","' + word +
                             b'START"\r\n\r\n+QIND: "FOTA","' + word +
                             b'END",0\r\n\r\n+QIND: "FOTA","START"\r\n') and
              got.endswith(b'\r\n+QIND: "FOTA","END",0\r\n') and
              ups and ups[-1] == b"100",
              "%s: %sEND,0, START, UPDATING to 100, END,0: %r" %
              (name, word.decode(), got[-160:]))
        stop(proc)
        h.close()
        h = booted(m)
        check(h.cmd("AT+CGMR") == b"\r\n" + target.encode() + b"\r\n" + OK,
              "%s: %s runs after the reboot" % (name, target))
        check(slot_bytes(m.state_dir, 1 if target == B else 0) ==
              image(m.tmp, target),
              "%s: the slot holds exactly fotasim-pkg image of %s" %
              (name, target))
        current = target
    h.close()
    shutil.rmtree(tmp)


run(body)
