"""fotasim --serve DIR: the fake servers run inside the modem process, on its
loop; curl downloads over FTP, HTTP and HTTPS while the modem answers AT, and
the servers' log lands in the transcript."""
import os
import socket
import subprocess

from fotasim_test import check, run, FOTASIM

OK = b"\r\nOK\r\n"


def body(modem):
    m = modem(stdout=True)
    root = os.path.join(m.tmp, "www")
    os.makedirs(root)
    blob = bytes((i * 7 + 3) % 256 for i in range(300000))
    with open(os.path.join(root, "EC200T.bin"), "wb") as f:
        f.write(blob)
    faults = os.path.join(m.tmp, "faults")
    with open(faults, "w") as f:
        f.write("http /broken.bin status 503\n")
    m.args += ["--serve", root, "--serve-faults", faults]
    m.start()
    addr = {}
    while "ca" not in addr:
        line = m.proc.stdout.readline().decode()
        if not line:
            break
        key, value = line.split(" ", 1)
        addr[key] = value.strip()
    check(set(addr) == {"ftp", "http", "https", "ca"}, "ports printed: %r" % addr)
    check(addr["ca"] == os.path.join(m.state_dir, "tls", "ca.pem"),
          "the certificates live in the state dir (nothing left in /tmp "
          "when the process is killed): %r" % addr["ca"])

    h = m.boot()
    check(h.cmd("AT+CGMR") == b"AT+CGMR\r\r\nEC200TCNHAR02A14M16\r\n" + OK,
          "modem answers while serving")
    out = os.path.join(m.tmp, "got")
    for url, extra in [("http://%s/EC200T.bin" % addr["http"], []),
                       ("https://localhost:%s/EC200T.bin" %
                        addr["https"].split(":")[1], ["--cacert", addr["ca"]]),
                       ("ftp://test:test@%s/EC200T.bin" % addr["ftp"], [])]:
        r = subprocess.run(["curl", "-s", "-S", "-o", out, url] + extra,
                           stderr=subprocess.PIPE, timeout=60)
        same = r.returncode == 0 and open(out, "rb").read() == blob
        check(same, "curl %s: exit %d %s" % (url.split(":")[0], r.returncode,
                                             r.stderr.decode().strip()))
    r = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                        "http://%s/broken.bin" % addr["http"]],
                       stdout=subprocess.PIPE, timeout=60)
    check(r.stdout == b"503", "fault directive applied: %r" % r.stdout)
    check(h.cmd("AT+CSQ") == b"AT+CSQ\r\r\n+CSQ: 24,99\r\n" + OK, "modem still fine")
    h.close()
    m.wait_transcript(r"state server .*applying")
    check(True, "server log lines are in the transcript")

    # Network bytes in a server log line are escaped in the transcript: a
    # CR in an FTP user name cannot start a record of its own (issue 9).
    host, port = addr["ftp"].rsplit(":", 1)
    sock = socket.create_connection((host, int(port)), timeout=30)
    sock.sendall(b"USER a\r0.0 state server applying: forged\r\nPASS x\r\n"
                 b"QUIT\r\n")
    while sock.recv(4096):
        pass
    sock.close()
    m.wait_transcript(r'state server ftp\[\d+\]: login refused for '
                      r'"a\\r0\.0 state server applying: forged"$')
    check("\r" not in m.transcript(), "no raw CR from the network in the "
          "transcript")

    # A broken faults file is refused with file:line:col, before anything runs.
    with open(faults, "w") as f:
        f.write("http /x status 503\nhttp /y frobnicate\n")
    r = subprocess.run([FOTASIM, "--link", m.link + "2", "--serve", root,
                        "--serve-faults", faults, "--speed", "max"],
                       stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                       timeout=60)
    err = r.stderr.decode()
    check(r.returncode != 0 and (faults + ":2:") in err,
          "bad directive refused with file:line: %r" % err.strip())
    check(not os.path.lexists(m.link + "2"), "no modem started")


run(body)
