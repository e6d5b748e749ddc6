#!/usr/bin/env bash
# Run the kernel/vm/ host tests (built by `make vm-build`) and print one line
# per variant and test:
#   ok - vm/<variant>/<test> (N cases)
#   FAIL - vm/<variant>/<test> (P passed, F failed; exit S) - log: FILE
# Counted as tests/run-all.sh counts cmocka: a binary that dies before its
# summary, or runs nothing, is a failure. Exit status 0 only if all passed.
#   B=build tests/vm/run.sh
set -u
B=${B:-build}
VM_VARIANTS=${VM_VARIANTS:-host64 clang64 host32 asan64}
VM_TESTS=${VM_TESTS:-test_frame}
VM_TIMEOUT=${VM_TIMEOUT:-300}
log_dir=$B/test-logs
mkdir -p "$log_dir"
status=0

# shellcheck source=tests/common/cmocka.sh
. "$(dirname "$0")/../common/cmocka.sh"

for v in $VM_VARIANTS; do
	for t in $VM_TESTS; do
		bin=$B/$v/vm/$t
		log=$log_dir/vm-$v-$t.log
		if [ ! -x "$bin" ]; then
			echo "FAIL - vm/$v/$t (not built)"
			status=1
			continue
		fi
		# A hang (a broken search that never ends) fails instead of
		# stopping the whole run; exit 124 is timeout's.
		# i386: natively, or under qemu-i386 where this kernel runs
		# no i386 code (scripts/run-i386.sh)
		run=("$bin")
		[ "$v" = host32 ] && run=(scripts/run-i386.sh "$bin")
		timeout "$VM_TIMEOUT" "${run[@]}" >"$log" 2>&1
		cmocka_judge "vm/$v/$t" "$log" $?
		[ "$cmocka_failed" -eq 0 ] || status=1
	done
done
exit $status
