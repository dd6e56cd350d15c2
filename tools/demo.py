#!/usr/bin/python3
"""make demo: boot a virtual EC200T on a private pty link and run a scripted
AT dialogue through it, printing both sides as a host would see them.

Until the download path lands this is the foundation's dialogue: boot chain,
identity, network, the FOTA test command, a reboot with AT+CFUN=1,1, and an
orderly power-down."""
import argparse
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
import tty


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

    def cmd(self, line):
        show(">", line.encode() + b"\r")
        os.write(self.fd, line.encode() + b"\r")
        return self.until(b"\r\nOK\r\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fotasim", default="./fotasim")
    ap.add_argument("--speed", default="20")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="fotasim-demo.")
    link = os.path.join(tmp, "at.tty")
    log = os.path.join(tmp, "transcript.log")
    proc = subprocess.Popen([args.fotasim, "--link", link, "--state-dir",
                             os.path.join(tmp, "state"), "--speed", args.speed,
                             "--log", log])
    try:
        print("== power on (simulated time x%s); port %s" % (args.speed, link))
        p = Port(link)
        p.until(b"+QIND: PB DONE\r\n")
        print("== identity and network")
        for line in ["ATI", "AT+CGMR", "AT+CPIN?", "AT+CSQ;+CEREG?;+CGREG?;+COPS?",
                     "AT+QNWINFO", "AT+QCFG=\"usbifc\",2,2", "AT+QFOTADL=?"]:
            p.cmd(line)
        print("== reboot: the port vanishes and comes back")
        show(">", b"AT+CFUN=1,1\r")
        os.write(p.fd, b"AT+CFUN=1,1\r")
        p.hangup()
        p = Port(link)
        p.until(b"+QIND: PB DONE\r\n")
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
