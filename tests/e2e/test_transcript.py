"""The transcript (--log) follows docs/transcript.md: every record carries
simulated time, wall time and a direction or "state"; records are in order."""
import re

from fotasim_test import check, run

RECORD = re.compile(r"^(\d+\.\d{6}) (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) "
                    r"(h>m|m>h|state) (.*)$")


def body(modem):
    m = modem(speed="20").start()
    h = m.boot()
    h.cmd("AT+CGMR")
    h.send(b"AT\x00\xff\r")
    h.expect(rb"ERROR\r\n")
    h.close()
    m.wait_transcript(r"host detached")
    m.stop()
    lines = m.transcript().splitlines()
    bad = [l for l in lines if not RECORD.match(l)]
    check(not bad, "every line is a well-formed record: %r" % bad[:3])
    recs = [RECORD.match(l).groups() for l in lines if RECORD.match(l)]
    sims = [float(r[0]) for r in recs]
    check(sims == sorted(sims), "simulated time never runs backwards")
    kinds = {r[2] for r in recs}
    check(kinds == {"h>m", "m>h", "state"}, "all three record kinds: %r" % kinds)
    texts = [(r[2], r[3]) for r in recs]
    check(("h>m", "AT+CGMR\\r") in texts, "host line recorded, escaped")
    check(("m>h", "EC200TCNHAR02A14M16\\r\\n") in texts, "modem line recorded")
    check(("h>m", "AT\\x00\\xff\\r") in texts, "binary bytes escaped as \\xNN")
    check(("state", "power off -> booting") in texts, "power transition")
    check(any(k == "state" and t.startswith("port up /dev/pts/") for k, t in texts),
          "port up with slave path")
    rdy = [float(r[0]) for r in recs if r[2] == "m>h" and r[3] == "RDY\\r\\n"]
    check(len(rdy) == 1 and rdy[0] >= 2.0, "RDY at simulated 2.0 s or later: %r" % rdy)


run(body)
