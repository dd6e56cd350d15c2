"""bench/servers: fotasim-server against nginx (HTTP) and vsftpd (FTP).

32 concurrent curl clients each download the same 8 MB file over loopback.
Each server runs on an ephemeral or high port with a private temporary
configuration; rounds alternate between the two servers and the best round
of each counts.  Prints throughputs and ratios; exits 1 only if a download
fails or a server cannot start (not when a target is missed)."""
import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

SIZE = 8 * 1024 * 1024
CLIENTS = 32
ROUNDS = 3
TIMEOUT = 120


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_port(port, proc):
    """Wait until something accepts on the port (bounded by attempts)."""
    for _ in range(500):
        if proc.poll() is not None:
            return False
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            try:                            # wait for an exit, at most 20 ms
                proc.wait(timeout=0.02)
            except subprocess.TimeoutExpired:
                pass
    return False


def one_round(url):
    """32 concurrent downloads; returns MB/s, or raises on any failure."""
    t0 = time.monotonic()
    procs = [subprocess.Popen(["curl", "-s", "--max-time", str(TIMEOUT), "-o",
                               "/dev/null", "-w", "%{size_download}", url],
                              stdout=subprocess.PIPE) for _ in range(CLIENTS)]
    for p in procs:
        out, _ = p.communicate(timeout=TIMEOUT + 10)
        if p.returncode != 0 or int(out or b"0") != SIZE:
            raise RuntimeError("download of %s failed: curl %d, %s bytes"
                               % (url, p.returncode, out.decode()))
    dt = time.monotonic() - t0
    return CLIENTS * SIZE / dt / 1e6


def start_ours(server, root, tmp):
    proc = subprocess.Popen([server, "--root", root, "--ftp", "0", "--http",
                             "0", "-q"], stdout=subprocess.PIPE, text=True)
    ports = {}
    for line in proc.stdout:
        w = line.split()
        if w == ["ready"]:
            return proc, ports
        if len(w) == 2 and ":" in w[1]:
            ports[w[0]] = int(w[1].rsplit(":", 1)[1])
    raise RuntimeError("fotasim-server did not start")


def start_nginx(root, tmp):
    port = free_port()
    conf = os.path.join(tmp, "nginx.conf")
    with open(conf, "w") as f:
        f.write("""%s
worker_processes 1;
pid %s/nginx.pid;
error_log %s/nginx.err;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    client_body_temp_path %s/ngx-body;
    proxy_temp_path %s/ngx-proxy;
    fastcgi_temp_path %s/ngx-fcgi;
    uwsgi_temp_path %s/ngx-uwsgi;
    scgi_temp_path %s/ngx-scgi;
    server { listen 127.0.0.1:%d; root %s; }
}
""" % ("user root;" if os.getuid() == 0 else "", tmp, tmp, tmp, tmp, tmp, tmp,
            tmp, port, root))
    proc = subprocess.Popen(["nginx", "-c", conf, "-p", tmp, "-g", "daemon off;"],
                            stderr=subprocess.DEVNULL)
    if not wait_port(port, proc):
        raise RuntimeError("nginx did not start (see %s/nginx.err)" % tmp)
    return proc, port


def start_vsftpd(root, tmp):
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
max_clients=0
max_per_ip=0
seccomp_sandbox=NO
secure_chroot_dir=/var/run/vsftpd/empty
""" % (port, root))
        if os.getuid() != 0:
            f.write("run_as_launching_user=YES\n")
    proc = subprocess.Popen(["vsftpd", conf], stderr=subprocess.DEVNULL)
    if not wait_port(port, proc):
        raise RuntimeError("vsftpd did not start")
    return proc, port


def stop(proc):
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.getcwd())
    args = ap.parse_args()
    server = os.path.join(args.build, "fotasim-server")
    for prog in ("nginx", "vsftpd", "curl"):
        if shutil.which(prog) is None and not os.path.exists("/usr/sbin/" + prog):
            print("bench/servers: %s not installed (run ./bootstrap)" % prog)
            return 1
    os.environ["PATH"] += ":/usr/sbin"
    tmp = tempfile.mkdtemp(prefix="fotasim-bench-")
    os.chmod(tmp, 0o755)
    root = os.path.join(tmp, "root")
    os.makedirs(root)
    os.chmod(root, 0o755)
    with open(os.path.join(root, "fw.bin"), "wb") as f:
        f.write(os.urandom(SIZE))
    os.chmod(os.path.join(root, "fw.bin"), 0o644)
    procs = []
    try:
        ours, ports = start_ours(server, root, tmp)
        procs.append(ours)
        ngx, nport = start_nginx(root, tmp)
        procs.append(ngx)
        vsf, vport = start_vsftpd(root, tmp)
        procs.append(vsf)
        pairs = [("http", "fotasim-server", "http://127.0.0.1:%d/fw.bin" % ports["http"],
                  "nginx", "http://127.0.0.1:%d/fw.bin" % nport, 0.7),
                 ("ftp", "fotasim-server", "ftp://127.0.0.1:%d/fw.bin" % ports["ftp"],
                  "vsftpd", "ftp://127.0.0.1:%d/fw.bin" % vport, 0.8)]
        print("%d clients x %d MB, best of %d rounds" % (CLIENTS, SIZE >> 20, ROUNDS))
        for proto, a, ua, b, ub, target in pairs:
            best_a = best_b = 0.0
            for _ in range(ROUNDS):
                best_a = max(best_a, one_round(ua))
                best_b = max(best_b, one_round(ub))
            ratio = best_a / best_b
            print("%-4s %s %.0f MB/s, %s %.0f MB/s, ratio %.2f (target >= %.1f%s)"
                  % (proto, a, best_a, b, best_b, ratio, target,
                     "" if ratio >= target else ", MISSED"))
        return 0
    except (RuntimeError, subprocess.TimeoutExpired) as e:
        print("bench/servers: %s" % e)
        return 1
    finally:
        for p in procs:
            stop(p)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
