/*
 * size.c - see size.h.
 */
#include "kernel/size.h"

#include "kernel/kprintf.h"

void print_size(uint64_t bytes, int width)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	unsigned u = 0;

	/* Step up while the next unit is still exact, or the number is too
	 * wide to read at a glance. */
	while (u + 1 < sizeof(units) / sizeof(units[0]) &&
	       (bytes % 1024 == 0 || bytes >= 10000) && bytes >= 1024) {
		bytes /= 1024;
		u++;
	}
	if (width > 0)
		kprintf("%*llu %-3s", width, (unsigned long long)bytes,
			units[u]);
	else
		kprintf("%llu %s", (unsigned long long)bytes, units[u]);
}
