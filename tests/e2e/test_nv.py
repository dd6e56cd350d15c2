"""The saved profile lives in the simulated flash (NV record log, blocks 4-5
of the default NOR layout in docs/flash-layout.md): it survives power cuts,
a torn newest record leaves the previous one in force, and a record with a
bad value means factory defaults, reported."""
import os
import signal
import struct
import zlib

from fotasim_test import check, run

OK = b"\r\nOK\r\n"
BLOCK, PAGE = 65536, 256
NV_OFF = 4 * BLOCK
MAGIC = 0x474f4c46


def flash_path(m):
    return os.path.join(m.state_dir, "flash.img")


def read_page(m, index):
    """Page `index` of the NV log, un-inverted (flash.img stores ~bytes)."""
    with open(flash_path(m), "rb") as f:
        f.seek(NV_OFF + index * PAGE)
        return bytes(b ^ 0xff for b in f.read(PAGE))


def write_page(m, index, page):
    with open(flash_path(m), "r+b") as f:
        f.seek(NV_OFF + index * PAGE)
        f.write(bytes(b ^ 0xff for b in page))


def body(modem):
    m = modem().start()
    h = m.boot()
    check(h.cmd("AT+CMEE=2;&W") == b"AT+CMEE=2;&W\r" + OK, "first save")
    check(h.cmd("ATE0;+CMEE=0;&W") == b"ATE0;+CMEE=0;&W\r" + OK, "second save")
    check(h.cmd("AT+QCFG=\"usbifc\",2,2") == OK, "QCFG saves at once")
    m.signal(signal.SIGKILL)
    m.wait()
    h.close()
    check(not os.path.exists(os.path.join(m.state_dir, "nvram")),
          "no settings file beside the flash")
    recs = [read_page(m, i) for i in range(4)]
    seqs = [struct.unpack_from("<II", r)[1] for r in recs[:3]
            if struct.unpack_from("<I", r)[0] == MAGIC]
    check(len(seqs) == 3 and seqs == sorted(seqs),
          "three records appended in order: %r" % seqs)
    check(recs[3] == b"\xff" * PAGE, "the next page is still erased")

    # Power on again: the newest record is in force.
    m2 = modem(state_dir=m.state_dir, tmp=m.tmp).start()
    h = m2.boot()
    check(h.cmd("AT+CMEE?") == b"\r\n+CMEE: 0\r\n" + OK, "profile after power cut")
    check(h.cmd("AT+QCFG=\"usbifc\"") == b"\r\n+QCFG: \"usbifc\",2,2\r\n" + OK,
          "QCFG after power cut")
    m2.signal(signal.SIGKILL)
    m2.wait()
    h.close()

    # Tear the newest record (as a cut mid-program would): the one before
    # it is current again - echo off and CMEE=0, without usbifc.
    torn = bytearray(recs[2])
    torn[12] ^= 0x55
    write_page(m, 2, bytes(torn))
    m3 = modem(state_dir=m.state_dir, tmp=m.tmp).start()
    h = m3.boot()
    check(h.cmd("AT+QCFG=\"usbifc\"") == b"\r\n+QCFG: \"usbifc\",0,0\r\n" + OK,
          "torn newest record ignored: previous profile in force")
    check(h.cmd("AT+CMEE?") == b"\r\n+CMEE: 0\r\n" + OK, "...with its CMEE")
    m3.signal(signal.SIGKILL)
    m3.wait()
    h.close()

    # A well-formed record with a value out of range: factory defaults.
    rec = bytearray(recs[1])
    seq = struct.unpack_from("<I", rec, 4)[0] + 10
    length = struct.unpack_from("<H", rec, 8)[0]
    payload = bytearray(rec[10:10 + length])
    payload[2 + 2 * 3] = 9          # "cmee" is the 4th key; 9 is out of range
    head = struct.pack("<IIH", MAGIC, seq, length) + bytes(payload)
    page = head + struct.pack("<I", zlib.crc32(head))
    write_page(m, 3, page + b"\xff" * (PAGE - len(page)))
    m4 = modem(state_dir=m.state_dir, tmp=m.tmp).start()
    h = m4.boot()
    check(h.cmd("AT+CMEE?") == b"AT+CMEE?\r\r\n+CMEE: 1\r\n" + OK,
          "bad value -> factory defaults (echo on, CMEE=1)")
    h.close()
    m4.stop()
    check("NV profile: bad cmee" in m4.errors(), "bad value reported: %r" %
          m4.errors().strip())


run(body)
