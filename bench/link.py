"""bench/link: the link the module's connections go through (sim/net/link.c).

1. Throughput against the configured rate: a 256 KiB file over HTTP from
   the embedded server through --link-shape down=1M (no delay), at --speed 1
   and --speed 10, three downloads each.  The rate is measured twice: in
   simulated time (the transcript's sim stamps) and in wall time times the
   speed (the wall stamps), so a relay that cannot keep up shows.  Goal:
   within +/-3% of 1 Mbit/s.
2. Latency added against configured: --link-shape rtt=0.2, unlimited
   bandwidth: the connect (relay "connect" to "established") and the
   request to the status line, each should take one round trip (0.2 s),
   at --speed 1 and 10.
3. The relay with no shaping against a direct connection (FOTASIM_NO_RELAY,
   the engine's sockets straight to the server), in the same run, pairwise
   and repeated: an 8 MB download at --speed max with untimed flash.  Goal:
   the relay's throughput >= 0.8x the direct one's (median of the pairs).

Prints the figures and ratios; exits 1 only if a download fails."""
import os
import re
import shutil
import statistics
import subprocess
import tempfile

from benchlib import setup, stamp

A = "EC200TCNHAR02A14M16"
RATE = 1e6
RTT = 0.2


def recs(m, start=0):
    return m.transcript().splitlines()[start:]


def sim(line):
    return float(line.split(" ")[0])


def first(lines, pattern):
    rx = re.compile(pattern)
    for l in lines:
        if rx.search(l):
            return l
    raise RuntimeError("no record %r" % pattern)


def download(ft, m, h, url):
    """One AT+QFOTADL (mode 1, no URCs); the transcript records it made."""
    start = len(recs(m))
    h.send('AT+QFOTADL="%s",1,0,0\r' % url)
    got = h.expect(rb'\+QIND: "FOTA","HTTPEND",(\d+)\r\n', 600)
    if got.group(1) != b"0":
        raise RuntimeError("download of %s failed: %r" % (url, got.group(0)))
    h.expect(rb'\+QIND: "FOTA","END",\d+\r\n', 600)
    return recs(m, start)


def modem_at(ft, tmp, root, speed, *extra):
    m = ft.Modem("--flash-timing", "zero", *extra, speed=speed,
                 tmp=tempfile.mkdtemp(dir=tmp))
    addr = ft.serve(m, root)
    h = ft.ready(m) if speed == "max" else ft.booted(m)
    return m, h, addr


def throughput(ft, tmp, root):
    print("throughput, 256 KiB through down=1M (goal within 3%):")
    for speed in ("1", "10"):
        m, h, addr = modem_at(ft, tmp, root, speed, "--link-shape", "down=1M")
        for i in range(3):
            tr = download(ft, m, h, "http://%s/blob.bin" % addr["http"])
            a = first(tr, r"state download start ")
            b = first(tr, r"state download end ")
            nbytes = int(re.search(r"bytes=(\d+)", b).group(1))
            r_sim = nbytes * 8 / (sim(b) - sim(a))
            r_wall = nbytes * 8 / ((stamp(b) - stamp(a)) * float(speed))
            print("  --speed %-3s run %d: %7.1f kbit/s simulated (%.3fx), "
                  "%7.1f kbit/s by wall x speed (%.3fx)" %
                  (speed, i + 1, r_sim / 1e3, r_sim / RATE, r_wall / 1e3,
                   r_wall / RATE))
        h.close()
        m.cleanup()


def latency(ft, tmp, root):
    print("latency added, rtt=0.2 (goal 0.200 s each):")
    for speed in ("1", "10"):
        m, h, addr = modem_at(ft, tmp, root, speed, "--link-shape",
                              "rtt=%g" % RTT)
        for i in range(3):
            tr = download(ft, m, h, "http://%s/small.bin" % addr["http"])
            c0 = first(tr, r"state link conn 1 connect ")
            c1 = first(tr, r"state link conn 1 established")
            q0 = first(tr, r"state download http > GET ")
            q1 = first(tr, r"state download http < HTTP/")
            print("  --speed %-3s run %d: connect %.3f s simulated (%.3f by "
                  "wall x speed), request to status %.3f s (%.3f)" %
                  (speed, i + 1, sim(c1) - sim(c0),
                   (stamp(c1) - stamp(c0)) * float(speed),
                   sim(q1) - sim(q0),
                   (stamp(q1) - stamp(q0)) * float(speed)))
        h.close()
        m.cleanup()


def relay_vs_direct(ft, tmp, root, rounds=5):
    print("relay, unshaped, against a direct connection (8 MB, --speed max; "
          "goal >= 0.8x):")
    env = dict(os.environ)
    pair = []
    try:
        mr, hr, ar = modem_at(ft, tmp, root, "max", "--image-size", "8M",
                              "--link-shape", "rtt=0")
        os.environ["FOTASIM_NO_RELAY"] = "1"
        md, hd, ad = modem_at(ft, tmp, root, "max", "--image-size", "8M")
    finally:
        os.environ.clear()
        os.environ.update(env)
    ratios = []
    for i in range(rounds):
        times = {}
        order = [("relay", mr, hr, ar), ("direct", md, hd, ad)]
        if i % 2:
            order.reverse()
        for name, m, h, addr in order:
            tr = download(ft, m, h, "http://%s/big.bin" % addr["http"])
            a = first(tr, r"state download start ")
            b = first(tr, r"state download end ")
            nbytes = int(re.search(r"bytes=(\d+)", b).group(1))
            times[name] = (stamp(b) - stamp(a), nbytes)
        r = times["direct"][0] / times["relay"][0]
        ratios.append(r)
        print("  pair %d: relay %.1f MB/s, direct %.1f MB/s: %.2fx" %
              (i + 1, times["relay"][1] / times["relay"][0] / 1e6,
               times["direct"][1] / times["direct"][0] / 1e6, r))
        pair.append(r)
    print("  median: relay at %.2fx the direct throughput (goal >= 0.8x)" %
          statistics.median(ratios))
    for m, h in ((mr, hr), (md, hd)):
        h.close()
        m.cleanup()


def main():
    args, ft = setup()
    tmp = tempfile.mkdtemp(prefix="fotasim-bench-link.")
    root = os.path.join(tmp, "www")
    os.makedirs(root)
    with open(os.path.join(root, "blob.bin"), "wb") as f:
        f.write(os.urandom(256 * 1024))
    with open(os.path.join(root, "small.bin"), "wb") as f:
        f.write(os.urandom(1000))
    with open(os.path.join(root, "big.bin"), "wb") as f:
        f.write(os.urandom(8 * 1024 * 1024 - 65536))
    try:
        throughput(ft, tmp, root)
        latency(ft, tmp, root)
        relay_vs_direct(ft, tmp, root)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


main()
