"""AT+QFOTADL against servers nobody here wrote, started on loopback from
Debian packages: nginx (plain and TLS), vsftpd, Python's http.server (plain
and wrapped in ssl).  One modem upgrades back and forth between two
revisions, once per server; each upgrade ends with the reboot, the new
revision in AT+CGMR and the flash slot byte-identical to fotasim-pkg image."""
import os
import re
import shutil
import socket
import subprocess
import tempfile

from fotasim_test import (check, run, booted, image, slot_bytes, PKG)

A = "EC200TCNHAR02A14M16"
B = "EC200TCNHAR02A15M16"
OK = b"\r\nOK\r\n"
PYTHON = "/usr/bin/python3"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_port(port, proc):
    """Wait until something accepts on the port, or the process exits."""
    for _ in range(1000):
        if proc.poll() is not None:
            return False
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            try:
                proc.wait(timeout=0.01)
            except subprocess.TimeoutExpired:
                pass
    return False


def certificate(tmp):
    """A self-signed certificate for localhost, made by openssl."""
    cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048",
                    "-nodes", "-subj", "/CN=localhost", "-days", "2",
                    "-keyout", key, "-out", cert], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return cert, key


def nginx(root, tmp, tls=None):
    port = free_port()
    listen = "127.0.0.1:%d" % port
    extra = ""
    if tls:
        listen += " ssl"
        extra = "ssl_certificate %s; ssl_certificate_key %s;" % tls
    conf = os.path.join(tmp, "nginx-%d.conf" % port)
    with open(conf, "w") as f:
        f.write("""%s
worker_processes 1;
pid %s/nginx-%d.pid;
error_log %s/nginx.err;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path %s/ngx-body;
    proxy_temp_path %s/ngx-proxy;
    fastcgi_temp_path %s/ngx-fcgi;
    uwsgi_temp_path %s/ngx-uwsgi;
    scgi_temp_path %s/ngx-scgi;
    server { listen %s; root %s; %s }
}
""" % ("user root;" if os.getuid() == 0 else "", tmp, port, tmp, tmp, tmp,
            tmp, tmp, tmp, listen, root, extra))
    proc = subprocess.Popen(["nginx", "-c", conf, "-p", tmp, "-g",
                             "daemon off;"], stderr=subprocess.DEVNULL)
    if not wait_port(port, proc):
        raise RuntimeError("nginx did not start (see %s/nginx.err)" % tmp)
    return proc, port


def vsftpd(root, tmp):
    port = free_port()
    conf = os.path.join(tmp, "vsftpd.conf")
    with open(conf, "w") as f:
        f.write("""listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port=%d
background=NO
anonymous_enable=YES
no_anon_password=YES
anon_root=%s
local_enable=NO
write_enable=NO
pasv_enable=YES
xferlog_enable=NO
seccomp_sandbox=NO
secure_chroot_dir=/var/run/vsftpd/empty
""" % (port, root))
        if os.getuid() != 0:
            f.write("run_as_launching_user=YES\n")
    os.makedirs("/var/run/vsftpd/empty", exist_ok=True)
    proc = subprocess.Popen(["vsftpd", conf], stderr=subprocess.DEVNULL)
    if not wait_port(port, proc):
        raise RuntimeError("vsftpd did not start")
    return proc, port


PY_SERVER = """
import functools, http.server, ssl, sys
root, port, cert, key = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
h = functools.partial(http.server.SimpleHTTPRequestHandler, directory=root)
s = http.server.ThreadingHTTPServer(("127.0.0.1", port), h)
if cert:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    s.socket = ctx.wrap_socket(s.socket, server_side=True)
s.serve_forever()
"""


def python_server(root, tls=None):
    port = free_port()
    cert, key = tls or ("", "")
    proc = subprocess.Popen([PYTHON, "-c", PY_SERVER, root, str(port), cert,
                             key], stderr=subprocess.DEVNULL)
    if not wait_port(port, proc):
        raise RuntimeError("python http.server did not start")
    return proc, port


def stop(proc):
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


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
