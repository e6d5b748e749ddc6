#!/usr/bin/env bash
# Refuse a machine too small for the kernel before QEMU starts on it.
#
#   scripts/check-ram.sh MEM      (make run, debug and heapmap-vga call it)
#
# MEM is in QEMU's -m syntax: [size=]N[suffix][,slots=..,maxmem=..], N a
# number that may have a fraction, the suffix B, K, M, G, T, P or E in
# either case, and no suffix meaning MiB. Exit 0 when it is at least the
# kernel's minimum (KERNEL_MIN_RAM_MIB, read from its kernel header), 1
# when it is below, 2 when it is not a size. Below the minimum GRUB runs
# out of memory, or the self-tests do.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)

if [ $# -ne 1 ]; then
	echo "usage: $0 MEM" >&2
	exit 2
fi
mem=$1

min=$(sed -n 's/^#define KERNEL_MIN_RAM_MIB \([0-9][0-9]*\).*/\1/p' \
	"$top/kernel/minimum.h" "$top/kernel/regions.h" 2>/dev/null | head -n 1)
if [ -z "$min" ]; then
	echo "error: no '#define KERNEL_MIN_RAM_MIB N' line in kernel/minimum.h or kernel/regions.h" >&2
	exit 2
fi

size=${mem#size=}
size=${size%%,*}
if ! [[ $size =~ ^([0-9]+(\.[0-9]+)?)([bBkKmMgGtTpPeE]?)$ ]]; then
	echo "error: MEM=$mem is not a size QEMU understands: a number of MiB," \
		"or one with a suffix K, M, G or T (e.g. MEM=128M, MEM=1G)" >&2
	exit 2
fi
number=${BASH_REMATCH[1]}
suffix=${BASH_REMATCH[3]:-M}

# awk, for the fractions: the size in bytes against the minimum in bytes.
if awk -v n="$number" -v s="$suffix" -v min="$min" 'BEGIN {
	p = index("BKMGTPE", toupper(s)) - 1
	bytes = n * 1024 ^ p
	exit !(bytes >= min * 1024 * 1024)
}'; then
	exit 0
fi
echo "error: MEM=$mem is less than the $min MiB the kernel needs" \
	"(KERNEL_MIN_RAM_MIB): below it GRUB or the self-tests run out of memory." \
	"Use MEM=${min}M or more." >&2
exit 1
