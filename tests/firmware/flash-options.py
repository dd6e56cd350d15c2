"""fotasim's flash options end to end: a NAND module boots and updates; a
2 MiB image updates with a package made by `fotasim-pkg create --size`; so
does a chip with its own erase block and page size; a restart on a state dir with other geometry is refused and leaves the flash
alone; bad option values are refused with exit 2 and a message."""
import hashlib
import os
import re
import subprocess

from fotasim_test import check, run, BUILDDIR, FOTASIM, image, slot_bytes

A = "EC200TCNHAR02A14M16"
B = "EC200TCNHAR02A15M16"
PKG = os.path.join(BUILDDIR, "fotasim-pkg")
STAGE = os.path.join(BUILDDIR, "tests", "firmware", "fw-stage")
UPDATING = rb'\+QIND: "FOTA","UPDATING",(\d+)\r\n'


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def fresh_then_update(modem, opts, block, size, kind):
    """Boot a fresh state dir with opts, stage A -> B made for `size`, power
    on again with no options and see the update through.  Returns the
    modem (its state dir holds B)."""
    m = modem("--revision", A, *opts).start()
    h = m.boot()
    check(b"Revision: " + A.encode() in h.cmd("ATI"),
          "%s: a fresh state dir runs A" % " ".join(opts))
    m.stop()
    h.close()
    check(slot_bytes(m.state_dir, 0, block, size) == image(m.tmp, A, size),
          "%s: slot A holds fotasim-pkg image --size %d" % (opts[1], size))

    pkg = os.path.join(m.tmp, "a-b.pkg")
    args = [PKG, "create", "--model", "EC200T", "--from", A, "--to", B,
            "--size", str(size), "-o", pkg]
    if kind == "full":
        args.insert(2, "--full")
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([STAGE, m.state_dir, "EC200T", A, pkg], check=True,
                   stdout=subprocess.DEVNULL)

    # No options this time: the state dir's geometry is adopted.
    m2 = modem(state_dir=m.state_dir, tmp=m.tmp).start()
    h = m2.open_port()
    h.expect(rb'\+QIND: "FOTA","START"\r\n')
    rest = h.wait_hangup()
    got = [int(p) for p in re.findall(UPDATING, rest)]
    check(got and got[-1] == 100 and rest.rstrip().endswith(
        b'+QIND: "FOTA","END",0'), "%s: update to B ends with END,0"
        % opts[1])
    h.close()
    h = m2.boot()
    check(b"Revision: " + B.encode() in h.cmd("ATI"),
          "%s: after the reboot ATI says B" % opts[1])
    h.close()
    m2.stop()
    check(slot_bytes(m.state_dir, 1, block, size) == image(m.tmp, B, size),
          "%s: slot B is byte-identical to fotasim-pkg image of B" % opts[1])
    return m2


def refused(modem, state_dir, tmp, want, *opts):
    """Start fotasim on state_dir with opts; it must exit 1 with a message
    naming the option that differs, before touching flash.img."""
    img = os.path.join(state_dir, "flash.img")
    before = digest(img)
    m = modem(*opts, state_dir=state_dir, tmp=tmp)
    seen = len(m.errors())      # stderr is shared by the modems of a tmp
    m.start()
    rc = m.wait()
    err = m.errors()[seen:]
    m.stop()
    check(rc == 1 and ("%s differs" % want) in err,
          "restart with %s refused: rc %d, %r" % (" ".join(opts), rc,
                                                  err.strip()))
    check(digest(img) == before, "flash.img untouched by the refused start")


def bad_values(tmp):
    cases = [
        (["--flash", "emmc"], "--flash: expected nor or nand"),
        (["--flash-size", "12x"], "--flash-size: expected bytes"),
        (["--flash-size", "100k"], "not a multiple of the erase block (65536"),
        (["--flash", "nand", "--flash-size", "3M"],
         "too small for 1048576-byte images on nand; need at least 4063232"),
        (["--image-size", "2M", "--flash-size", "4M"], "too small"),
        (["--image-size", "100"], "--image-size: expected 256 to"),
        (["--image-size", "2G"], "--image-size: expected 256 to"),
        (["--flash-timing", "fast"], "--flash-timing: expected real, zero"),
        (["--flash-timing", "erase=-1"], "--flash-timing: expected"),
        (["--flash-timing", "erase=0.1,erase=0.2"], "--flash-timing"),
        (["--flash-block", "3000"], "--flash-block: expected a power of two"),
        (["--flash-page", "64"], "--flash-page: expected a power of two"),
        (["--flash-block", "1k", "--flash", "nand"],
         "--flash-page: a 2048-byte page does not fit the 1024-byte"),
    ]
    for opts, want in cases:
        p = subprocess.run([FOTASIM, "--link", os.path.join(tmp, "bad.tty"),
                            "--state-dir", os.path.join(tmp, "bad")] + opts,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           timeout=30)
        err = p.stderr.decode(errors="replace")
        check(p.returncode == 2 and want in err,
              "%s: exit 2 with %r (got %d, %r)" % (" ".join(opts), want,
                                                   p.returncode, err.strip()))
    check(not os.path.exists(os.path.join(tmp, "bad")),
          "bad options create no state dir")


def body(modem):
    # NAND with its real timing, a delta package.
    nand = fresh_then_update(modem, ["--flash", "nand"], 131072, 1048576,
                             "delta")
    with open(os.path.join(nand.state_dir, "flash.geom")) as f:
        geom = f.read()
    check("type nand" in geom and "block-size 131072" in geom,
          "flash.geom records the NAND geometry")
    check("state firmware flash nand 5767168 bytes, block 131072, page 2048"
          in nand.transcript(), "the transcript names the NAND geometry")
    refused(modem, nand.state_dir, nand.tmp, "--flash nor",
            "--flash", "nor")
    refused(modem, nand.state_dir, nand.tmp, "--image-size 2097152",
            "--image-size", "2M")
    refused(modem, nand.state_dir, nand.tmp, "--flash-size 8388608",
            "--flash", "nand", "--flash-size", "8M")

    # A 2 MiB image on NOR without flash time, a full package.
    big = fresh_then_update(modem, ["--image-size", "2M", "--flash-timing",
                                    "zero"], 65536, 2 << 20, "full")
    refused(modem, big.state_dir, big.tmp, "--image-size 1048576",
            "--image-size", "1M")
    # The same options again are fine, and so are other timings.
    m = modem("--image-size", "2M", "--flash-timing", "erase=0.01,rate=1e6",
              state_dir=big.state_dir, tmp=big.tmp).start()
    h = m.boot()
    check(b"Revision: " + B.encode() in h.cmd("ATI"),
          "restart with the recorded geometry and other timing runs B")
    h.close()
    m.stop()

    # A chip of its own: small NAND blocks and pages, 256 KiB images.
    own = fresh_then_update(modem, ["--flash", "nand", "--flash-block", "16k",
                                    "--flash-page", "512", "--image-size",
                                    "256k"], 16384, 256 << 10, "delta")
    check("state firmware flash nand 1245184 bytes, block 16384, page 512, "
          "262144-byte slots" in own.transcript(),
          "the transcript names the chosen block and page")
    refused(modem, own.state_dir, own.tmp, "--flash-block 32768",
            "--flash-block", "32k")
    refused(modem, own.state_dir, own.tmp, "--flash-page 2048",
            "--flash-page", "2k")

    bad_values(big.tmp)


run(body)
