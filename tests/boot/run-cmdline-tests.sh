#!/usr/bin/env bash
# Command-line boot tests: the kernel refuses every word it does not
# understand - an unknown option, an unknown value of a known one, a test
# that does not exist, a number out of range - with a message naming the
# valid choices, and stops with the failure verdict before any test runs.
# The words it does understand, and the kernel path the loaders pass,
# still boot to a pass.
#
#   B=build QEMU=qemu-system-i386 tests/boot/run-cmdline-tests.sh
#
# Builds nothing: the Makefile makes $B/kernel.elf first. One line per case,
# "ok - boot NAME" or "FAIL - boot NAME"; exit 0 when every case is ok.
# Logs are kept in $B/cmdline-tests/. Each refusal comes before the heap
# exists, so each boot takes well under a second; QUICK_TIMEOUT bounds it.
set -u

B=${B:-build}
QEMU=${QEMU:-qemu-system-i386}
ELF=$B/kernel.elf
LOGS=$B/cmdline-tests
BOOT_TIMEOUT=${BOOT_TIMEOUT:-60}
QUICK_TIMEOUT=${QUICK_TIMEOUT:-10}

# The device's options are one argument: its commas are not separators.
# shellcheck disable=SC2054
QEMU_COMMON=(-display none -monitor none -no-reboot
	-device isa-debug-exit,iobase=0xf4,iosize=0x04)

failed=0

# shellcheck source=tests/boot/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/boot/judge.sh
. "$(dirname "$0")/judge.sh"

STOPPED='^kernel: stopping before any test: the command line has words it does not understand (above); exiting QEMU with failure$'

# refused NAME CMDLINE PATTERN... : the kernel names the bad word (the
# PATTERNs), stops with status 35 before any self-test, and says why.
refused() {
	local name=$1 cmdline=$2
	shift 2
	expect_fail "cmdline-$name" "$QUICK_TIMEOUT" $STATUS_FAILURE \
		-m 16M -kernel "$ELF" -append "$cmdline" -- \
		"$@" "$STOPPED" '!self-tests' '!^heap: system heap'
}

mkdir -p "$LOGS"
if [ ! -f "$ELF" ]; then
	echo "FAIL - boot cmdline prerequisites ($ELF missing: run make kernel)"
	exit 1
fi

TESTS='alignment zero_size_and_null .* smp_stress (or tests=all, tests=none)$'

# A mistyped value of a known option: refused, with the valid values.
refused heap-typo "exit heap=chek" \
	"^cmdline: heap=chek: unknown value 'chek'; the values are: fast check quarantine$"
refused heapmap-typo "exit heapmap=phase" \
	"^cmdline: heapmap=phase: unknown value 'phase'; the values are: final phases filled fragmented frames none$"
refused fail-typo "exit fail=nosuch" \
	"^cmdline: fail=nosuch: unknown value 'nosuch'; the values are: panic triple-fault hang selftest selftest-leak selftest-damage .* use-after-free free-list cache-link selftest-frames null-deref text-write guard-page stack-overflow stale-tlb assert$"
refused acpi-value "exit acpi=yes" \
	"^cmdline: acpi=yes: unknown value 'yes'; the values are: on off$"
refused caches-value "exit caches=no" \
	"^cmdline: caches=no: unknown value 'no'; the values are: on off$"
refused heap-empty "exit heap=" \
	"^cmdline: heap=: unknown value ''; the values are: fast check quarantine$"
# An option that does not exist, or takes no value.
refused unknown-option "exit verbose" \
	"^cmdline: unknown option 'verbose'; the options are: exit tests= heap= caches= fail= heapmap= acpi= smp-ops=$"
refused exit-with-value "exit=1 exit" "^cmdline: unknown option 'exit=1'"
# A bad word before 'exit' still ends the run with the verdict.
refused typo-before-exit "heap=chek exit" "^cmdline: heap=chek: unknown value"
# Test names: every one must exist; the message lists them all.
refused no-such-test "exit tests=nosuchtest" \
	"^cmdline: tests=nosuchtest: no test named 'nosuchtest'$" \
	"^cmdline: the tests are: $TESTS"
refused one-bad-test "exit tests=alignment,nosuch,heap_grows" \
	"^cmdline: tests=alignment,nosuch,heap_grows: no test named 'nosuch'$" \
	"^cmdline: the tests are: $TESTS"
refused long-test-name "exit tests=alignment_but_far_too_long_to_be_a_name" \
	"no test named 'alignment_but_far_too_long_to_be_a_name'$"
refused empty-test-name "exit tests=alignment," \
	"^cmdline: tests=alignment,: an empty name"
# Numbers: out of range says so, with the range; not a number says that.
refused smp-ops-too-big "exit smp-ops=4294967296" \
	'^cmdline: smp-ops=4294967296: out of range; it takes 1 to 100000000$'
refused smp-ops-huge "exit smp-ops=99999999999999999999999" \
	'^cmdline: smp-ops=99999999999999999999999: out of range; it takes 1 to 100000000$'
refused smp-ops-zero "exit smp-ops=0" \
	'^cmdline: smp-ops=0: out of range; it takes 1 to 100000000$'
refused smp-ops-not-a-number "exit smp-ops=12x" \
	'^cmdline: smp-ops=12x: not a decimal number; it takes 1 to 100000000$'
# Every bad word is named, not only the first.
refused all-named "exit heap=chek bogus tests=nope" \
	"^cmdline: heap=chek: unknown value" "^cmdline: unknown option 'bogus'" \
	"^cmdline: tests=nope: no test named 'nope'"

# What it does understand boots and passes; words with '/' (the kernel path
# GRUB and QEMU pass first) are skipped, wherever they are.
expect_pass cmdline-accepted --mode check -m 16M -kernel "$ELF" -append \
	"exit tests=heap_grows,alignment heap=check acpi=on heapmap=none smp-ops=100000000"
expect_pass cmdline-acpi-off --mode quarantine \
	--log '^smp: acpi=off: not reading the MADT' -m 16M -kernel "$ELF" \
	-append "exit tests=heap_grows heap=quarantine acpi=off heapmap=none"
# caches= and heap= set apart, in either order: the verdict names both.
expect_pass cmdline-caches-off-first --mode "fast caches=off" -m 16M \
	-kernel "$ELF" -append "exit caches=off heap=fast tests=cache heapmap=none"
expect_pass cmdline-caches-on --mode fast -m 16M -kernel "$ELF" -append \
	"exit caches=off caches=on tests=cache heapmap=none"
expect_pass cmdline-path-skipped --mode fast -m 16M -kernel "$ELF" -append \
	"/boot/kernel.elf exit tests=heap_grows some/where=else heapmap=none"
expect_pass cmdline-smp-ops --log '^smp_stress: 1 CPU(s) on the system heap, each 1 random' \
	-m 16M -kernel "$ELF" -append "exit tests=smp_stress smp-ops=1 heapmap=none"

[ "$failed" -eq 0 ]
