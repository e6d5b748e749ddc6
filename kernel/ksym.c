/*
 * ksym.c - see ksym.h. The table, sorted by address, comes from the build
 * ($(B)/kernel/ksyms.c); the first link, and a test kernel that needs no
 * names, get an empty one (ksym_count 0), which names nothing.
 */
#include "kernel/ksym.h"

#include <stddef.h>

const char *ksym_find(uintptr_t pc, uintptr_t *offset)
{
	unsigned lo = 0, hi;

	/* the last entry that starts at or below pc: [lo, hi) holds it */
	hi = ksym_count;
	while (hi - lo > 1) {
		unsigned mid = lo + (hi - lo) / 2;

		if (ksym_table[mid].addr <= pc)
			lo = mid;
		else
			hi = mid;
	}
	if (hi == 0 || ksym_table[lo].addr > pc ||
	    pc - ksym_table[lo].addr >= ksym_table[lo].size)
		return NULL;
	*offset = pc - ksym_table[lo].addr;
	return ksym_table[lo].name;
}
