#include "tests/stress/endcheck.h"

#include "tests/stress/fail.h"

/* A block's bytes, its header's included. */
static size_t span_of(const struct heap_block_info *b)
{
	return (size_t)((const unsigned char *)b->ptr -
			(const unsigned char *)b->block) +
	       b->size;
}

static int add_span(const struct heap_block_info *b, void *ctx)
{
	*(size_t *)ctx += span_of(b);
	return 0;
}

size_t endcheck_span(struct heap *h)
{
	size_t span = 0;

	heap_walk(h, add_span, &span);
	return span;
}

static int count_blocks(const struct heap_block_info *b, void *ctx)
{
	struct endcheck *e = ctx;

	if (b->cached)
		stress_fail("block %p (%zu bytes) still cached after "
			    "heap_drain_caches",
			    b->ptr, b->size);
	if (!b->free && !b->internal)
		stress_fail("block %p (%zu bytes) still in use after every "
			    "worker freed all it had",
			    b->ptr, b->size);
	e->span += span_of(b);
	if (b->internal) {
		e->internal_blocks++;
		e->internal_bytes += b->size;
	}
	return 0;
}

void endcheck(struct heap *h, const struct heap_stats *start, size_t span,
	      size_t calls, unsigned caches, struct heap_stats *end,
	      struct endcheck *e)
{
	int problems;
	size_t taken;

	*e = (struct endcheck){0, 0, 0};
	/* the workers gave their own caches back as they left; the depot,
	 * and shards, remain */
	if (caches)
		heap_drain_caches(h);
	/* before heap_check, so that the only acquisitions not counted in
	 * calls are this one and the drain's */
	heap_get_stats(h, end);
	taken = end->lock_acquired - start->lock_acquired;
	for (int k = 0; k < HEAP_FAULT_KINDS; k++) {
		if (end->faults[k] != start->faults[k])
			stress_fail("the heap reported %zu %s fault(s)",
				    end->faults[k] - start->faults[k],
				    heap_fault_name((enum heap_fault_kind)k));
	}
	if (!caches && taken != calls + 1)
		stress_fail("the lock was taken %zu times for %zu heap calls "
			    "(+1 for the statistics)",
			    taken, calls);
	if (caches && taken >= calls)
		stress_fail("the lock was taken %zu times for %zu heap calls: "
			    "the caches served none without it",
			    taken, calls);
	problems = heap_check(h);
	if (problems != 0)
		stress_fail("heap_check found %d problem(s)", problems);
	if (end->used_blocks != 0 || end->bytes_used != 0)
		stress_fail("%zu blocks (%zu bytes) still in use after every "
			    "worker freed all it had",
			    end->used_blocks, end->bytes_used);
	if (end->cached_blocks != 0 || end->bytes_cached != 0)
		stress_fail("%zu blocks (%zu bytes) still cached after every "
			    "worker gave its cache back and the depot was "
			    "drained",
			    end->cached_blocks, end->bytes_cached);
	heap_walk(h, count_blocks, e);
	/* the caches, and the depot */
	if (e->internal_blocks > (caches ? caches + 1 : 0))
		stress_fail("%zu blocks of the heap's own, for at most %u "
			    "caches and the depot",
			    e->internal_blocks, caches);
	/* nothing lost: the free blocks and the heap's own span all the heap
	 * spanned at the start; without caches, as one free block */
	if (e->span != span)
		stress_fail(
		    "the free blocks and the heap's own %zu span %zu "
		    "bytes at the end, all blocks %zu after heap_create",
		    e->internal_blocks, e->span, span);
	if (!caches && end->bytes_free != start->bytes_free)
		stress_fail("%zu bytes free at the end, %zu after heap_create",
			    end->bytes_free, start->bytes_free);
}
