# tests/common/cmocka.sh - judging one run of a cmocka test binary, for
# tests/run-all.sh and tests/vm/run.sh.
# shellcheck shell=bash

# cmocka_judge LABEL LOG STATUS: print "ok - LABEL (N cases)", or
# "FAIL - LABEL (P passed, F failed; exit STATUS) - log: LOG" and the
# failing lines under it, indented so that no suite counts them as
# results. Judged by cmocka's own summary lines AND the exit status: a
# binary that died before its summary, or ran nothing, is one failure.
# Leaves the counts in cmocka_passed and cmocka_failed.
cmocka_judge() {
	local label=$1 log=$2 status=$3 p f
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
	p=${p:-0}
	f=${f:-0}
	if [ "$p" -eq 0 ] && [ "$f" -eq 0 ] || { [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; }; then
		f=$((f + 1)) # died, or ran nothing
	fi
	cmocka_passed=$p
	cmocka_failed=$f
	if [ "$f" -eq 0 ]; then
		echo "ok - $label ($p cases)"
	else
		echo "FAIL - $label ($p passed, $f failed; exit $status) - log: $log"
		grep -E '^\[  (FAILED|ERROR) |^\[   LINE   \]|[Ee]rror|heap:|assertion failed|unexpected panic|AddressSanitizer|runtime error' "$log" |
			head -n 20 | sed 's/^/    /'
	fi
}
