"""Every foundation command through the real pty: echo, identity, SIM and
radio, registration, data, flow control, concatenation, A/ and framing."""
from fotasim_test import check, run

OK = b"\r\nOK\r\n"


def body(modem):
    m = modem().start()
    h = m.boot()

    # Echo on (default): the command comes back, then the response.
    resp = h.answer("ATI\r", rb"\r\nOK\r\n")
    check(resp == b"ATI\r\r\nQuectel\r\nEC200T\r\nRevision: EC200TCNHAR02A14M16"
          b"\r\n\r\nOK\r\n", "ATI with echo is byte-exact: %r" % resp)
    check(h.cmd("ATE0") == b"ATE0\r" + OK, "ATE0 is echoed once, then off")
    check(h.cmd("AT") == OK, "bare AT answers OK without echo")

    expect = [
        ("AT+GMI", b"\r\nQuectel\r\n" + OK),
        ("AT+CGMI", b"\r\nQuectel\r\n" + OK),
        ("AT+GMM", b"\r\nEC200T\r\n" + OK),
        ("AT+CGMM", b"\r\nEC200T\r\n" + OK),
        ("AT+GMR", b"\r\nEC200TCNHAR02A14M16\r\n" + OK),
        ("AT+CGMR", b"\r\nEC200TCNHAR02A14M16\r\n" + OK),
        ("AT+QGMR", b"\r\nEC200TCNHAR02A14M16_01.001.01.001\r\n" + OK),
        ("AT+CSUB", b"\r\nSubEdition: V03\r\n" + OK),
        ("AT+GSN", b"\r\n869710030002905\r\n" + OK),
        ("AT+CGSN", b"\r\n869710030002905\r\n" + OK),
        ("AT+CIMI", b"\r\n460001357924680\r\n" + OK),
        ("AT+QCCID", b"\r\n+QCCID: 89860012345678901234\r\n" + OK),
        ("AT+CPIN?", b"\r\n+CPIN: READY\r\n" + OK),
        ("AT+CFUN?", b"\r\n+CFUN: 1\r\n" + OK),
        ("AT+CFUN=?", b"\r\n+CFUN: (0,1,4),(0,1)\r\n" + OK),
        ("AT+CSQ", b"\r\n+CSQ: 24,99\r\n" + OK),
        ("AT+CREG?", b"\r\n+CREG: 0,1\r\n" + OK),
        ("AT+CGREG?", b"\r\n+CGREG: 0,1\r\n" + OK),
        ("AT+CEREG?", b"\r\n+CEREG: 0,1\r\n" + OK),
        ("AT+COPS?", b"\r\n+COPS: 0,0,\"CHINA MOBILE\",7\r\n" + OK),
        ("AT+QNWINFO", b"\r\n+QNWINFO: \"FDD LTE\",\"46000\",\"LTE BAND 3\",1650\r\n" + OK),
        ("AT+CGDCONT=1,\"IP\",\"cmnet\"", OK),
        ("AT+CGDCONT?", b"\r\n+CGDCONT: 1,\"IP\",\"cmnet\",\"0.0.0.0\",0,0,0\r\n" + OK),
        ("AT+QICSGP=1,1,\"cmnet\",\"u\",\"p\",1", OK),
        ("AT+QICSGP=1", b"\r\n+QICSGP: 1,\"cmnet\",\"u\",\"p\",1\r\n" + OK),
        ("AT+CGACT=1,1", OK),
        ("AT+CGACT?", b"\r\n+CGACT: 1,1\r\n" + OK),
        ("AT+CGPADDR=1", b"\r\n+CGPADDR: 1,\"10.46.103.17\"\r\n" + OK),
        ("AT+IFC?", b"\r\n+IFC: 0,0\r\n" + OK),
        ("AT+IFC=2,2", OK),
        ("AT+IFC?", b"\r\n+IFC: 2,2\r\n" + OK),
        ("AT+QCFG=\"usbifc\"", b"\r\n+QCFG: \"usbifc\",0,0\r\n" + OK),
        ("AT+QCFG=\"USBIFC\",2,2", OK),
        ("AT+QCFG=\"usbifc\"", b"\r\n+QCFG: \"usbifc\",2,2\r\n" + OK),
        ("AT+QFOTADL=?", OK),
        ("AT+CMEE?", b"\r\n+CMEE: 1\r\n" + OK),
        ("AT+NOSUCH", b"\r\nERROR\r\n"),
        ("AT+CFUN=3", b"\r\n+CME ERROR: 50\r\n"),
    ]
    for line, want in expect:
        got = h.cmd(line)
        check(got == want, "%s -> %r" % (line, got))

    # Concatenation, as a Zephyr driver sends before AT+QFOTADL.
    got = h.cmd("AT+CSQ;+CEREG?;+CGREG?;+COPS?")
    check(got == b"\r\n+CSQ: 24,99\r\n\r\n+CEREG: 0,1\r\n\r\n+CGREG: 0,1\r\n"
          b"\r\n+COPS: 0,0,\"CHINA MOBILE\",7\r\n" + OK,
          "concatenated commands answer in order: %r" % got)

    # A/ repeats the previous line without a terminator.
    h.send("A/")
    got = h.expect(rb"(?s).*?\r\nOK\r\n").group(0)
    check(got == b"\r\n+CSQ: 24,99\r\n\r\n+CEREG: 0,1\r\n\r\n+CGREG: 0,1\r\n"
          b"\r\n+COPS: 0,0,\"CHINA MOBILE\",7\r\n" + OK, "A/ repeats the last line")

    # Registration URCs: CFUN=0 drops the network, CFUN=1 searches again.
    check(h.cmd("AT+CREG=1;+CEREG=2") == OK, "URC modes set")
    got = h.answer("AT+CFUN=0\r", rb"\+CEREG: 0\r\n")
    check(got == OK + b"\r\n+CREG: 0\r\n\r\n+CEREG: 0\r\n",
          "CFUN=0: OK, then exactly the deregistration URCs: %r" % got)
    check(h.cmd("AT+CPIN?") == b"\r\n+CME ERROR: 13\r\n", "SIM off at CFUN=0")
    check(h.cmd("AT+CGACT=1,1") == b"\r\n+CME ERROR: 30\r\n",
          "no PDP activation without network")
    got = h.answer("AT+CFUN=1\r", rb"\+CEREG: 1,[^\r]*\r\n")
    check(got == OK + b"\r\n+CREG: 2\r\n\r\n+CEREG: 2\r\n"
          b"\r\n+CREG: 1\r\n\r\n+CEREG: 1,\"1A2B\",\"0C3D4E5\",7\r\n",
          "CFUN=1: OK, then exactly the URCs of searching and registration "
          "(+CEREG=2 form once registered): %r" % got)

    # Numeric and quiet result codes, verbose errors.
    check(h.cmd("AT+CMEE=2;+CFUN=3") == b"\r\n+CME ERROR: Incorrect parameters\r\n",
          "CMEE=2 gives verbose errors")
    got = h.answer("ATV0\r", rb"\r")
    check(got == b"0\r", "ATV0 answers exactly numeric 0: %r" % got)
    got = h.answer("AT+NOSUCH\r", rb"\r")
    check(got == b"4\r", "numeric ERROR is exactly 4: %r" % got)
    h.send("ATV1Q1\r")
    check(h.quiet_for(0.3) == b"", "ATQ1 suppresses OK")
    got = h.answer("AT+CSQ\r", rb"\+CSQ: [^\r]*\r\n")
    check(got == b"\r\n+CSQ: 24,99\r\n",
          "ATQ1 still shows information, exactly: %r" % got)
    check(h.quiet_for(0.3) == b"", "...but no result code")
    check(h.cmd("ATQ0") == OK, "ATQ0")

    # AT&W keeps settings across ATZ; AT&F restores factory settings.
    check(h.cmd("AT+CMEE=0;&W") == OK, "AT&W saves")
    check(h.cmd("AT&F") == OK, "AT&F")
    check(h.cmd("ATE0") == b"ATE0\r" + OK, "AT&F turned echo back on")
    check(h.cmd("ATZ") == OK, "ATZ")
    check(h.cmd("AT+CFUN=3") == b"\r\nERROR\r\n", "ATZ restored CMEE=0")
    h.close()


run(body)
