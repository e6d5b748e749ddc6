/*
 * memory.c - the original API over the one system heap.
 */
#include "memory.h"

static struct heap *system_heap;

/* A second call would build a new heap over memory that may hold live
 * blocks of the first: refused, and the first heap stays. */
int memory_init_flags(void *base, size_t bytes, unsigned flags)
{
	struct heap *h;

	if (system_heap)
		return -1;
	h = heap_create_flags(base, bytes, flags);
	if (!h)
		return -1;
	system_heap = h;
	return 0;
}

int memory_init(void *base, size_t bytes)
{
	return memory_init_flags(base, bytes, 0);
}

struct heap *memory_heap(void)
{
	return system_heap;
}

void *allocate_memory(size_t size)
{
	return heap_alloc_from(system_heap, size, HEAP_CALLER());
}

void *allocate_clear_memory(size_t nmemb, size_t size)
{
	return heap_calloc_from(system_heap, nmemb, size, HEAP_CALLER());
}

void *reallocate_memory(void *ptr, size_t size)
{
	return heap_realloc_from(system_heap, ptr, size, HEAP_CALLER());
}

void *allocate_aligned_memory(size_t align, size_t size)
{
	return heap_aligned_alloc_from(system_heap, align, size, HEAP_CALLER());
}

void deallocate_memory(void *ptr)
{
	heap_free_from(system_heap, ptr, HEAP_CALLER());
}
