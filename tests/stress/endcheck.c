#include "tests/stress/endcheck.h"

#include "tests/stress/fail.h"

void endcheck(struct heap *h, const struct heap_stats *start, size_t calls,
	      struct heap_stats *end)
{
	int problems;
	size_t taken;

	/* first, so that its own acquisition is the only one not counted in
	 * calls: heap_check's would be another */
	heap_get_stats(h, end);
	taken = end->lock_acquired - start->lock_acquired;
	for (int k = 0; k < HEAP_FAULT_KINDS; k++) {
		if (end->faults[k] != start->faults[k])
			stress_fail("the heap reported %zu %s fault(s)",
				    end->faults[k] - start->faults[k],
				    heap_fault_name((enum heap_fault_kind)k));
	}
	if (taken != calls + 1)
		stress_fail("the lock was taken %zu times for %zu heap calls "
			    "(+1 for the statistics)",
			    taken, calls);
	problems = heap_check(h);
	if (problems != 0)
		stress_fail("heap_check found %d problem(s)", problems);
	if (end->used_blocks != 0 || end->bytes_used != 0)
		stress_fail("%zu blocks (%zu bytes) still in use after every "
			    "worker freed all it had",
			    end->used_blocks, end->bytes_used);
	if (end->bytes_free != start->bytes_free)
		stress_fail("%zu bytes free at the end, %zu after heap_create",
			    end->bytes_free, start->bytes_free);
}
