/*
 * layout.h - the blocks of a heap as heap_walk() shows them, with each
 * region's sentinel added, so that a harness can pick a block, find its
 * neighbours and damage a header on purpose.
 *
 * Read it while the heap is sound: the walk reports a damaged header as a
 * fault and stops there.
 */
#ifndef TESTS_FUZZ_LAYOUT_H
#define TESTS_FUZZ_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "mm/heap.h"

#define MAX_BLOCKS 128

struct blk {
	uintptr_t hdr; /* header address */
	uintptr_t ptr; /* payload address */
	size_t size;   /* payload bytes; 0 for a sentinel */
	int free, quarantined, region, sentinel;
};

struct layout {
	struct blk b[MAX_BLOCKS]; /* in address order, region by region */
	size_t n;
	size_t hdr;	  /* bytes of a header */
	uintptr_t lo, hi; /* first header of all, end of the last region */
};

void layout_read(struct layout *l, struct heap *h);
/* Index of the block whose payload is at ptr, or -1. */
long layout_find(const struct layout *l, uintptr_t ptr);
/* The block before b[i] in its region, or -1. */
long layout_prev(const struct layout *l, size_t i);
/* The block (or sentinel) after b[i] in its region, or -1. */
long layout_next(const struct layout *l, size_t i);
/* Index of a region's first block, and of its sentinel. */
size_t layout_first(const struct layout *l, int region);
size_t layout_sentinel(const struct layout *l, int region);

#endif
