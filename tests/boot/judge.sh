# The verdict on one boot, and the pass/fail cases built on it. Sourced by
# the boot test scripts after lib.sh; the caller sets LOGS and $failed, and
# boot (lib.sh) or the caller sets $status.
# shellcheck shell=bash disable=SC2154

# judge NAME [MODE]: 0 when the boot passed. Every signal must agree, so
# that no single one - a wrong exit status, a stray FAIL line, a count the
# kernel got wrong - can pass a failing run:
#   - QEMU exited with 33 (the kernel reported success),
#   - serial says ALL TESTS PASSED and never SOME TESTS FAILED,
#   - no "FAIL - " anywhere on serial,
#   - exactly one "self-tests: R run, P passed, F failed" line, with
#     R = P + F, F = 0, and P "ok - " lines,
#   - with MODE, that line ends "(heap=MODE)": the mode asked for ran.
# When it returns 1, $why says which signal disagreed.
judge() {
	local name=$1 mode=${2:-} log=$LOGS/$1.log counts r p f oks
	why=""
	counts=$(grep -E '^self-tests: ' "$log")
	oks=$(grep -c '^ok - ' "$log")
	if [ "$status" -ne "$STATUS_SUCCESS" ]; then
		why="status $status: $(meaning "$status" "$name")"
	elif ! has "$name" '^ALL TESTS PASSED$'; then
		why="no ALL TESTS PASSED on serial"
	elif has "$name" 'SOME TESTS FAILED'; then
		why="SOME TESTS FAILED on serial"
	elif grep -q 'FAIL - ' "$log"; then
		why="a FAIL line on serial: $(grep -m1 'FAIL - ' "$log")"
	elif [ "$(printf '%s\n' "$counts" | grep -c .)" -ne 1 ]; then
		why="not exactly one 'self-tests: R run, P passed, F failed' line"
	elif ! [[ $counts =~ ^self-tests:\ ([0-9]+)\ run,\ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
		why="count line unreadable: $counts"
	else
		r=${BASH_REMATCH[1]} p=${BASH_REMATCH[2]} f=${BASH_REMATCH[3]}
		if [ $((p + f)) -ne "$r" ]; then
			why="counts do not add up: $counts"
		elif [ "$f" -ne 0 ]; then
			why="count line says $f failed: $counts"
		elif [ "$oks" -ne "$p" ]; then
			why="$p passed, but $oks 'ok - ' lines: $counts"
		elif [ -n "$mode" ] && [[ $counts != *"(heap=$mode)" ]]; then
			why="asked for heap=$mode, the count line says: $counts"
		fi
	fi
	[ -z "$why" ]
}

result() {
	local ok=$1 name=$2
	if [ "$ok" -eq 1 ]; then
		echo "ok - boot $name"
	else
		echo "FAIL - boot $name"
		failed=$((failed + 1))
	fi
}

# expect_pass NAME [--mode MODE] [--log PATTERN]... QEMU-ARGS...
expect_pass() {
	local name=$1 mode="" patterns=() p missing=""
	shift
	if [ "$1" = --mode ]; then
		mode=$2
		shift 2
	fi
	while [ "$1" = --log ]; do
		patterns+=("$2")
		shift 2
	done
	boot "$name" "$BOOT_TIMEOUT" "$@"
	for p in "${patterns[@]}"; do
		grep -q -- "$p" "$LOGS/$name.log" || missing=$p
	done
	if ! judge "$name" "$mode"; then
		result 0 "$name"
		echo "    rejected: $why"
		grep -E '^(FAIL - |self-tests: |PANIC)' "$LOGS/$name.log" |
			head -n 20 | sed 's/^/    > /'
		show "$name"
	elif [ -n "$missing" ]; then
		result 0 "$name"
		echo "    passed, but the serial log lacks '$missing'"
		show "$name"
	else
		result 1 "$name"
	fi
}

# expect_fail NAME TIMEOUT STATUS QEMU-ARGS... -- PATTERN... : the boot must
# be rejected by judge, end with STATUS, and its serial log match every
# PATTERN (grep basic regexps); a PATTERN starting with ! must not match.
expect_fail() {
	local name=$1 limit=$2 want=$3 args=() p bad=""
	shift 3
	while [ "$1" != -- ]; do
		args+=("$1")
		shift
	done
	shift
	boot "$name" "$limit" "${args[@]}"
	for p in "$@"; do
		if [ "${p:0:1}" = '!' ]; then
			grep -q -- "${p:1}" "$LOGS/$name.log" &&
				bad="$bad${bad:+, }'${p:1}' is on serial"
		else
			grep -q -- "$p" "$LOGS/$name.log" ||
				bad="$bad${bad:+, }no '$p' on serial"
		fi
	done
	if [ "$status" -ne "$want" ]; then
		bad="status $status, not $want ($(meaning "$want"))${bad:+, }$bad"
	elif [ "$want" -eq "$STATUS_RESET" ] &&
		! grep -q 'Triple fault' "$LOGS/$name.qemu"; then
		bad="status 0 without a triple fault in QEMU's log${bad:+, }$bad"
	fi
	if judge "$name"; then
		result 0 "$name"
		echo "    the harness accepted a kernel booted with: ${args[*]}"
		show "$name"
	elif [ -n "$bad" ]; then
		result 0 "$name"
		echo "    rejected ($why), but not as expected: $bad"
		show "$name"
	else
		result 1 "$name"
	fi
}

# expect_fail_kernel NAME TIMEOUT STATUS CMDLINE PATTERN... : expect_fail
# for the ELF booted by QEMU's own multiboot loader with CMDLINE, at 64 MiB.
expect_fail_kernel() {
	local name=$1 limit=$2 want=$3 cmdline=$4
	shift 4
	expect_fail "$name" "$limit" "$want" -m 64M -kernel "$ELF" \
		-append "$cmdline" -- "$@"
}
