"""A real third-party serial client, pyserial (Debian's python3-serial),
talks to the modem through the symlink the way host software does: hardware
flow control on, line reads, and the reopen-once-a-second loop of Quectel's
own harness across a reboot."""
import termios
import time

import serial

from fotasim_test import check, run, LIMIT


# What a host reads from power-on to boot complete (readline splits at LF).
BOOT = [b"\r\n", b"RDY\r\n", b"\r\n", b"+CPIN: READY\r\n", b"\r\n",
        b"+QUSIM: 1\r\n", b"\r\n", b"+CFUN: 1\r\n", b"\r\n",
        b"+QIND: SMS DONE\r\n", b"\r\n", b"+QIND: PB DONE\r\n"]


def read_until(port, token, limit=LIMIT):
    """Read lines until one contains token; return all lines read."""
    lines = []
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        line = port.readline()
        if line:
            lines.append(line)
            if token in line:
                return lines
    raise TimeoutError("no %r in %r" % (token, lines))


def body(modem):
    m = modem().start()
    m.boot().close()
    port = serial.Serial(m.link, 115200, rtscts=True, timeout=0.5)
    # What rtscts=True means: CRTSCTS set on the pty, at the baud asked for
    # (is_open is true after any constructor that returns).
    attrs = termios.tcgetattr(port.fd)
    check(attrs[2] & termios.CRTSCTS and attrs[5] == termios.B115200,
          "pyserial set CRTSCTS and 115200 baud on the link: cflag %#o" %
          attrs[2])
    port.reset_input_buffer()
    port.write(b"ATE0\r")
    read_until(port, b"OK")
    port.write(b"ATI\r")
    lines = read_until(port, b"OK")
    check(lines == [b"\r\n", b"Quectel\r\n", b"EC200T\r\n",
                    b"Revision: EC200TCNHAR02A14M16\r\n", b"\r\n", b"OK\r\n"],
          "ATI via pyserial: %r" % lines)
    port.write(b"AT+CSQ;+CEREG?;+CGREG?;+COPS?\r")
    lines = read_until(port, b"OK")
    check(lines == [b"\r\n", b"+CSQ: 24,99\r\n", b"\r\n", b"+CEREG: 0,1\r\n",
                    b"\r\n", b"+CGREG: 0,1\r\n", b"\r\n",
                    b"+COPS: 0,0,\"CHINA MOBILE\",7\r\n", b"\r\n", b"OK\r\n"],
          "concatenated query via pyserial: %r" % lines)
    m.wait_transcript(r"termios baud=\d+ crtscts=1")
    check(True, "modem observed the host's CRTSCTS through termios")

    # Reboot, then reopen once a second until the port is back (Quectel's
    # harness does exactly this) and treat PB DONE as boot complete.
    port.write(b"AT+CFUN=1,1\r")
    read_until(port, b"OK")
    gone = False
    deadline = time.monotonic() + LIMIT
    while time.monotonic() < deadline:
        try:
            port.read(64)
        except serial.SerialException:
            gone = True
            break
    check(gone, "pyserial raises SerialException when the port drops")
    port.close()
    # Only once this modem's new port is up: until then the link names the
    # old slave, whose number another test's pty may already have.
    m.wait_transcript(r"state port up ", 2)
    back = None
    while time.monotonic() < deadline and back is None:
        try:
            back = serial.Serial(m.link, 115200, rtscts=True, timeout=0.5)
        except (serial.SerialException, OSError):
            time.sleep(0.05)    # the harness's reopen loop, shortened
    check(back is not None, "port reopened after reboot")
    lines = read_until(back, b"PB DONE")
    check(lines == BOOT, "the boot URCs after reboot, exactly: %r" % lines)
    back.write(b"AT+CGMR\r")
    lines = read_until(back, b"OK")
    check(lines == [b"AT+CGMR\r\r\n", b"EC200TCNHAR02A14M16\r\n", b"\r\n",
                    b"OK\r\n"],
          "commands work after reboot (echo on again): %r" % lines)
    back.close()


run(body)
