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

import serial

from fotasim_test import (check, run, booted, ready, image, slot_bytes, Host,
                          qind, PKG, power_cut)

A = "EC200TCNHAR02A14M16"
B = "EC200TCNHAR02A15M16"
OK = b"\r\nOK\r\n"


def body(modem):
    tmp = tempfile.mkdtemp(prefix="fotasim-file.")
    path = os.path.join(tmp, "a-b.pkg")
    subprocess.run([PKG, "create", "--model", "EC200T", "--from", A, "--to", B,
                    "-o", path], check=True)
    with open(path, "rb") as f:
        pkg = f.read()

    # The manual's example (3.3), flow control on (USB), one blocking write:
    # the commands as the manual types them, with echo.
    m = modem(speed="10")
    m.start()
    h = booted(m)
    h.send("ATE1\r")
    h.expect(rb"^\r\nOK\r\n")
    check(h.cmd('AT+QCFG="USBIFC",2,2') == b'AT+QCFG="USBIFC",2,2\r' + OK,
          'manual: AT+QCFG="USBIFC",2,2')
    check(h.cmd('AT+QCFG="USBIFC"?') == b'AT+QCFG="USBIFC"?\r'
          b'\r\n+QCFG: "usbifc",2,2\r\n' + OK, 'manual: AT+QCFG="USBIFC"?')
    cmd = 'AT+QFOTADL="FILE:%d"' % len(pkg)
    h.send(cmd + "\r")
    h.expect(b"^" + re.escape(cmd.encode()) +
             rb'\r\r\nOK\r\n\r\n\+QIND: "FOTA","FILESTART"\r\n')
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
    check("the host has CRTSCTS off but the module's flow control is on" in
          m.transcript(), "the transcript notes the host's CRTSCTS is off")
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

    # Failures, on a modem running B (the package is for A: use b-a).
    path2 = os.path.join(tmp, "b-a.pkg")
    subprocess.run([PKG, "create", "--model", "EC200T", "--from", B, "--to",
                    A, "-o", path2], check=True)
    with open(path2, "rb") as f:
        back = f.read()
    check(h.cmd('AT+QCFG="usbifc",2,2') == OK, "flow control on again")
    # More bytes than announced: the extra bytes are AT input after it.
    h.send('AT+QFOTADL="FILE:%d",1,0,0\r' % len(back))
    h.expect(rb'^\r\nOK\r\n\r\n\+QIND: "FOTA","FILESTART"\r\n')
    os.write(h.fd, back + b"AT+CSQ\r")
    got = h.wait_hangup(120)
    # The AT+CSQ after the package is answered at once; FILEEND waits for
    # the flash; update_URC_max 0: no UPDATING.
    check(got == b"\r\n+CSQ: 24,99\r\n" + OK + qind(b'"FILEEND"', 0) +
          qind(b'"START"') + qind(b'"END"', 0),
          "more bytes: the extra AT+CSQ answered, FILEEND,0, START, END,0: %r"
          % got)
    h.close()
    h = booted(m)
    check(h.cmd("AT+CGMR") == b"\r\n" + A.encode() + b"\r\n" + OK,
          "more bytes: back on A")
    # A corrupt byte: FILEEND,0, then the updater's END,506.
    bad = bytearray(pkg)
    bad[len(bad) // 2] ^= 0xff
    h.send('AT+QFOTADL="FILE:%d"\r' % len(bad))
    h.expect(rb'^\r\nOK\r\n\r\n\+QIND: "FOTA","FILESTART"\r\n')
    os.write(h.fd, bytes(bad))
    got = h.expect(rb'(?s)^(.*?"END",\d+\r\n)', 120).group(1)
    check(got.startswith(qind(b'"FILEEND"', 0) + qind(b'"START"')) and
          got.endswith(qind(b'"END"', 506)), "corrupt byte: FILEEND,0, then "
          "END,506: %r" % got[-80:])
    check(h.cmd("AT+CGMR") == b"\r\n" + A.encode() + b"\r\n" + OK,
          "corrupt byte: still on A")
    # Fewer bytes, then the host closes the port: FILEEND,500 after the
    # inactivity timer, seen by the next host.
    h.send('AT+QFOTADL="FILE:%d"\r' % len(pkg))
    h.expect(rb'^\r\nOK\r\n\r\n\+QIND: "FOTA","FILESTART"\r\n')
    os.write(h.fd, pkg[:5000])
    h.close()
    m.wait_transcript(r"state fota download failed: 500 ", 2)
    h = Host(m.link)                    # the same pty: no reboot
    check(h.cmd("AT+CGMR") == b"\r\n" + A.encode() + b"\r\n" + OK,
          "host gone mid-transfer: FILEEND,500, still on A")
    # A power cut mid-transfer: the next boot is on A and usable.
    h.send('AT+QFOTADL="FILE:%d"\r' % len(pkg))
    h.expect(rb'^\r\nOK\r\n\r\n\+QIND: "FOTA","FILESTART"\r\n')
    os.write(h.fd, pkg[:20000])
    m.wait_transcript(r"state firmware staging a package", 5)
    h = power_cut(m, h)
    check(h.cmd("AT+CGMR") == b"\r\n" + A.encode() + b"\r\n" + OK,
          "power cut mid-transfer: the next boot runs A and answers")

    # Lengths the module refuses at once.
    for arg in ["FILE:0", "FILE:abc", "FILE:", "FILE:-5", "FILE:99999999"]:
        check(h.cmd('AT+QFOTADL="%s"' % arg) == b"\r\nERROR\r\n",
              '"%s": ERROR' % arg)
    h.close()
    m.cleanup()

    # Flow control at --speed max (the flash's time skipped), from pyserial
    # with rtscts=True: the flash ends up exactly the target image.
    m = modem(speed="max")
    m.start()
    h = ready(m)
    h.close()
    port = serial.Serial(m.link, 115200, rtscts=True, timeout=30)
    port.write(b'AT+QCFG="usbifc",2,2\r')
    check(port.read_until(b"\r\nOK\r\n") == OK, "pyserial: usbifc 2,2")
    port.write(b'AT+QFOTADL="FILE:%d"\r' % len(pkg))
    check(port.read_until(b'"FILESTART"\r\n') ==
          OK + b'\r\n+QIND: "FOTA","FILESTART"\r\n', "pyserial: FILESTART")
    port.write(pkg)
    port.flush()
    got = port.read_until(qind(b'"END"', 0))
    check(got.startswith(qind(b'"FILEEND"', 0) + qind(b'"START"')) and
          got.endswith(qind(b'"END"', 0)),
          "pyserial at --speed max: FILEEND,0 ... END,0: %r" % got[-60:])
    try:
        port.close()
    except OSError:
        pass
    h = ready(m)
    check(h.cmd("AT+CGMR") == b"\r\n" + B.encode() + b"\r\n" + OK,
          "pyserial at --speed max: B runs")
    check(slot_bytes(m.state_dir, 1) == image(m.tmp, B),
          "pyserial at --speed max: slot B is exactly the image of B")
    h.close()
    m.cleanup()

    # The UART at the host's 9600 baud: the bytes arrive no faster than
    # 960 a second on the simulated clock, slower than the flash.
    m = modem("--port", "uart", speed="100")
    m.start()
    m.wait_transcript(r"state network registration 2 -> 1")
    port = serial.Serial(m.link, 9600, rtscts=True, timeout=30)
    port.write(b"AT+IFC=2,2\r")
    check(port.read_until(b"\r\nOK\r\n").endswith(OK), "uart: AT+IFC=2,2")
    port.write(b'AT+QFOTADL="FILE:%d"\r' % len(back))
    port.read_until(b'"FILESTART"\r\n')
    port.write(back)
    got = port.read_until(qind(b'"FILEEND"', 0))
    stamps = {}
    for line in m.transcript().splitlines():
        if 'm>h +QIND: "FOTA","FILESTART"' in line:
            stamps["start"] = float(line.split()[0])
        elif "file: %d bytes received" % len(back) in line:
            stamps["end"] = float(line.split()[0])
    took = stamps.get("end", 0) - stamps.get("start", 0)
    check(got.endswith(qind(b'"FILEEND"', 0)) and
          (len(back) - 2048) / 960.0 <= took <= len(back) / 960.0 * 1.1,
          "uart at 9600 baud: %d bytes in %.1f simulated s (%.0f B/s)" %
          (len(back), took, len(back) / max(took, 1e-9)))
    port.close()
    m.cleanup()
    shutil.rmtree(tmp)


run(body)
