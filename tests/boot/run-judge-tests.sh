#!/usr/bin/env bash
# Tests of the boot tests' own judgement (judge, in judge.sh), on serial
# logs written here: no QEMU. The kernel's verdict must never be the only
# signal, so each case below is a log in which one signal lies - a FAIL
# line under a success status, counts that do not add up, a missing line -
# and judge must reject it; the honest log must pass.
#
#   B=build tests/boot/run-judge-tests.sh
#
# One line per case, "ok - judge NAME" or "FAIL - judge NAME"; exit 0 when
# every case is ok. The logs are kept in $B/judge-tests/.
set -u

B=${B:-build}
LOGS=$B/judge-tests
failed=0

# shellcheck source=tests/boot/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/boot/judge.sh
. "$(dirname "$0")/judge.sh"

mkdir -p "$LOGS"

# The tail of an honest passing run, with 3 results.
honest() {
	cat <<'LOG'
self-tests on the system heap (heap=fast):
ok - alignment
ok - heap_check
ok - no_leaks
self-tests: 3 run, 3 passed, 0 failed (heap=fast)
ALL TESTS PASSED
kernel: done, exiting QEMU with success
LOG
}

# case_ NAME STATUS MODE WHY < LOG : judge the LOG of a boot that ended
# with STATUS (and asked for heap=MODE, when not empty). WHY empty: it must
# pass; otherwise it must be rejected, for a reason containing WHY.
case_() {
	local name=$1 mode=$3 want=$4 got
	status=$2
	cat >"$LOGS/$name.log"
	judge "$name" "$mode"
	got=$why
	if [ -z "$want" ] && [ -z "$got" ]; then
		echo "ok - judge $name (accepted)"
	elif [ -n "$want" ] && [[ $got == *"$want"* ]]; then
		echo "ok - judge $name (rejected: $got)"
	else
		echo "FAIL - judge $name: wanted ${want:-a pass}, got ${got:-a pass}"
		failed=$((failed + 1))
	fi
}

honest | case_ honest 33 "" ""
honest | case_ honest-mode 33 fast ""
honest | case_ failure-status 35 "" "status 35"
honest | case_ timeout 124 "" "status 124"
honest | case_ other-mode 33 quarantine "asked for heap=quarantine"
# What the kernel printed before its verdict was fixed (issue 10): FAIL
# lines, yet 0 failed, ALL TESTS PASSED and status 33.
case_ fail-line-under-success 33 "" "a FAIL line" <<'LOG'
self-tests on the system heap:
FAIL - alignment (leak: 65740416 bytes free before, 65606896 after (0 blocks in use, 0 before))
ok - heap_check
FAIL - no_leaks (65740416 bytes free at the start, 65606896 at the end)
self-tests: 3 run, 3 passed, 0 failed
ALL TESTS PASSED
LOG
# The same, had it not printed the FAIL lines: 3 passed, 1 ok line.
case_ fewer-ok-lines-than-passed 33 "" "3 passed, but 1 'ok - ' lines" <<'LOG'
self-tests on the system heap:
ok - heap_check
self-tests: 3 run, 3 passed, 0 failed
ALL TESTS PASSED
LOG
case_ negative-failures 33 "" "count line unreadable" <<'LOG'
self-tests: 16 run, 24 passed, -8 failed
ALL TESTS PASSED
LOG
honest | sed 's/3 run, 3 passed/4 run, 3 passed/' |
	case_ counts-do-not-add-up 33 "" "counts do not add up"
honest | sed 's/0 failed/1 failed/; s/3 run/4 run/' |
	case_ failures-counted 33 "" "says 1 failed"
honest | sed '/^self-tests: /d' | case_ no-count-line 33 "" "not exactly one"
honest | sed 'p;/^self-tests: /!d' | case_ two-count-lines 33 "" "not exactly one"
honest | sed '/^ALL TESTS PASSED/d' | case_ no-all-passed 33 "" "no ALL TESTS PASSED"
honest | sed 's/^ALL TESTS PASSED$/&\nSOME TESTS FAILED/' |
	case_ both-verdicts 33 "" "SOME TESTS FAILED on serial"
honest | sed 's/^ok - heap_check$/&\nsmp: FAIL - stray/' |
	case_ fail-inside-a-line 33 "" "a FAIL line on serial: smp: FAIL - stray"
# A run with no tests (tests=none) is an honest pass.
case_ no-tests 33 "" "" <<'LOG'
self-tests on the system heap (heap=fast):
self-tests: 0 run, 0 passed, 0 failed (heap=fast)
ALL TESTS PASSED
LOG

[ "$failed" -eq 0 ]
