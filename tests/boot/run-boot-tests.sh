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
# isa-debug-exit) and "ALL TESTS PASSED" is on serial. Everything else
# fails: 35 (the kernel reported failure), 0 (a triple fault, which
# -no-reboot turns into a plain exit), a timeout (a hang) or anything odd.
# The must-fail cases boot kernels told to panic, fault or hang, and pass
# only when that same judgement rejects them, for the reason expected.
set -u

B=${B:-build}
QEMU=${QEMU:-qemu-system-i386}
ISO=$B/alloc.iso
ELF=$B/kernel.elf
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

# The one judgement every boot gets: 0 = the kernel passed.
judge() {
	local name=$1
	[ "$status" -eq $STATUS_SUCCESS ] && has "$name" 'ALL TESTS PASSED'
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

# expect_pass NAME [--log PATTERN] QEMU-ARGS...
expect_pass() {
	local name=$1 pattern=""
	shift
	if [ "$1" = --log ]; then
		pattern=$2
		shift 2
	fi
	boot "$name" "$BOOT_TIMEOUT" "$@"
	if judge "$name" &&
		{ [ -z "$pattern" ] || grep -q -- "$pattern" "$LOGS/$name.serial"; }; then
		result 1 "$name"
	else
		result 0 "$name"
		if [ "$status" -eq $STATUS_SUCCESS ]; then
			echo "    exit status was right, but the serial log lacks" \
				"${pattern:-ALL TESTS PASSED}"
		fi
		show "$name"
	fi
}

# expect_fail NAME TIMEOUT STATUS PATTERN KERNEL-CMDLINE : boots the ELF
# directly (QEMU loads multiboot kernels itself) with the command line.
expect_fail() {
	local name=$1 limit=$2 want=$3 pattern=$4 cmdline=$5
	boot "$name" "$limit" -m 64M -kernel "$ELF" -append "$cmdline"
	if judge "$name"; then
		result 0 "$name"
		echo "    the harness accepted a kernel booted with '$cmdline'"
		show "$name"
	elif [ "$status" -ne "$want" ] ||
		! grep -q -- "$pattern" "$LOGS/$name.serial" ||
		{ [ "$want" -eq $STATUS_RESET ] &&
			! grep -q 'Triple fault' "$LOGS/$name.qemu"; }; then
		result 0 "$name"
		echo "    rejected, but not as expected: wanted status $want" \
			"($(meaning "$want")) and '$pattern' on serial"
		show "$name"
	else
		result 1 "$name"
	fi
}

mkdir -p "$LOGS"
for f in "$ISO" "$ELF"; do
	if [ ! -f "$f" ]; then
		echo "FAIL - boot prerequisites ($f missing: run make iso)"
		exit 1
	fi
done

# Through GRUB, as a user boots it, at several memory sizes. 4 GiB puts RAM
# above 4 GiB in the map, which a kernel without PAE must skip unharmed.
expect_pass iso-32M -m 32M -cdrom "$ISO" -boot d
expect_pass iso-128M -m 128M -cdrom "$ISO" -boot d
expect_pass iso-1G -m 1G -cdrom "$ISO" -boot d
expect_pass iso-4G --log 'skipped: above 4 GiB' -m 4G -cdrom "$ISO" -boot d
# QEMU's own multiboot loader: another memory map and placement.
expect_pass kernel-128M -m 128M -kernel "$ELF" -append exit

# Failures the harness must catch, each for its own reason.
expect_fail must-fail-panic "$BOOT_TIMEOUT" $STATUS_FAILURE \
	'PANIC at .*deliberate panic' "exit fail=panic"
expect_fail must-fail-double-free "$BOOT_TIMEOUT" $STATUS_FAILURE \
	'PANIC at .*double free' "exit fail=double-free"
expect_fail must-fail-selftest "$BOOT_TIMEOUT" $STATUS_FAILURE \
	'SOME TESTS FAILED' "exit fail=selftest"
expect_fail must-fail-triple-fault "$BOOT_TIMEOUT" $STATUS_RESET \
	'empty IDT' "exit fail=triple-fault"
expect_fail must-fail-hang "$HANG_TIMEOUT" $STATUS_TIMEOUT \
	'hanging' "exit fail=hang"

# Every misuse of the heap ends in the heap's own report, naming what was
# wrong: fail=MODE commits it, heap= picks the heap's mode. The pattern is
# the heap's message as the kernel's fault handler panics with it.
misuse() { # MODE HEAP PATTERN
	expect_fail "misuse-$1-$2" "$BOOT_TIMEOUT" $STATUS_FAILURE \
		"PANIC at [^ ]* (fault)[^:]*: heap: $3" \
		"exit tests=none fail=$1 heap=$2"
}
misuse double-free fast 'double free of 0x[0-9a-f]* (block already free)'
misuse invalid-free fast 'free of 0x[0-9a-f]*, which points inside block'
misuse foreign-free fast 'free of 0x[0-9a-f]*, which is not in this heap'
misuse misaligned-free fast 'free of misaligned pointer'
misuse overflow fast 'header of block 0x[0-9a-f]* corrupted .*previous block 0x[0-9a-f]* overflowed'
misuse underflow fast 'header of block 0x[0-9a-f]* corrupted'
misuse free-list fast 'free-list links of free block 0x[0-9a-f]* overwritten'
misuse overflow check 'overflow: block 0x[0-9a-f]* (64 bytes asked for) written past its end at offset 64'
misuse use-after-free check 'use after free: 0x[0-9a-f]* written after it was freed .*offset 40'
misuse use-after-free quarantine 'use after free: 0x[0-9a-f]* written after it was freed .*offset 40'
misuse double-free quarantine 'double free of 0x[0-9a-f]* (block already free)'
# Fast mode cannot see a write into the middle of a freed block (a
# documented blind spot): the kernel's own check panics instead, and the
# harness must not mistake that for the heap's report.
expect_fail must-fail-unreported-misuse "$BOOT_TIMEOUT" $STATUS_FAILURE \
	'PANIC at kernel/fail.c.*the heap did not report the misuse' \
	"exit tests=none fail=use-after-free heap=fast"

[ "$failed" -eq 0 ]
