#!/usr/bin/python3
"""make demo: boot a virtual EC200T on a private pty link with the embedded
fake servers and upgrade it over the air, printing both sides as a host
would see them: boot chain, identity and network, an upgrade over HTTP with
a live progress line, the reboot into the new revision, a rollback over
FTP, an upgrade over the serial line by fotasim-host (the reference host
client), and an orderly power-down."""
import argparse
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time
import tty

A = "EC200TCNHAR02A14M16"
B = "EC200TCNHAR02A15M16"


def show(direction, data):
    text = data.decode(errors="replace").replace("\r", "\\r").replace("\n", "\\n\n")
    for line in text.splitlines():
        print("  %s %s" % (direction, line))


class Port:
    def __init__(self, link, limit=30):
        deadline = time.monotonic() + limit
        while True:
            try:
                self.fd = os.open(link, os.O_RDWR | os.O_NOCTTY)
                break
            except OSError:
                if time.monotonic() > deadline:
                    sys.exit("demo: %s never appeared" % link)
                time.sleep(0.002)
        tty.setraw(self.fd)
        self.buf = b""

    def _read(self):
        """Read what arrives within 0.2 s; None once the port hangs up."""
        r, _, _ = select.select([self.fd], [], [], 0.2)
        if not r:
            return b""
        try:
            chunk = os.read(self.fd, 4096)
        except OSError:
            chunk = b""
        return chunk or None

    def until(self, token, limit=30):
        deadline = time.monotonic() + limit
        while token not in self.buf:
            if time.monotonic() > deadline:
                sys.exit("demo: no %r from the modem" % token)
            chunk = self._read()
            if chunk is None:
                sys.exit("demo: port hung up")
            self.buf += chunk
        i = self.buf.index(token) + len(token)
        out, self.buf = self.buf[:i], self.buf[i:]
        show("<", out)
        return out

    def hangup(self, limit=30):
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            chunk = self._read()
            if chunk is None:
                break
            self.buf += chunk
        show("<", self.buf)
        os.close(self.fd)

    def progress(self, end, limit=120):
        """Follow the FOTA URCs through `end`, drawing one live progress
        line for the download and one for the update."""
        deadline = time.monotonic() + limit
        shown = None
        while True:
            while b"\r\n" in self.buf.lstrip(b"\r\n"):
                self.buf = self.buf.lstrip(b"\r\n")
                line, self.buf = self.buf.split(b"\r\n", 1)
                text = line.decode(errors="replace")
                m = re.match(r'\+QIND: "FOTA","(DOWNLOADING|UPDATING)",(\d+)',
                             text)
                if m:
                    what, n = m.group(1), int(m.group(2))
                    pct = n * 5 if what == "DOWNLOADING" else n
                    bar = "#" * (pct // 5) + "." * (20 - pct // 5)
                    if sys.stdout.isatty():     # one live line
                        sys.stdout.write("\r  < %-11s [%s] %3d%%" % (
                            what.lower(), bar, pct))
                        sys.stdout.flush()
                        shown = what
                    elif pct % 25 < (5 if what == "DOWNLOADING" else 7):
                        print("  < %-11s [%s] %3d%%  (%s)" % (
                            what.lower(), bar, pct, text))
                    continue
                if shown:
                    sys.stdout.write("\n")
                    shown = None
                print("  < %s" % text)
                if text.startswith(end):
                    return text
            if time.monotonic() > deadline:
                sys.exit("demo: no %r from the modem" % end)
            chunk = self._read()
            if chunk is None:
                if shown:
                    sys.stdout.write("\n")
                return None
            self.buf += chunk

    def cmd(self, line):
        show(">", line.encode() + b"\r")
        os.write(self.fd, line.encode() + b"\r")
        return self.until(b"\r\nOK\r\n")


def upgrade(p, url, want):
    """AT+QFOTADL with 20 DOWNLOADING URCs; follow it to the reboot."""
    line = 'AT+QFOTADL="%s",1,20' % url
    show(">", line.encode() + b"\r")
    os.write(p.fd, line.encode() + b"\r")
    p.until(b"\r\nOK\r\n")
    end = p.progress('+QIND: "FOTA","END"')
    if end != '+QIND: "FOTA","END",0':
        sys.exit("demo: the upgrade failed: %s" % end)
    p.hangup()
    print("== the port is gone: the module reboots into %s" % want)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fotasim", default="./fotasim")
    ap.add_argument("--speed", default="50")
    args = ap.parse_args()
    build = os.path.dirname(os.path.abspath(args.fotasim))
    tmp = tempfile.mkdtemp(prefix="fotasim-demo.")
    link = os.path.join(tmp, "at.tty")
    log = os.path.join(tmp, "transcript.log")
    www = os.path.join(tmp, "www")
    os.makedirs(www)
    for name, frm, to in [("a-b.pkg", A, B), ("b-a.pkg", B, A)]:
        subprocess.run([os.path.join(build, "fotasim-pkg"), "create",
                        "--model", "EC200T", "--from", frm, "--to", to, "-o",
                        os.path.join(www, name)], check=True,
                       stdout=subprocess.DEVNULL)
    proc = subprocess.Popen([args.fotasim, "--link", link, "--state-dir",
                             os.path.join(tmp, "state"), "--speed", args.speed,
                             "--log", log, "--serve", www],
                            stdout=subprocess.PIPE, text=True)
    try:
        addr = {}
        while "ca" not in addr:
            key, _, value = proc.stdout.readline().strip().partition(" ")
            if not key:
                sys.exit("demo: fotasim did not start")
            addr[key] = value
        print("== power on (simulated time x%s); port %s" % (args.speed, link))
        print("== fake servers: ftp %s, http %s, https %s" %
              (addr["ftp"], addr["http"], addr["https"]))
        p = Port(link)
        p.until(b"+QIND: PB DONE\r\n")
        print("== identity and network")
        for line in ["ATI", "AT+CPIN?", "AT+CSQ;+CEREG?;+CGREG?;+COPS?",
                     "AT+QNWINFO", "AT+QFOTADL=?"]:
            p.cmd(line)
        print("== upgrade over HTTP: %s -> %s" % (A, B))
        upgrade(p, "http://%s/a-b.pkg" % addr["http"], B)
        p = Port(link)
        p.until(b"+QIND: PB DONE\r\n")
        p.cmd("ATI")
        print("== rollback over FTP: %s -> %s" % (B, A))
        upgrade(p, "ftp://test:test@%s/b-a.pkg" % addr["ftp"], A)
        p = Port(link)
        p.until(b"+QIND: PB DONE\r\n")
        p.cmd("ATI")
        os.close(p.fd)
        print("== over the serial line with fotasim-host (FILE mode, flow "
              "control): %s -> %s" % (A, B))
        host = subprocess.run([os.path.join(build, "fotasim-host"), "--port",
                               link, "upgrade", "--file",
                               os.path.join(www, "a-b.pkg")])
        if host.returncode != 0:
            sys.exit("demo: fotasim-host failed (%d)" % host.returncode)
        p = Port(link)
        p.cmd("ATI")
        print("== orderly power-down")
        show(">", b"AT+QPOWD\r")
        os.write(p.fd, b"AT+QPOWD\r")
        p.hangup()
        rc = proc.wait(timeout=30)
        print("== fotasim exited with %d; transcript had %d records" %
              (rc, sum(1 for _ in open(log))))
        return 0 if rc == 0 else 1
    finally:
        if proc.poll() is None:
            proc.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
