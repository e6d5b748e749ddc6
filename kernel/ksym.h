/*
 * ksym.h - the kernel's own function names, for reports that name code by
 * its address (a heap fault's caller, a panic's return address).
 *
 * The table is made from the kernel itself: the image is linked once
 * without it, scripts/ksyms.sh lists that image's functions, and the image
 * is linked again with the list. The list lives after .text (in .rodata),
 * so adding it moves no function; the Makefile checks that none moved.
 */
#ifndef KERNEL_KSYM_H
#define KERNEL_KSYM_H

#include <stdint.h>

struct ksym {
	uintptr_t addr;	  /* the function's first byte */
	uint32_t size;	  /* its length in bytes */
	const char *name; /* as nm prints it: "heap_free", "f.part.0" */
};

/* The table, made by scripts/ksyms.sh: ksym_count entries by address. */
extern const struct ksym ksym_table[];
extern const unsigned ksym_count;

/*
 * The function pc lies in, with *offset set to pc's distance from its
 * start; NULL when pc lies in none, or the table is empty (the first
 * link, or a test kernel linked without names).
 */
const char *ksym_find(uintptr_t pc, uintptr_t *offset);

#endif
