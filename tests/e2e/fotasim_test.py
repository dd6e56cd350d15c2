"""Helpers for end-to-end tests: start the real fotasim binary on a private
link and drive its pty the way a host would (raw termios, byte stream).

Waits are bounded by generous safety limits so a broken build fails instead
of hanging; nothing asserts how fast anything is.
"""
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import tty

BUILDDIR = os.environ.get("FOTASIM_BUILDDIR", os.path.abspath("."))
FOTASIM = os.path.join(BUILDDIR, "fotasim")
LIMIT = 30.0        # safety bound for any single wait, in wall seconds

_failures = 0
_checks = 0


def check(cond, what):
    """Record one named check and print a result line for it."""
    global _failures, _checks
    _checks += 1
    if cond:
        print("ok %d - %s" % (_checks, what), flush=True)
    else:
        _failures += 1
        print("not ok %d - %s" % (_checks, what), flush=True)
    return cond


def done():
    """Exit with the overall result (Automake: 0 pass, 1 fail)."""
    print("# %d checks, %d failed" % (_checks, _failures), flush=True)
    sys.exit(1 if _failures else 0)


class Timeout(Exception):
    pass


class Host:
    """One open of the AT port, in raw mode, as a host application."""

    def __init__(self, path):
        self.fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
        tty.setraw(self.fd)
        self.buf = b""
        self.eof = False

    def close(self):
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        os.write(self.fd, data)

    def _fill(self, deadline):
        """Read what is available, waiting until deadline; False at EOF."""
        left = deadline - time.monotonic()
        if left <= 0:
            raise Timeout("timed out; have %r" % self.buf[-300:])
        r, _, _ = select.select([self.fd], [], [], min(left, 0.5))
        if not r:
            return True
        try:
            data = os.read(self.fd, 65536)
        except OSError:
            data = b""
        if not data:
            self.eof = True
            return False
        self.buf += data
        return True

    def expect(self, pattern, limit=LIMIT):
        """Wait for a regex (bytes) in the stream; consume through it."""
        if isinstance(pattern, str):
            pattern = pattern.encode()
        rx = re.compile(pattern)
        deadline = time.monotonic() + limit
        while True:
            m = rx.search(self.buf)
            if m:
                self.buf = self.buf[m.end():]
                return m
            if not self._fill(deadline):
                raise Timeout("EOF while waiting for %r; have %r" %
                              (pattern, self.buf[-300:]))

    def answer(self, data, final, limit=LIMIT):
        """Send bytes; return everything read from then on through the first
        match of the regex `final`, so that a check compares the whole
        answer: whatever came before the final part (an earlier result, a
        stray line) is in it too.  Bytes already buffered count."""
        if isinstance(final, str):
            final = final.encode()
        self.send(data)
        return self.expect(rb"(?s)^.*?" + final, limit).group(0)

    def take(self):
        """Return and clear everything buffered so far."""
        data, self.buf = self.buf, b""
        return data

    def cmd(self, line, limit=LIMIT):
        """Send a command line; return the response through its final code."""
        self.send(line + "\r")
        m = self.expect(rb"(?s)^(.*?(\r\nOK\r\n|\r\nERROR\r\n|"
                        rb"\r\n\+CME ERROR: [^\r]*\r\n))", limit)
        return m.group(1)

    def wait_hangup(self, limit=LIMIT):
        """Read until the port hangs up (EOF or EIO); return what came."""
        deadline = time.monotonic() + limit
        while self._fill(deadline):
            pass
        return self.take()

    def quiet_for(self, seconds):
        """Collect whatever arrives within `seconds` (for negative checks)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            r, _, _ = select.select([self.fd], [], [],
                                    max(0, deadline - time.monotonic()))
            if r:
                try:
                    data = os.read(self.fd, 65536)
                except OSError:
                    data = b""
                if not data:
                    break
                self.buf += data
        return self.take()


class Modem:
    """A fotasim process on a private link and state dir."""

    def __init__(self, *extra, speed="10", state_dir=None, log=True,
                 tmp=None, stdout=False):
        self.tmp = tmp or tempfile.mkdtemp(prefix="fotasim-e2e.")
        self.own_tmp = tmp is None
        self.link = os.path.join(self.tmp, "at.tty")
        self.state_dir = state_dir or os.path.join(self.tmp, "state")
        self.log = os.path.join(self.tmp, "transcript.log") if log else None
        self.stderr_path = os.path.join(self.tmp, "stderr")
        args = [FOTASIM, "--link", self.link, "--state-dir", self.state_dir,
                "--speed", str(speed)]
        if self.log:
            args += ["--log", self.log]
        args += list(extra)
        self.args = args
        self.proc = None
        self.capture = stdout

    def start(self):
        if os.path.lexists(self.link):
            os.unlink(self.link)
        self.opens = 0
        self.ups_base = 0
        if self.log and os.path.exists(self.log):
            self.ups_base = len(re.findall(r"state port up ", self.transcript()))
        self.stderr = open(self.stderr_path, "ab")
        self.proc = subprocess.Popen(self.args, stdin=subprocess.DEVNULL,
                                     stdout=(subprocess.PIPE if self.capture
                                             else subprocess.DEVNULL),
                                     stderr=self.stderr)
        return self

    def open_port(self, limit=LIMIT):
        """Open the link as soon as it leads to this modem's next pty.

        The n-th call waits for the n-th "port up" of this process in the
        transcript: after a reboot the link may still name the old slave,
        whose number the kernel may already have given to another program's
        pty (other tests run in parallel)."""
        self.opens += 1
        if self.log:
            self.wait_transcript(r"state port up ", self.ups_base + self.opens,
                                 limit)
        deadline = time.monotonic() + limit
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("fotasim exited with %d: %s" %
                                   (self.proc.returncode, self.errors()))
            try:
                return Host(self.link)
            except OSError:
                if time.monotonic() > deadline:
                    raise Timeout("link %s never became a pty" % self.link)
                time.sleep(0.002)   # polling for the link; not a delay

    def boot(self, limit=LIMIT):
        """Open the port at power-on and wait for the whole boot chain."""
        h = self.open_port(limit)
        h.expect(rb"\r\nRDY\r\n", limit)
        h.expect(rb"\+QIND: PB DONE\r\n", limit)
        return h

    def signal(self, sig):
        self.proc.send_signal(sig)

    def wait(self, limit=LIMIT):
        return self.proc.wait(timeout=limit)

    def errors(self):
        try:
            with open(self.stderr_path, "rb") as f:
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    def transcript(self):
        try:
            with open(self.log, "rb") as f:
                return f.read().decode(errors="replace")
        except FileNotFoundError:
            return ""

    def wait_transcript(self, pattern, count=1, limit=LIMIT):
        """Wait until the transcript has `count` lines matching a regex."""
        rx = re.compile(pattern, re.M)
        deadline = time.monotonic() + limit
        while True:
            if len(rx.findall(self.transcript())) >= count:
                return
            if time.monotonic() > deadline:
                raise Timeout("transcript never showed %r x%d" %
                              (pattern, count))
            time.sleep(0.005)   # polling a file for an event; not a delay

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
        if getattr(self, "stderr", None):
            self.stderr.close()
            self.stderr = None

    def cleanup(self, keep=False):
        self.stop()
        if self.own_tmp and not keep:
            shutil.rmtree(self.tmp, ignore_errors=True)
        elif keep:
            print("# kept %s" % self.tmp)


def run(main):
    """Run a test body with a modem factory; keep files only on failure."""
    modems = []

    def factory(*a, **kw):
        m = Modem(*a, **kw)
        modems.append(m)
        return m
    try:
        main(factory)
    except Exception as e:   # a crash is a failed check, with context
        check(False, "unexpected %s: %s" % (type(e).__name__, e))
        for m in modems:
            err = m.errors()
            if err:
                print("# fotasim stderr: %s" % err.strip())
    failed = _failures > 0
    for m in modems:
        m.cleanup(keep=failed)
    done()


def serve(m, root, faults=None):
    """Start `m` with the embedded fake servers on `root` (and a faults
    text); return their addresses: {"ftp": "127.0.0.1:N", ..., "ca": path}."""
    m.args += ["--serve", root]
    if faults:
        path = os.path.join(m.tmp, "faults")
        with open(path, "w") as f:
            f.write(faults)
        m.args += ["--serve-faults", path]
    m.capture = True
    m.start()
    return addresses(m.proc, m.errors)


def addresses(proc, errors=lambda: "", last="ca"):
    """Read the "service addr:port" lines a server prints, through `last`."""
    addr = {}
    while last not in addr:
        line = proc.stdout.readline().decode()
        if not line:
            raise RuntimeError("no addresses printed: %s" % errors())
        key, _, value = line.strip().partition(" ")
        addr[key] = value.strip()
    return addr


def booted(m, limit=LIMIT):
    """Open the port of a modem at a numeric speed, wait for the boot
    chain's last URC (4 simulated seconds after the port appears); echo off."""
    h = m.open_port(limit)
    h.expect(rb"\+QIND: PB DONE\r\n", limit)
    h.send("ATE0\r")
    h.expect(rb"^ATE0\r\r\nOK\r\n", limit)
    return h


def power_cut(m, h):
    """SIGKILL fotasim (a power cut), then power it on again on the same
    state dir; return a host on the new boot (echo off)."""
    m.signal(signal.SIGKILL)
    m.wait()
    h.close()
    m.start()
    return booted(m)


def ready(m, limit=LIMIT, registrations=None):
    """Open the port of a modem at --speed max once it has registered (by
    default once per boot so far; `registrations` for boots that did not
    get that far) and its boot chain is over (the last URC,
    PB DONE, is due after the registration: a busy loop may not have skipped
    to it yet); echo off."""
    h = m.open_port(limit)
    boots = registrations or m.ups_base + m.opens
    m.wait_transcript(r"state network registration 2 -> 1", boots, limit)
    m.wait_transcript(r"state power boot chain done", boots, limit)
    h.send("ATE0\r")
    h.expect(rb"\r\nOK\r\n", limit)
    return h


PKG = os.path.join(BUILDDIR, "fotasim-pkg")


def still_usable(h, m, rev, name):
    """After a failed download: the modem answers on revision `rev` and its
    FOTA area is back to idle (nothing staged, or the package discarded)."""
    back = h.cmd("AT+CGMR")
    check(back == b"\r\n" + rev.encode() + b"\r\n\r\nOK\r\n",
          "%s: still on the old firmware" % name)
    tr = m.transcript()
    check("state fota downloading -> idle" in tr and
          ("staging a package" not in tr or
           "incomplete package in the FOTA area discarded" in tr),
          "%s: nothing kept in the FOTA area" % name)
    return tr


def slot_bytes(state_dir, slot, block=65536, size=1048576):
    """Slot A (0) or B (1) of flash.img, stored inverted; layout in
    docs/flash-layout.md: 6 blocks, then two slots of `size` bytes."""
    with open(os.path.join(state_dir, "flash.img"), "rb") as f:
        f.seek(6 * block + slot * size)
        return bytes(b ^ 0xff for b in f.read(size))


def image(tmp, rev, size=1048576, model="EC200T"):
    """The bytes of fotasim-pkg image for a revision."""
    path = os.path.join(tmp, "%s-%s-%d.img" % (model, rev, size))
    subprocess.run([PKG, "image", "--model", model, "--revision", rev,
                    "--size", str(size), "-o", path], check=True)
    with open(path, "rb") as f:
        return f.read()


# The URCs of an upgrade, shared by the FOTA tests.
OK = b"\r\nOK\r\n"
UPDATING = rb'\r\n\+QIND: "FOTA","UPDATING",(\d+)\r\n'


def qind(*words):
    """One +QIND: "FOTA" URC as the modem frames it."""
    return (b'\r\n+QIND: "FOTA",' + b",".join(
        w if isinstance(w, bytes) else str(w).encode() for w in words) +
        b"\r\n")


def package(root, name, frm, to):
    subprocess.run([PKG, "create", "--model", "EC200T", "--from", frm,
                    "--to", to, "-o", os.path.join(root, name)], check=True)


def upgrade(h, cmd, word, limit=60):
    """Run an upgrade command through END and the hang-up; return the bytes
    from the command's OK to the hang-up and the UPDATING values."""
    h.send(cmd + "\r")
    got = h.wait_hangup(limit)
    return got, [int(v) for v in re.findall(UPDATING, got)]


def whole_sequence(got, word, updating):
    """The exact bytes of a successful default-mode upgrade."""
    want = (OK + qind(b'"%sSTART"' % word) + qind(b'"%sEND"' % word, 0) +
            qind(b'"START"') +
            b"".join(qind(b'"UPDATING"', v) for v in updating) +
            qind(b'"END"', 0))
    return got == want
