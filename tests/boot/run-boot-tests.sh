#!/usr/bin/env bash
# Boot tests: boot the kernel in QEMU and judge it by its exit status AND
# its serial output, never by one alone.
#
#   B=build QEMU=qemu-system-i386 tests/boot/run-boot-tests.sh
#
# Builds nothing: the Makefile makes $B/alloc.iso and $B/kernel.elf first.
# One line per case, "ok - boot NAME" or "FAIL - boot NAME"; exit 0 when
# every case is ok. Logs are kept in $B/boot-tests/.
#
# A boot passes only when QEMU exits with 33 (the kernel wrote 0x10 to
# isa-debug-exit), "ALL TESTS PASSED" is on serial, no "FAIL - " line is,
# and the kernel's count line adds up (judge, in judge.sh). Everything else
# fails: 35 (the kernel reported failure), 0 (a triple fault, which
# -no-reboot turns into a plain exit), a timeout (a hang) or anything odd.
# The must-fail cases boot kernels told to panic, fault, hang or fail a
# self-test each way a test can fail, and pass only when that same
# judgement rejects them, for the reason expected.
set -u

B=${B:-build}
QEMU=${QEMU:-qemu-system-i386}
ISO=$B/alloc.iso
ELF=$B/kernel.elf
ASSERT_ELF=$B/kernel-assert.elf
LOGS=$B/boot-tests
BOOT_TIMEOUT=${BOOT_TIMEOUT:-60}
HANG_TIMEOUT=${HANG_TIMEOUT:-8}

# The device's options are one argument: its commas are not separators.
# shellcheck disable=SC2054
QEMU_COMMON=(-display none -monitor none -no-reboot
	-device isa-debug-exit,iobase=0xf4,iosize=0x04)

failed=0

# shellcheck source=tests/boot/lib.sh
. "$(dirname "$0")/lib.sh"

# shellcheck source=tests/boot/judge.sh
. "$(dirname "$0")/judge.sh"

# The least RAM the kernel runs on, from the header that defines it.
MIN_MIB=$(sed -n 's/^#define KERNEL_MIN_RAM_MIB \([0-9]*\)$/\1/p' \
	"$(dirname "$0")/../../kernel/minimum.h")
QUICK_TIMEOUT=${QUICK_TIMEOUT:-10}

mkdir -p "$LOGS"
for f in "$ISO" "$ELF" "$ASSERT_ELF"; do
	if [ ! -f "$f" ]; then
		echo "FAIL - boot prerequisites ($f missing: run make iso kernel-assert)"
		exit 1
	fi
done

if [ -z "$MIN_MIB" ]; then
	echo "FAIL - boot prerequisites (no '#define KERNEL_MIN_RAM_MIB N' in kernel/minimum.h)"
	exit 1
fi

# Through GRUB, as a user boots it, at several memory sizes. 4 GiB puts RAM
# above 4 GiB in the map, which a kernel without PAE must skip unharmed.
expect_pass "iso-${MIN_MIB}M" -m "${MIN_MIB}M" -cdrom "$ISO" -boot d
expect_pass iso-32M -m 32M -cdrom "$ISO" -boot d
expect_pass iso-128M --log '^paging: on: ' --log '^frames: [0-9]* free before the self-tests, [0-9]* after' \
	--log '^framemap: [0-9]* free, [0-9]* heap, [0-9]* page tables, .* 0 lost$' \
	-m 128M -cdrom "$ISO" -boot d
expect_pass iso-1G -m 1G -cdrom "$ISO" -boot d
expect_pass iso-4G --log 'skipped: above 4 GiB' -m 4G -cdrom "$ISO" -boot d
# QEMU's own multiboot loader: another memory map and placement.
expect_pass kernel-128M -m 128M -kernel "$ELF" -append exit

# Every heap mode is a first-class configuration: the whole suite passes in
# each, at the minimum RAM and at 128 MiB, and the verdict names the mode.
# Fast mode runs with its per-CPU caches (the default) and without them
# (caches=off: the lock-only heap); the checking modes bypass the caches.
# name_of MODE: "fast caches=off" -> "fast-caches-off".
name_of() { echo "${1// caches=/-caches-}"; }
for mode in fast "fast caches=off" check quarantine; do
	expect_pass "mode-$(name_of "$mode")-${MIN_MIB}M" --mode "$mode" \
		-m "${MIN_MIB}M" -kernel "$ELF" -append "exit heap=$mode"
	expect_pass "mode-$(name_of "$mode")-128M" --mode "$mode" -m 128M \
		-kernel "$ELF" -append "exit heap=$mode"
done
# Every CPU at once fits in the minimum too.
for mode in fast "fast caches=off" quarantine; do
	expect_pass "mode-$(name_of "$mode")-${MIN_MIB}M-smp4" --mode "$mode" \
		--log '^smp_stress: 4 CPU(s) ran' -m "${MIN_MIB}M" -smp 4 \
		-accel tcg,thread=multi -kernel "$ELF" -append "exit heap=$mode"
done

# The kernel built with mm/'s assertions (make kernel-assert, MM_ASSERTS):
# the whole suite on 4 CPUs in every heap mode, each invariant checked.
for mode in fast check quarantine; do
	expect_pass "asserts-$mode-smp4" --mode "$mode" \
		--log '^alloc: built with MM_ASSERTS' --log '^smp_stress: 4 CPU(s) ran' \
		-m 128M -smp 4 -accel tcg,thread=multi -kernel "$ASSERT_ELF" \
		-append "exit heap=$mode"
done
# Must fail: a broken invariant stops that kernel at the assertion, which
# names its file, line and reason; the kernel without assertions cannot
# see it, and says so.
expect_fail must-fail-assert "$BOOT_TIMEOUT" $STATUS_FAILURE \
	-m 128M -kernel "$ASSERT_ELF" -append "exit fail=assert" -- \
	'^PANIC at .*: mm/cache_ops\.h:[0-9]*: assertion failed: cache_is_mine(c) (a cache is used by the CPU or thread that owns it alone'
expect_fail must-fail-assert-off "$BOOT_TIMEOUT" $STATUS_FAILURE \
	-m 128M -kernel "$ELF" -append "exit fail=assert" -- \
	'^PANIC at .*nothing caught CPU ids 0 and 1 sharing one cache.*built with MM_ASSERTS' \
	'!assertion failed'

# Below the minimum the kernel says so and fails at once, running nothing.
for mem in $((MIN_MIB - 1)) $((MIN_MIB / 2)) 4 2; do
	expect_fail "must-fail-ram-${mem}M" "$QUICK_TIMEOUT" $STATUS_FAILURE \
		-m "${mem}M" -kernel "$ELF" -append exit -- \
		"^kernel: needs at least $MIN_MIB MiB of RAM, this machine has $mem MiB ([0-9.]* MiB available" \
		'^kernel: stopping before any test: not enough RAM; exiting QEMU with failure' \
		'!self-tests'
done

# Failures the harness must catch, each for its own reason.
expect_fail_kernel must-fail-panic "$BOOT_TIMEOUT" $STATUS_FAILURE \
	"exit fail=panic" 'PANIC at .*deliberate panic'
expect_fail_kernel must-fail-double-free "$BOOT_TIMEOUT" $STATUS_FAILURE \
	"exit fail=double-free" 'PANIC at .*double free'
expect_fail_kernel must-fail-triple-fault "$BOOT_TIMEOUT" $STATUS_RESET \
	"exit fail=triple-fault" 'empty IDT'
expect_fail_kernel must-fail-hang "$HANG_TIMEOUT" $STATUS_TIMEOUT \
	"exit fail=hang" 'hanging'

# Misuses of memory that paging catches: each a page fault (or, for the
# stack, the double fault it becomes) whose report says what the address
# is - never a triple fault (status 0), which these cases would reject.
PF='PANIC at kernel/vm/fault.c:[0-9]* (report): page fault'
expect_fail_kernel must-fail-null-deref "$BOOT_TIMEOUT" $STATUS_FAILURE \
	"exit tests=none fail=null-deref" \
	"$PF: read of 0x00000004 (page not present, kernel mode) at eip 0x[0-9a-f]*: the NULL page, 4 bytes in: a NULL pointer dereference"
expect_fail_kernel must-fail-text-write "$BOOT_TIMEOUT" $STATUS_FAILURE \
	"exit tests=none fail=text-write" \
	"$PF: write to 0x[0-9a-f]* (page present, not allowed, kernel mode) at eip 0x[0-9a-f]*: kernel text or read-only data (0x00100000-0x[0-9a-f]*): a write to read-only memory"
for heap in check fast; do
	expect_fail_kernel "must-fail-guard-page-$heap" "$BOOT_TIMEOUT" $STATUS_FAILURE \
		"exit tests=none fail=guard-page heap=$heap" \
		"$PF: write to 0x[0-9a-f]* (page not present, kernel mode) at eip 0x[0-9a-f]*: the guard page after heap block 0x[0-9a-f]* (98304 bytes asked for): offset 98304, 1 byte(s) past its last byte"
done
expect_fail_kernel must-fail-stack-overflow "$BOOT_TIMEOUT" $STATUS_FAILURE \
	"exit tests=none fail=stack-overflow" \
	"$PF (a double fault: no stack left to take it): write to 0x[0-9a-f]* (page not present, kernel mode) at eip 0x[0-9a-f]*: the guard page below cpu 0's stack (0x[0-9a-f]*-0x[0-9a-f]*), [0-9]* bytes below it: a kernel stack overflow"
# A CPU that kept a stale translation reads a page after it was unmapped:
# the tlb_shootdown test must see it when the shootdown is left out.
expect_fail must-fail-stale-tlb-smp4 "$BOOT_TIMEOUT" $STATUS_FAILURE \
	-m 64M -smp 4 -accel tcg,thread=multi -kernel "$ELF" \
	-append "exit tests=tlb_shootdown fail=stale-tlb" -- \
	'^FAIL - tlb_shootdown (cpu [0-9]* still read the page after it was unmapped (0x7e57f00d): its TLB was not flushed)$'
# On an application processor: its own stack, its own guard page, and the
# report names that CPU.
expect_fail must-fail-stack-overflow-smp2 "$BOOT_TIMEOUT" $STATUS_FAILURE \
	-m 64M -smp 2 -accel tcg,thread=multi -kernel "$ELF" \
	-append "exit tests=none fail=stack-overflow" -- \
	"PANIC at kernel/vm/fault.c:[0-9]* (report) on cpu 1: page fault (a double fault: no stack left to take it): write to 0x[0-9a-f]* (page not present, kernel mode) at eip 0x[0-9a-f]*: the guard page below cpu 1's stack (0x00[4-9a-f][0-9a-f]*-0x[0-9a-f]*), [0-9]* bytes below it: a kernel stack overflow"
# A page kept by a test is seen by the final count of frames.
expect_fail_kernel must-fail-selftest-frames "$BOOT_TIMEOUT" $STATUS_FAILURE \
	"exit tests=alignment fail=selftest-frames" \
	'^ok - deliberate_frames$' '^ok - no_leaks$' \
	'^FAIL - frames_back ([0-9]* frames free before the self-tests, [0-9]* after, 0 given back by the heap' \
	'^self-tests: 5 run, 4 passed, 1 failed (heap=fast)$' '^SOME TESTS FAILED$'

# Every way a self-test can fail, each seen on its own: the test's own
# assertion, the leak check after it, the heap_check after it - and the
# final rows that see the same leak or damage across the whole run. Each
# failing test is one FAIL line and counts once: the count line must add
# up to the lines printed, and the verdict must be failure.
expect_fail_kernel must-fail-selftest "$BOOT_TIMEOUT" $STATUS_FAILURE \
	"exit tests=none fail=selftest" \
	'^FAIL - deliberate_failure (fails on purpose' \
	'^ok - heap_check$' '^ok - no_leaks$' '^ok - frames_back$' \
	'^self-tests: 4 run, 3 passed, 1 failed (heap=fast)$' \
	'^SOME TESTS FAILED$'
for mode in fast quarantine; do
	expect_fail_kernel "must-fail-selftest-leak-$mode" "$BOOT_TIMEOUT" \
		$STATUS_FAILURE \
		"exit tests=zero_size_and_null,walk_matches_stats fail=selftest-leak heap=$mode" \
		'^ok - zero_size_and_null$' '^ok - walk_matches_stats$' \
		'^FAIL - deliberate_leak (leak: 0 block(s), 0 bytes in use before the test, 1, [0-9]* after)$' \
		'^ok - heap_check$' \
		'^FAIL - no_leaks (0 block(s), 0 bytes in use at the start, 1, [0-9]* at the end)$' \
		'^ok - frames_back$' \
		"^self-tests: 6 run, 4 passed, 2 failed (heap=$mode)$" \
		'^SOME TESTS FAILED$'
	# The heap's fault handler panics; heap_check's findings after a
	# test must instead become that test's FAIL line, with the message.
	expect_fail_kernel "must-fail-selftest-damage-$mode" "$BOOT_TIMEOUT" \
		$STATUS_FAILURE \
		"exit tests=none fail=selftest-damage heap=$mode heapmap=none" \
		'^FAIL - deliberate_damage (heap_check found [0-9]* problem(s) after the test: heap: header of block 0x[0-9a-f]* corrupted' \
		'^FAIL - heap_check (heap_check found [0-9]* problem(s): heap: header of block' \
		'^ok - no_leaks$' \
		'^FAIL - frames_back (not checked: the heap failed heap_check)$' \
		"^self-tests: 4 run, 1 passed, 3 failed (heap=$mode)$" \
		'^SOME TESTS FAILED$' '!PANIC'
done

# Every misuse of the heap ends in the heap's own report, naming what was
# wrong: fail=MODE commits it, heap= picks the heap's mode. The pattern is
# the heap's message as the kernel's fault handler panics with it. Fast
# mode runs each with its per-CPU caches and without (caches=off): where
# the caches change what is found first, each mode says so.
# The panic is placed at the code that called the heap, "PANIC at
# function+0x1c (0x00104abc)": that address must be a line of
# kernel/tests/fail.c, which commits the misuse - not of the fault hook.
ADDR2LINE=${ADDR2LINE:-i686-linux-gnu-addr2line}
PANIC_AT='^PANIC at [A-Za-z0-9_.]*+0x[0-9a-f]* (0x[0-9a-f]*)'
# panic_line NAME: the source line (file:line) the boot NAME's panic names
panic_line() {
	local at
	at=$(grep -a -m1 -o "$PANIC_AT" "$LOGS/$1.log" | sed 's/.*(\(0x[0-9a-f]*\))$/\1/')
	[ -n "$at" ] && "$ADDR2LINE" -e "$ELF" "$at"
}
# placed_in NAME FILE: 0 when the panic of boot NAME names a line of FILE
placed_in() {
	local line
	line=$(panic_line "$1") || line=""
	if [[ $line == */"$2":[0-9]* ]]; then
		return 0
	fi
	echo "    the panic is placed at '${line:-no address}', not in $2"
	return 1
}
misuse() { # MODE HEAP PATTERN
	local name
	name="misuse-$1-$(name_of "$2")"
	expect_fail_kernel "$name" "$BOOT_TIMEOUT" \
		$STATUS_FAILURE "exit tests=none fail=$1 heap=$2" \
		"$PANIC_AT[^:]*: heap: $3"
	if placed_in "$name" kernel/tests/fail.c; then
		result 1 "$name-names-its-caller"
	else
		result 0 "$name-names-its-caller"
	fi
}
for heap in fast "fast caches=off"; do
	misuse double-free "$heap" 'double free of 0x[0-9a-f]* (block already free)'
	misuse invalid-free "$heap" 'free of 0x[0-9a-f]*, which points inside block'
	misuse foreign-free "$heap" 'free of 0x[0-9a-f]*, which is not in this heap'
	misuse misaligned-free "$heap" 'free of misaligned pointer'
	# with the caches, found when the damaged neighbour is freed
	misuse overflow "$heap" 'header of block 0x[0-9a-f]* corrupted .*previous block 0x[0-9a-f]* overflowed'
	misuse underflow "$heap" 'header of block 0x[0-9a-f]* corrupted (meta field 0x[0-9a-f]* does not verify'
	# a block above the caches' limit: on a free list either way
	misuse free-list "$heap" 'free-list links of free block 0x[0-9a-f]* overwritten (next link 0x00001234'
done
# A small block's link: in this CPU's cache, or on a free list without.
misuse cache-link fast 'cache 0 lost [0-9]* blocks of 64 bytes: a link in a cached block names 0x00001234, not a cached block (written after free?)'
misuse cache-link "fast caches=off" 'free-list links of free block 0x[0-9a-f]* overwritten (next link 0x00001234'
misuse overflow check 'overflow: block 0x[0-9a-f]* (64 bytes asked for) written past its end at offset 64'
misuse use-after-free check 'use after free: 0x[0-9a-f]* written after it was freed .*offset 40'
misuse use-after-free quarantine 'use after free: 0x[0-9a-f]* written after it was freed .*offset 40'
misuse double-free quarantine 'double free of 0x[0-9a-f]* (block already free)'
# The placement check must reject what it exists to catch: a panic placed
# in the fault hook (the kernel's own fault function's address), and one in
# the old form, a line of source with no address.
NM=${NM:-i686-linux-gnu-nm}
hook=$("$NM" "$ELF" | awk '$3 == "fault" { print $1 }')
printf 'PANIC at fault+0x10 (0x%s): heap: double free\n' "$hook" >"$LOGS/proof-placed-hook.log"
printf 'PANIC at kernel/heap_hooks.c:66 (fault): heap: double free\n' >"$LOGS/proof-placed-old.log"
for proof in proof-placed-hook proof-placed-old; do
	if [ -n "$hook" ] && ! placed_in "$proof" kernel/tests/fail.c >/dev/null; then
		result 1 "$proof-is-rejected"
	else
		result 0 "$proof-is-rejected"
	fi
done
# Fast mode cannot see a write into the middle of a freed block (a
# documented blind spot), with or without its caches: the kernel's own
# check panics instead, names the mode and points to heap=check, and the
# harness must not mistake that for the heap's report.
for heap in "heap=fast" "" "heap=fast caches=off"; do
	suffix=${heap#heap=}
	expect_fail_kernel "must-fail-unreported-misuse${heap:+-$(name_of "$suffix")}" \
		"$BOOT_TIMEOUT" $STATUS_FAILURE \
		"exit tests=none fail=use-after-free $heap" \
		'PANIC at kernel/tests/fail.c.*the heap did not report the misuse (fail=use-after-free, .*heap=fast cannot see a write into a freed block; boot with heap=check'
done

[ "$failed" -eq 0 ]
