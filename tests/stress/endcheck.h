/*
 * endcheck.h - what a heap must look like once every worker has freed all
 * it allocated: consistent, nothing in use, exactly as much free as right
 * after heap_create (a leak, or a lost merge, shows as less), no fault
 * reported, and one lock acquisition counted per heap call (the counter is
 * updated under the lock, so a lock that let two callers in loses counts).
 */
#ifndef TESTS_STRESS_ENDCHECK_H
#define TESTS_STRESS_ENDCHECK_H

#include <stddef.h>

#include "mm/heap.h"

/*
 * start: the heap's statistics taken right after heap_create (one call);
 * calls: the heap calls made since, by every worker. Fails the program
 * (stress_fail) on the first difference; otherwise fills *end.
 */
void endcheck(struct heap *h, const struct heap_stats *start, size_t calls,
	      struct heap_stats *end);

#endif
