#!/bin/sh
# Replaying the field (docs/replay.md): fotasim-run --record writes a run
# as a scenario, and that scenario passes and gives the same URC lines;
# --convert turns a fotasim transcript made here into a scenario that
# passes, and the checked-in field capture (tests/replay/field-722.tio)
# into exactly the checked-in skeleton, which runs and fails where the
# capture's cause is missing; the filled-in scenario passes.  A malformed
# log is "file:line: what" and exit status 2.
set -u
: "${FOTASIM_BUILDDIR:?}" "${FOTASIM_SRCDIR:?}"
run="$FOTASIM_BUILDDIR/fotasim-run"
fotasim="$FOTASIM_BUILDDIR/fotasim"
lib="$FOTASIM_SRCDIR/scenarios"
data="$FOTASIM_SRCDIR/tests/replay"
T=$(mktemp -d "${TMPDIR:-/tmp}/fotasim-replay.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
n=0; failed=0
t() {
	n=$((n + 1))
	if "$@"; then printf "ok %s - %s\n" $n "$desc"; else printf "not ok %s - %s\n" $n "$desc"; failed=1; fi
}
# The FOTA URC lines a transcript shows, in order.
urcs() {
	grep ' m>h +QIND: "FOTA",' "$1" | cut -d' ' -f4- | sed 's/\\r\\n$//'
}
# A scenario through fotasim at top speed, with its transcript.
play() {
	mkdir -p "$T/$2"
	"$fotasim" --scenario "$1" --link "$T/$2/tty" --speed max \
	    --log "$T/$2/log" --state-dir "$T/$2/sd" >/dev/null 2>"$T/$2/err"
}

# --record: a happy path, a host retry after a stall, a power cut in the
# update (its URC at the cut is not expected: the port vanished), a FILE
# upload (send-file), a dialect (the URCs in the modem's own spelling).
for s in happy/http field/gprs-stall-then-retry field/power-cut-at-update-60 \
    happy/file happy/dialect-comma-space-twice; do
	b=$(echo "$s" | tr / _)
	"$run" --record "$T/$b.scn" "$lib/$s.scn" > "$T/$b.out" 2>&1
	rc=$?
	desc="--record $s: the run passes, the scenario is written"
	t sh -c 'test $1 = 0 && test "$(tail -n 1 "$2")" = "recorded $3"' \
	    sh $rc "$T/$b.out" "$T/$b.scn"
	"$run" --keep "$T/kept" "$T/$b.scn" > "$T/$b.replay" 2>&1
	desc="--record $s: the recorded scenario passes"
	t test "$(tail -n 1 "$T/$b.replay")" = "1 passed, 0 failed"
	play "$lib/$s.scn" "$b-orig"
	play "$T/$b.scn" "$b-rec"
	urcs "$T/$b-orig/log" > "$T/$b.u1"
	urcs "$T/$b-rec/log" > "$T/$b.u2"
	desc="--record $s: the replay gives the same URC lines"
	t sh -c 'test -s "$1" && cmp -s "$1" "$2"' sh "$T/$b.u1" "$T/$b.u2"
done
desc="--record: the setup is carried over, the includes read in place"
t sh -c 'grep -qx "package    /a-b.pkg  EC200TCNHAR02A14M16 -> EC200TCNHAR02A15M16" "$1" &&
	! grep -q "^include" "$1" && grep -qx "seed 1" "$1"' sh "$T/happy_http.scn"
desc="--record: a URC at the power cut is noted, not expected"
t grep -q '^# not expected (written as the power went; the host may not read it): +QIND: "FOTA","UPDATING",' \
    "$T/field_power-cut-at-update-60.scn"
desc="--record takes exactly one scenario"
t sh -c '! "$1" --record "$2/x.scn" "$3" "$3" 2>/dev/null' sh "$run" "$T" \
    "$lib/happy/http.scn"

# --convert of a transcript made here: a retry after a stall.
play "$lib/field/gprs-stall-then-retry.scn" conv
"$run" --convert "$T/conv/log" -o "$T/conv.scn" > "$T/conv.out" 2>&1
rc=$?
desc="--convert a fotasim transcript: exit 0"; t test $rc = 0
"$run" --keep "$T/kept" "$T/conv.scn" > "$T/conv.run" 2>&1
desc="--convert a fotasim transcript: the skeleton passes"
t test "$(tail -n 1 "$T/conv.run")" = "1 passed, 0 failed"
[ $failed = 0 ] || sed 's/^/# /' "$T/conv.run"
desc="--convert: the servers' fault and the timeline come from the log"
t sh -c 'grep -q "^fault      http /a-b.pkg  first 1 times  after 37%  stall    # the servers applied it$" "$1" &&
	grep -q "^\[timeline\]$" "$1"' sh "$T/conv.scn"

# --convert of a hand-written transcript: what is inferred from its
# records (the model, the DNS table, a link fault, a --net-event, a power
# cut and its power-on, a failed download's end as a TODO, a guessed
# target revision), exactly.
(cd "$data" && "$run" --convert inferred.transcript -o "$T/inferred.scn")
desc="--convert: exactly tests/replay/inferred.scn.want"
t cmp -s "$data/inferred.scn.want" "$T/inferred.scn"
diff "$data/inferred.scn.want" "$T/inferred.scn" | head -20 | sed 's/^/# /'

# --convert of the field capture: exactly the checked-in skeleton.
(cd "$data" && "$run" --convert field-722.tio --format timestamped \
    -o "$T/field-722.scn")
desc="--convert --format timestamped: exactly tests/replay/field-722.scn.want"
t cmp -s "$data/field-722.scn.want" "$T/field-722.scn"
diff "$data/field-722.scn.want" "$T/field-722.scn" | head -20 | sed 's/^/# /'
"$run" --keep "$T/kept" "$T/field-722.scn" > "$T/skel.run" 2>&1
rc=$?
desc="the skeleton runs and fails where the cause is missing (HTTPEND,722)"
t sh -c 'test $1 = 1 && grep -qx "    $2: FAIL: host: $2:31: expect +QIND: \"FOTA\",\"HTTPEND\",722: nothing matched within 364s (the port is gone); the last line read: +QIND: \"FOTA\",\"END\",0" "$3"' \
    sh $rc "$T/field-722.scn" "$T/skel.run"
[ $failed = 0 ] || sed 's/^/# /' "$T/skel.run"
desc="the filled-in scenario is the skeleton and one fault line"
diff "$data/field-722.scn.want" "$data/field-722-filled.scn" > "$T/fill.diff"
t test "$(cat "$T/fill.diff")" = "13a14
> fault      http /EC200T.bin  first 1 times  after 37%  stall"
"$run" --keep "$T/kept" "$data/field-722-filled.scn" > "$T/filled.run" 2>&1
desc="the filled-in scenario passes"
t test "$(tail -n 1 "$T/filled.run")" = "1 passed, 0 failed"
[ $failed = 0 ] || sed 's/^/# /' "$T/filled.run"
cut -c16- "$data/field-722.tio" > "$T/field-722.txt"
(cd "$T" && "$run" --convert field-722.txt --format plain -o "$T/plain.scn")
desc="--convert --format plain: exactly tests/replay/field-722-plain.scn.want"
t cmp -s "$data/field-722-plain.scn.want" "$T/plain.scn"

# Real captures of a session with fotasim, made with Debian's minicom 2.8
# (-C FILE -O timestamp=extended) and picocom 3.1 (--logfile FILE).
(cd "$data" && "$run" --convert minicom-session.cap --format minicom \
    -o "$T/minicom.scn" && "$run" --convert picocom-session.cap \
    --format plain -o "$T/picocom.scn")
desc="--format minicom: exactly tests/replay/minicom-session.scn.want"
t cmp -s "$data/minicom-session.scn.want" "$T/minicom.scn"
"$run" --keep "$T/kept" "$T/minicom.scn" > "$T/minicom.run" 2>&1
desc="--format minicom: the skeleton of a session with fotasim passes"
t test "$(tail -n 1 "$T/minicom.run")" = "1 passed, 0 failed"
desc="--format plain: exactly tests/replay/picocom-session.scn.want"
t cmp -s "$data/picocom-session.scn.want" "$T/picocom.scn"

# Malformed logs: file:line: what, exit 2, nothing written.
bad() {
	printf "$2" > "$T/bad.log"
	rm -f "$T/bad.scn"
	(cd "$T" && "$run" --convert bad.log --format "$1" -o bad.scn) \
	    > "$T/bad.out" 2>&1
	echo $? >> "$T/bad.out"
	desc="a malformed $1 log: $3"
	t sh -c 'test "$(cat "$1")" = "$2
2" && test ! -e "$3"' sh "$T/bad.out" "$3" "$T/bad.scn"
}
bad timestamped '[09:14:02.120] RDY\n[9:14:02.120] OK\n' \
    'bad.log:2: expected "[HH:MM:SS.mmm] " at the start of the line'
bad fotasim '0.000000 2026-12-02T21:33:11.313Z m>h RDY\\q\n' \
    'bad.log:1: a bad escape in the bytes (\r, \n, \t, \\ or \xNN)'
bad fotasim '0.000000 2026-12-02T21:33:11.313Z x>y RDY\n' \
    'bad.log:1: unknown record kind "x>y" (h>m, m>h, state)'
bad fotasim '[09:14:02.120] RDY\n' \
    'bad.log:1: expected a record "SIM WALL KIND PAYLOAD" starting with simulated seconds (docs/transcript.md)'
bad minicom 'RDY\n[2026-12-02 21:47:27] OK\nAT\n' \
    'bad.log:3: expected "[YYYY-MM-DD HH:MM:SS]" at the start of the line (only the first lines have none)'
bad minicom '[2026-12-02 21:47:27] OK\n[2026-12-02 21:47:26] OK\n' \
    'bad.log:2: a stamp before the previous one'
bad plain 'OK\n\000\n' 'bad.log:2: a NUL byte: not a text log'
bad plain '\n\n' 'bad.log:2: no host command and no modem line in the log'

echo "# $n checks"
exit $failed
