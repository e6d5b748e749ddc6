#!/usr/bin/env bash
# Run every test that `make test` built and print one summary line:
#   N passed, M failed
# Counts are test cases: each cmocka case in each build variant, and each
# boot case. A test binary that dies before cmocka's summary counts as one
# failure, so a crash can never pass silently. i386 builds run through
# scripts/run-i386.sh (under qemu-i386 where the kernel runs no i386 code);
# the one build that cannot run there, ASan for i386, is skipped, and the
# summary says how many were (", K skipped").
set -u
B=${B:-build}
VARIANTS=${VARIANTS:-host64}
UNIT_NAMES=${UNIT_NAMES:-}
passed=0
failed=0
skipped=0
log_dir=$B/test-logs
mkdir -p "$log_dir"

# shellcheck source=tests/common/cmocka.sh
. "$(dirname "$0")/common/cmocka.sh"

run_cmocka() { # variant name
	local bin=$B/$1/tests/$2 log=$log_dir/$1-$2.log
	if [ ! -x "$bin" ]; then
		echo "FAIL - $1/$2 (not built)"
		failed=$((failed + 1))
		return
	fi
	local -a run
	case $1 in
	host32 | asan32) run=(scripts/run-i386.sh "$bin") ;;
	*) run=("$bin") ;;
	esac
	"${run[@]}" >"$log" 2>&1
	cmocka_judge "$1/$2" "$log" $?
	passed=$((passed + cmocka_passed))
	failed=$((failed + cmocka_failed))
}

# ASan's i386 runtime reserves its shadow memory in ways qemu-i386 does
# not emulate in any useful time (one test ran 10 minutes without a line).
skip_variant() { # variant: prints why, or nothing
	if [ "$1" = asan32 ] && ! scripts/run-i386.sh --native; then
		echo "this machine runs no i386 programs itself, and ASan does not run under qemu-i386"
	fi
}

how=
case " $VARIANTS " in
*" host32 "* | *" asan32 "*)
	scripts/run-i386.sh --native ||
		how="; i386 under qemu-i386: this machine runs no i386 programs itself"
	;;
esac
echo "== host unit tests (variants: $VARIANTS$how)"
for v in $VARIANTS; do
	why=$(skip_variant "$v")
	for t in $UNIT_NAMES; do
		if [ -n "$why" ]; then
			echo "skip - $v/$t ($why)"
			skipped=$((skipped + 1))
		else
			run_cmocka "$v" "$t"
		fi
	done
done

# count_lines LOG: add the "ok - " and "FAIL - " lines of a suite's log
count_lines() {
	passed=$((passed + $(grep -c '^ok - ' "$1")))
	failed=$((failed + $(grep -c '^FAIL - ' "$1")))
	skipped=$((skipped + $(grep -c '^skip - ' "$1")))
	if ! grep -qE '^(ok|FAIL) - ' "$1"; then
		echo "FAIL - $2 printed no results"
		failed=$((failed + 1))
	fi
}

# Every other suite is a script that prints one "ok - name" or "FAIL - name"
# line per case; SUITES lists them (the Makefile's TEST_SUITES).
for suite in ${SUITES:-}; do
	name=$(basename "$(dirname "$suite")")-$(basename "$suite" .sh)
	echo "== $suite"
	out=$log_dir/$name.log
	if [ ! -x "$suite" ]; then
		echo "FAIL - $suite is missing or not executable" | tee "$out"
	else
		B=$B QEMU=${QEMU:-qemu-system-i386} "$suite" 2>&1 | tee "$out"
	fi
	count_lines "$out" "$suite"
done

if [ "$skipped" -eq 0 ]; then
	echo "$passed passed, $failed failed"
else
	echo "$passed passed, $failed failed, $skipped skipped"
fi
[ "$failed" -eq 0 ]
