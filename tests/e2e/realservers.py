"""Servers nobody here wrote, started on loopback for tests and benchmarks:
nginx (plain or TLS), vsftpd (anonymous), Python's http.server (plain or in
ssl), and a self-signed certificate from openssl.  Each start function
returns (process, port) once the port accepts."""
import os
import socket
import subprocess

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


def nginx(root, tmp, tls=None, tuning="", preexec=None, listen_opts=""):
    """nginx serving root; `tuning` goes into its http block, `listen_opts`
    after its listen address (for example "sndbuf=4m")."""
    port = free_port()
    listen = "127.0.0.1:%d" % port
    if listen_opts:
        listen += " " + listen_opts
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
events { worker_connections 1024; }
http {
    access_log off;
    %s
    client_body_temp_path %s/ngx-body;
    proxy_temp_path %s/ngx-proxy;
    fastcgi_temp_path %s/ngx-fcgi;
    uwsgi_temp_path %s/ngx-uwsgi;
    scgi_temp_path %s/ngx-scgi;
    server { listen %s; root %s; %s }
}
""" % ("user root;" if os.getuid() == 0 else "", tmp, port, tmp, tuning,
            tmp, tmp, tmp, tmp, tmp, listen, root, extra))
    proc = subprocess.Popen(["nginx", "-c", conf, "-p", tmp, "-g",
                             "daemon off;"], stderr=subprocess.DEVNULL,
                            preexec_fn=preexec)
    if not wait_port(port, proc):
        raise RuntimeError("nginx did not start (see %s/nginx.err)" % tmp)
    return proc, port


def vsftpd(root, tmp, extra="", preexec=None):
    """vsftpd serving root to anonymous; `extra` lines go into its config."""
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
%s""" % (port, root, extra))
        if os.getuid() != 0:
            f.write("run_as_launching_user=YES\n")
    os.makedirs("/var/run/vsftpd/empty", exist_ok=True)
    proc = subprocess.Popen(["vsftpd", conf], stderr=subprocess.DEVNULL,
                            preexec_fn=preexec)
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
