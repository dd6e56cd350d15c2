"""--model, --revision and --speed max: a UC200T with a custom revision
answers as a UMTS module, and a modem at max speed is usable by a host that
polls with AT after power-on (it cannot catch the boot chain)."""
import subprocess

from fotasim_test import check, run, FOTASIM

OK = b"\r\nOK\r\n"


def body(modem):
    m = modem("--model", "UC200T", "--revision", "UC200TEMAAR03A01M16").start()
    h = m.boot()
    h.cmd("ATE0")
    check(h.cmd("ATI") == b"\r\nQuectel\r\nUC200T\r\nRevision: UC200TEMAAR03A01M16\r\n"
          b"\r\nOK\r\n", "UC200T identity with --revision")
    check(h.cmd("AT+CGSN") == b"\r\n868359041270159\r\n" + OK, "UC200T IMEI")
    check(h.cmd("AT+CEREG?") == b"\r\n+CEREG: 0,0\r\n" + OK,
          "UMTS-only module is not registered on EPS")
    check(h.cmd("AT+CREG=2;+CREG?") ==
          b"\r\n+CREG: 2,1,\"1A2B\",\"0C3D4E5\",2\r\n" + OK, "CREG with UTRAN AcT")
    check(h.cmd("AT+QNWINFO") ==
          b"\r\n+QNWINFO: \"WCDMA\",\"46001\",\"WCDMA 2100\",10700\r\n" + OK,
          "WCDMA network info")
    h.close()
    m.stop()

    # The flash decides what runs: a different model on the same state dir
    # is refused, a different --revision is reported and not applied.
    r = subprocess.run([FOTASIM, "--link", m.link, "--state-dir", m.state_dir,
                        "--model", "EC200T", "--speed", "max"],
                       stderr=subprocess.PIPE, timeout=60)
    check(r.returncode == 1 and b"holds UC200T firmware" in r.stderr,
          "model mismatch refused: %r" % r.stderr)
    again = modem("--model", "UC200T", "--revision", "UC200TEMAAR09A09M16",
                  state_dir=m.state_dir, tmp=m.tmp).start()
    h = again.boot()
    check(h.cmd("AT+CGMR") == b"AT+CGMR\r\r\nUC200TEMAAR03A01M16\r\n" + OK,
          "existing flash keeps its revision")
    h.close()
    again.stop()
    check(b"applies only to a fresh state dir" in again.errors().encode(),
          "--revision on an existing state dir is reported")

    fast = modem(speed="max").start()
    h = fast.open_port()
    answered = False
    for _ in range(500):
        h.send("AT\r")
        try:
            h.expect(rb"OK\r\n", 0.1)
            answered = True
            break
        except Exception:
            pass
    check(answered, "--speed max: the modem answers AT")
    h.cmd("ATE0")
    check(h.cmd("AT+CSQ") == b"\r\n+CSQ: 24,99\r\n" + OK,
          "--speed max: boot chain and registration already done")
    h.close()


run(body)
