/*
 * span.h - one block's life, as its owner saw it, and the check that no two
 * blocks that were live at the same time ever shared a byte.
 *
 * Every owner takes a tick from one shared clock right after the heap hands
 * it a block (born) and right before it gives the block back (died). When
 * the heap is right, reuse is always ordered: the free that released some
 * memory takes the heap's lock before the allocation that gets it again, so
 * the tick before the free comes before the tick after the allocation. Two
 * spans that overlap both in memory and in time therefore mean the heap gave
 * the same bytes to two owners at once.
 */
#ifndef TESTS_STRESS_SPAN_H
#define TESTS_STRESS_SPAN_H

#include <stddef.h>
#include <stdint.h>

#define SPAN_ALIVE UINT32_MAX /* died: never given back */

struct span {
	uintptr_t start, end; /* [start, end): the block's usable bytes */
	uint32_t born, died;  /* clock ticks */
	uint32_t owner;
};

struct span_overlap {
	const struct span *a, *b; /* a was born first */
};

/*
 * Replay every span in clock order over a map of [lo, hi), 16-byte granules.
 * Returns 0 when no two live spans overlapped, 1 with *out naming the first
 * pair that did, -1 when a span lies outside [lo, hi), is misaligned, or its
 * ticks are out of order or shared with another span (out->a names it), or
 * -2 when there was no memory for the replay.
 * ticks: the clock's final value; every born and died is below it.
 */
int span_find_overlap(const struct span *const *lists, const size_t *counts,
		      size_t nlists, uintptr_t lo, uintptr_t hi, uint32_t ticks,
		      struct span_overlap *out);

#endif
