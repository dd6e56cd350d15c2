"""The module's own HTTP(S) client for the host (AT+QHTTPCFG, AT+QHTTPURL,
AT+QHTTPGET, AT+QHTTPREAD, AT+QHTTPSTOP): the exact answers of a GET and a
READ of a binary file from the embedded server and from nginx, the
response headers with "responseheader" 1, a 404 page, and each code that
comes from sharing the module's one HTTP(S) stack or from the host's input:
703 both ways, 705, 712, 720, 726, plus the stack's own codes (714, 716)
on the host's request.  Each case ends with the modem answering AT."""
import os
import tempfile

from fotasim_test import check, run, serve, ready, booted, qind, package
from realservers import nginx, stop

A = "EC200TCNHAR02A14M16"
B = "EC200TCNHAR02A15M16"
OK = b"\r\nOK\r\n"


def url_in(h, url, timeout=10):
    """AT+QHTTPURL: CONNECT, the URL's bytes, OK."""
    h.send(b"AT+QHTTPURL=%d,%d\r" % (len(url), timeout))
    got = h.expect(rb"^\r\nCONNECT\r\n").group(0)
    check(got == b"\r\nCONNECT\r\n", "QHTTPURL: CONNECT")
    h.send(url)
    got = h.expect(rb"^\r\n(OK|\+CME ERROR: \d+)\r\n").group(0)
    check(got == OK, "QHTTPURL: OK after the URL: %r" % got)


def get(h, arg=b""):
    """AT+QHTTPGET: everything through its +QHTTPGET result."""
    h.send(b"AT+QHTTPGET%s\r" % arg)
    return h.expect(rb"(?s)^.*?(\+QHTTPGET: [^\r]*|\+CME ERROR: \d+)\r\n",
                    60).group(0)


def read(h):
    """AT+QHTTPREAD: everything through +QHTTPREAD (or its error)."""
    h.send(b"AT+QHTTPREAD\r")
    return h.expect(rb"(?s)^.*?(\+QHTTPREAD: \d+|\+CME ERROR: \d+)\r\n",
                    60).group(0)


def start(modem, root, faults, speed, *args):
    """A modem with the embedded servers: (modem, addresses, host)."""
    m = modem(speed=speed)
    m.args += ["--flash-timing", "zero"] + list(args)
    addr = serve(m, root, faults)
    return m, addr, ready(m) if speed == "max" else booted(m)


def post(h, data, timeout=30):
    """AT+QHTTPPOST: CONNECT, the body, then everything through its
    +QHTTPPOST result (or the error after the body)."""
    h.send(b"AT+QHTTPPOST=%d,%d,30\r" % (len(data), timeout))
    got = h.expect(rb"^\r\nCONNECT\r\n").group(0)
    check(got == b"\r\nCONNECT\r\n", "QHTTPPOST: CONNECT")
    h.send(data)
    return h.expect(rb"(?s)^.*?(\+QHTTPPOST: [^\r]*|\+CME ERROR: \d+)\r\n",
                    60).group(0)


def usable(h, name):
    check(h.cmd("AT") == OK, "%s: the modem still answers" % name)


def body(modem):
    root = tempfile.mkdtemp(prefix="fotasim-www.")
    package(root, "a.pkg", A, B)
    with open(os.path.join(root, "a.pkg"), "rb") as f:
        pkg = f.read()
    blob = bytes(range(256)) * 40 + b"\r\n\x00end"
    with open(os.path.join(root, "blob.bin"), "wb") as f:
        f.write(blob)
    faults = ("http /slow.bin throttle 100B/s\n"
              "http /missing.txt status 404\n")
    with open(os.path.join(root, "slow.bin"), "wb") as f:
        f.write(b"s" * 100000)

    m, addr, h = start(modem, root, faults, "max")

    # 705: nothing to read yet; 712: GET with no URL.
    check(read(h) == b"\r\n+CME ERROR: 705\r\n", "http-705: READ before "
          "any GET")
    check(get(h) == b"\r\n+CME ERROR: 712\r\n", "http-712: GET before a URL")

    # A binary file, byte for byte: GET, then READ, then nothing left.
    url_in(h, b"http://%s/blob.bin" % addr["http"].encode())
    check(get(h, b"=30") == OK + b"\r\n+QHTTPGET: 0,200,%d\r\n" % len(blob),
          "GET: OK, then +QHTTPGET: 0,200,<length>")
    got = read(h)
    check(got == b"\r\nCONNECT\r\n" + blob + OK + b"\r\n+QHTTPREAD: 0\r\n",
          "READ: CONNECT, the bytes exactly, OK, +QHTTPREAD: 0 (%d bytes)" %
          len(got))
    check(read(h) == b"\r\n+CME ERROR: 705\r\n", "READ twice: 705")
    check(h.cmd("AT+QHTTPURL?") == b"\r\n+QHTTPURL: http://%s/blob.bin\r\n"
          % addr["http"].encode() + OK, "QHTTPURL? shows the URL")

    # "responseheader" 1: the status line and headers come first.
    check(h.cmd('AT+QHTTPCFG="responseheader",1') == OK and
          h.cmd('AT+QHTTPCFG="responseheader"') ==
          b'\r\n+QHTTPCFG: "responseheader",1\r\n' + OK,
          "QHTTPCFG responseheader set and read back")
    get(h)
    got = read(h)
    head, _, rest = got[len(b"\r\nCONNECT\r\n"):].partition(b"\r\n\r\n")
    check(got.startswith(b"\r\nCONNECT\r\nHTTP/1.1 200 OK\r\n") and
          b"\r\nContent-Length: %d" % len(blob) in head and
          rest == blob + OK + b"\r\n+QHTTPREAD: 0\r\n",
          "READ with headers: status line, headers, empty line, the body")
    h.cmd('AT+QHTTPCFG="responseheader",0')

    # A 404 is a page the host reads, with its status.
    url_in(h, b"http://%s/missing.txt" % addr["http"].encode())
    got = get(h)
    check(got.startswith(OK + b"\r\n+QHTTPGET: 0,404,"), "404: +QHTTPGET: "
          "0,404,<length>: %r" % got)
    check(read(h).startswith(b"\r\nCONNECT\r\nfault: status 404"),
          "404: the page is readable")

    # The stack's own codes on the host's request.
    for name, url, code in [("http-714", b"http://nowhere.invalid/x", 714),
                            ("http-716", b"http://127.0.0.1:1/x", 716),
                            ("http-723-not-http", b"gopher://%s/x" %
                             addr["http"].encode(), 723)]:
        url_in(h, url)
        got = get(h)
        check(got == OK + b"\r\n+QHTTPGET: %d\r\n" % code,
              "%s: +QHTTPGET: %d: %r" % (name, code, got))
        usable(h, name)

    # 720: bytes a request line cannot carry (outside US-ASCII, a NUL).
    for name, url in [("http-720", b"http://%s/caf\xe9.bin" %
                       addr["http"].encode()),
                      ("http-720-nul", b"http://%s/a\x00b" %
                       addr["http"].encode())]:
        url_in(h, url)
        got = get(h)
        check(got == OK + b"\r\n+QHTTPGET: 720\r\n",
              "%s: +QHTTPGET: 720: %r" % (name, got))
        usable(h, name)

    h.close()
    m.cleanup()

    # The sharing cases need a transfer that lasts: a throttled file at a
    # numeric speed (at --speed max its simulated time passes at once).
    m, addr, h = start(modem, root, faults, "10")

    # 703, the host's way: a FOTA download over HTTP runs.
    h.send(b'AT+QFOTADL="http://%s/slow.bin"\r' % addr["http"].encode())
    h.expect(rb'"HTTPSTART"\r\n')
    m.wait_transcript(r"state download start http")
    got = get(h)
    check(got == b"\r\n+CME ERROR: 703\r\n", "http-703: GET while a FOTA "
          "download runs: %r" % got)
    h.send(b"AT+CFUN=0\r")          # ends the download (710)
    h.expect(rb'"HTTPEND",710\r\n')
    check(h.cmd("AT+CFUN=1") == OK, "http-703: CFUN=1")
    h.close()
    m.cleanup()

    # 703, the FOTA way: the host's GET runs; HTTPEND,703, and AT+QHTTPSTOP
    # ends the GET with nothing printed.
    m, addr, h = start(modem, root, faults, "10")
    url_in(h, b"http://%s/slow.bin" % addr["http"].encode())
    h.send(b"AT+QHTTPGET\r")
    h.expect(rb"^\r\nOK\r\n")
    m.wait_transcript(r"state download start http")
    h.send(b'AT+QFOTADL="http://%s/a.pkg"\r' % addr["http"].encode())
    got = h.expect(rb'(?s)^.*?"HTTPEND",\d+\r\n').group(0)
    check(got == OK + qind(b'"HTTPSTART"') + qind(b'"HTTPEND"', 703),
          "fota-http-703: AT+QFOTADL while the host's GET runs: %r" % got)
    check(h.cmd("AT+QHTTPSTOP") == OK, "QHTTPSTOP: OK")
    check(h.cmd("AT+CGMR") == b"\r\n" + A.encode() + b"\r\n" + OK,
          "fota-http-703: still on the old firmware")
    # Then the stack is free: the FOTA download of the same package works
    # as a host GET (the package byte for byte).
    url_in(h, b"http://%s/a.pkg" % addr["http"].encode())
    check(get(h) == OK + b"\r\n+QHTTPGET: 0,200,%d\r\n" % len(pkg),
          "GET of the package after QHTTPSTOP")
    check(read(h) == b"\r\nCONNECT\r\n" + pkg + OK + b"\r\n+QHTTPREAD: 0\r\n",
          "READ: the package byte for byte")

    # 726: the URL not typed within <timeout> (a watchdog: wall seconds at
    # --speed max, where only the host can end the wait).
    h.send(b"AT+QHTTPURL=40,1\r")
    h.expect(rb"^\r\nCONNECT\r\n")
    h.send(b"http://x")
    got = h.expect(rb"^\r\n(OK|\+CME ERROR: \d+)\r\n", 30).group(0)
    check(got == b"\r\n+CME ERROR: 726\r\n", "http-726: %r" % got)
    usable(h, "http-726")
    check(h.cmd("AT+QHTTPURL?") == b"\r\n+QHTTPURL: http://%s/a.pkg\r\n" %
          addr["http"].encode() + OK, "http-726: the old URL stays")

    # AT+QHTTPCFG: its settings, ranges and refusals.
    for line, want in [
            ('AT+QHTTPCFG="contextid"', b'\r\n+QHTTPCFG: "contextid",1\r\n' +
             OK),
            ('AT+QHTTPCFG="contextid",2', OK),
            ('AT+QHTTPCFG="contextid"', b'\r\n+QHTTPCFG: "contextid",2\r\n' +
             OK),
            ('AT+QHTTPCFG="contextid",16', b"\r\n+CME ERROR: 50\r\n"),
            ('AT+QHTTPCFG="sslctxid",5', OK),
            ('AT+QHTTPCFG="sslctxid",6', b"\r\n+CME ERROR: 50\r\n"),
            ('AT+QHTTPCFG="requestheader"',
             b'\r\n+QHTTPCFG: "requestheader",0\r\n' + OK),
            ('AT+QHTTPCFG="requestheader",2', b"\r\n+CME ERROR: 50\r\n"),
            ('AT+QHTTPCFG="colour",1', b"\r\n+CME ERROR: 50\r\n"),
            ("AT+QHTTPURL=0", b"\r\n+CME ERROR: 50\r\n"),
            ("AT+QHTTPURL=701", b"\r\n+CME ERROR: 50\r\n")]:
        got = h.cmd(line)
        check(got == want, "%s: %r" % (line, got))
    # Context 2 is not defined: the host's GET gets 708 from the stack.
    got = get(h)
    check(got == OK + b"\r\n+QHTTPGET: 708\r\n", "http-708 on context 2: %r"
          % got)
    h.close()
    m.cleanup()

    # AT+QHTTPPOST: the body goes out, the page comes back (the embedded
    # server answers a POST to a file with 405); the body not typed in
    # time is 726.
    m, addr, h = start(modem, root, faults, "max")
    url_in(h, b"http://%s/blob.bin" % addr["http"].encode())
    got = post(h, b"a=1&b=2")
    check(got.startswith(OK + b"\r\n+QHTTPPOST: 0,405,"), "POST: OK, then "
          "+QHTTPPOST: 0,405,<length>: %r" % got)
    check(read(h).startswith(b"\r\nCONNECT\r\n"), "POST: the page is read")
    check(m.wait_transcript(r"state download http > POST /blob\.bin HTTP/1\.1")
          is None, "POST: the request line in the transcript")
    h.send(b"AT+QHTTPPOST=100,1,30\r")
    h.expect(rb"^\r\nCONNECT\r\n")
    h.send(b"short")
    got = h.expect(rb"^\r\n(OK|\+CME ERROR: \d+)\r\n", 30).group(0)
    check(got == b"\r\n+CME ERROR: 726\r\n", "http-726-post: %r" % got)
    usable(h, "http-726-post")
    h.close()
    m.cleanup()

    # 718: the link resets while the module still writes a long request
    # (its TCP send buffer is small); flow control on, so no byte of the
    # body is lost on the port.
    m, addr, h = start(modem, root, faults, "max", "--link-fault",
                       "up reset after=1000")
    h.cmd('AT+QCFG="usbifc",2,2')
    url_in(h, b"http://%s/blob.bin" % addr["http"].encode())
    got = post(h, b"x" * 1000000)
    check(got == OK + b"\r\n+QHTTPPOST: 718\r\n", "http-718: %r" % got)
    tr = m.transcript()
    check("state download request body: " in tr and
          " of 1000000 bytes written\n" in tr and
          "request-unsent" in tr, "http-718: the body was cut short")
    usable(h, "http-718")
    h.close()
    m.cleanup()

    # From nginx, at a numeric speed (a server in another process).
    tmp = tempfile.mkdtemp(prefix="fotasim-nginx.")
    proc, port = nginx(root, tmp)
    try:
        m = modem(speed="10")
        m.start()
        h = booted(m)
        url_in(h, b"http://127.0.0.1:%d/a.pkg" % port)
        check(get(h) == OK + b"\r\n+QHTTPGET: 0,200,%d\r\n" % len(pkg),
              "nginx: +QHTTPGET: 0,200,<length>")
        check(read(h) == b"\r\nCONNECT\r\n" + pkg + OK +
              b"\r\n+QHTTPREAD: 0\r\n", "nginx: the package byte for byte")
        h.close()
        m.cleanup()
    finally:
        stop(proc)


if __name__ == "__main__":
    run(body)
