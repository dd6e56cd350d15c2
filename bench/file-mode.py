"""bench/file-mode: AT+QFOTADL="FILE:<length>" with flow control.

1. At --speed 1, the effective upload rate against the flash model's own
   rate (64 KiB erase blocks at 0.25 s each, pages at 16,000 B/s: about
   15 kB/s, the manual's figure), computed for the same bytes in the same
   run.  Goal: within 3%.
2. At --speed 100, the manual's 4,884,688-byte package (325 s on hardware
   at 15 kB/s): wall time of the upload.  Goal: well under 5 s.

Times are the transcript's wall stamps, from the FILESTART record to the
module's "file: N bytes received" record."""
import os
import shutil
import subprocess
import tempfile

from benchlib import setup, stamp

A = "EC200TCNHAR02A14M16"
B = "EC200TCNHAR02A15M16"
MANUAL_SIZE = 4884688
HEADER = 256




def upload(ft, pkg, speed, extra, tmp):
    """Upload pkg with flow control; return (wall seconds, bytes)."""
    with open(pkg, "rb") as f:
        data = f.read()
    m = ft.Modem(*extra, speed=str(speed), tmp=tempfile.mkdtemp(dir=tmp))
    m.start()
    try:
        h = ft.booted(m)
        if h.cmd('AT+QCFG="usbifc",2,2') != b"\r\nOK\r\n":
            raise RuntimeError("usbifc")
        h.send('AT+QFOTADL="FILE:%d",1,0,0\r' % len(data))
        h.expect(rb'FILESTART"\r\n')
        os.write(h.fd, data)
        h.expect(rb'"FILEEND",0\r\n', 600)
        rec = m.transcript().splitlines()
        t0 = stamp(next(r for r in rec if 'm>h +QIND: "FOTA","FILESTART"' in r))
        t1 = stamp(next(r for r in rec if "file: %d bytes received" % len(data)
                        in r))
        h.close()
        return t1 - t0, len(data)
    finally:
        m.cleanup()


def main():
    args, ft = setup()

    pkgtool = os.path.join(args.build, "fotasim-pkg")
    tmp = tempfile.mkdtemp(prefix="fotasim-bench-file.")
    try:
        small = os.path.join(tmp, "delta.pkg")
        subprocess.run([pkgtool, "create", "--model", "EC200T", "--from", A,
                        "--to", B, "-o", small], check=True)
        wall, n = upload(ft, small, 1, [], tmp)
        blocks = (n + 65535) // 65536
        want = blocks * 0.25 + n / 16000.0
        print("file-mode: %d bytes at --speed 1 with flow control: %.2f s, "
              "%.0f B/s; the flash model's rate for them: %.2f s, %.0f B/s; "
              "ratio %.3f (goal within 3%%: %s)" %
              (n, wall, n / wall, want, n / want, wall / want,
               "met" if abs(wall / want - 1) <= 0.03 else "NOT met"))
        big = os.path.join(tmp, "manual.pkg")
        subprocess.run([pkgtool, "create", "--model", "EC200T", "--from", A,
                        "--to", B, "--size", str(MANUAL_SIZE - HEADER),
                        "--full", "-o", big], check=True)
        wall, n = upload(ft, big, 100, ["--image-size", "5M"], tmp)
        print("file-mode: the manual's %d-byte package at --speed 100: %.2f s "
              "wall (hardware at 15 kB/s: %.0f s; goal well under 5 s: %s)" %
              (n, wall, n / 15000.0, "met" if wall < 5 else "NOT met"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


main()
