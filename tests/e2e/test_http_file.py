"""The host's HTTP(S) client beyond GET and READ: AT+QHTTPREADFILE puts the
response into the UFS (a package fetched that way then upgrades the module
from "UFS:", which proves the file byte for byte), and
AT+QHTTPCFG="requestheader",1, where the host types the whole request:
Python's http.server echoes what it received, so the test asserts the
exact request lines that reached the server, and a request the module
cannot send as typed is 720."""
import http.server
import os
import re
import tempfile
import threading

from fotasim_test import (check, run, serve, ready, booted, package, qind,
                          UPDATING)

A = "EC200TCNHAR02A14M16"
B = "EC200TCNHAR02A15M16"
OK = b"\r\nOK\r\n"


def cme(code):
    return b"\r\n+CME ERROR: %d\r\n" % code


def url_in(h, url, timeout=10):
    h.send(b"AT+QHTTPURL=%d,%d\r" % (len(url), timeout))
    check(h.expect(rb"^\r\nCONNECT\r\n").group(0) == b"\r\nCONNECT\r\n",
          "QHTTPURL: CONNECT")
    h.send(url)
    got = h.expect(rb"^\r\n(OK|\+CME ERROR: \d+)\r\n").group(0)
    check(got == OK, "QHTTPURL: OK after the URL: %r" % got)


def result(h, word, limit=60):
    """Everything through the +QHTTP<word> result (or an error)."""
    return h.expect(rb"(?s)^.*?(\+QHTTP%s: [^\r]*|\+CME ERROR: \d+)\r\n" %
                    word, limit).group(0)


def get(h):
    h.send(b"AT+QHTTPGET\r")
    return result(h, b"GET")


def typed(h, cmd, request, word):
    """With "requestheader" 1: the command, CONNECT, the typed request,
    then everything through its result."""
    h.send(cmd % len(request) + b"\r")
    got = h.expect(rb"^\r\n(CONNECT|\+CME ERROR: \d+)\r\n").group(0)
    if got != b"\r\nCONNECT\r\n":
        return got
    h.send(request)
    return result(h, word)


def to_file(h, args):
    """AT+QHTTPREADFILE: everything through its result (or an error)."""
    h.send(b"AT+QHTTPREADFILE=%s\r" % args)
    return result(h, b"READFILE")


def read(h):
    h.send(b"AT+QHTTPREAD\r")
    return result(h, b"READ")


def readfile(modem):
    root = tempfile.mkdtemp(prefix="fotasim-www.")
    package(root, "a.pkg", A, B)
    blob = bytes(range(256)) * 30 + b"\r\n\x00end"
    with open(os.path.join(root, "blob.bin"), "wb") as f:
        f.write(blob)
    m = modem(speed="max")
    m.args += ["--flash-timing", "zero"]
    addr = serve(m, root)
    h = ready(m)
    base = b"http://%s/" % addr["http"].encode()

    check(to_file(h, b'"UFS:x.bin"') == cme(705),
          "http-705-readfile: nothing to read yet")
    url_in(h, base + b"blob.bin")
    check(get(h) == OK + b"\r\n+QHTTPGET: 0,200,%d\r\n" % len(blob),
          "GET blob.bin")
    check(to_file(h, b'"UFS:blob.bin",30') == OK +
          b"\r\n+QHTTPREADFILE: 0\r\n", "READFILE: OK, +QHTTPREADFILE: 0")
    check(h.cmd('AT+QFLST="UFS:blob.bin"') == b'\r\n+QFLST: "UFS:blob.bin",'
          b"%d\r\n" % len(blob) + OK, "the file has the body's length")
    check(to_file(h, b'"UFS:again.bin"') == cme(705),
          "READFILE consumes the response: 705")

    # A name the UFS refuses, or one that exists: the file commands' code,
    # and the response stays to be read.
    get(h)
    check(to_file(h, b'"a/b"') == cme(406), "READFILE: bad "
          "name 406")
    check(to_file(h, b'"blob.bin"') == cme(407), "READFILE: the "
          "file exists 407")
    check(read(h) == b"\r\nCONNECT\r\n" + blob + OK +
          b"\r\n+QHTTPREAD: 0\r\n", "the response is still read whole")

    # "responseheader" 1: the head goes into the file first.
    h.cmd('AT+QHTTPCFG="responseheader",1')
    get(h)
    h.send(b"AT+QHTTPREAD\r")
    whole = result(h, b"READ")
    head = whole[len(b"\r\nCONNECT\r\n"):].partition(b"\r\n\r\n")[0] + \
        b"\r\n\r\n"
    get(h)
    check(to_file(h, b'"head.bin"') == OK +
          b"\r\n+QHTTPREADFILE: 0\r\n", "READFILE with headers")
    check(h.cmd('AT+QFLST="head.bin"') == b'\r\n+QFLST: "UFS:head.bin",%d'
          b"\r\n" % (len(head) + len(blob)) + OK, "the file: head and body")
    h.cmd('AT+QHTTPCFG="responseheader",0')

    # The package fetched into the UFS upgrades the module from there.
    url_in(h, base + b"a.pkg")
    got = get(h)
    check(got.startswith(OK + b"\r\n+QHTTPGET: 0,200,"), "GET a.pkg: %r" %
          got)
    check(to_file(h, b'"a.pkg"') == OK +
          b"\r\n+QHTTPREADFILE: 0\r\n", "READFILE a.pkg")
    h.send(b'AT+QFOTADL="UFS:a.pkg"\r')
    got = h.wait_hangup(60)
    ups = [int(v) for v in re.findall(UPDATING, got)]
    want = (OK + qind(b'"START"') +
            b"".join(qind(b'"UPDATING"', v) for v in ups) + qind(b'"END"', 0))
    check(got == want and ups and ups[-1] == 100,
          "QFOTADL from the file READFILE wrote: %r" % got[:200])
    h.close()
    h = ready(m)
    check(h.cmd("AT+CGMR") == b"\r\n" + B.encode() + b"\r\n" + OK,
          "the package from the UFS file is installed")
    h.close()
    m.cleanup()


class Echo(http.server.BaseHTTPRequestHandler):
    """Answers with the request as it arrived: its request line, its header
    lines and its body."""
    protocol_version = "HTTP/1.1"

    def answer(self):
        got = self.raw_requestline
        for k, v in self.headers.items():
            got += b"%s: %s\r\n" % (k.encode(), v.encode())
        n = int(self.headers.get("Content-Length", "0"))
        got += b"\r\n" + self.rfile.read(n)
        self.send_response(200)
        self.send_header("Content-Length", str(len(got)))
        self.end_headers()
        self.wfile.write(got)

    do_GET = do_POST = answer

    def log_message(self, *args):
        pass


def requestheader(modem):
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    port = srv.server_address[1]
    try:
        m = modem(speed="10")
        m.start()
        h = booted(m)
        for line, want in [
                ('AT+QHTTPCFG="requestheader",2', cme(50)),
                ('AT+QHTTPCFG="requestheader",1', OK),
                ('AT+QHTTPCFG="requestheader"',
                 b'\r\n+QHTTPCFG: "requestheader",1\r\n' + OK),
                ("AT+QHTTPGET=?", b"\r\n+QHTTPGET: (1-65535),(1-1048576),"
                 b"(1-65535)\r\n" + OK),
                ("AT+QHTTPGET", cme(50)),
                ("AT+QHTTPGET=30", cme(50))]:
            got = h.cmd(line)
            check(got == want, "%s: %r" % (line, got))
        url_in(h, b"http://127.0.0.1:%d/ignored" % port)

        # A typed GET, then a typed POST: the server sees exactly their
        # lines (and the POST's body), none of libcurl's.
        for cmd, word, req in [
                (b"AT+QHTTPGET=30,%d,10", b"GET",
                 b"GET /echo?x=1 HTTP/1.1\r\nHost: device.example\r\n"
                 b"X-Device: 7\r\n\r\n"),
                (b"AT+QHTTPPOST=%d,10,30", b"POST",
                 b"POST /up HTTP/1.1\r\nHost: device.example\r\n"
                 b"Content-Type: text/plain\r\nContent-Length: 5\r\n\r\n"
                 b"hello")]:
            got = typed(h, cmd, req, word)
            check(got == OK + b"\r\n+QHTTP%s: 0,200,%d\r\n" % (word,
                  len(req)), "typed %s: OK, then its result: %r" % (word, got))
            check(read(h) == b"\r\nCONNECT\r\n" + req + OK +
                  b"\r\n+QHTTPREAD: 0\r\n", "typed %s: the server got it "
                  "as typed" % word)

        # 720: requests the module cannot send as typed.
        for name, cmd, req, word in [
                ("http-720-no-end", b"AT+QHTTPGET=30,%d,10",
                 b"GET / HTTP/1.1\r\nHost: x\r\n", b"GET"),
                ("http-720-method", b"AT+QHTTPGET=30,%d,10",
                 b"POST / HTTP/1.1\r\nHost: x\r\n\r\n", b"GET"),
                ("http-720-bare-lf", b"AT+QHTTPGET=30,%d,10",
                 b"GET / HTTP/1.1\nHost: x\r\n\r\n", b"GET"),
                ("http-720-not-a-header", b"AT+QHTTPPOST=%d,10,30",
                 b"POST / HTTP/1.1\r\nno colon\r\n\r\nbody", b"POST"),
                ("http-720-get-body", b"AT+QHTTPGET=30,%d,10",
                 b"GET / HTTP/1.1\r\nHost: x\r\n\r\nextra", b"GET")]:
            got = typed(h, cmd, req, word)
            check(got == OK + b"\r\n+QHTTP%s: 720\r\n" % word,
                  "%s: %r" % (name, got))
            check(h.cmd("AT") == OK, "%s: the modem still answers" % name)
        h.close()
        m.cleanup()
    finally:
        srv.shutdown()


def beside_ftp(modem):
    """The host's GET while a FOTA download over FTP runs: each on its own
    relay, neither ends the other's connections (the FTP stack and the
    HTTP(S) stack are not in each other's way)."""
    root = tempfile.mkdtemp(prefix="fotasim-www.")
    package(root, "a.pkg", A, B)
    blob = bytes(range(256)) * 40
    with open(os.path.join(root, "blob.bin"), "wb") as f:
        f.write(blob)
    m = modem(speed="10")
    m.args += ["--flash-timing", "zero"]
    addr = serve(m, root, "ftp data throttle 5kB/s\n")
    h = booted(m)
    h.send(b'AT+QFOTADL="ftp://test:test@%s/a.pkg"\r' % addr["ftp"].encode())
    got = h.expect(rb'(?s)^.*?"FTPSTART"\r\n').group(0)
    check(got == OK + qind(b'"FTPSTART"'), "FOTA over FTP starts: %r" % got)
    m.wait_transcript(r"state download start ftp")
    url_in(h, b"http://%s/blob.bin" % addr["http"].encode())
    check(get(h) == OK + b"\r\n+QHTTPGET: 0,200,%d\r\n" % len(blob),
          "http-beside-ftp: the host's GET during the FOTA download")
    check(read(h) == b"\r\nCONNECT\r\n" + blob + OK +
          b"\r\n+QHTTPREAD: 0\r\n", "http-beside-ftp: its body exactly")
    got = h.wait_hangup(60)
    ups = [int(v) for v in re.findall(UPDATING, got)]
    want = (qind(b'"FTPEND"', 0) + qind(b'"START"') +
            b"".join(qind(b'"UPDATING"', v) for v in ups) + qind(b'"END"', 0))
    check(got == want and ups and ups[-1] == 100,
          "http-beside-ftp: the FOTA download went on to the end: %r" %
          got[:200])
    h.close()
    m.cleanup()


def body(modem):
    readfile(modem)
    requestheader(modem)
    beside_ftp(modem)


if __name__ == "__main__":
    run(body)
