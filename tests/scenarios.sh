#!/bin/sh
# The bundled scenario library (scenarios/) through fotasim-run, as CI
# would run it: every scenario passes; --shard K/N over N shards runs each
# scenario exactly once; --junit and --json are written; a failing
# scenario fails the run with its report and kept transcript; the same
# scenario and seed give the same transcript twice (docs/scenario-format.md
# "Determinism": the wall-clock stamps, the servers' ephemeral ports and
# the pty's number are the only parts that differ).
set -u
: "${FOTASIM_BUILDDIR:?}" "${FOTASIM_SRCDIR:?}"
run="$FOTASIM_BUILDDIR/fotasim-run"
fotasim="$FOTASIM_BUILDDIR/fotasim"
lib="$FOTASIM_SRCDIR/scenarios"
T=$(mktemp -d "${TMPDIR:-/tmp}/fotasim-scenarios.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
n=0; failed=0
t() {
	n=$((n + 1))
	if "$@"; then echo "ok $n - $desc"; else echo "not ok $n - $desc"; failed=1; fi
}

# The whole library, two at a time.
"$run" --jobs 2 --keep "$T/kept" --junit "$T/junit.xml" --json "$T/r.json" \
    "$lib" > "$T/all" 2>&1
rc=$?
total=$(find "$lib" -name '*.scn' | wc -l)
desc="the library passes (fotasim-run exit 0)"; t test $rc = 0
[ $rc = 0 ] || sed 's/^/# /' "$T/all"
desc="one PASS line per scenario ($total)"
t test "$(grep -c '^PASS  ' "$T/all")" = "$total"
desc="closing line: $total passed, 0 failed"
t test "$(tail -n 1 "$T/all")" = "$total passed, 0 failed"
desc="--junit: one testcase per scenario, no failure"
t sh -c 'test "$(grep -c "<testcase " "$1")" = "$2" &&
	! grep -q "<failure" "$1" &&
	grep -q "<testsuite name=\"fotasim-run\" tests=\"$2\" failures=\"0\"" "$1"' \
	sh "$T/junit.xml" "$total"
desc="--json: parses, $total scenarios, all pass"
t /usr/bin/python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))
assert r["passed"] == int(sys.argv[2]) and r["failed"] == 0
assert len(r["scenarios"]) == int(sys.argv[2])
assert all(s["result"] == "pass" for s in r["scenarios"])' "$T/r.json" "$total"

# --shard K/3: each scenario in exactly one shard.
for k in 1 2 3; do
	"$run" --shard "$k/3" "$lib" | grep '^PASS  ' | cut -d' ' -f3 >> "$T/shards"
done
find "$lib" -name '*.scn' | LC_ALL=C sort > "$T/want"
LC_ALL=C sort "$T/shards" > "$T/got"
desc="--shard K/3 over 3 shards runs every scenario exactly once"
t cmp -s "$T/want" "$T/got"
desc="--shard 4/3 is refused"
t sh -c '! "$1" --shard 4/3 "$2" >/dev/null 2>&1' sh "$run" "$lib"

# A failing scenario: exit 1, its report under its line, its transcript
# kept.  The script ends at END,0, before the reboot: slot A (A14) still
# runs, so the flash check fails too.
mkdir "$T/bad"
cat > "$T/bad/wrong.scn" <<EOS
include $lib/common/a-b.inc
include $lib/common/http-start.inc

[host]
expect     +QIND: "FOTA","END",0                    within 30min

[expect]
urcs       HTTPSTART HTTPEND,0 START UPDATING* END,504
flash      EC200TCNHAR02A15M16
EOS
"$run" --keep "$T/kept2" "$T/bad" > "$T/fail" 2>&1
rc=$?
desc="a failing scenario: exit 1"; t test $rc = 1
desc="its line, the URC diff and the closing line"
t sh -c 'grep -q "^FAIL  $1/wrong.scn" "$2" &&
	grep -q "^    $1/wrong.scn: FAIL: the FOTA URCs differ" "$2" &&
	grep -q "^      UPDATING\*  *UPDATING,6 \.\.\. UPDATING,100 (16)$" "$2" &&
	grep -q "^      END,504  *END,0   <--$" "$2" &&
	grep -q "^    $1/wrong.scn:9:12: FAIL: the booted slot is not the image of EC200TCNHAR02A15M16$" "$2" &&
	test "$(tail -n 1 "$2")" = "0 passed, 1 failed"' sh "$T/bad" "$T/fail"
[ $failed = 0 ] || sed 's/^/# /' "$T/fail"
printf '[expect]\nrevision EC200TCNHAR02A14M16\n' > "$T/nohost.scn"
"$run" "$T/nohost.scn" > "$T/nohost" 2>&1
rc=$?
desc="a scenario without [host] is not run: exit 1, said so"
t sh -c 'test $1 = 1 && grep -q "^    not self-contained: no \[host\] section" "$2" &&
	test "$(tail -n 1 "$2")" = "0 passed, 1 failed"' sh $rc "$T/nohost"
desc="its transcript is kept, with the scenario's fail record"
t sh -c 'grep -q "state scenario fail" "$1"/*wrong.scn.transcript' sh "$T/kept2"

# --timeout ends a scenario that never ends (a stand-in for fotasim that
# only sleeps): killed after that many wall seconds, reported as such.
printf '#!/bin/sh\nexec sleep 60\n' > "$T/sleeper"
chmod +x "$T/sleeper"
"$run" --timeout 1 --fotasim "$T/sleeper" "$lib/happy/http.scn" > "$T/slow" 2>&1
rc=$?
desc="--timeout 1: exit 1, timed out after 1 s"
t sh -c 'test $1 = 1 && grep -q "^    timed out after 1 s$" "$2" &&
	test "$(tail -n 1 "$2")" = "0 passed, 1 failed"' sh $rc "$T/slow"

# Determinism: the same scenario and seed, twice.
for i in 1 2; do
	"$fotasim" --scenario "$lib/field/gprs-stall-then-retry.scn" --seed 3 \
	    --link "$T/tty$i" --speed max --log "$T/d$i.log" \
	    --state-dir "$T/sd$i" >/dev/null 2>"$T/d$i.err"
	echo $? > "$T/d$i.rc"
	cut -d' ' -f1,3- "$T/d$i.log" |
	    sed -e 's/127\.0\.0\.1:[0-9][0-9]*/127.0.0.1:PORT/g' \
	        -e 's/example\.com:[0-9][0-9]*/example.com:PORT/g' \
	        -e 's|/dev/pts/[0-9][0-9]*|/dev/pts/N|g' > "$T/d$i.cut"
done
desc="determinism: both runs pass"
t test "$(cat "$T/d1.rc")$(cat "$T/d2.rc")" = 00
desc="determinism: the transcripts are the same, simulated stamps included"
t cmp -s "$T/d1.cut" "$T/d2.cut"
diff "$T/d1.cut" "$T/d2.cut" | head -20 | sed 's/^/# /'
desc="determinism: the seed is in the transcript"
t grep -q "^0.000000 state scenario .*seed=3$" "$T/d1.cut"

echo "# $n checks"
exit $failed
