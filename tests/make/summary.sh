# tests/make/summary.sh - make test's own verdict (tests/run-all.sh and
# tests/common/cmocka.sh), proved against stand-in test binaries: each
# way a cmocka binary can fail must count as a failure, and the summary
# line and exit status must say so.
# shellcheck shell=bash

# stand_in DIR NAME BODY: an executable shell script standing in for a
# cmocka binary.
stand_in() {
	printf '#!/bin/sh\n%s\n' "$3" >"$1/$2"
	chmod +x "$1/$2"
}

case_summary_counts_every_failure() {
	local fake=$LOGS/summary-build out=$LOGS/summary.log ok=0 rc
	rm -rf "$fake" && mkdir -p "$fake/host64/tests"
	stand_in "$fake/host64/tests" passes \
		'echo "[  PASSED  ] 2 test(s)."'
	stand_in "$fake/host64/tests" fails \
		'echo "[  PASSED  ] 1 test(s)."; echo "[  FAILED  ] 1 test(s), listed below:"; exit 1'
	stand_in "$fake/host64/tests" crashes \
		'echo "[ RUN      ] test_y"; echo "mm/free.c:1: assertion failed: x (y)"; kill -ABRT $$'
	stand_in "$fake/host64/tests" says_nothing 'exit 0'
	stand_in "$fake/host64/tests" passes_then_dies \
		'echo "[  PASSED  ] 3 test(s)."; exit 3'
	B=$fake VARIANTS=host64 SUITES= \
		UNIT_NAMES="passes fails crashes says_nothing passes_then_dies not_built" \
		tests/run-all.sh >"$out" 2>&1
	rc=$?
	[ $rc -ne 0 ] && grep -qx 'ok - host64/passes (2 cases)' "$out" &&
		grep -q '^FAIL - host64/fails (1 passed, 1 failed; exit 1)' "$out" &&
		grep -q '^FAIL - host64/crashes (0 passed, 1 failed; exit 134)' "$out" &&
		grep -q '^    mm/free.c:1: assertion failed' "$out" &&
		grep -q '^FAIL - host64/says_nothing (0 passed, 1 failed; exit 0)' "$out" &&
		grep -q '^FAIL - host64/passes_then_dies (3 passed, 1 failed; exit 3)' "$out" &&
		grep -qx 'FAIL - host64/not_built (not built)' "$out" &&
		grep -qx '6 passed, 5 failed' "$out" && ok=1
	result "test's summary counts a failed case, a crash, a binary that ran nothing, one that died after its summary, and one not built" \
		$ok "exit $rc; log: $out" "$(tail_of "$out" 20)"
}

case_summary_counts_every_failure
