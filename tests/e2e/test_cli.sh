#!/bin/sh
# Command-line errors: each bad option is refused with exit 2 and a message.
fotasim="$FOTASIM_BUILDDIR/fotasim"
n=0; failed=0
t() {
	n=$((n + 1))
	if "$@"; then echo "ok $n - $desc"; else echo "not ok $n - $desc"; failed=1; fi
}
expect_refused() {
	out=$("$fotasim" "$@" 2>&1); rc=$?
	[ $rc = 2 ] && [ -n "$out" ]
}
desc="no --link"; t expect_refused
desc="--speed 0"; t expect_refused --link /tmp/x --speed 0
desc="--speed 20000"; t expect_refused --link /tmp/x --speed 20000
desc="--speed fast"; t expect_refused --link /tmp/x --speed fast
desc="--model BG96"; t expect_refused --link /tmp/x --model BG96
desc="--port pci"; t expect_refused --link /tmp/x --port pci
desc="stray argument"; t expect_refused --link /tmp/x extra
desc="--net-event without T="; t expect_refused --link /tmp/x --net-event "5 coverage lost"
desc="--net-event unknown"; t expect_refused --link /tmp/x --net-event "T=5 coverage gone"
desc="--net-event pdp 0"; t expect_refused --link /tmp/x --net-event "T=5 pdp 0 deactivated"
desc="--pdp-activation-time 0"; t expect_refused --link /tmp/x --pdp-activation-time 0
desc="--link-fault without a direction"; t expect_refused --link /tmp/x --link-fault "reset after=10"
desc="--link-fault unknown fault"; t expect_refused --link /tmp/x --link-fault "down explode"
desc="--link-fault flip without at="; t expect_refused --link /tmp/x --link-fault "down flip"
desc="--link-fault refuse with a direction"; t expect_refused --link /tmp/x --link-fault "up refuse"
desc="--link-fault key the fault does not take"; t expect_refused --link /tmp/x --link-fault "down reset at=5"
desc="--link-fault bad number"; t expect_refused --link /tmp/x --link-fault "down stall after=-1"
desc="--link-fault p over 1"; t expect_refused --link /tmp/x --link-fault "any refuse p=1.5"
desc="--link-fault conn 0"; t expect_refused --link /tmp/x --link-fault "any blackhole conn=0"
desc="--link-fault bad second spec"; t expect_refused --link /tmp/x --link-fault "up stall; down reset after=x"
desc="--link-fault empty"; t expect_refused --link /tmp/x --link-fault ";"
desc="--link-shape bad rate"; t expect_refused --link /tmp/x --link-shape down=40q
desc="--sockets-in-use 13"; t expect_refused --link /tmp/x --sockets-in-use 13
desc="--fota-area 0"; t expect_refused --link /tmp/x --fota-area 0
desc="--fota-area with --flash-size"; t expect_refused --link /tmp/x --fota-area 64k --flash-size 8M
desc="--end-on-close without --scenario"; t expect_refused --link /tmp/x --end-on-close 5
desc="--seed without --scenario"; t expect_refused --link /tmp/x --seed 5
tmpd=$(mktemp -d "${TMPDIR:-/tmp}/fotasim-cli.XXXXXX")
: > "$tmpd/flash.img"
printf '[servers]\npackage /a.pkg EC200TCNHAR02A14M16 -> EC200TCNHAR02A15M16\n[modem]\nstaged /a.pkg\n' > "$tmpd/s.scn"
desc="[modem] staged with a state dir that holds a flash"; t expect_refused --link "$tmpd/l" --scenario "$tmpd/s.scn" --state-dir "$tmpd"
rm -rf "$tmpd"
desc="--help exits 0"; t "$fotasim" --help >/dev/null
desc="--version"; t sh -c "'$fotasim' --version | grep -q '^fotasim '"
desc="unwritable state dir"; t sh -c "! '$fotasim' --link /tmp/x --state-dir /proc/nope 2>/dev/null"
echo "# $n checks"
exit $failed
