"""AT+QFOTADL="FILE:<length>": the package over the AT port.  With hardware
flow control the host's write blocks while the flash catches up and nothing
is lost; without it, a host that sends too fast loses bytes, the file comes
up short and FILEEND,500 follows the inactivity timeout, and the modem
keeps working; a host that paces itself like Quectel's RT-Thread client
(32-byte chunks, AT+QINDCFG="all",1 first, ",1,100,100") succeeds."""
import os
import re
import subprocess
import tempfile
import shutil
import time

from fotasim_test import check, run, booted, image, slot_bytes, PKG

A = "EC200TCNHAR02A14M16"
B = "EC200TCNHAR02A15M16"
OK = b"\r\nOK\r\n"


def qind(*words):
    return (b'\r\n+QIND: "FOTA",' + b",".join(
        w if isinstance(w, bytes) else str(w).encode() for w in words) +
        b"\r\n")


def body(modem):
    tmp = tempfile.mkdtemp(prefix="fotasim-file.")
    path = os.path.join(tmp, "a-b.pkg")
    subprocess.run([PKG, "create", "--model", "EC200T", "--from", A, "--to", B,
                    "-o", path], check=True)
    with open(path, "rb") as f:
        pkg = f.read()

    # Flow control on (USB: AT+QCFG="usbifc",2,2): one blocking write.
    m = modem(speed="10")
    m.start()
    h = booted(m)
    check(h.cmd('AT+QCFG="usbifc",2,2') == OK, "usbifc 2,2")
    h.send('AT+QFOTADL="FILE:%d"\r' % len(pkg))
    h.expect(rb'^\r\nOK\r\n\r\n\+QIND: "FOTA","FILESTART"\r\n')
    t0 = time.monotonic()
    os.write(h.fd, pkg)
    blocked = time.monotonic() - t0
    got = h.wait_hangup(120)
    ups = [int(v) for v in re.findall(rb'"UPDATING",(\d+)\r\n', got)]
    check(got == qind(b'"FILEEND"', 0) + qind(b'"START"') +
          b"".join(qind(b'"UPDATING"', v) for v in ups) + qind(b'"END"', 0)
          and ups[-1:] == [100],
          "flow control: FILEEND,0, START, UPDATING to 100, END,0, hang-up")
    check("bytes lost" not in m.transcript(), "flow control: nothing lost "
          "(the host's write blocked for %.2f s of wall time)" % blocked)
    h.close()
    h = booted(m)
    check(h.cmd("AT+CGMR") == b"\r\n" + B.encode() + b"\r\n" + OK,
          "flow control: B runs")
    check(slot_bytes(m.state_dir, 1) == image(m.tmp, B),
          "flow control: slot B is exactly fotasim-pkg image of B")
    h.close()
    m.cleanup()

    # No flow control, a host that writes everything at once: bytes are
    # lost, FILEEND,500 after the inactivity timeout, and the modem works.
    m = modem(speed="10")
    m.args += ["--fota-timeouts", "stall=20"]
    m.start()
    h = booted(m)
    h.send('AT+QFOTADL="FILE:%d"\r' % len(pkg))
    h.expect(rb'^\r\nOK\r\n\r\n\+QIND: "FOTA","FILESTART"\r\n')
    os.write(h.fd, pkg)
    got = h.expect(rb'(?s)^(.*?"FILEEND",\d+\r\n)', 60).group(1)
    check(got == qind(b'"FILEEND"', 500), "no flow control: FILEEND,500: %r"
          % got)
    tr = m.transcript()
    lost = re.search(r"file: no byte for 20 s, (\d+) of (\d+) bytes "
                     r"received, (\d+) lost", tr)
    check(lost and int(lost.group(3)) > 0 and
          int(lost.group(1)) + int(lost.group(3)) == len(pkg) and
          "receive buffer full, bytes lost" in tr,
          "no flow control: the transcript counts the lost bytes")
    check(h.cmd("AT+CGMR") == b"\r\n" + A.encode() + b"\r\n" + OK,
          "no flow control: still on A, answering")
    check("incomplete package in the FOTA area discarded" in m.transcript(),
          "no flow control: the partial package is discarded")

    # The same modem, no flow control, paced like Quectel's RT-Thread
    # client: 32-byte chunks, here 2 ms apart at --speed 10 (20 simulated
    # ms: 1.6 kB/s against the flash's 15 kB/s).
    check(h.cmd('AT+QINDCFG="all",1') == OK, 'AT+QINDCFG="all",1')
    h.send('AT+QFOTADL="FILE:%d",1,100,100\r' % len(pkg))
    h.expect(rb'^\r\nOK\r\n\r\n\+QIND: "FOTA","FILESTART"\r\n')
    for i in range(0, len(pkg), 32):
        os.write(h.fd, pkg[i:i + 32])
        time.sleep(0.002)       # paced well below the flash rate
    got = h.wait_hangup(180)
    downs = [int(v) for v in re.findall(rb'"DOWNLOADING",(\d+)\r\n', got)]
    ups = [int(v) for v in re.findall(rb'"UPDATING",(\d+)\r\n', got)]
    check(downs == list(range(1, 101)) and
          b'"FILEEND",0\r\n' in got and got.endswith(qind(b'"END"', 0)) and
          0 < len(ups) <= 100 and ups[-1] == 100,
          "paced host: DOWNLOADING 1..100, FILEEND,0, UPDATING to 100, "
          "END,0 (%d DOWNLOADING, %d UPDATING)" % (len(downs), len(ups)))
    h.close()
    h = booted(m)
    check(h.cmd("AT+CGMR") == b"\r\n" + B.encode() + b"\r\n" + OK,
          "paced host: B runs")

    # Lengths the module refuses at once.
    for arg in ["FILE:0", "FILE:abc", "FILE:", "FILE:-5", "FILE:99999999"]:
        check(h.cmd('AT+QFOTADL="%s"' % arg) == b"\r\nERROR\r\n",
              '"%s": ERROR' % arg)
    h.close()
    m.cleanup()
    shutil.rmtree(tmp)


run(body)
