"""The link between the module and the servers (sim/net/link.c): every TCP
connection passes through the relay, which shapes it and is a fault proxy.

- Shaping happens and the bytes arrive intact: an upgrade over HTTP and
  over FTP (control and data connections) through a shaped link, at
  --speed max with the embedded servers; the transcript names the profile,
  the download takes at least its size at the configured rate in simulated
  time, and the new slot is byte-identical to fotasim-pkg image.
- The fault proxy in front of servers nobody here wrote (nginx, vsftpd) at
  a numeric speed: a stall gives the module's timeout code, a reset its
  code, a flipped byte END,506; each asserts the whole answer and that the
  modem stays usable on the old firmware.
- A slow but successful upgrade over a 40 kbit/s GPRS-like link.
- A sliced stream still upgrades; a fault's probability follows its seed."""
import os
import re
import shutil
import subprocess
import tempfile

from fotasim_test import (check, run, serve, ready, booted, still_usable,
                          image, slot_bytes, PKG)
from realservers import nginx, stop, vsftpd

A = "EC200TCNHAR02A14M16"
B = "EC200TCNHAR02A15M16"
OK = b"\r\nOK\r\n"
SHAPE = "down=400k,up=64k,rtt=0.3,jitter=0.05"


def sim_times(tr, pattern):
    return [float(l.split(" ")[0]) for l in tr.splitlines()
            if re.search(pattern, l)]


def upgraded(h, m, word, name):
    """After AT+QFOTADL (upgrade_mode 1): the whole answer to the final
    END,0; then the reboot, B running, the slot equal to the image."""
    got = h.wait_hangup(120)
    check(got.startswith(OK + b'\r\n+QIND: "FOTA","' + word + b'START"\r\n'
                         b'\r\n+QIND: "FOTA","' + word + b'END",0\r\n'
                         b'\r\n+QIND: "FOTA","START"\r\n') and
          got.endswith(b'\r\n+QIND: "FOTA","END",0\r\n'),
          "%s: %sEND,0, START, UPDATING, END,0: %r" %
          (name, word.decode(), got[-160:]))


def after_reboot(m, h, name):
    check(h.cmd("AT+CGMR") == b"\r\n" + B.encode() + b"\r\n" + OK,
          "%s: %s runs after the reboot" % (name, B))
    check(slot_bytes(m.state_dir, 1) == image(m.tmp, B),
          "%s: the slot holds exactly fotasim-pkg image of %s" % (name, B))


def shaped(modem, root):
    shape = ["--link-shape", SHAPE]
    ours = "down=400000 up=64000 rtt=0.3 jitter=0.05"
    for name, url, word, extra, profile, rate in [
            ("shaped-http", "http://{http}/a.pkg", b"HTTP", shape, ours, 400e3),
            ("shaped-ftp", "ftp://test:test@{ftp}/a.pkg", b"FTP", shape, ours,
             400e3),
            ("shaped-sliced", "http://{http}/a.pkg", b"HTTP",
             shape + ["--link-fault", "down slice size=700 gap=0.001"], ours,
             400e3),
            # the radio technology's own profile (docs/network.md)
            ("shaped-gsm", "http://{http}/a.pkg", b"HTTP", ["--rat", "gsm"],
             "down=53600 up=13400 rtt=0.7 jitter=0.15", 53.6e3)]:
        m = modem(speed="max")
        m.args += ["--flash-timing", "zero"] + extra
        addr = serve(m, root)
        h = ready(m)
        h.send('AT+QFOTADL="%s"\r' % url.format(**addr))
        upgraded(h, m, word, name)
        tr = m.transcript()
        check("state link profile " + profile in tr,
              "%s: the transcript names the profile" % name)
        start = sim_times(tr, r"state download start ")[0]
        end = sim_times(tr, r"state download end ")[0]
        size = os.path.getsize(os.path.join(root, "a.pkg"))
        check(end - start >= size * 8 / rate,
              "%s: %d bytes took %.3f simulated s, at least their time at "
              "%g kbit/s" % (name, size, end - start, rate / 1e3))
        check(re.search(r"state link conn 1 closed \(up \d+ bytes, down "
                        r"\d+ bytes\)", tr) is not None,
              "%s: the connection went through the relay" % name)
        if word == b"FTP":
            check("state link conn 2 connect " in tr,
                  "%s: the data connection too" % name)
        h.close()
        h = ready(m)
        after_reboot(m, h, name)
        h.close()
        m.cleanup()


def splitmix(seed, n):
    """The relay's generator (link_random), n draws from seed."""
    mask, out = (1 << 64) - 1, []
    for _ in range(n):
        seed = (seed + 0x9e3779b97f4a7c15) & mask
        z = seed
        z = ((z ^ (z >> 30)) * 0xbf58476d1ce4e5b9) & mask
        z = ((z ^ (z >> 27)) * 0x94d049bb133111eb) & mask
        out.append(((z ^ (z >> 31)) >> 11) / 9007199254740992.0)
    return out


def probability(modem, root):
    """any refuse p=0.5 seed=7: each download's one connection is refused
    when the fault's own generator says so, the same in every run."""
    m = modem(speed="max")
    m.args += ["--flash-timing", "zero", "--link-fault",
               "any refuse p=0.5 seed=7"]
    addr = serve(m, root)
    h = ready(m)
    want = [716 if x < 0.5 else 0 for x in splitmix(7, 4)]
    got = []
    for i in range(4):
        h.send('AT+QFOTADL="http://%s/junk.bin",1,0,0\r' % addr["http"])
        code = int(h.expect(rb'"HTTPEND",(\d+)\r\n', 60).group(1))
        if code == 0:       # not a package: the updater refuses it
            h.expect(rb'\+QIND: "FOTA","END",504\r\n', 60)
        got.append(code)
    check(got == want and 0 in got and 716 in got,
          "refuse p=0.5 seed=7: codes %r, the generator's %r" % (got, want))
    check(len(re.findall(r"state link conn 1 fault: any refuse p=0.5 "
                         r"seed=7", m.transcript())) == want.count(716),
          "refuse p=0.5 seed=7: each refusal logged")
    check(h.cmd("AT+CGMR") == b"\r\n" + A.encode() + b"\r\n" + OK,
          "refuse p=0.5 seed=7: still on the old firmware")
    h.close()
    m.cleanup()


def real_modem(modem, speed, *extra):
    """A modem at a numeric speed, booted; untimed flash."""
    m = modem(speed=speed)
    m.args += ["--flash-timing", "zero"] + list(extra)
    m.start()
    return m, booted(m)


def real(modem, root, tmp):
    """The fault proxy in front of nginx and vsftpd (speed 20: they are
    outside the simulation)."""
    web, web_port = nginx(root, tmp)
    ftp, ftp_port = vsftpd(root, tmp)
    http = "http://127.0.0.1:%d/a.pkg" % web_port
    ftpu = "ftp://anonymous:guest@127.0.0.1:%d/a.pkg" % ftp_port
    quick = ["--fota-timeouts", "stall=10"]
    cases = [
        ("nginx-stall-722", http, "down stall after=20000", quick, 722),
        ("nginx-reset-717", http, "down reset after=20000", [], 717),
        ("vsftpd-stall-609", ftpu, "down stall after=20000 conn=2", quick,
         609),
        ("vsftpd-reset-608", ftpu, "down reset after=20000 conn=2", [], 608),
        ("vsftpd-control-reset-608", ftpu, "down reset after=100 conn=1", [],
         608),
    ]
    try:
        for name, url, fault, extra, code in cases:
            m, h = real_modem(modem, "20", "--link-fault", fault, *extra)
            word = b"FTP" if url.startswith("ftp") else b"HTTP"
            got = h.answer('AT+QFOTADL="%s"\r' % url,
                           rb'\+QIND: "FOTA","(FTP|HTTP)END",\d+\r\n', 60)
            check(got == OK + b'\r\n+QIND: "FOTA","' + word + b'START"\r\n'
                  b'\r\n+QIND: "FOTA","' + word + b'END",' +
                  str(code).encode() + b"\r\n", "%s: %r" % (name, got))
            check("state link conn " in m.transcript() and
                  "fault: " + fault.split(" conn=")[0].replace(
                      " after=", " after ") + " bytes" in m.transcript(),
                  "%s: the fault fired and is in the transcript" % name)
            still_usable(h, m, A, name)
            h.close()
            m.cleanup()

        # A flipped byte: the download ends well, the updater's MD5 not.
        name = "nginx-flip-506"
        m, h = real_modem(modem, "20", "--link-fault", "down flip at=5000")
        got = h.answer('AT+QFOTADL="%s",1,0,0\r' % http,
                       rb'\+QIND: "FOTA","END",\d+\r\n', 60)
        check(got == OK + b'\r\n+QIND: "FOTA","HTTPSTART"\r\n'
              b'\r\n+QIND: "FOTA","HTTPEND",0\r\n'
              b'\r\n+QIND: "FOTA","START"\r\n'
              b'\r\n+QIND: "FOTA","END",506\r\n', "%s: %r" % (name, got))
        check(h.cmd("AT+CGMR") == b"\r\n" + A.encode() + b"\r\n" + OK,
              "%s: still on the old firmware" % name)
        h.close()
        m.cleanup()

        # GPRS-like: 40 kbit/s down, 20 up, 600 ms round trips, slow and
        # successful (15 simulated seconds of body at --speed 100).
        name = "nginx-gprs-40k"
        m, h = real_modem(modem, "100", "--link-shape",
                          "down=40k,up=20k,rtt=0.6,jitter=0.1")
        h.send('AT+QFOTADL="%s"\r' % http)
        upgraded(h, m, b"HTTP", name)
        tr = m.transcript()
        start = sim_times(tr, r"state download start ")[0]
        end = sim_times(tr, r"state download end ")[0]
        size = os.path.getsize(os.path.join(root, "a.pkg"))
        check(end - start >= size * 8 / 40e3,
              "%s: %.1f simulated s, at least the body's time at 40 kbit/s"
              % (name, end - start))
        h.close()
        h = booted(m)
        after_reboot(m, h, name)
        h.close()
        m.cleanup()
    finally:
        stop(web)
        stop(ftp)


def body(modem):
    tmp = tempfile.mkdtemp(prefix="fotasim-link.")
    root = os.path.join(tmp, "www")
    os.makedirs(root)
    os.chmod(tmp, 0o755)
    os.chmod(root, 0o755)
    pkg = os.path.join(root, "a.pkg")
    subprocess.run([PKG, "create", "--model", "EC200T", "--from", A, "--to",
                    B, "-o", pkg], check=True)
    os.chmod(pkg, 0o644)
    with open(os.path.join(root, "junk.bin"), "wb") as f:
        f.write(b"\x5a" * 30000)
    os.chmod(os.path.join(root, "junk.bin"), 0o644)
    shaped(modem, root)
    probability(modem, root)
    have = all(shutil.which(p) or os.path.exists("/usr/sbin/" + p)
               for p in ("nginx", "vsftpd"))
    if not check(have, "nginx and vsftpd are installed (./bootstrap)"):
        return
    os.environ["PATH"] += ":/usr/sbin"
    real(modem, root, tmp)
    shutil.rmtree(tmp)


run(body)
