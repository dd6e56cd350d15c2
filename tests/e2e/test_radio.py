"""Radio technologies (docs/network.md): what AT+CREG?/CGREG?/CEREG?,
AT+COPS?, AT+QNWINFO and AT+CSQ answer on each (--rat), whole answers;
the URCs of a handover (--net-event "T=S rat NAME") per AT+CxREG mode and
of a CS fallback call on LTE; --rat, --link-profile and rat events refused
at start; AT+CGACT=1 answers after the activation time (simulated stamps in
the transcript), fails for a rejected APN; and GSM class B: a call on GSM
suspends packet data, so an FTP or HTTP download during it resumes after
the hang-up (fota-ftp-class-b, fota-http-class-b) or ends with the stall
timer's code when the call outlasts it (fota-ftp-609-class-b,
fota-http-722-class-b), and AT+QFOTADL during a call there waits for it
instead of 725 (fota-http-call-class-b); each with the exact +QIND lines,
the failures with the modem still usable on the old firmware."""
import os
import re
import shutil
import subprocess
import tempfile

from fotasim_test import (check, run, serve, booted, ready, still_usable, PKG,
                          FOTASIM)

A = "EC200TCNHAR02A14M16"
OK = b"\r\nOK\r\n"
NO_CARRIER = b"\r\nNO CARRIER\r\n"
LOC = b'"1A2B","0C3D4E5"'
NUMBER = "+8613800000000"

# technology: (AcT, AT+QNWINFO, AT+CSQ) on the EC200T (CHINA MOBILE, 46000)
EC200T = {
    "gsm": (0, b'"GSM","46000","GSM 900",60', b"20,0"),
    "gprs": (0, b'"GPRS","46000","GSM 900",60', b"20,0"),
    "edge": (3, b'"EDGE","46000","GSM 900",60', b"20,0"),
    "wcdma": (2, b'"WCDMA","46000","WCDMA 2100",10700', b"24,99"),
    "hspa+": (6, b'"HSPA+","46000","WCDMA 2100",10700', b"24,99"),
    "lte": (7, b'"FDD LTE","46000","LTE BAND 3",1650', b"24,99"),
}


def upto(h, want, limit=30):
    """Everything through the first `want`, to compare it whole."""
    return h.expect(b"(?s)^(.*?" + re.escape(want) + b")", limit).group(1)


def info(line, body):
    return b"\r\n" + line + b": " + body + b"\r\n" + OK


def ask(modem, name, extra, steps):
    """Boot a modem with `extra` options; each command's whole answer."""
    m = modem(*extra, speed="max")
    m.start()
    h = ready(m)
    for line, want in steps:
        got = h.cmd(line)
        check(got == want, "%s: %s -> %r" % (name, line, got))
    h.close()
    m.cleanup()


def answers(modem):
    """Each technology's answers, on a modem booted on it (--rat)."""
    for rat, (act, qnw, csq) in EC200T.items():
        eps = (b"2,1," + LOC + b",7") if rat == "lte" else b"2,0"
        steps = [("AT+CREG=2;+CGREG=2;+CEREG=2", OK),
                 ("AT+CREG?", info(b"+CREG", b"2,1," + LOC + b",%d" % act)),
                 ("AT+CGREG?", info(b"+CGREG", b"2,1," + LOC + b",%d" % act)),
                 ("AT+CEREG?", info(b"+CEREG", eps)),
                 ("AT+CREG=0;+CGREG=1;+CEREG=1", OK),
                 ("AT+CREG?", info(b"+CREG", b"0,1")),
                 ("AT+CEREG?", info(b"+CEREG",
                                    b"1,1" if rat == "lte" else b"1,0")),
                 ("AT+COPS?", info(b"+COPS", b'0,0,"CHINA MOBILE",%d' % act)),
                 ("AT+QNWINFO", info(b"+QNWINFO", qnw)),
                 ("AT+CSQ", info(b"+CSQ", csq))]
        ask(modem, "answers-" + rat, ["--rat", rat], steps)
    # The UC200T: WCDMA by default, HSPA+ and GSM on request; never EPS.
    for rat, act, qnw, csq in (
            (None, 2, b'"WCDMA","46001","WCDMA 2100",10700', b"24,99"),
            ("hspa+", 6, b'"HSPA+","46001","WCDMA 2100",10700', b"24,99"),
            ("edge", 3, b'"EDGE","46001","GSM 900",60', b"20,0")):
        extra = ["--model", "UC200T"] + (["--rat", rat] if rat else [])
        steps = [("AT+CREG=2;+CEREG=2", OK),
                 ("AT+CREG?", info(b"+CREG", b"2,1," + LOC + b",%d" % act)),
                 ("AT+CEREG?", info(b"+CEREG", b"2,0")),
                 ("AT+COPS?", info(b"+COPS", b'0,0,"CHN-UNICOM",%d' % act)),
                 ("AT+QNWINFO", info(b"+QNWINFO", qnw)),
                 ("AT+CSQ", info(b"+CSQ", csq))]
        ask(modem, "answers-uc200t-%s" % (rat or "default"), extra, steps)


def handover(modem):
    """LTE -> GSM -> LTE -> WCDMA: the URCs of each change, per mode."""
    name = "handover"
    m = modem(speed="10")
    m.args += ["--net-event", "T=15 rat gsm", "--net-event", "T=25 rat lte",
               "--net-event", "T=35 rat wcdma", "--net-event", "T=45 rat gprs"]
    m.start()
    h = booted(m)
    check(h.cmd("AT+CREG=1;+CGREG=2;+CEREG=2") == OK, "%s: modes" % name)
    # LTE -> GSM: mode 1 sees no change of <stat>; mode 2 the new cell;
    # EPS registration is LTE's: +CEREG: 0.
    want = b'\r\n+CGREG: 1,' + LOC + b',0\r\n\r\n+CEREG: 0\r\n'
    got = upto(h, want)
    check(got == want, "%s: LTE -> GSM: %r" % (name, got))
    check(h.cmd("AT+QNWINFO") == info(b"+QNWINFO",
                                      b'"GSM","46000","GSM 900",60'),
          "%s: AT+QNWINFO on GSM" % name)
    want = (b'\r\n+CGREG: 1,' + LOC + b',7\r\n\r\n+CEREG: 1,' + LOC +
            b',7\r\n')
    got = upto(h, want)
    check(got == want, "%s: GSM -> LTE: %r" % (name, got))
    check(h.cmd("AT+CREG=2;+CGREG=0;+CEREG=1") == OK, "%s: modes 2" % name)
    want = b'\r\n+CREG: 1,' + LOC + b',2\r\n\r\n+CEREG: 0\r\n'
    got = upto(h, want)
    check(got == want, "%s: LTE -> WCDMA: %r" % (name, got))
    # WCDMA -> GPRS: no EPS either side, so only the mode 2 +CREG.
    want = b'\r\n+CREG: 1,' + LOC + b',0\r\n'
    got = upto(h, want)
    check(got == want, "%s: WCDMA -> GPRS: %r" % (name, got))
    check(h.quiet_for(0.3) == b"", "%s: nothing else" % name)
    tr = m.transcript()
    for rec in ("state network event: rat gsm",
                "state radio technology LTE -> GSM: handover",
                "state radio link down=53.6k,up=13.4k,rtt=700ms,jitter=150ms",
                "state radio technology GSM -> LTE: handover",
                "state radio link down=150M,up=50M,rtt=50ms,jitter=5ms"):
        check(rec in tr, "%s: transcript has %r" % (name, rec))
    h.close()
    m.cleanup()


def csfb(modem):
    """A call on LTE falls back to WCDMA and comes back after it."""
    name = "csfb"
    m = modem(speed="10")
    m.args += ["--net-event", "T=15 call ring " + NUMBER]
    m.start()
    h = booted(m)
    check(h.cmd("AT+CREG=2;+CEREG=1") == OK, "%s: modes" % name)
    want = (b'\r\n+CREG: 1,' + LOC + b',2\r\n\r\n+CEREG: 0\r\n'
            b'\r\nRING\r\n')
    got = upto(h, want)
    check(got == want, "%s: to WCDMA, then RING: %r" % (name, got))
    got = h.cmd("AT+QNWINFO")
    check(got == info(b"+QNWINFO", b'"WCDMA","46000","WCDMA 2100",10700'),
          "%s: on WCDMA during the call: %r" % (name, got))
    back = b'\r\n+CREG: 1,' + LOC + b',7\r\n\r\n+CEREG: 1\r\n'
    got = h.cmd("ATH") + upto(h, back)
    check(got == OK + back,
          "%s: back on LTE after the call: %r" % (name, got))
    h.close()
    m.cleanup()


def refused():
    """Bad --rat, --link-profile and rat events: exit 2, one message."""
    cases = [
        (["--model", "UC200T", "--rat", "lte"],
         "fotasim: --rat lte: the UC200T has no LTE (gsm, gprs, edge, wcdma, "
         "hspa+)\n"),
        (["--rat", "lte", "--model", "uc200t"],
         "fotasim: --rat lte: the UC200T has no LTE (gsm, gprs, edge, wcdma, "
         "hspa+)\n"),
        (["--model", "UC200T", "--net-event", "T=5 rat lte"],
         "fotasim: --net-event: 'T=5 rat lte': the UC200T has no LTE (gsm, "
         "gprs, edge, wcdma, hspa+)\n"),
        (["--rat", "umts"],
         "fotasim: --rat: unknown technology 'umts' (gsm, gprs, edge, wcdma, "
         "hspa+, lte)\n"),
        (["--net-event", "T=5 rat 5g"],
         "fotasim: --net-event: 'T=5 rat 5g': unknown technology '5g' (gsm, "
         "gprs, edge, wcdma, hspa+, lte)\n"),
        (["--link-profile", ""],
         "fotasim: --link-profile: '': expected KEY=VALUE[,...] with keys "
         "down, up, rtt, jitter\n"),
        (["--link-profile", "down=40k,"],
         "fotasim: --link-profile: 'down=40k,': expected KEY=VALUE[,...] "
         "with keys down, up, rtt, jitter\n"),
        (["--link-profile", "down"],
         "fotasim: --link-profile: 'down': expected KEY=VALUE, not 'down'\n"),
        (["--link-profile", "speed=1M"],
         "fotasim: --link-profile: 'speed=1M': unknown key 'speed' (down, "
         "up, rtt, jitter)\n"),
        (["--link-profile", "down=40k,down=2M"],
         "fotasim: --link-profile: 'down=40k,down=2M': down given twice\n"),
        (["--link-profile", "up=40kb"],
         "fotasim: --link-profile: 'up=40kb': up wants bits per second from "
         "100 to 10G (a number, optionally with k, M or G: 40k, 2M), not "
         "'40kb'\n"),
        (["--link-profile", "down=1e6"],
         "fotasim: --link-profile: 'down=1e6': down wants bits per second "
         "from 100 to 10G (a number, optionally with k, M or G: 40k, 2M), "
         "not '1e6'\n"),
        (["--link-profile", "rtt=300"],
         "fotasim: --link-profile: 'rtt=300': rtt wants a time up to 60 s "
         "with ms or s (300ms, 0.3s), not '300'\n"),
        (["--link-profile", "jitter=-1ms"],
         "fotasim: --link-profile: 'jitter=-1ms': jitter wants a time up to "
         "30 s with ms or s (20ms), not '-1ms'\n"),
        (["--link-profile", "rtt=100ms,jitter=60ms"],
         "fotasim: --link-profile: 'rtt=100ms,jitter=60ms': jitter is at "
         "most half the rtt (a one-way delay never goes below zero)\n"),
    ]
    tmp = tempfile.mkdtemp(prefix="fotasim-e2e.")
    for args, want in cases:
        p = subprocess.run([FOTASIM, "--link", os.path.join(tmp, "at.tty")] +
                           args, capture_output=True, timeout=30)
        check(p.returncode == 2 and p.stderr.decode() == want,
              "refused %r: %d %r" % (args, p.returncode, p.stderr))
    shutil.rmtree(tmp)


def link_profile(modem):
    """--link-profile replaces some of each technology's figures."""
    name = "link-profile"
    m = modem("--link-profile", "down=40k,rtt=800ms", "--net-event",
              "T=3 rat edge", speed="max")
    m.start()
    h = ready(m)
    tr = m.transcript()
    for rec in ("state radio link down=40k,up=50M,rtt=800ms,jitter=5ms "
                "(--link-profile)",
                "state radio link down=40k,up=59.2k,rtt=800ms,jitter=50ms"):
        check(rec in tr, "%s: transcript has %r" % (name, rec))
    h.close()
    m.cleanup()


def stamp(tr, record):
    """The simulated time of the first transcript line ending in `record`."""
    got = re.search(r"^(\d+\.\d+) \S+ state " + re.escape(record) + "$", tr,
                    re.M)
    return float(got.group(1)) if got else None


def cgact(modem):
    """AT+CGACT=1 answers OK after the activation time, ERROR for a
    rejected APN; AT+CGACT=0 drops the context (+CGEV with AT+CGEREP)."""
    name = "cgact"
    m = modem("--pdp-activation-time", "4", "--reject-apn", "bad.apn",
              speed="max")
    m.start()
    h = ready(m)
    steps = [("AT+CGACT?", info(b"+CGACT", b"1,0")),
             ("AT+CGACT=1,1", OK),
             ("AT+CGACT?", info(b"+CGACT", b"1,1")),
             ("AT+QIACT?", info(b"+QIACT", b'1,1,1,"10.46.103.17"')),
             ("AT+CGACT=1,1", OK),
             ("AT+CGEREP=1", OK),
             ("AT+CGACT=0,1", OK),
             ("AT", b"\r\n+CGEV: ME PDN DEACT 1\r\n" + OK),
             ("AT+CGACT?", info(b"+CGACT", b"1,0")),
             ("AT+CGACT=1", OK),
             ("AT", b"\r\n+CGEV: ME PDN ACT 1\r\n" + OK),
             ("AT+CGACT=0", OK),
             ("AT", b"\r\n+CGEV: ME PDN DEACT 1\r\n" + OK),
             ('AT+CGDCONT=2,"IP","bad.apn"', OK),
             ("AT+CGACT=1,2", b"\r\nERROR\r\n"),
             ("AT+CGACT=1,3", b"\r\n+CME ERROR: 50\r\n"),
             ("AT+CGACT?", b"\r\n+CGACT: 1,0\r\n+CGACT: 2,0\r\n" + OK)]
    for line, want in steps:
        got = h.cmd(line)
        check(got == want, "%s: %s -> %r" % (name, line, got))
    tr = m.transcript()
    t0 = stamp(tr, 'pdp 1 activating ""')
    t1 = stamp(tr, "pdp 1 activated")
    ok = re.search(r"^(\d+\.\d+) \S+ m>h OK\\r\\n$",
                   tr[tr.index("AT+CGACT=1,1"):], re.M)
    check(t0 is not None and t1 is not None and abs(t1 - t0 - 4) < 1e-3 and
          ok is not None and float(ok.group(1)) >= t1,
          "%s: OK 4 simulated seconds later: %r %r" % (name, t0, t1))
    t0 = stamp(tr, 'pdp 2 activating "bad.apn"')
    t1 = stamp(tr, "pdp 2 activation failed: the network rejects the APN")
    check(t0 is not None and t1 is not None and abs(t1 - t0 - 4) < 1e-3,
          "%s: ERROR after the activation time too: %r %r" % (name, t0, t1))
    h.close()
    m.cleanup()


def class_b(modem, root, proto, event, faults, timeouts):
    """A booted GSM modem at --speed 10 with a call and the servers."""
    m = modem("--rat", "gsm", speed="10")
    m.args += ["--flash-timing", "zero", "--fota-timeouts", timeouts]
    for e in event:
        m.args += ["--net-event", e]
    addr = serve(m, root, faults)
    h = booted(m)
    if proto == "ftp":
        url = "ftp://test:test@%s/a.pkg" % addr["ftp"]
    else:
        url = "http://%s/a.pkg" % addr["http"]
    return m, h, url


def suspended(m, name):
    """The transcript: the download held from the call to the hang-up."""
    tr = m.transcript()
    check(re.search(r"network event: call ring .*\n(.*\n)*.*state radio "
                    r"packet data suspended.*\n(.*\n)*.*state download "
                    r"suspended: no packet data\n", tr) is not None,
          "%s: the call suspends the download" % name)
    return tr


def answer_mid_body(h, url, word, name):
    """AT+QFOTADL, the call's RING mid-body (exact bytes), ATA."""
    h.send('AT+QFOTADL="%s"\r' % url)
    got = upto(h, b"\r\nRING\r\n")
    check(got == OK + b'\r\n+QIND: "FOTA","%sSTART"\r\n\r\nRING\r\n' %
          word, "%s: RING mid-body: %r" % (name, got))
    check(h.cmd("ATA") == OK, "%s: ATA" % name)


def class_b_cases(modem, root):
    for proto, word, fault in (
            ("ftp", b"FTP", "ftp data after 1000 bytes stall 20s\n"),
            ("http", b"HTTP", "http /a.pkg after 1000 bytes stall 20s\n")):
        # The call rings mid-body (the server stalls from T=7 to T=27),
        # is answered, and the caller hangs up at T=45: without class B
        # the download would be over at T=27; with it, after the hang-up.
        name = "fota-%s-class-b" % proto
        m, h, url = class_b(modem, root, proto,
                            ["T=15 call ring " + NUMBER, "T=45 call hangup"],
                            fault, "stall=3000,first-byte=3000,total=3600")
        answer_mid_body(h, url, word, name)
        end = b'\r\n+QIND: "FOTA","%sEND",0\r\n' % word
        got = upto(h, end, 60)
        check(got == NO_CARRIER + end,
              "%s: the download ends after the call: %r" % (name, got))
        got = upto(h, b'+QIND: "FOTA","END",0\r\n', 120)
        check(got.endswith(b'\r\n+QIND: "FOTA","END",0\r\n'),
              "%s: updated: %r" % (name, got[-80:]))
        tr = suspended(m, name)
        check(re.search(r"state radio packet data resumed\n(.*\n)*.*state "
                        r"download resumed\n(.*\n)*.*fota download done: 0",
                        tr) is not None, "%s: resumed, then done" % name)
        h.close()
        m.cleanup()

        # The call outlasts the stall timer (30 s after the last byte at
        # T=7; the server goes on at T=17, unread): its code.
        code = 609 if proto == "ftp" else 722
        name = "fota-%s-%d-class-b" % (proto, code)
        fault10 = fault.replace("20s", "10s")
        m, h, url = class_b(modem, root, proto, ["T=12 call ring " + NUMBER],
                            fault10, "stall=30,first-byte=3000,total=3600")
        answer_mid_body(h, url, word, name)
        end = b'\r\n+QIND: "FOTA","%sEND",%d\r\n' % (word, code)
        got = upto(h, end, 60)
        check(got == end, "%s: the stall timer's code: %r" % (name, got))
        suspended(m, name)
        check(h.cmd("ATH") == OK, "%s: ATH" % name)
        still_usable(h, m, A, name)
        h.close()
        m.cleanup()


def class_b_start(modem, root):
    """AT+QFOTADL over HTTP during an active call on GSM: no 725; the
    transfer waits (nothing sent, not even the connect) for the call."""
    name = "fota-http-call-class-b"
    m, h, url = class_b(modem, root, "http",
                        ["T=10 call ring " + NUMBER, "T=30 call hangup"],
                        None, "stall=3000,first-byte=3000,total=3600")
    upto(h, b"\r\nRING\r\n")
    check(h.cmd("ATA") == OK, "%s: ATA" % name)
    h.send('AT+QFOTADL="%s"\r' % url)
    end = b'\r\n+QIND: "FOTA","HTTPEND",0\r\n'
    got = upto(h, end, 60)
    check(got == OK + b'\r\n+QIND: "FOTA","HTTPSTART"\r\n' + NO_CARRIER +
          end, "%s: starts, ends after the call: %r" % (name, got))
    tr = m.transcript()
    check(re.search(r"state download suspended: no packet data\n(.*\n)*.*"
                    r"state download resumed\n(.*\n)*.*download http > GET ",
                    tr) is not None, "%s: no request before the call's end"
          % name)
    upto(h, b'+QIND: "FOTA","END",0\r\n', 120)
    h.close()
    m.cleanup()


def body(modem):
    answers(modem)
    handover(modem)
    csfb(modem)
    refused()
    link_profile(modem)
    cgact(modem)
    root = tempfile.mkdtemp(prefix="fotasim-www.")
    subprocess.run([PKG, "create", "--model", "EC200T", "--from", A, "--to",
                    "EC200TCNHAR02A15M16", "-o", os.path.join(root, "a.pkg")],
                   check=True)
    class_b_cases(modem, root)
    class_b_start(modem, root)
    shutil.rmtree(root)


run(body)
