"""Framing under abuse: over-long lines, NUL and binary garbage, backspace,
lines split across writes, and a line sent byte by byte."""
import random

from fotasim_test import check, run

OK = b"\r\nOK\r\n"


def body(modem):
    m = modem().start()
    h = m.boot()
    check(h.cmd("ATE0") == b"ATE0\r" + OK, "echo off")

    # A line beyond the 1024-character limit: one ERROR, then back in sync.
    got = h.answer("AT+CGDCONT=1,\"IP\",\"" + "x" * 5000 + "\"\r",
                   rb"\r\nERROR\r\n")
    check(got == b"\r\nERROR\r\n", "over-long line answers exactly ERROR: "
          "%r" % got[:100])
    check(h.quiet_for(0.3) == b"", "exactly one ERROR for the long line")
    check(h.cmd("AT+CSQ") == b"\r\n+CSQ: 24,99\r\n" + OK,
          "next command after the long line works")

    # NULs and binary garbage between lines are ignored without a reply.
    h.send(b"\x00\x00\xff\xfe\x80garbage\x1b[2J\n\n\x00")
    check(h.quiet_for(0.3) == b"", "garbage between lines gets no reply")
    check(h.cmd("AT") == OK, "AT after garbage")

    # Random binary noise (seeded), then a clean line.
    rng = random.Random(2026)
    noise = bytes(rng.randrange(256) for _ in range(20000))
    h.send(noise)
    h.send("\r")
    h.quiet_for(0.5)    # whatever the noise happened to spell is answered
    check(h.cmd("AT+CGMR") == b"\r\nEC200TCNHAR02A14M16\r\n" + OK,
          "modem in sync after 20000 random bytes")

    # NUL inside a line is dropped; backspace edits the line.
    check(h.cmd("AT+C\x00SQ") == b"\r\n+CSQ: 24,99\r\n" + OK, "NUL inside a line")
    check(h.cmd("AT+CSX\bQ") == b"\r\n+CSQ: 24,99\r\n" + OK, "backspace")

    # A line delivered one byte per write, and two lines in one write.
    for c in "AT+CGMM":
        h.send(c)
    got = h.answer("\r", rb"\r\nOK\r\n")
    check(got == b"\r\nEC200T\r\n" + OK, "byte-at-a-time line: %r" % got)
    got = h.answer("AT+CGMI\rAT+CGMM\r", rb"OK\r\n.*?OK\r\n")
    check(got == b"\r\nQuectel\r\n" + OK + b"\r\nEC200T\r\n" + OK,
          "two lines in one write: %r" % got)

    # CR LF and lone LF line endings.
    got = h.answer("AT+CGMI\r\n", rb"\r\nOK\r\n")
    check(got == b"\r\nQuectel\r\n" + OK, "CR LF terminated line: %r" % got)
    h.send("AT\n")
    check(h.quiet_for(0.3) == b"", "LF alone does not end a line (S3 is CR)")
    got = h.answer("\r", rb"\r\nOK\r\n")
    check(got == OK, "CR completes it, with exactly one OK: %r" % got)

    # Changing S3 changes the terminator.
    got = h.answer("ATS3=33\r", rb"OK!\n")
    check(got == b"!\nOK!\n",
          "ATS3=33 answers with the new S3 already (V.250): %r" % got)
    got = h.answer("AT+CSQ!", rb"OK!\n")
    check(got == b"!\n+CSQ: 24,99!\n!\nOK!\n",
          "responses use S3 as the terminator, S3 S4 around each: %r" % got)
    got = h.answer("ATS3=13!", rb"OK\r\n")
    check(got == OK, "ATS3=13 answers with CR again: %r" % got)
    check(h.cmd("AT") == OK, "S3 back to CR")

    # Quoted strings may contain commas and semicolons.
    check(h.cmd("AT+CGDCONT=3,\"IP\",\"a,b;c\"") == OK, "quoted comma/semicolon")
    got = h.cmd("AT+QICSGP=3")
    check(got == b"\r\n+QICSGP: 1,\"a,b;c\",\"\",\"\",0\r\n" + OK, "stored intact: %r" % got)
    check(h.cmd("AT+CGDCONT=3,\"IP") == b"\r\n+CME ERROR: 50\r\n",
          "unterminated string is a parameter error")
    h.close()


run(body)
