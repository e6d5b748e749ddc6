# tests/make/targets.sh - make run and make debug as typed, judged by
# their exit status and what they print: the words of CMDLINE reach the
# kernel, a passing run exits 0 and a failing one does not, whichever way
# it is started.
# shellcheck shell=bash

# mk NAME ARGS...: make ARGS, output in $LOGS/NAME.log, status in $rc.
mk() {
	local name=$1
	shift
	timeout --kill-after=5 120 make "$@" </dev/null >"$LOGS/$name.log" 2>&1
	rc=$?
}

case_run_passes_cmdline() {
	local log=$LOGS/run-cmdline.log ok=0
	mk run-cmdline run CMDLINE='tests=alignment heapmap=none'
	[ $rc -eq 0 ] && grep -q '^ok - alignment' "$log" &&
		! grep -q '^ok - mixed_sizes' "$log" && ! grep -q '^heapmap:' "$log" &&
		grep -q '^kernel: success' "$log" && ok=1
	result "run CMDLINE='tests=alignment heapmap=none' boots with those words, exits 0" $ok \
		"exit $rc; log: $log" "$(tail_of "$log" 8)"

	log=$LOGS/run-cmdline-fail.log
	ok=0
	mk run-cmdline-fail run CMDLINE='tests=alignment fail=selftest'
	[ $rc -ne 0 ] && [ $rc -ne 124 ] && grep -q '^FAIL - ' "$log" &&
		grep -q '^kernel: failure' "$log" && ok=1
	result "run CMDLINE='... fail=selftest' exits non-zero with the kernel's failure" $ok \
		"exit $rc; log: $log" "$(tail_of "$log" 8)"
}

case_run_passes_cmdline
