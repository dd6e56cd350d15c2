"""--dialect: other modules' FOTA URC spellings, each opt-in, asserted as
the exact bytes of a whole upgrade: HTTPSSTART/HTTPSEND over HTTPS, a space
after each comma, DOWNLOADING as a percentage, every +QIND twice, UPDATING
without its leading CR LF, and a reboot between HTTPEND,0 and START; the
option's refusals."""
import os
import re
import subprocess
import tempfile

from fotasim_test import (check, run, serve, ready, booted, package,
                          FOTASIM)

A = "EC200TCNHAR02A14M16"
B = "EC200TCNHAR02A15M16"
OK = b"\r\nOK\r\n"
UPD = rb'"UPDATING", ?(\d+)'


def line(text, comma_space=False):
    """A URC as the module frames it."""
    if comma_space:
        text = text.replace(b",", b", ")
    return b"\r\n" + text + b"\r\n"


def body(modem):
    root = tempfile.mkdtemp(prefix="fotasim-www.")
    package(root, "a-b.pkg", A, B)

    for quirk, scheme in [("https-words", "https"), ("comma-space", "http"),
                          ("percent", "http"), ("twice", "http"),
                          ("updating-bare", "http"),
                          ("reboot-first", "http")]:
        # reboot-first: at a speed where the host reopens the port before
        # the update's URCs (at max they would go to a closed port).
        m = modem(speed="20" if quirk == "reboot-first" else "max")
        m.args += ["--flash-timing", "zero", "--dialect", quirk]
        addr = serve(m, root)
        h = booted(m) if quirk == "reboot-first" else ready(m)
        url = "%s://%s/a-b.pkg" % (scheme, addr[scheme])
        h.send('AT+QFOTADL="%s",1,10\r' % url)
        got = h.wait_hangup(60)
        if quirk == "reboot-first":
            h.close()
            h2 = m.open_port()
            got += b"|" + h2.wait_hangup(60)
            h2.close()
        ups = [int(v) for v in re.findall(UPD, got)]
        if quirk == "twice":
            ups = ups[::2]
        word = b"HTTPS" if quirk == "https-words" else b"HTTP"
        cs = quirk == "comma-space"
        q = b'+QIND: "FOTA",'
        dls = [q + b'"DOWNLOADING",' + (b"%d%%" % (i * 10) if quirk ==
               "percent" else b"%d" % i) for i in range(1, 11)]
        head = [q + b'"' + word + b'START"'] + dls + \
            [q + b'"' + word + b'END",0']
        tail = [q + b'"START"'] + [q + b'"UPDATING",%d' % v for v in ups] + \
            [q + b'"END",0']
        n = 2 if quirk == "twice" else 1

        def frame(lines):
            out = b""
            for t in lines:
                for _ in range(n):
                    if quirk == "updating-bare" and b'"UPDATING"' in t:
                        out += t + b"\r\n\r\n"
                    else:
                        out += line(t, cs)
            return out
        if quirk == "reboot-first":
            # The port hangs up after HTTPEND,0; the next boot updates
            # (RDY and the boot URCs come before START on the new port).
            first, _, second = got.partition(b"|")
            want = OK + frame(head)
            check(first == want, "%s: OK, HTTPSTART, DOWNLOADING, HTTPEND,0, "
                  "then the hang-up: %r" % (quirk, first[-120:]))
            check(second.endswith(frame(tail)) and ups and ups[-1] == 100,
                  "%s: after the reboot START, UPDATING to 100, END,0, then "
                  "the hang-up again: %r" % (quirk, second[-160:]))
        else:
            want = OK + frame(head + tail)
            check(got == want and ups and ups[-1] == 100,
                  "%s: the whole sequence: %r" % (quirk, got[:240]))
        m.cleanup()

    # Quirks combine; an unknown one is refused with the list.
    for bad, msg in [("percent,colour", "unknown quirk 'colour'"),
                     ("", "unknown quirk ''"),
                     ("twice,", "unknown quirk ''")]:
        p = subprocess.run([FOTASIM, "--link", os.path.join(root, "at"),
                            "--dialect", bad], capture_output=True)
        check(p.returncode == 2 and p.stderr.startswith(
            b"fotasim: --dialect: " + msg.encode()),
            "--dialect %r refused: %r" % (bad, p.stderr))


if __name__ == "__main__":
    run(body)
