"""fotasim --scenario FILE with an external host: a small pyserial script
plays "the user's host software" on the pty, and fotasim's exit status says
whether the scenario's [expect] held.  It passes when the host upgrades the
module as the scenario expects, fails (exit 1, with the diff of expected
and actual URCs on stderr) when it does not, and refuses (exit 2) a
scenario that does not load.  A numeric speed: the external host races
the module's timers in wall time."""
import os
import signal

import serial

from fotasim_test import (Modem, addresses, check, qind, run, OK)

SCENARIO = """\
# The user's CI case: their host upgrades the module over HTTP.
[modem]
revision   EC200TCNHAR02A14M16

[servers]
package    /a-b.pkg  EC200TCNHAR02A14M16 -> EC200TCNHAR02A15M16

[expect]
revision   EC200TCNHAR02A15M16
urcs       HTTPSTART HTTPEND,0 START UPDATING* END,0
downloads  /a-b.pkg 1
"""


def read_until(port, want):
    """Bytes from the port until they end with `want` (pyserial timeout
    bounds each read; the loop is bounded by the caller's count)."""
    got = b""
    for _ in range(4000):
        got += port.read(4096)
        if got.endswith(want):
            return got
    raise RuntimeError("never got %r; got %r" % (want, got[-200:]))


def start(mk, name, text, *extra):
    m = mk("--scenario", "", *extra, speed="50")
    path = os.path.join(m.tmp, name)
    with open(path, "w") as f:
        f.write(text)
    m.args[m.args.index("--scenario") + 1] = path
    m.capture = True
    m.start()
    return m, path, addresses(m.proc, m.errors)


def user_host(m, url, upgrade):
    """What the user's host does: wait for the boot, then (if `upgrade`)
    start the download and follow it to END,0 and the reboot."""
    h = m.open_port()
    h.close()
    port = serial.Serial(m.link, 115200, timeout=0.05)
    read_until(port, b"+QIND: PB DONE\r\n")
    if not upgrade:
        port.close()
        return
    port.write(('AT+QFOTADL="%s"\r' % url).encode())
    got = read_until(port, qind('"END"', 0))
    port.close()
    check(got.startswith(('AT+QFOTADL="%s"\r' % url).encode() + OK +
                         qind('"HTTPSTART"') + qind('"HTTPEND"', 0)),
          "external host: the upgrade's first answers, exactly")
    # After the reboot: the new revision.
    h = m.open_port()
    h.expect(rb"\+QIND: PB DONE\r\n")
    check(h.cmd("AT+CGMR") ==
          b"AT+CGMR\r\r\nEC200TCNHAR02A15M16\r\n\r\nOK\r\n",
          "external host: the new revision after the reboot")
    h.close()


def main(mk):
    # Passes: the host did what the scenario expects, then closed the
    # port; the run ends by itself 5 simulated seconds later.
    m, path, addr = start(mk, "pass.scn", SCENARIO, "--end-on-close", "5")
    user_host(m, "http://%s/a-b.pkg" % addr["http"], True)
    rc = m.wait()
    check(rc == 0, "the scenario passes: exit 0 once the host has closed "
          "the port (%d; %s)" % (rc, m.errors()))
    check(m.errors() == "", "nothing on stderr when it passes")
    check("state scenario the host closed the port 5s ago: the run ends" in
          m.transcript(), "the transcript says why the run ended")

    # Fails: the host never starts the upgrade.
    m, path, addr = start(mk, "fail.scn", SCENARIO)
    user_host(m, None, False)
    m.signal(signal.SIGTERM)
    rc = m.wait()
    want = ("%s:9:12: FAIL: revision EC200TCNHAR02A14M16, expected "
            "EC200TCNHAR02A15M16\n"
            "%s: FAIL: the FOTA URCs differ\n"
            "  expected                     actual\n"
            "  HTTPSTART                       <--\n"
            "  HTTPEND,0                       <--\n"
            "  START                           <--\n"
            "  UPDATING*                       <--\n"
            "  END,0                           <--\n"
            "%s:11:12: FAIL: 0 download requests for /a-b.pkg, expected 1\n"
            % (path, path, path))
    check(rc == 1, "the scenario fails: exit 1 (%d)" % rc)
    check(m.errors() == want, "each failed check and the URC diff on "
          "stderr, exactly:\n%s" % m.errors())

    # Refused: a bad value stops everything with file:line:col.
    bad = SCENARIO.replace("revision   EC200TCNHAR02A14M16\n",
                           "model      EC999\n")
    m, path, _ = mk("--scenario", "", speed="50"), None, None
    path = os.path.join(m.tmp, "bad.scn")
    with open(path, "w") as f:
        f.write(bad)
    m.args[m.args.index("--scenario") + 1] = path
    m.start()
    rc = m.wait()
    check(rc == 2, "a bad scenario: exit 2 (%d)" % rc)
    check(m.errors() == "fotasim: %s:3:12: expected EC200T or UC200T, not "
          "'EC999'\n" % path, "its message is file:line:col and the "
          "option's own words: %r" % m.errors())
    check(not os.path.lexists(m.link), "nothing started: no port")


run(main)
