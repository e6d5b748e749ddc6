/*
 * endcheck.h - what a heap must look like once every worker has freed all
 * it allocated: consistent, nothing in use, exactly as much free as right
 * after heap_create (a leak, or a lost merge, shows as less), no fault
 * reported. Without caches, one lock acquisition is counted per heap call
 * (the counter is updated under the lock, so a lock that let two callers
 * in loses counts). With caches (HEAP_CACHES) the depot and the caches are
 * drained first, nothing may stay cached, the heap's only blocks left are
 * its own (one per cache, and the depot), and the lock must have been
 * taken fewer times than there were calls: the caches served the rest.
 */
#ifndef TESTS_STRESS_ENDCHECK_H
#define TESTS_STRESS_ENDCHECK_H

#include <stddef.h>

#include "mm/heap.h"

struct endcheck {
	size_t internal_blocks; /* the caches' and the depot's memory */
	size_t internal_bytes;
	size_t span; /* bytes of all blocks, headers included */
};

/* Bytes of all the heap's blocks, headers included (a walk: before the
 * start's statistics, so that its lock is not counted). */
size_t endcheck_span(struct heap *h);

/*
 * start: the heap's statistics taken right after heap_create (one call),
 * and span its endcheck_span() before them;
 * calls: the heap calls made since, by every worker; caches: at most how
 * many caches the heap may have made (0: it has none, HEAP_CACHES unset). Fails
 * the program (stress_fail) on the first difference; otherwise fills *end and
 * *e.
 */
void endcheck(struct heap *h, const struct heap_stats *start, size_t span,
	      size_t calls, unsigned caches, struct heap_stats *end,
	      struct endcheck *e);

#endif
