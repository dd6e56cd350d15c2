"""fsharness: start fotasim-server for an end-to-end test and drive clients.

Each test makes a private root directory, starts the server on ephemeral
ports, reads the "SERVICE ADDR:PORT" lines it prints, and keeps the server's
log, which is shown only when the test fails.
"""
import os
import socket
import signal
import ssl
import subprocess
import sys
import tempfile

BUILDDIR = os.environ.get("FOTASIM_BUILDDIR", os.getcwd())
SERVER = os.path.join(BUILDDIR, "fotasim-server")
TIMEOUT = 60


class Failure(Exception):
    pass


class Server:
    """A running fotasim-server with its root directory and log."""

    def __init__(self, root=None, faults=None, args=(), services=("--ftp", "0")):
        self.tmp = tempfile.TemporaryDirectory(prefix="fakeserver-test-")
        self.dir = self.tmp.name
        self.root = root or os.path.join(self.dir, "root")
        os.makedirs(self.root, exist_ok=True)
        self.faults = faults
        self.args = list(args)
        self.services = list(services)
        self.proc = None
        self.ports = {}
        self.ca = None
        self.logpath = os.path.join(self.dir, "server.log")

    def file(self, name, data):
        """Create a file under the root and return its bytes."""
        path = os.path.join(self.root, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        return data

    def start(self):
        cmd = [SERVER, "--root", self.root] + self.services + self.args
        if self.faults is not None:
            fpath = os.path.join(self.dir, "faults")
            with open(fpath, "w") as f:
                f.write(self.faults)
            cmd += ["--faults", fpath]
        self.log = open(self.logpath, "wb")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                                     stderr=self.log, text=True)
        for line in self.proc.stdout:
            words = line.split()
            if words == ["ready"]:
                return self
            if len(words) == 2 and words[0] == "ca":
                self.ca = words[1]
            elif len(words) == 2:
                self.ports[words[0]] = int(words[1].rsplit(":", 1)[1])
        self.proc.wait(TIMEOUT)
        raise Failure("server did not start: " + self.logtext())

    def url(self, service, path):
        host = "localhost" if service == "https" else "127.0.0.1"
        return "%s://%s:%d/%s" % (service, host, self.ports[service],
                                  path.lstrip("/"))

    def alive(self):
        return self.proc.poll() is None

    def logtext(self):
        self.log.flush()
        with open(self.logpath, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self):
        """Stop with SIGTERM; the server must exit 0 by itself."""
        if self.proc is None:
            return 0
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.proc.stdout.close()
        self.log.close()
        self.proc = None
        return rc

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        rc = self.stop()
        self.tmp.cleanup()
        if exc[0] is None and rc != 0:
            raise Failure("server exited with %d" % rc)
        return False


def run(cmd, **kw):
    """Run a client with a bound; returns CompletedProcess (bytes)."""
    kw.setdefault("stdout", subprocess.PIPE)
    kw.setdefault("stderr", subprocess.PIPE)
    return subprocess.run(cmd, timeout=TIMEOUT, **kw)


def recv_all(sock):
    """Read until the peer closes; the bytes and the error that ended the
    stream instead of a clean close (a reset, a TLS error, the socket's
    timeout), or None.  The socket is closed."""
    got, err = b"", None
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            got += chunk
    except OSError as e:    # ssl.SSLError and socket.timeout are OSErrors
        err = e
    sock.close()
    return got, err


def read_all(sock):
    """Everything the peer sends until it closes (a reset or a TLS error
    ends it too).  None if the peer neither sends nor closes within the
    socket's timeout: a server left hanging."""
    got, err = recv_all(sock)
    return None if isinstance(err, socket.timeout) else got


def tls_get(s, request):
    """Send a raw request over TLS to s's HTTPS port, trusting its CA and
    reporting a missing close_notify; read to the end.  Returns the bytes and
    how the stream ended: "clean", "ragged" (no close_notify) or the error."""
    ctx = ssl.create_default_context(cafile=s.ca)
    ctx.options &= ~getattr(ssl, "OP_IGNORE_UNEXPECTED_EOF", 0)
    sock = ctx.wrap_socket(
        socket.create_connection(("127.0.0.1", s.ports["https"]), timeout=30),
        server_hostname="localhost", suppress_ragged_eofs=False)
    sock.sendall(request)
    got, err = recv_all(sock)
    if err is None:
        return got, "clean"
    return got, "ragged" if "UNEXPECTED_EOF" in str(err) else str(err)


def curl(*args):
    """curl with no retries and a bound; returns (exit code, body bytes)."""
    p = run(["curl", "-sS", "--max-time", "30"] + list(args))
    return p.returncode, p.stdout


class Checker:
    """Collects named checks and prints a summary; exit 1 on any failure."""

    def __init__(self):
        self.failed = []
        self.count = 0
        self.logs = []

    def check(self, name, ok, detail=""):
        self.count += 1
        print("%s: %s%s" % ("ok" if ok else "FAIL", name,
                            "" if ok else " -- " + str(detail)))
        if not ok:
            self.failed.append(name)
        return ok

    def eq(self, name, got, want):
        return self.check(name, got == want, "got %r, want %r" % (got, want))

    def show_log(self, server):
        if self.failed:
            self.logs.append(server.logtext())

    def done(self):
        for text in self.logs:
            sys.stdout.write("---- server log ----\n" + text[-20000:])
        print("%d checks, %d failed" % (self.count, len(self.failed)))
        sys.exit(1 if self.failed else 0)
