# tests/make/memory.sh - machines too small for the kernel: make run MEM=2M
# left GRUB waiting at its menu ("error: out of memory") and never
# returned. make refuses a MEM below the kernel's stated minimum at once,
# and GRUB itself ends a boot it cannot complete instead of waiting.
# shellcheck shell=bash

CHECK_RAM=scripts/check-ram.sh

# The minimum, read as scripts/check-ram.sh reads it.
min_mib=$(sed -n 's/^#define KERNEL_MIN_RAM_MIB \([0-9][0-9]*\).*/\1/p' \
	kernel/minimum.h kernel/regions.h 2>/dev/null | head -n 1)

# QEMU's -m syntax: a plain number is MiB; K, M, G, T suffixes in either
# case; fractions; "size=" and ",slots=..." around it.
case_mem_syntax() {
	local want mem got bad=()
	while read -r want mem; do
		[ "$mem" = "''" ] && mem=
		"$CHECK_RAM" "$mem" >/dev/null 2>&1
		got=$?
		[ "$got" -eq "$want" ] || bad+=("MEM='$mem': status $got, expected $want")
	done <<LIST
0 $min_mib
0 ${min_mib}M
0 ${min_mib}m
0 $((min_mib * 1024))K
0 $((min_mib * 1024 * 1024 * 1024))b
0 1G
0 0.5g
0 1T
0 size=128M
0 128M,slots=2,maxmem=1G
1 $((min_mib - 1))
1 2M
1 1M
1 $((min_mib * 1024 - 1))K
1 0.01G
1 $((min_mib - 1)).9M
1 0
2 ''
2 lots
2 16Q
2 -5
2 1..2G
2 M
LIST
	local ok=0
	[ -n "$min_mib" ] && [ ${#bad[@]} -eq 0 ] && ok=1
	result "MEM in QEMU's syntax is judged against the minimum ($min_mib MiB); nonsense is refused" $ok \
		"minimum read from kernel/minimum.h or kernel/regions.h: '${min_mib}'" "${bad[@]}"
}

case_small_mem_refused() {
	local target mem log ok secs start
	for target in "run MEM=2M" "run MEM=1M" "debug MEM=$((min_mib - 1))M" "heapmap-vga MEM=15.9M"; do
		log=$LOGS/small-${target%% *}-${target##*=}.log
		ok=0
		start=$(date +%s)
		# shellcheck disable=SC2086 # target is the words make is given
		timeout --kill-after=5 30 make B="$B" QEMU="$QEMU" $target </dev/null >"$log" 2>&1
		rc=$?
		secs=$(($(date +%s) - start))
		[ $rc -ne 0 ] && [ $rc -ne 124 ] && grep -q "${min_mib} MiB" "$log" &&
			! grep -q '^run-qemu:' "$log" && ok=1
		result "$target is refused at once, naming the ${min_mib} MiB minimum" $ok \
			"exit $rc after ${secs}s; log: $log" "$(tail_of "$log" 6)"
	done
}

# Past make's check, straight to QEMU at a size where GRUB itself runs out
# of memory: the boot must end by itself, and run-qemu.sh call it a failure.
case_grub_out_of_memory() {
	local log=$LOGS/grub-2m.log ok=0 start secs
	start=$(date +%s)
	timeout --kill-after=5 30 scripts/run-qemu.sh "$QEMU" -m 2M -cdrom "$B/alloc.iso" \
		-boot d -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-display none -serial stdio </dev/null >"$log" 2>&1
	rc=$?
	secs=$(($(date +%s) - start))
	# GRUB's lines on serial end in CR LF
	tr -d '\r' <"$log" >"$log.txt"
	[ $rc -eq 1 ] && grep -q 'out of memory' "$log.txt" &&
		grep -q '^kernel: no verdict' "$log.txt" && ok=1
	result "GRUB out of memory (QEMU -m 2M): the boot ends by itself, judged no verdict" $ok \
		"exit $rc after ${secs}s (124: still waiting at GRUB's menu); log: $log" \
		"$(tail_of "$log.txt" 8)"
}

case_mem_syntax
case_small_mem_refused
case_grub_out_of_memory
