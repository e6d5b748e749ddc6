/*
 * walk.h - what heap_walk() shows, summed up, and the blocks around one.
 *
 * Tests compare these against heap_get_stats() and against what they
 * allocated. Two blocks are neighbours when the walk visits them one after
 * the other inside the same region: nothing lies between them.
 */
#ifndef TESTS_COMMON_WALK_H
#define TESTS_COMMON_WALK_H

#include <stddef.h>

#include "mm/heap.h"

struct walk_summary {
	size_t blocks;
	size_t used_blocks;
	size_t free_blocks;
	size_t bytes_used;
	size_t bytes_free;
	size_t bytes_requested;
	size_t largest_free;
	size_t regions; /* highest region index seen, plus one */
	/* Broken invariants, counted: */
	size_t disorder;      /* block not after the end of its predecessor */
	size_t adjacent_free; /* free block right after a free block */
	size_t misaligned;    /* payload not HEAP_ALIGN-aligned */
};

/* Returns what heap_walk() returned. */
int walk_summarize(struct heap *h, struct walk_summary *out);

struct walk_around {
	int has_prev, has_next;
	struct heap_block_info prev, self, next;
};

/* 0 when ptr is the payload of a block (used or free), else -1. */
int walk_around(struct heap *h, const void *ptr, struct walk_around *out);

/* First byte past a block's payload. */
const unsigned char *block_end(const struct heap_block_info *b);

#endif
