#!/bin/sh
# ksyms.sh NM KERNEL.ELF - print, as C, the table kernel/ksym.c searches:
# every function of the image (nm's t and T symbols with a size), sorted by
# address. The Makefile compiles the output into the image's second link.
# ksyms.sh --empty: the empty table, for the first link.
set -eu
if [ "$1" = --empty ]; then
	printf '%s\n' '/* Made by scripts/ksyms.sh --empty: do not edit. */' \
		'#include "kernel/ksym.h"' '' \
		'const struct ksym ksym_table[1] = {{0, 0, ""}};' \
		'const unsigned ksym_count = 0;'
	exit 0
fi
NM=$1
ELF=$2

"$NM" -n -S --defined-only "$ELF" | awk -v elf="$ELF" '
BEGIN {
	print "/* Made by scripts/ksyms.sh from " elf ": do not edit. */"
	print "#include \"kernel/ksym.h\""
	print ""
	print "const struct ksym ksym_table[] = {"
	n = 0
}
# address size type name: functions only, each once (aliases keep the first)
NF == 4 && ($3 == "t" || $3 == "T") && !seen[$1]++ {
	printf "    {0x%s, 0x%s, \"%s\"},\n", $1, $2, $4
	n++
}
END {
	if (n == 0) {
		print "error: no functions in " elf > "/dev/stderr"
		exit 1
	}
	print "};"
	print "const unsigned ksym_count = " n ";"
}'
