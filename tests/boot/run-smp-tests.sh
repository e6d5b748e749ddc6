#!/usr/bin/env bash
# SMP boot tests: every CPU QEMU gives the kernel runs the smp_stress
# self-test on the one system heap at the same time.
#
#   B=build QEMU=qemu-system-i386 tests/boot/run-smp-tests.sh
#
# Builds nothing: the Makefile (mk/smp.mk) makes $B/kernel.elf,
# $B/kernel-nolock.elf and $B/alloc.iso first. One line per case, "ok - boot
# NAME (...)" or "FAIL - boot NAME", as tests/boot/run-boot-tests.sh prints
# them; exit 0 when every case is ok. Logs are kept in $B/smp-tests/.
#
# QEMU runs with multi-threaded TCG, one host thread per virtual CPU, so
# the CPUs really run at once (single-threaded TCG takes turns and would
# never lose an update). A boot passes when QEMU exits with 33, the serial
# log says ALL TESTS PASSED, the kernel started as many CPUs as asked, and
# smp_stress says that many ran. With the per-CPU caches (the default) a
# run on 4 CPUs must also show each CPU's cache hit rate and take the
# heap's lock rarely (issue 11): once for each operation that takes it by
# design (a block above the caches' 4 KiB, or aligned: some 10 per cent
# of the mix), and at most once per LOCK_EVERY of the others (their
# caches' refills and overflows: about once per 60). The whole run's
# rate, once per 10.2 to 10.7 operations, is the mix's more than the
# caches': issue 11 judged it against 10, a margin of 2 to 7 per cent
# that a change to the mix, not to the caches, would have eaten.
#
# The must-fail cases boot the kernel built with the heap lock compiled out
# (MM_UNSAFE_NO_LOCK). They pass only when that kernel, with several CPUs
# running, is caught: a stamp mismatch or a failed check (FAIL - smp_stress,
# status 35), a heap fault or panic (PANIC, status 35), a triple fault
# (status 0) or a hang (the timeout). The same kernel on one CPU must pass:
# the failures come from the CPUs racing, not from the build.
set -u

B=${B:-build}
QEMU=${QEMU:-qemu-system-i386}
ISO=$B/alloc.iso
ELF=$B/kernel.elf
NOLOCK=$B/kernel-nolock.elf
LOGS=$B/smp-tests
BOOT_TIMEOUT=${BOOT_TIMEOUT:-120}
HANG_TIMEOUT=${HANG_TIMEOUT:-60}
CMDLINE="exit tests=smp_stress"
LOCK_EVERY=20

# The device's options are one argument: its commas are not separators.
# shellcheck disable=SC2054
QEMU_COMMON=(-display none -monitor none -no-reboot -m 128M
	-accel tcg,thread=multi
	-device isa-debug-exit,iobase=0xf4,iosize=0x04)

failed=0

# shellcheck source=tests/boot/lib.sh
. "$(dirname "$0")/lib.sh"

# ops NAME: the operation count of the stress table's "all" row.
ops() {
	awk '$1 == "all" { print $NF }' "$LOGS/$1.log" | tail -n 1
}

# locks NAME: how many times the stress took the heap's lock.
locks() {
	sed -n 's/^  heap lock: taken \([0-9]*\) times, [0-9]* of them after waiting.*/\1/p' \
		"$LOGS/$1.log" | tail -n 1
}

# by_design NAME: how many of the stress's operations take the lock by
# design (the table's "by design" line).
by_design() {
	sed -n 's/^  by design: \([0-9]*\) of the operations take it.*/\1/p' \
		"$LOGS/$1.log" | tail -n 1
}

# few_locks NAME CPUS: the lock was taken at most once for each operation
# that takes it by design and once per LOCK_EVERY of the others, and
# every CPU's row shows a hit rate. Otherwise 1, with $why saying what
# was seen.
few_locks() {
	local name=$1 cpus=$2 taken all bypass rows
	taken=$(locks "$name") all=$(ops "$name") bypass=$(by_design "$name")
	rows=$(grep -cE '^ +[0-9]+ .* [0-9]+\.[0-9]% +[0-9]+ +[0-9]+( |$)' "$LOGS/$name.log")
	if [ -z "$taken" ] || [ -z "$all" ] || [ -z "$bypass" ]; then
		why="no 'heap lock: taken N times' line, 'all' row or 'by design' line"
	elif [ "$rows" -ne "$cpus" ]; then
		why="$rows CPU row(s) with a cache hit rate, not $cpus"
	elif [ "$bypass" -gt "$all" ]; then
		why="$bypass operations by design, of $all"
	elif [ $(((taken - bypass) * LOCK_EVERY)) -gt $((all - bypass)) ]; then
		why="the lock was taken $taken times: $bypass operations take it by design, and the other $((all - bypass)) more than once per $LOCK_EVERY"
	else
		return 0
	fi
	return 1
}

# expect_pass NAME CPUS TABLE [--cached] QEMU-ARGS... : TABLE is the
# firmware table the kernel must have taken the CPUs from ("ACPI MADT",
# "MP table"); --cached asks for few_locks too.
expect_pass() {
	local name=$1 cpus=$2 table=$3 cached=0 why=""
	shift 3
	if [ "$1" = --cached ]; then
		cached=1
		shift
	fi
	boot "$name" "$BOOT_TIMEOUT" "$@"
	if [ "$status" -ne 33 ] || ! has "$name" '^ALL TESTS PASSED'; then
		why="no success verdict"
	elif ! has "$name" "^smp: using the $table: $cpus CPU"; then
		why="the kernel did not take $cpus CPU(s) from the $table"
	elif [ "$cpus" -gt 1 ] && ! has "$name" "^smp: $cpus CPU\(s\) running"; then
		why="the kernel did not start all $cpus CPUs"
	elif ! has "$name" "^smp_stress: $cpus CPU\(s\) ran"; then
		why="smp_stress did not report $cpus CPU(s)"
	elif ! has "$name" '^smp_stress: the heap grew [1-9][0-9]* time\(s\) .* gave back [1-9][0-9]*; [0-9]* TLB shootdown\(s\)$'; then
		why="the heap did not grow and give back during the stress"
	elif [ "$cpus" -gt 1 ] && ! has "$name" '^smp_stress: the heap grew .*; [1-9][0-9]* TLB shootdown\(s\)$'; then
		why="no TLB shootdown with $cpus CPUs: pages unmapped on one CPU were never flushed on the others"
	elif [ "$cached" -eq 1 ] && ! few_locks "$name" "$cpus"; then
		:
	fi
	if [ -z "$why" ]; then
		echo "ok - boot $name ($cpus CPU(s) ran, $(ops "$name") heap" \
			"operations, lock taken $(locks "$name") times" \
			"($(by_design "$name") by design), ${seconds}s)"
	else
		echo "FAIL - boot $name"
		echo "    $why"
		show "$name"
		failed=$((failed + 1))
	fi
}

# caught NAME CPUS: how the run of the unlocked kernel was caught, on
# stdout; nothing when it was not (or proves nothing).
caught() {
	local name=$1 cpus=$2
	if ! has "$name" '^alloc: UNSAFE BUILD'; then
		echo "not the unlocked kernel (no UNSAFE BUILD banner)" >&2
	elif ! has "$name" "^smp: $cpus CPU\(s\) running"; then
		echo "$cpus CPUs never ran: a failure would prove nothing" >&2
	elif [ "$status" -eq 35 ] && has "$name" '^FAIL - smp_stress'; then
		echo "stress check failed: $(grep -a -m1 '^FAIL - smp_stress' \
			"$LOGS/$name.log" | sed 's/^FAIL - smp_stress (//')"
	elif [ "$status" -eq 35 ] && has "$name" '^PANIC at'; then
		echo "panic$(grep -a -m1 '^PANIC at' "$LOGS/$name.log" |
			sed -E 's/^PANIC at [^ ]+( \([^)]*\))?( on cpu [0-9]+)?//')"
	elif [ "$status" -eq 0 ] && grep -q 'Triple fault' "$LOGS/$name.qemu"; then
		echo "triple fault"
	elif [ "$status" -eq 124 ]; then
		echo "hang, ended by the ${HANG_TIMEOUT}s timeout"
	elif [ "$status" -eq 33 ]; then
		echo "the unlocked heap survived $cpus CPUs: the test cannot" \
			"tell a lock from none" >&2
	else
		echo "rejected, but not in a way the test detects" >&2
	fi
}

# expect_caught NAME CPUS QEMU-ARGS... : the unlocked kernel must be caught.
expect_caught() {
	local name=$1 cpus=$2 how
	shift 2
	boot "$name" "$HANG_TIMEOUT" "$@"
	how=$(caught "$name" "$cpus" 2>"$LOGS/$name.why")
	if [ -n "$how" ]; then
		echo "ok - boot $name (caught after ${seconds}s: ${how:0:110})"
	else
		echo "FAIL - boot $name"
		sed 's/^/    /' "$LOGS/$name.why"
		show "$name"
		failed=$((failed + 1))
	fi
}

mkdir -p "$LOGS"
for f in "$ISO" "$ELF" "$NOLOCK"; do
	if [ ! -f "$f" ]; then
		echo "FAIL - boot smp prerequisites ($f missing: run make test)"
		exit 1
	fi
done

# Plain -smp N: QEMU makes them cores of one socket, and SeaBIOS's MP
# table then lists only the first; the MADT lists them all.
expect_pass smp-1 1 "ACPI MADT" -smp 1 -kernel "$ELF" -append "$CMDLINE"
expect_pass smp-2 2 "ACPI MADT" -smp 2 -kernel "$ELF" -append "$CMDLINE"
expect_pass smp-4 4 "ACPI MADT" --cached -smp 4 -kernel "$ELF" \
	-append "$CMDLINE"
# One CPU per socket: another topology, and the MP table lists them all.
expect_pass smp-2-sockets 2 "ACPI MADT" -smp 2,sockets=2,cores=1 \
	-kernel "$ELF" -append "$CMDLINE"
expect_pass smp-4-sockets 4 "ACPI MADT" --cached -smp 4,sockets=4,cores=1 \
	-kernel "$ELF" -append "$CMDLINE"
# The fallback: the CPUs from the MP table, with the MADT ignored.
expect_pass smp-4-mptable 4 "MP table" --cached -smp 4,sockets=4,cores=1 \
	-kernel "$ELF" -append "$CMDLINE acpi=off"
# Through GRUB, as `make run SMP=4` boots it: every self-test, then exit.
expect_pass smp-4-iso 4 "ACPI MADT" --cached -smp 4 -cdrom "$ISO" -boot d
# The lock-only heap: every operation takes the lock.
expect_pass smp-4-caches-off 4 "ACPI MADT" -smp 4 -kernel "$ELF" \
	-append "$CMDLINE caches=off"

# Must fail: the lock-only run, judged as a cached one, takes the lock far
# more often than its operations by design and once per LOCK_EVERY of the
# others; few_locks must say so.
name=smp-4-caches-off
if [ -f "$LOGS/$name.log" ] && [ -n "$(locks $name)" ] && ! few_locks $name 4; then
	echo "ok - boot must-fail-lock-rate (rejected: $why)"
else
	echo "FAIL - boot must-fail-lock-rate"
	echo "    few_locks accepted the caches=off run, or it left no log: lock taken $(locks $name) times in $(ops $name) operations"
	failed=$((failed + 1))
fi

# Must fail: each other way few_locks rejects, on a copy of the smp-4 run's
# log with one thing changed (SED): the why must name it (WHY, a regex).
doctored() { # LABEL SED WHY
	local name=doctored-$1
	if [ ! -f "$LOGS/smp-4.log" ] || ! few_locks smp-4 4; then
		echo "FAIL - boot must-fail-$1"
		echo "    the smp-4 run it starts from failed or left no log"
		failed=$((failed + 1))
		return
	fi
	sed "$2" "$LOGS/smp-4.log" >"$LOGS/$name.log"
	if ! few_locks "$name" 4 && [[ $why =~ $3 ]]; then
		echo "ok - boot must-fail-$1 (rejected: $why)"
	else
		echo "FAIL - boot must-fail-$1"
		echo "    few_locks accepted the smp-4 log changed by '$2', or said: ${why:-nothing}"
		failed=$((failed + 1))
	fi
}
doctored no-by-design-line '/^  by design: /d' "'by design' line"
doctored no-lock-line '/^  heap lock: /d' "'heap lock: taken N times' line"
doctored a-cpu-row-missing '/^    2 /d' "3 CPU row"
doctored no-operation-by-design 's/^  by design: [0-9]*/  by design: 0/' \
	"more than once per $LOCK_EVERY"
doctored more-by-design-than-operations \
	's/^  by design: [0-9]*/  by design: 99999999/' "operations by design, of"

# Without the lock: one CPU is fine, several are caught - with the caches,
# which take no lock for most operations, and without them. With the
# caches only about one operation in twelve takes the lock, the only
# place CPUs race, so these runs are four times the default length:
# measured, at the default length 13 of 25 runs on 2 CPUs were caught; at
# NOLOCK_OPS 25 of 25 on 2 CPUs and 25 of 25 on 4.
NOLOCK_OPS=${NOLOCK_OPS:-200000}
expect_pass nolock-smp-1 1 "ACPI MADT" -smp 1 -kernel "$NOLOCK" \
	-append "$CMDLINE"
expect_caught must-fail-nolock-smp-2 2 -smp 2 -kernel "$NOLOCK" \
	-append "$CMDLINE smp-ops=$NOLOCK_OPS"
expect_caught must-fail-nolock-smp-4 4 -smp 4 -kernel "$NOLOCK" \
	-append "$CMDLINE smp-ops=$NOLOCK_OPS"
expect_caught must-fail-nolock-smp-4-caches-off 4 -smp 4 -kernel "$NOLOCK" \
	-append "$CMDLINE caches=off"

[ "$failed" -eq 0 ]
