"""Voice calls on the simulated network (--net-event "T=S call ring
NUMBER", "T=S call hangup"): RING every 3 simulated seconds, +CLIP with
AT+CLIP=1, ATA, ATH, AT+CHUP and AT+CLCC, exact bytes; and what a call does
to AT+QFOTADL (docs/network.md): fota-http-724 (a call rings mid-body),
fota-http-725 (AT+QFOTADL during an active call; before it,
fota-http-724-ringing: AT+QFOTADL while a call rings), fota-ftp-call (an FTP
download goes on through a call).  Each failure asserts the exact +QIND
line and that the modem still answers on the old firmware."""
import os
import re
import shutil
import subprocess
import tempfile

from fotasim_test import check, run, serve, booted, still_usable, PKG

A = "EC200TCNHAR02A14M16"
B = "EC200TCNHAR02A15M16"
OK = b"\r\nOK\r\n"
NO_CARRIER = b"\r\nNO CARRIER\r\n"
INTL = "+8613800000000"
LONG = ["--fota-timeouts", "stall=3000,first-byte=3000,total=3600"]


def ring(number, type_):
    return b'\r\nRING\r\n\r\n+CLIP: "%s",%d\r\n' % (number.encode(), type_)


def clcc(stat, number, type_):
    return (b'\r\n+CLCC: 1,1,%d,0,0,"%s",%d\r\n' %
            (stat, number.encode(), type_) + OK)


def upto(h, want, limit=30):
    """Everything through the first `want`, to compare it whole."""
    return h.expect(b"(?s)^(.*?" + re.escape(want) + b")", limit).group(1)


def qfotadl(h, url):
    h.send('AT+QFOTADL="%s"\r' % url)
    return h.expect(rb'(?s)^(.*?\+QIND: "FOTA","(FTP|HTTP)END",\d+\r\n)',
                    60).group(1)


def call_modem(modem, root, event, faults=None, extra=()):
    """A booted modem at --speed 10 with a call event and the servers."""
    m = modem(speed="10")
    m.args += ["--flash-timing", "zero", "--net-event", event] + list(extra)
    addr = serve(m, root, faults)
    return m, booted(m), addr


def mid_body(m, name, outcome):
    """The transcript shows the call before the download's end."""
    check(re.search(r"network event: call ring .*\n(.*\n)*.*fota download "
                    + outcome, m.transcript()) is not None,
          "%s: the call came mid-body" % name)


def commands(modem):
    """RING, +CLIP, ATA, ATH, AT+CHUP, AT+CLCC, and a remote hang-up."""
    name = "calls"
    m = modem(speed="10")
    m.args += ["--net-event", "T=20 call ring " + INTL,
               "--net-event", "T=40 call hangup",
               "--net-event", "T=50 call ring 13800000000",
               "--net-event", "T=60 call ring 13800000000"]
    m.start()
    h = booted(m)
    steps = [("AT+CLIP=?", b"\r\n+CLIP: (0,1)\r\n" + OK),
             ("AT+CLIP?", b"\r\n+CLIP: 0,1\r\n" + OK),
             ("AT+CLIP=1", OK),
             ("AT+CLIP?", b"\r\n+CLIP: 1,1\r\n" + OK),
             ("AT+CLIP=2", b"\r\n+CME ERROR: 50\r\n"),
             ("AT+CLCC=?", OK),
             ("AT+CLCC", OK),
             ("ATH", OK),
             ("AT+CHUP=?", OK)]
    for line, want in steps:
        got = h.cmd(line)
        check(got == want, "%s: %s -> %r" % (name, line, got))
    got = h.answer("ATA\r", NO_CARRIER)
    check(got == NO_CARRIER, "%s: ATA with no call: %r" % (name, got))
    # The call: RING and +CLIP now and every 3 simulated seconds.
    got = upto(h, ring(INTL, 145))
    check(got == ring(INTL, 145), "%s: first RING: %r" % (name, got))
    got = h.cmd("AT+CLCC")
    check(got == clcc(4, INTL, 145), "%s: AT+CLCC ringing: %r" % (name, got))
    got = upto(h, ring(INTL, 145))
    check(got == ring(INTL, 145), "%s: second RING: %r" % (name, got))
    got = h.cmd("ATA")
    check(got == OK, "%s: ATA: %r" % (name, got))
    got = h.cmd("AT+CLCC")
    check(got == clcc(0, INTL, 145), "%s: AT+CLCC active: %r" % (name, got))
    # The caller hangs up at T=40: NO CARRIER, no call left.
    got = upto(h, NO_CARRIER)
    check(got == NO_CARRIER, "%s: remote hang-up: %r" % (name, got))
    check(h.cmd("AT+CLCC") == OK, "%s: no call after NO CARRIER" % name)
    # A national number (type 129), hung up here with ATH: no NO CARRIER.
    got = upto(h, ring("13800000000", 129))
    check(got == ring("13800000000", 129), "%s: national: %r" % (name, got))
    check(h.cmd("ATH") == OK, "%s: ATH" % name)
    check(h.cmd("AT+CLCC") == OK, "%s: no call after ATH" % name)
    got = h.quiet_for(0.6)
    check(got == b"", "%s: no RING after ATH: %r" % (name, got))
    # The radio off (AT+CFUN=4) ends an active call: NO CARRIER.
    upto(h, ring("13800000000", 129))
    check(h.cmd("ATA") == OK, "%s: ATA again" % name)
    got = h.cmd("AT+CFUN=4") + upto(h, NO_CARRIER)
    check(got == OK + NO_CARRIER, "%s: CFUN=4 ends the call: %r" %
          (name, got))
    check(h.cmd("AT+CLCC") == OK, "%s: no call after CFUN=4" % name)
    check(h.cmd("AT+CFUN=1") == OK, "%s: radio back on" % name)
    tr = m.transcript()
    for want in ("state call none -> ringing: " + INTL,
                 "state call ringing -> active: answered",
                 "state call active -> none: the other end hung up",
                 "state call ringing -> none: hung up here"):
        check(want in tr, "%s: transcript has %r" % (name, want))
    h.close()
    m.cleanup()


def body(modem):
    commands(modem)
    root = tempfile.mkdtemp(prefix="fotasim-www.")
    subprocess.run([PKG, "create", "--model", "EC200T", "--from", A, "--to", B,
                    "-o", os.path.join(root, "a.pkg")], check=True)

    # 724: a call rings while the HTTP body arrives (the server stalls
    # after 1000 bytes, so the ring lands mid-body).
    name = "fota-http-724"
    m, h, addr = call_modem(modem, root, "T=30 call ring " + INTL,
                            "http /a.pkg after 1000 bytes stall\n", LONG)
    got = qfotadl(h, "http://%s/a.pkg" % addr["http"])
    want = (OK + b'\r\n+QIND: "FOTA","HTTPSTART"\r\n\r\nRING\r\n'
            b'\r\n+QIND: "FOTA","HTTPEND",724\r\n')
    check(got == want, "%s: %r" % (name, got))
    check(h.cmd("ATH") == OK, "%s: ATH" % name)
    mid_body(m, name, r"failed: 724 \([1-9]\d* bytes\)")
    still_usable(h, m, A, name)
    h.close()
    m.cleanup()

    # 725: AT+QFOTADL while a call is active (answered with ATA).
    name = "fota-http-725"
    m, h, addr = call_modem(modem, root, "T=20 call ring 13800000000")
    upto(h, b"\r\nRING\r\n")
    # Ringing, not answered yet: 724 before any transfer (the next RING
    # is 3 simulated seconds away).
    got = qfotadl(h, "http://%s/a.pkg" % addr["http"])
    want = (OK + b'\r\n+QIND: "FOTA","HTTPSTART"\r\n'
            b'\r\n+QIND: "FOTA","HTTPEND",724\r\n')
    check(got == want, "fota-http-724-ringing: %r" % got)
    upto(h, b"\r\nRING\r\n")
    check(h.cmd("ATA") == OK, "%s: ATA" % name)
    got = qfotadl(h, "http://%s/a.pkg" % addr["http"])
    want = (OK + b'\r\n+QIND: "FOTA","HTTPSTART"\r\n'
            b'\r\n+QIND: "FOTA","HTTPEND",725\r\n')
    check(got == want, "%s: %r" % (name, got))
    got = h.cmd("AT+CLCC")
    check(got == clcc(0, "13800000000", 129),
          "%s: the call goes on: %r" % (name, got))
    check(h.cmd("ATH") == OK, "%s: ATH" % name)
    still_usable(h, m, A, name)
    h.close()
    m.cleanup()

    # FTP carries on through a call (LTE and WCDMA carry packet data
    # during a call): ring mid-body, answer, FTPEND,0, then the update.
    name = "fota-ftp-call"
    m, h, addr = call_modem(modem, root, "T=30 call ring " + INTL,
                            "ftp data after 1000 bytes stall 40s\n", LONG)
    h.send('AT+QFOTADL="ftp://test:test@%s/a.pkg"\r' % addr["ftp"])
    got = upto(h, b"\r\nRING\r\n")
    check(got == OK + b'\r\n+QIND: "FOTA","FTPSTART"\r\n\r\nRING\r\n',
          "%s: RING mid-body: %r" % (name, got))
    check(h.cmd("ATA") == OK, "%s: ATA" % name)
    got = h.cmd("AT+CLCC")
    check(got == clcc(0, INTL, 145), "%s: call active: %r" % (name, got))
    got = upto(h, b'+QIND: "FOTA","FTPEND",0\r\n', 60)
    check(got == b'\r\n+QIND: "FOTA","FTPEND",0\r\n',
          "%s: the download goes on: %r" % (name, got))
    got = upto(h, b'+QIND: "FOTA","END",0\r\n', 120)
    check(got.endswith(b'\r\n+QIND: "FOTA","END",0\r\n'),
          "%s: updated: %r" % (name, got[-80:]))
    mid_body(m, name, "done: 0")
    h.close()
    m.cleanup()
    shutil.rmtree(root)


run(body)
