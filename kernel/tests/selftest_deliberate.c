/*
 * selftest_deliberate.c - tests that fail on purpose, one for each way the
 * runner can fail a test: its own assertion, the leak check after it, and
 * the heap_check after it, and the frames check at the end. The boot test
 * boots each (fail=selftest, fail=selftest-leak, fail=selftest-damage,
 * fail=selftest-frames) and must see it fail for that reason, so that no
 * path to a failure goes unproven.
 *
 * The leak and the damage are left in place: the runner's final rows
 * (no_leaks, heap_check) must see them too.
 */
#include <stdint.h>

#include "kernel/tests/selftest_cases.h"
#include "kernel/vm/paging.h"
#include "kernel/vm/vm.h"
#include "mm/memory.h"

#define LEAKED_BYTES 64

int st_deliberate_failure(struct st_env *env)
{
	(void)env;
	return st_fail("fails on purpose: fail=selftest on the command line");
}

int st_deliberate_leak(struct st_env *env)
{
	static void *kept;

	(void)env;
	kept = allocate_memory(LEAKED_BYTES);
	/* Passes by itself: only the runner's leak check can fail it. */
	return kept ? 0 : st_fail("malloc(%d) failed", LEAKED_BYTES);
}

static int last_free_block(const struct heap_block_info *b, void *ctx)
{
	if (b->free && !b->quarantined)
		*(const void **)ctx = b->block;
	return 0;
}

int st_deliberate_damage(struct st_env *env)
{
	const void *header = NULL;

	/* A free block's header, so that no block a caller holds changes:
	 * only heap_check can fail this test, not the leak check. */
	heap_walk(env->heap, last_free_block, &header);
	ST_CHECK(header, "the heap has no free block to damage");
	*(volatile unsigned char *)(uintptr_t)header ^= 0x5a;
	return 0;
}

int st_deliberate_frames(struct st_env *env)
{
	static void *kept;

	(void)env;
	/* A page of kernel space, never given back: no heap block is held,
	 * so only the final frames_back row can see it. */
	kept = vm_alloc(VM_AREA_KERNEL, PAGE_SIZE, 0, 0);
	return kept ? 0 : st_fail("no frame for a page of kernel space");
}
