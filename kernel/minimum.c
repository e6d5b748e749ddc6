/*
 * minimum.c - see minimum.h.
 */
#include "kernel/minimum.h"

#include <stdint.h>

#include "kernel/kprintf.h"

#define MIB ((uint64_t)1024 * 1024)

/* Whole and tenths of a MiB, rounded to the nearest tenth. */
static void print_mib(uint64_t bytes)
{
	uint64_t tenths = (bytes * 10 + MIB / 2) / MIB;

	kprintf("%llu.%llu MiB", (unsigned long long)(tenths / 10),
		(unsigned long long)(tenths % 10));
}

int minimum_ram_check(const struct boot_info *bi)
{
	uint64_t available = 0, mib;

	for (size_t i = 0; i < bi->mmap_count; i++)
		if (bi->mmap[i].type == MB_MEMORY_AVAILABLE)
			available += bi->mmap[i].length;
	mib = (available + MIB - 1) / MIB;
	if (mib >= KERNEL_MIN_RAM_MIB)
		return 0;
	kprintf("kernel: needs at least %d MiB of RAM, this machine has "
		"%llu MiB (",
		KERNEL_MIN_RAM_MIB, (unsigned long long)mib);
	print_mib(available);
	kprintf(" available in its memory map)\n");
	return -1;
}
