"""AT+QFOTADL end to end with the embedded servers: an upgrade over HTTP, a
rollback over FTP, HTTPS with and without verification, upgrade_mode 0 and
1 (the port hangs up once or twice), download_URC_max and update_URC_max,
AT answering during a download, a second AT+QFOTADL refused, and a SIGKILL
during the download.  Each upgrade ends with the new revision in ATI and
the flash slot byte-identical to fotasim-pkg image of that revision."""
import os
import re
import shutil
import signal
import subprocess
import tempfile

from fotasim_test import (check, run, serve, ready, booted, image,
                          slot_bytes, addresses, qind, package, upgrade,
                          whole_sequence, UPDATING, BUILDDIR, PKG)

A = "EC200TCNHAR02A14M16"
B = "EC200TCNHAR02A15M16"
OK = b"\r\nOK\r\n"
def body(modem):
    root = tempfile.mkdtemp(prefix="fotasim-www.")
    package(root, "a-b.pkg", A, B)
    package(root, "b-a.pkg", B, A)

    # HTTP: A -> B; then FTP: B -> A (a rollback), on one state dir.
    m = modem(speed="max")
    m.args += ["--flash-timing", "zero"]
    addr = serve(m, root)
    h = ready(m)
    got, ups = upgrade(h, 'AT+QFOTADL="http://%s/a-b.pkg"' % addr["http"],
                       b"HTTP")
    check(whole_sequence(got, b"HTTP", ups) and ups and ups[-1] == 100 and
          ups == sorted(ups), "http: OK, HTTPSTART, HTTPEND,0, START, "
          "UPDATING rising to 100, END,0, then the hang-up: %r" % got[:200])
    h.close()
    h = ready(m)
    check(h.cmd("ATI") == b"\r\nQuectel\r\nEC200T\r\nRevision: " +
          B.encode() + b"\r\n" + OK, "http: ATI shows the new revision")
    check(slot_bytes(m.state_dir, 1) == image(m.tmp, B),
          "http: slot B holds exactly fotasim-pkg image of B")

    got, ups = upgrade(h, 'AT+QFOTADL="FTP://test:test@%s/b-a.pkg"' %
                       addr["ftp"], b"FTP")
    check(whole_sequence(got, b"FTP", ups) and ups[-1:] == [100],
          "ftp (scheme in capitals): the whole sequence: %r" % got[:200])
    h.close()
    h = ready(m)
    check(h.cmd("AT+CGMR") == b"\r\n" + A.encode() + b"\r\n" + OK,
          "ftp: rolled back to A")
    check(slot_bytes(m.state_dir, 0) == image(m.tmp, A),
          "ftp: slot A holds exactly fotasim-pkg image of A")
    tr = m.transcript()
    check("download ftp > PASS ****" in tr and "test:test" not in
          tr.split("h>m")[0], "the transcript masks the FTP password")
    check(re.search(r"state download http > GET /a-b.pkg HTTP/1.1\n", tr) and
          re.search(r"state download http < HTTP/1.1 200 OK\n", tr),
          "the transcript has the request line and the status")
    h.close()
    m.cleanup()

    # HTTPS from a standalone fotasim-server: no verification by default, as
    # the module; --ca verifies (the name is the simulated DNS's).
    for name, ca, faults, code in [
            ("https, expired certificate, no --ca", False,
             "tls * certificate expired\n", 0),
            ("https --ca, good certificate", True, "", 0),
            ("https --ca, expired certificate", True,
             "tls * certificate expired\n", 701)]:
        # A server in another process: at max the modem would skip the
        # time its handshake takes and time out (docs/internals/clock.md).
        m = modem(speed="10")
        fpath = os.path.join(m.tmp, "faults")
        with open(fpath, "w") as f:
            f.write(faults)
        srv = subprocess.Popen(
            [os.path.join(BUILDDIR, "fotasim-server"), "--root", root,
             "--https", "0", "--faults", fpath,
             "--tls-dir", m.tmp, "--tls-name",
             "fota.test"], stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
        probe = addresses(srv, last="ready")
        m.args += ["--flash-timing", "zero", "--dns", "fota.test=127.0.0.1"]
        if ca:
            m.args += ["--ca", probe["ca"]]
        m.start()
        h = booted(m)
        port = probe["https"].split(":")[1]
        h.send('AT+QFOTADL="https://fota.test:%s/a-b.pkg"\r' % port)
        got = h.expect(rb'(?s)^(.*?"HTTPEND",\d+\r\n)', 60).group(1)
        check(got == OK + qind(b'"HTTPSTART"') + qind(b'"HTTPEND"', code),
              "%s: HTTPEND,%d: %r" % (name, code, got))
        h.close()
        srv.terminate()
        srv.wait()
        m.cleanup()

    # upgrade_mode 0: reboot after the download, update, reboot again (at a
    # speed where the host can open the port before the update starts).
    # The download first activates its context (a simulated second), so
    # wait for the whole boot chain: PB DONE would land in it.
    m = modem(speed="20")
    m.args += ["--flash-timing", "zero"]
    addr = serve(m, root)
    h = booted(m)
    h.send('AT+QFOTADL="http://%s/a-b.pkg",0,10,5\r' % addr["http"])
    first = h.wait_hangup(60)
    check(first == OK + qind(b'"HTTPSTART"') +
          b"".join(qind(b'"DOWNLOADING"', i) for i in range(1, 11)) +
          qind(b'"HTTPEND"', 0),
          "mode 0: 10 DOWNLOADING URCs valued 1..10, HTTPEND,0, hang-up: %r"
          % first)
    h.close()
    h = m.open_port()
    second = h.wait_hangup(60)
    ups = [int(v) for v in re.findall(UPDATING, second)]
    check(second.endswith(qind(b'"END"', 0)) and qind(b'"START"') in second
          and len(ups) == 5 and ups[-1:] == [100],
          "mode 0: after the boot START, 5 UPDATING (%r), END,0, "
          "hang-up again" % ups)
    h.close()
    # The boot that updates reboots before it registers.
    h = ready(m, registrations=2)
    check(h.cmd("AT+CGMR") == b"\r\n" + B.encode() + b"\r\n" + OK,
          "mode 0: B runs after the second boot")
    check(len(re.findall(r"state port down ", m.transcript())) == 2,
          "mode 0: the port went away twice")
    h.close()
    m.cleanup()

    # update_URC_max 0: no UPDATING at all; exactly 5 with 5.
    for upmax, count in [(0, 0), (5, 5)]:
        m = modem(speed="max")
        m.args += ["--flash-timing", "zero"]
        addr = serve(m, root)
        h = ready(m)
        got, ups = upgrade(h, 'AT+QFOTADL="http://%s/a-b.pkg",1,0,%d' %
                           (addr["http"], upmax), b"HTTP")
        check(whole_sequence(got, b"HTTP", ups) and len(ups) == count and
              (count == 0 or ups[-1] == 100),
              "update_URC_max %d: %d UPDATING lines (%r)" % (upmax, count, ups))
        h.close()
        h = ready(m)
        check(len(re.findall(r"state port down ", m.transcript())) == 1,
              "update_URC_max %d: mode 1 reboots once" % upmax)
        h.close()
        m.cleanup()

    # Bad command lines answer ERROR at once and start nothing.
    m = modem(speed="max")
    addr = serve(m, root)
    h = ready(m)
    for line in ['AT+QFOTADL="gopher://x/a.pkg"', 'AT+QFOTADL=1',
                 'AT+QFOTADL="http://x/%s"' % ("a" * 250),
                 'AT+QFOTADL="http://x/a",2', 'AT+QFOTADL="http://x/a",1,4',
                 'AT+QFOTADL="http://x/a",1,0,101', 'AT+QFOTADL']:
        check(h.cmd(line) == b"\r\nERROR\r\n", "%s: ERROR" % line[:40])
    check(h.cmd("AT+QFOTADL=?") == OK, "AT+QFOTADL=?: OK")
    check(h.cmd('AT+QINDCFG="all",1') == OK and
          h.cmd('AT+QINDCFG="all"') == b'\r\n+QINDCFG: "all",1\r\n' + OK,
          'AT+QINDCFG="all",1 is kept and read back')
    check("fota idle -> starting" not in m.transcript(),
          "no job started by a bad command line")
    h.close()
    m.cleanup()

    # While a download runs the port answers; a second AT+QFOTADL is refused;
    # SIGKILL mid-download, restart: old firmware, nothing applied, and a new
    # AT+QFOTADL works.
    m = modem(speed="100")
    m.args += ["--flash-timing", "zero"]
    addr = serve(m, root, "http /a-b.pkg throttle 500B/s\n")
    h = booted(m)
    h.send('AT+QFOTADL="http://%s/a-b.pkg",1,100\r' % addr["http"])
    h.expect(rb'"DOWNLOADING",2\r\n')
    check(h.cmd("AT+CSQ") == b"\r\n+CSQ: 24,99\r\n" + OK,
          "AT+CSQ answers during the download")
    check(h.cmd('AT+QFOTADL="http://%s/a-b.pkg"' % addr["http"]) ==
          b"\r\nERROR\r\n", "a second AT+QFOTADL: ERROR")
    m.signal(signal.SIGKILL)
    m.wait()
    h.close()
    m.start()
    addr = addresses(m.proc, m.errors)
    h = booted(m)
    check(h.cmd("AT+CGMR") == b"\r\n" + A.encode() + b"\r\n" + OK,
          "after SIGKILL mid-download: still A")
    check("incomplete package in the FOTA area discarded" in m.transcript(),
          "the partial package was discarded at boot")
    got, ups = upgrade(h, 'AT+QFOTADL="http://%s/a-b.pkg"' % addr["http"],
                       b"HTTP")
    check(whole_sequence(got, b"HTTP", ups),
          "a new AT+QFOTADL upgrades: %r" % got[:300])
    h.close()
    m.cleanup()
    shutil.rmtree(root)


run(body)
