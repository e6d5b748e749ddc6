/*
 * heap_growth.c - see heap_growth.h. mm/ calls these hooks with the heap's
 * lock held and interrupts masked; they take the VM's lock inside it (the
 * one order the two locks are ever taken in).
 */
#include "kernel/vm/heap_growth.h"

#include "kernel/panic.h"
#include "kernel/vm/paging.h"
#include "kernel/vm/vm.h"
#include "mm/heap.h"
#include "mm/memory.h"

/* One unmapped page after every range: running off its end faults. */
#define GUARD_PAGES 1

/* Under the heap's lock: no other guard needed. */
static size_t grown, released;

static void *grow(size_t bytes, void *ctx)
{
	void *p = vm_alloc(VM_AREA_HEAP, bytes, 0, GUARD_PAGES);

	(void)ctx;
	grown += p != NULL;
	return p;
}

static void release(void *mem, size_t bytes, void *ctx)
{
	(void)ctx;
	released++;
	vm_free(VM_AREA_HEAP, mem, bytes, 0, GUARD_PAGES);
}

void heap_growth_counts(size_t *grows, size_t *releases)
{
	*grows = grown;
	*releases = released;
}

/* Purged pages are unmapped: there is no demand paging to bring them
 * back, so commit maps fresh frames before the heap uses them again. */
static void purge(void *mem, size_t bytes, void *ctx)
{
	(void)ctx;
	vm_unback(mem, bytes);
}

static int commit(void *mem, size_t bytes, void *ctx)
{
	(void)ctx;
	return vm_back(mem, bytes);
}

void *heap_growth_init(unsigned flags)
{
	static const struct heap_growth g = {
	    .grow = grow,
	    .release = release,
	    .purge = purge,
	    .commit = commit,
	    .page = PAGE_SIZE,
	    .large_min = HEAP_LARGE_MIN,
	    .guarded = 1, /* vm_alloc leaves a guard page after each */
	};
	void *first = vm_alloc(VM_AREA_HEAP, HEAP_FIRST_BYTES, 0, GUARD_PAGES);

	if (!first)
		panic("heap: no frames for the first %zu KiB of the heap",
		      HEAP_FIRST_BYTES >> 10);
	if (memory_init_flags(first, HEAP_FIRST_BYTES, flags) != 0)
		panic("memory_init refused 0x%08x, %zu bytes",
		      (unsigned)(uintptr_t)first, HEAP_FIRST_BYTES);
	if (heap_set_growth(memory_heap(), &g) != 0)
		panic("heap_set_growth refused the kernel's hooks");
	return first;
}
