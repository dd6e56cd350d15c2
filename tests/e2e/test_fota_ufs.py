"""The module's file system (UFS) and fwupd's path: AT+QFLDS, AT+QFLST,
AT+QFDEL and AT+QFUPL with each answer and each error, then fwupd's
modem-manager DFOTA sequence replayed byte for byte by a small client
(re-implemented from its description): AT+QFLST=?, AT+QFLST on the file,
AT+QFDEL of an orphan, AT+QFUPL="dfota_update.bin",<size>,5,1 in 2048-byte
writes (the last padded with 0xff) waiting for each 'A', the +QFUPL
checksum against its own, then AT+QFOTADL="/data/ufs/dfota_update.bin" and
its URCs parsed with fwupd's regex.  Also a power cut mid-QFUPL, a file that
survives a power cut and a reboot, a corrupt file (END,506), and the file
QFOTADL is copying (QFDEL 426, a power cut mid-copy).

The modems run at --speed 1 with a fast flash, so that QFUPL's <timeout>
(a watchdog only the host ends) is wall seconds and no host races it."""
import os
import re
import subprocess
import tempfile
import time

from fotasim_test import (check, run, booted, image, slot_bytes, PKG,
                          power_cut)

A = "EC200TCNHAR02A14M16"
B = "EC200TCNHAR02A15M16"
OK = b"\r\nOK\r\n"
NAME = "dfota_update.bin"
FAST = ["--flash-timing", "erase=0.002,page=0,rate=4000000"]
FOTA_RX = re.compile(rb'\+QIND:\s*"FOTA","([A-Z]+)"(,(\d+))?')
QFUPL_RX = re.compile(rb"\r\n\+QFUPL:\s*(\d+),([0-9a-f]+)\r\n")


def cme(code):
    return b"\r\n+CME ERROR: %d\r\n" % code


def xor16(data):
    """fwupd's checksum: XOR of big-endian 16-bit words, an odd last byte
    as the high half of a word."""
    s = 0
    for i in range(0, len(data), 2):
        w = data[i] << 8
        if i + 1 < len(data):
            w |= data[i + 1]
        s ^= w
    return s


def package(tmp, frm, to):
    path = os.path.join(tmp, "%s-%s.pkg" % (frm, to))
    subprocess.run([PKG, "create", "--model", "EC200T", "--from", frm, "--to",
                    to, "-o", path], check=True)
    with open(path, "rb") as f:
        return f.read()


def at(h, cmd, limit=30):
    """fwupd's fu_mm_device_at_cmd: the command with CR LF; the answer
    through OK, CONNECT or an error."""
    h.send(cmd + "\r\n")
    return h.expect(rb"(?s)^.*?\r\n(OK|CONNECT|ERROR|\+CME ERROR: \d+)\r\n",
                    limit).group(0)


def fwupd(h, fw, name):
    """fwupd's DFOTA device: setup, write_firmware, attach.  Returns the
    list of FOTA URCs it parsed (status, number) and its verdict."""
    what = []
    ans = at(h, "AT+QFLST=?")
    what.append(("QFLST=?", ans))
    ans = at(h, 'AT+QFLST="UFS:%s"' % NAME)
    what.append(("QFLST", ans))
    if ans.endswith(OK):
        # An orphaned firmware file: delete it.
        ans = at(h, 'AT+QFDEL="%s"' % NAME)
        what.append(("QFDEL", ans))
        if not ans.endswith(OK):
            return what, "failed to delete existing firmware file"
    ans = at(h, 'AT+QFUPL="%s",%d,5,1' % (NAME, len(fw)))
    what.append(("QFUPL", ans))
    if not ans.endswith(b"\r\nCONNECT\r\n"):
        return what, "failed to enable upload mode"
    for off in range(0, len(fw), 2048):
        chunk = fw[off:off + 2048]
        acks = len(chunk) // 1024
        os.write(h.fd, chunk + b"\xff" * (2048 - len(chunk)))
        if acks == 0:
            continue
        while len(h.buf) < acks:
            h._fill(time.monotonic() + 5)
        got, h.buf = h.buf[:acks], h.buf[acks:]
        if got != b"A" * acks:
            return what, "chunk %d: expected ACKs, got %r" % (off // 2048, got)
    res = h.expect(rb"(?s)^.*?\r\nOK\r\n", 5).group(0)
    what.append(("result", res))
    m = QFUPL_RX.search(res)
    if m is None:
        return what, "could not match QFUPL response"
    if int(m.group(1)) != len(fw) or int(m.group(2), 16) != xor16(fw):
        return what, "size or checksum mismatch"
    ans = at(h, 'AT+QFOTADL="/data/ufs/%s"' % NAME)
    what.append(("QFOTADL", ans))
    if not ans.endswith(OK):
        return what, "failed to start update"
    urcs = []
    while True:
        line = h.expect(rb"^\r\n([^\r]*)\r\n", 120).group(1)
        m = FOTA_RX.search(line)
        if m is None:
            continue
        urcs.append((m.group(1).decode(),
                     int(m.group(3)) if m.group(3) else None))
        if m.group(1) == b"END":
            return what + [("urcs", urcs)], ("ok" if m.group(3) == b"0" else
                                             "error %s" % m.group(3).decode())


def upload(h, name, data, extra=""):
    """AT+QFUPL; the answer after CONNECT.  The file goes at once, or with
    ackmode 1 (extra ending ",1") in KiB pieces, each after the last 'A'."""
    h.send('AT+QFUPL="%s",%d%s\r' % (name, len(data), extra))
    h.expect(rb"^\r\nCONNECT\r\n")
    if not extra.endswith(",1"):
        os.write(h.fd, data)
    for off in range(0, len(data) if extra.endswith(",1") else 0, 1024):
        os.write(h.fd, data[off:off + 1024])
        if off + 1024 <= len(data):
            h.expect(rb"^A", 30)
    return h.expect(rb"(?s)^.*?\r\n(OK|\+CME ERROR: \d+)\r\n", 60).group(0)


def rebooted_into(m, h, tmp, rev, slot, what):
    """After END,0: the port hangs up; the next boot runs `rev`, and its
    slot holds exactly fotasim-pkg's image.  Returns the new host."""
    h.wait_hangup(60)
    h.close()
    h = booted(m)
    check(h.cmd("AT+CGMR") == b"\r\n" + rev.encode() + b"\r\n" + OK,
          "%s: %s runs after the reboot" % (what, rev))
    check(slot_bytes(m.state_dir, slot) == image(tmp, rev),
          "%s: slot %s is exactly fotasim-pkg image of %s" %
          (what, "AB"[slot], rev))
    return h


def commands(modem):
    m = modem(*FAST, speed="1")
    m.start()
    h = booted(m)
    total = 19 * 65536
    check(h.cmd('AT+QFLDS="UFS"') == b"\r\n+QFLDS: %d,%d\r\n" % (total, total)
          + OK, "QFLDS: an empty UFS of 19 blocks")
    check(h.cmd("AT+QFLDS") == b"\r\n+QFLDS: %d,%d\r\n" % (total, total) + OK,
          "QFLDS without a drive")
    check(h.cmd('AT+QFLDS="RAM"') == cme(425), "QFLDS of another drive: 425")
    check(h.cmd("AT+QFLDS=1") == cme(400), "QFLDS of a number: 400")
    check(h.cmd('AT+QFLST="*"') == OK, "QFLST * of an empty UFS: OK")
    check(h.cmd("AT+QFLST") == OK, "QFLST of an empty UFS: OK")
    check(h.cmd('AT+QFLST="UFS:x.bin"') == cme(405), "QFLST of a name that "
          "is not there: 405")
    check(h.cmd("AT+QFUPL=?") == b"\r\n+QFUPL: <filename>,(1-%d),(1-65535),"
          b"(0,1)\r\n" % total + OK, "QFUPL=?")
    check(upload(h, "a.txt", b"0123456789") ==
          b"\r\n+QFUPL: 10,3839\r\n" + OK, "QFUPL: +QFUPL: <size>,<xor16>")
    check(h.cmd('AT+QFLDS="UFS"') == b"\r\n+QFLDS: %d,%d\r\n" %
          (total - 65536, total) + OK, "QFLDS: a file takes a block")
    check(upload(h, "UFS:odd.bin", b"abc", ",5,1") ==
          b"\r\n+QFUPL: 3,262\r\n" + OK, "QFUPL with the prefix, an odd "
          "size, ackmode 1 with less than a KiB: no 'A'")
    check(h.cmd("AT+QFLST") == b'\r\n+QFLST: "UFS:a.txt",10\r\n'
          b'+QFLST: "UFS:odd.bin",3\r\n' + OK, "QFLST: both, oldest first")
    check(h.cmd('AT+QFLST="UFS:*.txt"') == b'\r\n+QFLST: "UFS:a.txt",10\r\n'
          + OK, "QFLST with a pattern")
    check(h.cmd('AT+QFLST="odd.bin"') == b'\r\n+QFLST: "UFS:odd.bin",3\r\n'
          + OK, "QFLST of one name without the prefix")
    for cmd, code, what in [
            ('AT+QFUPL="a.txt",10', 407, "a name that exists"),
            ('AT+QFUPL="UFS:a.txt"', 407, "a name that exists, prefixed"),
            ('AT+QFUPL="dir/x"', 406, "a name with a slash"),
            ('AT+QFUPL=""', 406, "an empty name"),
            ('AT+QFUPL="%s"' % ("x" * 81), 406, "a name over 80 bytes"),
            ('AT+QFUPL=1', 400, "a number for a name"),
            ('AT+QFUPL="x",0', 425, "size 0"),
            ('AT+QFUPL="x",10,0', 425, "timeout 0"),
            ('AT+QFUPL="x",10,65536', 425, "timeout over 65535"),
            ('AT+QFUPL="x",10,5,2', 425, "ackmode 2"),
            ('AT+QFUPL="x",%d' % (total + 1), 423, "more than the UFS holds"),
            ('AT+QFUPL="x",%d' % total, 403, "more than is free"),
            ('AT+QFOTADL="/data/ufs/none.bin"', None, "QFOTADL of a file "
             "that is not there"),
            ('AT+QFOTADL="UFS:none.bin"', None, "QFOTADL of UFS:<missing>"),
            ('AT+QFOTADL="UFS:a.txt",2', None, "QFOTADL with a bad mode")]:
        want = cme(code) if code else b"\r\nERROR\r\n"
        check(h.cmd(cmd) == want, "%s: %s" % (what, want.strip().decode()))
    # The timeout, on the simulated clock (wall seconds at --speed 1).
    h.send('AT+QFUPL="t.bin",100,1\r')
    check(h.expect(rb"(?s)^.*?\r\n(OK|\+CME ERROR: \d+)\r\n", 30).group(0)
          == b"\r\nCONNECT\r\n" + cme(421), "QFUPL with no byte before the "
          "timeout: CONNECT, then 421")
    check(h.cmd('AT+QFLST="t.bin"') == cme(405), "421: no file saved")
    h.send('AT+QFUPL="p.bin",100,1\r')
    h.expect(rb"^\r\nCONNECT\r\n")
    h.send(b"abc")
    check(h.expect(rb"(?s)^.*?\r\n(OK|\+CME ERROR: \d+)\r\n", 30).group(0)
          == b"\r\n+QFUPL: 3,262\r\n" + OK, "QFUPL with fewer bytes than "
          "<file_size>: saved with what came at the timeout")
    check(h.cmd('AT+QFLST="p.bin"') == b'\r\n+QFLST: "UFS:p.bin",3\r\n' + OK,
          "the short file is listed with its size")
    # Bytes after the file are AT commands again.
    h.send('AT+QFUPL="q.bin",4\r')
    h.expect(rb"^\r\nCONNECT\r\n")
    h.send(b"wxyzAT+QFLST=\"q.bin\"\r")
    check(h.expect(rb"(?s)^.*?\r\nOK\r\n.*?\r\n(OK|\+CME ERROR: \d+)\r\n")
          .group(0) == b"\r\n+QFUPL: 4,%x\r\n" % xor16(b"wxyz") + OK +
          b'\r\n+QFLST: "UFS:q.bin",4\r\n' + OK,
          "a command right after the file's bytes runs after the result")
    check(h.cmd('AT+QFDEL="UFS:a.txt"') == OK, "QFDEL with the prefix")
    check(h.cmd('AT+QFDEL="a.txt"') == cme(405), "QFDEL of a deleted file: "
          "405")
    check(h.cmd('AT+QFDEL="a/b"') == cme(406), "QFDEL of a bad name: 406")
    check(h.cmd("AT+QFDEL=1") == cme(400), "QFDEL of a number: 400")
    check(h.cmd('AT+QFDEL="*"') == OK, "QFDEL *")
    check(h.cmd("AT+QFLST") == OK and h.cmd('AT+QFLDS="UFS"') ==
          b"\r\n+QFLDS: %d,%d\r\n" % (total, total) + OK,
          "QFDEL *: nothing left, all free")
    check(h.cmd("AT+CMEE=2") == OK and h.cmd('AT+QFLST="none"') ==
          b"\r\n+CME ERROR: file not found\r\n", "CMEE=2: the code's text")
    h.close()
    m.cleanup()


def fwupd_path(modem):
    tmp = tempfile.mkdtemp(prefix="fotasim-ufs.")
    ab = package(tmp, A, B)
    ba = package(tmp, B, A)
    m = modem(*FAST, speed="1")
    m.start()
    h = booted(m)
    what, verdict = fwupd(h, ab, NAME)
    steps = dict(what[:-1])
    check(verdict == "ok", "fwupd's sequence: upgrade finished (%s)" %
          verdict)
    check(steps["QFLST=?"] == OK and steps["QFLST"] == cme(405) and
          "QFDEL" not in steps, "fwupd: no old file, nothing deleted")
    check(steps["QFUPL"] == b"\r\nCONNECT\r\n" and steps["result"] ==
          b"\r\n+QFUPL: %d,%x\r\n" % (len(ab), xor16(ab)) + OK,
          "fwupd: CONNECT, then +QFUPL: <size>,<its checksum> and OK")
    urcs = what[-1][1]
    ups = [n for s, n in urcs if s == "UPDATING"]
    check(steps["QFOTADL"] == OK and urcs[0] == ("START", None) and
          urcs[-1] == ("END", 0) and ups[-1:] == [100] and
          len(urcs) == len(ups) + 2, "fwupd: OK, then START, UPDATING to "
          "100, END,0 and nothing else: %r" % urcs[:3])
    h = rebooted_into(m, h, tmp, B, 1, "fwupd")
    check(h.cmd('AT+QFLST="UFS:%s"' % NAME) ==
          b'\r\n+QFLST: "UFS:%s",%d\r\n' % (NAME.encode(), len(ab)) + OK,
          "the package is still in the UFS after the reboot")
    # fwupd again, with a rollback: it finds the orphan and deletes it.
    what, verdict = fwupd(h, ba, NAME)
    steps = dict(what[:-1])
    check(verdict == "ok" and steps["QFLST"].endswith(OK) and
          steps["QFDEL"] == OK, "fwupd again: the orphan deleted, the "
          "rollback finished (%s)" % verdict)
    h = rebooted_into(m, h, tmp, A, 0, "rollback")
    h.close()
    m.cleanup()


def power_cuts(modem):
    tmp = tempfile.mkdtemp(prefix="fotasim-ufs.")
    ab = package(tmp, A, B)
    m = modem(*FAST, speed="1")
    m.start()
    h = booted(m)
    check(upload(h, "keep.txt", b"kept") == b"\r\n+QFUPL: 4,%x\r\n" % xor16(b"kept") + OK,
          "a file to keep")
    # Power cut mid-QFUPL: half the package, then SIGKILL.
    h.send('AT+QFUPL="%s",%d,5,1\r' % (NAME, len(ab)))
    h.expect(rb"^\r\nCONNECT\r\n")
    for off in range(0, len(ab) // 2, 2048):
        os.write(h.fd, ab[off:off + 2048])
        h.expect(rb"^AA", 30)
    h = power_cut(m, h)
    check(h.cmd("AT+QFLST") == b'\r\n+QFLST: "UFS:keep.txt",4\r\n' + OK,
          "power cut mid-QFUPL: no file, the old one kept")
    check(h.cmd('AT+QFLDS="UFS"') == b"\r\n+QFLDS: %d,%d\r\n" %
          (18 * 65536, 19 * 65536) + OK,
          "power cut mid-QFUPL: the half-written blocks are free again")
    check(h.cmd("AT+CGMR") == b"\r\n" + A.encode() + b"\r\n" + OK,
          "power cut mid-QFUPL: A runs")
    # A corrupt package from the UFS: the updater's checks say 506.
    bad = bytearray(ab)
    bad[len(bad) // 2] ^= 0xff
    bad = bytes(bad)
    check(upload(h, NAME, bad, ",5,1") == b"\r\n+QFUPL: %d,%x\r\n" %
          (len(bad), xor16(bad)) + OK, "a corrupt package uploaded")
    h.send('AT+QFOTADL="UFS:%s"\r' % NAME)
    got = h.expect(rb'(?s)^(.*?"END",\d+\r\n)', 120).group(1)
    check(got == OK + b'\r\n+QIND: "FOTA","START"\r\n'
          b'\r\n+QIND: "FOTA","END",506\r\n', "corrupt UFS file: OK, START, "
          "END,506: %r" % got)
    check(h.cmd("AT+CGMR") == b"\r\n" + A.encode() + b"\r\n" + OK,
          "corrupt UFS file: still on A, and answering")
    # Files survive a reboot.
    h.send("AT+CFUN=1,1\r")
    h.wait_hangup(30)
    h.close()
    h = booted(m)
    check(h.cmd("AT+QFLST") == b'\r\n+QFLST: "UFS:keep.txt",4\r\n'
          b'+QFLST: "UFS:%s",%d\r\n' % (NAME.encode(), len(bad)) + OK,
          "after a reboot: both files listed")
    h.close()
    m.cleanup()


def in_use(modem):
    """The file AT+QFOTADL is copying cannot be deleted (426) until the copy
    is over.  Real NOR timing at --speed 1: the copy of a delta package
    takes about 5 s, the host's next command a few milliseconds."""
    tmp = tempfile.mkdtemp(prefix="fotasim-ufs.")
    ab = package(tmp, A, B)
    m = modem(speed="1")
    m.start()
    h = booted(m)
    check(upload(h, NAME, ab, ",5,1") == b"\r\n+QFUPL: %d,%x\r\n" %
          (len(ab), xor16(ab)) + OK, "in use: the package uploaded")
    check(h.cmd('AT+QFOTADL="/data/ufs/%s"' % NAME) == OK, "in use: QFOTADL")
    check(h.cmd('AT+QFDEL="%s"' % NAME) == cme(426) and
          h.cmd('AT+QFDEL="*"') == OK and h.cmd("AT+QFLST") ==
          b'\r\n+QFLST: "UFS:%s",%d\r\n' % (NAME.encode(), len(ab)) + OK,
          "in use: QFDEL of the file being copied is 426, * skips it")
    # A power cut mid-copy: A runs, the file stays, the copy is discarded.
    h = power_cut(m, h)
    check(h.cmd("AT+CGMR") == b"\r\n" + A.encode() + b"\r\n" + OK and
          h.cmd("AT+QFLST") == b'\r\n+QFLST: "UFS:%s",%d\r\n' %
          (NAME.encode(), len(ab)) + OK and
          "incomplete package in the FOTA area discarded" in m.transcript(),
          "power cut mid-copy: A runs, the file is kept, the FOTA area "
          "discarded")
    h.close()
    m.cleanup()


def body(modem):
    commands(modem)
    in_use(modem)
    fwupd_path(modem)
    power_cuts(modem)


run(body)
