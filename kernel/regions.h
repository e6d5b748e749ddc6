/*
 * regions.h - from the memory map to the RAM the heap may have.
 */
#ifndef KERNEL_REGIONS_H
#define KERNEL_REGIONS_H

#include <stddef.h>
#include <stdint.h>

#include "kernel/multiboot.h"

#define REGIONS_MAX 32

/* Smaller pieces are not worth a heap region (headers, sentinels). */
#define REGION_MIN_BYTES ((uint64_t)16 * 1024)

struct ram_region {
	uintptr_t base;
	size_t size;
};

/*
 * Fills out[] with page-aligned, non-overlapping pieces of available RAM
 * at or above 1 MiB and below 4 GiB that hold nothing of the kernel's or
 * the loader's, the largest first, and prints why each map entry was taken,
 * cut or skipped. Returns how many there are.
 */
size_t regions_select(const struct boot_info *bi, struct ram_region *out,
		      size_t max);

#endif
