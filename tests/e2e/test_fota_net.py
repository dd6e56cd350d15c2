"""The simulated network under AT+QFOTADL: data contexts (AT+QIACT,
AT+QIDEACT, AT+QCFG="fota/cid"), APNs the network rejects, and timed
network events (--net-event: coverage lost and back, a context torn down).
Each code comes from its cause (docs/network.md) and is named after it:
fota-http-706 ... fota-http-710, fota-ftp-605-radio.  Each case asserts the
exact +QIND line and that the modem still answers on the old firmware.
Last, the sequence of the public EC800K DFOTA tester, with CR LF line ends.

Cases that need an event in the middle of a transfer run at --speed 10
against a server that stalls after 1000 bytes (the stall timer is set far
beyond the event), so the event lands mid-body whatever the host's pace."""
import os
import re
import shutil
import subprocess
import tempfile
import time

from fotasim_test import (check, run, serve, ready, booted, still_usable,
                          PKG)

A = "EC200TCNHAR02A14M16"
B = "EC200TCNHAR02A15M16"
OK = b"\r\nOK\r\n"
STALL = "http /a.pkg after 1000 bytes stall\n"
FTP_STALL = "ftp data after 1000 bytes stall\n"
LONG = ["--fota-timeouts", "stall=3000,first-byte=3000,total=3600"]


def end_line(word, code):
    return b'\r\n+QIND: "FOTA","%sEND",%d\r\n' % (word, code)


def qfotadl(h, url):
    """Send AT+QFOTADL; return everything through FTPEND/HTTPEND."""
    h.send('AT+QFOTADL="%s"\r' % url)
    return h.expect(rb'(?s)^(.*?\+QIND: "FOTA","(FTP|HTTP)END",\d+\r\n)',
                    60).group(1)


def early(modem, root, name, extra, setup, code):
    """A code found before any transfer: the context, at --speed max."""
    m = modem(speed="max")
    m.args += ["--flash-timing", "zero"] + extra
    addr = serve(m, root)
    h = ready(m)
    for line, want in setup:
        got = h.cmd(line)
        # Two command lines in one write: the second waits for the first.
        for _ in range(line.count("\r")):
            got += h.expect(rb"(?s)^(.*?\r\n(OK|ERROR|\+CME ERROR: "
                            rb"[^\r]*)\r\n)").group(1)
        check(got == want, "%s: %r -> %r" % (name, line, got))
    got = qfotadl(h, "http://%s/a.pkg" % addr["http"])
    check(got == OK + b'\r\n+QIND: "FOTA","HTTPSTART"\r\n' +
          end_line(b"HTTP", code), "%s: %r" % (name, got))
    still_usable(h, m, A, name)
    h.close()
    m.cleanup()


ACT = b"+CGEV: ME PDN ACT 1"     # the job activates cid 1 on demand
CGEREP = ["AT+CGEREP=2", "AT+CREG=1"]   # what midway() turns on


def urc_lines(urcs):
    return b"".join(b"\r\n" + u + b"\r\n" for u in urcs)


def midway(modem, root, name, url, faults, events, word, code, before,
           after=()):
    """A code from a network event during the body (see the module doc)."""
    m = modem(speed="10")
    m.args += ["--flash-timing", "zero"] + LONG
    for e in events:
        m.args += ["--net-event", e]
    addr = serve(m, root, faults)
    h = booted(m)
    for line in CGEREP:
        check(h.cmd(line) == OK, "%s: %s" % (name, line))
    got = qfotadl(h, url.format(**addr))
    want = (OK + b'\r\n+QIND: "FOTA","%sSTART"\r\n' % word +
            urc_lines([ACT] + before) + end_line(word, code))
    check(got == want, "%s: %r" % (name, got))
    if after:
        want = urc_lines(after)
        got = h.expect(b"(?s)^(.*?" + re.escape(want) + b")").group(1)
        check(got == want, "%s: then %r" % (name, got))
    tr = m.transcript()
    check(re.search(r"network event: .*\n(.*\n)*.*fota download failed: %d "
                    r"\([1-9]\d* bytes\)" % code, tr) is not None,
          "%s: the event came mid-body" % name)
    still_usable(h, m, A, name)
    h.close()
    return m


def body(modem):
    root = tempfile.mkdtemp(prefix="fotasim-www.")
    subprocess.run([PKG, "create", "--model", "EC200T", "--from", A, "--to", B,
                    "-o", os.path.join(root, "a.pkg")], check=True)

    # 708: the chosen context is not defined.  First AT+QIACT and
    # AT+QIDEACT: a pending command runs the rest of its line after it.
    qiact1 = b'\r\n+QIACT: 1,1,1,"10.46.103.17"\r\n' + OK
    early(modem, root, "fota-http-708", [],
          [("AT+QIACT=?", b"\r\n+QIACT: (1-15)\r\n" + OK),
           ("AT+QIACT?", OK),
           ("AT+QIACT=1;+CSQ", b"\r\n+CSQ: 24,99\r\n" + OK),
           ("AT+QIACT?", qiact1),
           ("AT+CGPADDR=1", b'\r\n+CGPADDR: 1,"10.46.103.17"\r\n' + OK),
           ("AT+QIACT=1", b"\r\nERROR\r\n"),
           ("AT+QIACT=2", b"\r\n+CME ERROR: 50\r\n"),
           ("AT+QIDEACT=1", OK),
           ("AT+QIACT?", OK),
           ("AT+QIACT=1\rAT+QIACT?", OK + qiact1),
           ('AT+QCFG="fota/cid",0', b"\r\n+CME ERROR: 50\r\n"),
           ('AT+QCFG="fota/cid",2?', b"\r\n+CME ERROR: 50\r\n"),
           ('AT+QCFG="FOTA/CID"?', b'\r\n+QCFG: "fota/cid",1\r\n' + OK),
           ("AT+QCFG=?", b'\r\n+QCFG: "usbifc",(0,2),(0,2)\r\n'
            b'+QCFG: "fota/cid",(1-15)\r\n' + OK),
           ('AT+QCFG="fota/cid"', b'\r\n+QCFG: "fota/cid",1\r\n' + OK),
           ('AT+QCFG="fota/cid",3', OK),
           ('AT+QCFG="fota/cid"', b'\r\n+QCFG: "fota/cid",3\r\n' + OK)], 708)

    # 707: the network rejects the context's APN.
    early(modem, root, "fota-http-707", ["--reject-apn", "bad.apn"],
          [('AT+QICSGP=1,1,"bad.apn","","",1', OK),
           ("AT+QIACT=1", b"\r\nERROR\r\n"),
           ("AT+QIACT?", OK)], 707)

    # 707 too: the radio is off (AT+CFUN=4), so the activation fails.
    early(modem, root, "fota-http-707-radio-off", [],
          [("AT+CFUN=4", OK)], 707)

    # 706: another port (PPP dial-up) is still activating the context.
    m = modem(speed="10")
    m.args += ["--flash-timing", "zero", "--pdp-activation-time", "150",
               "--net-event", "T=10 pdp 1 activate"]
    addr = serve(m, root)
    h = booted(m)
    m.wait_transcript(r"state pdp 1 activating")
    got = qfotadl(h, "http://%s/a.pkg" % addr["http"])
    check(got == OK + b'\r\n+QIND: "FOTA","HTTPSTART"\r\n' +
          end_line(b"HTTP", 706), "fota-http-706: %r" % got)
    check(h.cmd("AT+QIACT?") == OK, "fota-http-706: not active yet")
    still_usable(h, m, A, "fota-http-706")
    h.close()
    m.cleanup()

    # 709: the network tears the context down mid-body.
    http = "http://{http}/a.pkg"
    m = midway(modem, root, "fota-http-709", http, STALL,
               ["T=30 pdp 1 deactivated"], b"HTTP", 709,
               [b"+CGEV: NW PDN DEACT 1", b'+QIURC: "pdpdeact",1'])
    m.cleanup()

    # 710: coverage lost mid-body (it coming back: the reg-urcs case).
    m = midway(modem, root, "fota-http-710", http, STALL,
               ["T=30 coverage lost"], b"HTTP", 710,
               [], [b"+CGEV: ME PDN DEACT 1", b"+CREG: 2"])
    m.cleanup()

    # 605 over FTP: the same coverage loss.
    m = midway(modem, root, "fota-ftp-605-radio", "ftp://test:test@{ftp}/a.pkg",
               FTP_STALL, ["T=30 coverage lost"], b"FTP", 605,
               [], [b"+CGEV: ME PDN DEACT 1", b"+CREG: 2"])
    m.cleanup()

    # 710 from the host: AT+CFUN=4 mid-body (radio off).
    m = modem(speed="10")
    m.args += ["--flash-timing", "zero"] + LONG
    addr = serve(m, root, STALL)
    h = booted(m)
    h.send('AT+QFOTADL="http://%s/a.pkg"\r' % addr["http"])
    h.expect(rb'\+QIND: "FOTA","HTTPSTART"\r\n')
    m.wait_transcript(r"state server http\[1\]: body stall at byte 1000")
    got = h.cmd("AT+CFUN=4")
    got += h.expect(rb'(?s)^(.*?\+QIND: "FOTA","HTTPEND",\d+\r\n)').group(1)
    check(got.endswith(end_line(b"HTTP", 710)), "fota-http-710-cfun: %r" % got)
    check(h.cmd("AT+CFUN=1") == OK, "fota-http-710-cfun: radio back on")
    m.wait_transcript(r"state network registration 2 -> 1", 2)
    still_usable(h, m, A, "fota-http-710-cfun")
    h.close()
    m.cleanup()

    # Registration URCs per mode when coverage goes and comes back.
    m = modem(speed="10")
    m.args += ["--net-event", "T=10 coverage lost",
               "--net-event", "T=30 coverage back",
               "--net-event", "T=45 registration roaming"]
    m.start()
    h = booted(m)
    for line in ("AT+CREG=1", "AT+CGREG=2", "AT+CEREG=0"):
        check(h.cmd(line) == OK, "reg-urcs: %s" % line)
    lost = h.expect(rb"(?s)^(.*?\+CGREG: 2\r\n)").group(1)
    check(lost == b"\r\n+CREG: 2\r\n\r\n+CGREG: 2\r\n",
          "reg-urcs: lost, per mode: %r" % lost)
    check(h.cmd("AT+CREG?") == b"\r\n+CREG: 1,2\r\n" + OK,
          "reg-urcs: AT+CREG? searching")
    check(h.cmd("AT+CSQ") == b"\r\n+CSQ: 99,99\r\n" + OK,
          "reg-urcs: AT+CSQ without a network")
    check(h.cmd("AT+COPS?") == b"\r\n+COPS: 0\r\n" + OK,
          "reg-urcs: AT+COPS? without a network")
    check(h.cmd("AT+QNWINFO") == b"\r\n+QNWINFO: No Service\r\n" + OK,
          "reg-urcs: AT+QNWINFO without a network")
    back = h.expect(rb"(?s)^(.*?\+CGREG: [^\r]*\r\n)").group(1)
    check(back == b'\r\n+CREG: 1\r\n\r\n+CGREG: 1,"1A2B","0C3D4E5",7\r\n',
          "reg-urcs: back, per mode: %r" % back)
    check(h.cmd("AT+CREG?") == b"\r\n+CREG: 1,1\r\n" + OK,
          "reg-urcs: AT+CREG? registered again")
    check(h.cmd("AT+CREG=2") == OK, "reg-urcs: AT+CREG=2")
    roam = h.expect(rb"(?s)^(.*?\+CGREG: [^\r]*\r\n)").group(1)
    check(roam == b'\r\n+CREG: 5,"1A2B","0C3D4E5",7\r\n'
          b'\r\n+CGREG: 5,"1A2B","0C3D4E5",7\r\n',
          "reg-urcs: roaming, per mode: %r" % roam)
    check(h.cmd("AT+CREG?") ==
          b'\r\n+CREG: 2,5,"1A2B","0C3D4E5",7\r\n' + OK,
          "reg-urcs: AT+CREG? roaming, with the cell")
    h.close()
    m.cleanup()

    # A UMTS-only UC200T has no EPS registration: +CEREG never comes.
    m = modem("--model", "UC200T", speed="10")
    m.args += ["--net-event", "T=10 coverage lost",
               "--net-event", "T=30 coverage back"]
    m.start()
    h = booted(m)
    for line in ("AT+CREG=1", "AT+CEREG=1"):
        check(h.cmd(line) == OK, "reg-urcs uc200t: %s" % line)
    got = h.expect(rb"(?s)^(.*?\+CREG: 1\r\n)").group(1)
    check(got == b"\r\n+CREG: 2\r\n\r\n+CREG: 1\r\n",
          "reg-urcs uc200t: +CREG lost and back, no +CEREG: %r" % got)
    check(h.cmd("AT+CEREG?") == b"\r\n+CEREG: 1,0\r\n" + OK,
          "reg-urcs uc200t: AT+CEREG? never registered")
    h.close()
    m.cleanup()

    # The EC800K DFOTA tester's sequence, CR LF line ends, at --speed 10 so
    # the activation takes its simulated second.
    m = modem(speed="10")
    m.args += ["--flash-timing", "zero"]
    addr = serve(m, root)
    h = booted(m)
    m.wait_transcript(r"state network registration 2 -> 1")
    steps = [("AT", OK),
             ("AT+QGMR", b"\r\n" + A.encode() + b"_01.001.01.001\r\n" + OK),
             ("AT+CREG?", b"\r\n+CREG: 0,1\r\n" + OK),
             ("AT+CSQ", b"\r\n+CSQ: 24,99\r\n" + OK),
             ('AT+QICSGP=1,1,"cmnet","","",1', OK),
             ("AT+QIACT=1", OK),
             ("AT+QIACT?", b'\r\n+QIACT: 1,1,1,"10.46.103.17"\r\n' + OK)]
    for line, want in steps:
        time.sleep(0.2)     # the tester's pace: a command every 2 simulated s
        t0 = time.monotonic()
        h.send(line + "\r\n")
        got = h.expect(b"(?s)^(.*?" + re.escape(want) + b")").group(1)
        check(got == want, "ec800k: %s -> %r" % (line, got))
        if line == "AT+QIACT=1":
            check(time.monotonic() - t0 >= 0.1,
                  "ec800k: activation takes a simulated second")
    h.send('AT+QFOTADL="http://%s/a.pkg",1,50\r\n' % addr["http"])
    got = h.expect(rb'(?s)^(.*?"FOTA","END",\d+\r\n)', 60).group(1)
    check(got.endswith(b'"FOTA","END",0\r\n'),
          "ec800k: success on a line containing \"FOTA\",\"END\",0: %r" %
          got[-80:])
    h.close()
    m.cleanup()
    shutil.rmtree(root)


run(body)
