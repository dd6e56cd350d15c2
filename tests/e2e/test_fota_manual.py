"""The manual's two AT+QFOTADL examples (chapter 3.1 over FTP, 3.2 over
HTTP) replayed: the host's line and the module's answers byte for byte,
apart from the manual's typesetting spaces, with UPDATING rising to 100;
the transcript holds exactly the bytes the host read.  Then the public host
parsers of research/field-behaviour.md, as small regexes, accept every URC
line fotasim printed, and Zephyr's concatenated query works."""
import os
import re
import socket
import subprocess
import tempfile
import shutil

from fotasim_test import check, run, serve, booted, PKG
from realservers import free_port

A = "EC200TCNHAR02A14M16"
B = "EC200TCNHAR02A15M16"
FILE = "EC200TCNTCNMAR02A02M16.bin"      # the manual's file name
OK = b"\r\nOK\r\n"

# What public host code matches, one entry per client.
FWUPD = re.compile(rb'\+QIND:\s*"FOTA","([A-Z]+)"(,(\d+))?')
QUECTEL_HARNESS = re.compile(rb'\+QIND:\s"FOTA","HTTPEND",(\d+)')
EC800K_TESTER = re.compile(rb'\+QIND:\s*"FOTA"\s*,\s*"UPDATING"\s*,\s*(\d+)')
FIVEGHUB = [b'+QIND: "FOTA","HTTPSTART"', b'"HTTPEND",0', b'"START"',
            b'"UPDATING"', b'"END",0']


def manual_answers(word, updating):
    """The module's answers in the manual's example, typesetting removed."""
    return (OK + b'\r\n+QIND: "FOTA","%sSTART"\r\n' % word +
            b'\r\n+QIND: "FOTA","%sEND",0\r\n' % word +
            b'\r\n+QIND: "FOTA","START"\r\n' +
            b"".join(b'\r\n+QIND: "FOTA","UPDATING",%d\r\n' % v
                     for v in updating) +
            b'\r\n+QIND: "FOTA","END",0\r\n')


def replayed(m):
    """The module's bytes as the transcript recorded them (m>h records)."""
    out = b""
    for line in m.transcript().splitlines():
        f = line.split(" ", 3)
        if len(f) == 4 and f[2] == "m>h":
            out += f[3].encode().decode("unicode_escape").encode("latin-1")
    return out


def example(modem, root, url_fmt, word, extra, port_for):
    m = modem(speed="20")
    m.args += ["--flash-timing", "zero"] + extra
    addr = serve(m, root)
    h = booted(m)
    h.send("ATE1\r")
    h.expect(rb"^\r\nOK\r\n")        # echoed only from the next line on
    line = url_fmt % port_for(addr)
    h.send(line + "\r")
    got = h.wait_hangup(120)
    ups = [int(v) for v in re.findall(rb'"UPDATING",(\d+)\r\n', got)]
    want = line.encode() + b"\r" + manual_answers(word, ups)
    check(got == want and ups and ups[-1] == 100 and ups == sorted(ups) and
          len(set(ups)) == len(ups),
          "%s example: the host's line echoed, then OK, %sSTART, %sEND,0, "
          "START, UPDATING rising to 100, END,0" % (word.decode(),
                                                    word.decode(),
                                                    word.decode()))
    rep = replayed(m)
    rep = rep[rep.find(line.encode() + b"\r"):]     # from the echo on
    at = next((i for i in range(min(len(rep), len(got))) if rep[i] != got[i]),
              min(len(rep), len(got)))
    check(rep == got,
          "%s example: the transcript holds exactly what the host read "
          "(first difference at %d: %r vs %r)" % (word.decode(), at,
                                                  rep[at - 20:at + 40],
                                                  got[at - 20:at + 40]))
    h.close()
    h = booted(m)
    check(h.cmd("AT+CGMR") == b"\r\n" + B.encode() + b"\r\n" + OK,
          "%s example: the new revision runs" % word.decode())
    urcs = re.findall(rb"\+QIND: [^\r]*", got)

    # fwupd: each read matched once; only START, UPDATING and END allowed
    # after the download, END with 0.
    statuses = [FWUPD.search(u).group(1) for u in urcs]
    check(all(FWUPD.search(u) for u in urcs) and
          statuses[2:] == [b"START"] + [b"UPDATING"] * len(ups) + [b"END"],
          "%s example: fwupd's regex reads every URC" % word.decode())
    check(all(int(EC800K_TESTER.search(u).group(1)) == v for u, v in
              zip([u for u in urcs if b"UPDATING" in u], ups)),
          "%s example: the EC800K tester's UPDATING regex" % word.decode())
    # Zephyr's BG95 driver: concatenated queries, fields split at commas.
    z = h.cmd("AT+CSQ;+CEREG?;+CGREG?;+COPS?")
    check(z == b"\r\n+CSQ: 24,99\r\n\r\n"
          b"+CEREG: 0,1\r\n\r\n+CGREG: 0,1\r\n\r\n"
          b'+COPS: 0,0,"CHINA MOBILE",7\r\n' + OK and
          [u.split(b": ", 1)[1].split(b",") for u in urcs][1] ==
          [b'"FOTA"', b'"%sEND"' % word, b"0"],
          "%s example: Zephyr's concatenated query and comma split" %
          word.decode())
    h.close()
    m.cleanup()
    return got


def body(modem):
    root = tempfile.mkdtemp(prefix="fotasim-www.")
    subprocess.run([PKG, "create", "--model", "EC200T", "--from", A, "--to", B,
                    "-o", os.path.join(root, FILE)], check=True)

    # 3.1: the manual's user, password and file, on the embedded FTP server
    # at 127.0.0.1 instead of the manual's 124.74.41.170.
    example(modem, root, 'AT+QFOTADL="ftp://test:test@%s/' + FILE + '"',
            b"FTP", [], lambda a: a["ftp"])

    # 3.2: the manual's name and port, resolved by the simulated DNS; port
    # 100 needs root, so otherwise a free one.
    port = free_port()
    if os.getuid() == 0:
        try:
            probe = socket.socket()
            probe.bind(("127.0.0.1", 100))
            probe.close()
            port = 100
        except OSError:
            pass
    got = example(modem, root,
                  'AT+QFOTADL="http://www.quectel.com:%d/' + FILE + '"',
                  b"HTTP", ["--dns", "www.quectel.com=127.0.0.1",
                            "--serve-ports", "0,%d,0" % port],
                  lambda a: int(a["http"].split(":")[1]))
    check(QUECTEL_HARNESS.search(got).group(1) == b"0",
          "Quectel's harness regex finds HTTPEND,0")
    at = 0
    for s in FIVEGHUB:
        at = got.find(s, at)
        if at < 0:
            break
    check(at >= 0, "the 5ghub sketch finds its substrings in order")
    shutil.rmtree(root)


run(body)
