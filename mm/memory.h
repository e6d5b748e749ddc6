/*
 * memory.h - the original alloc API, over one system heap.
 *
 * memory_init() turns a piece of memory into the system heap; the rest are
 * malloc, calloc, realloc and free under the project's original names.
 * More memory can be added later with heap_add_region(memory_heap(), ...).
 */
#ifndef MM_MEMORY_H
#define MM_MEMORY_H

#include <stddef.h>

#include "heap.h"

/* 0 on success; -1 when the memory is too small, or when the system heap
 * already exists (it is never re-created). Flags as heap_create_flags. */
int memory_init(void *base, size_t bytes);
int memory_init_flags(void *base, size_t bytes, unsigned flags);

/* The system heap, or NULL before memory_init(). */
struct heap *memory_heap(void);

void *allocate_memory(size_t size);			/* malloc  */
void *allocate_clear_memory(size_t nmemb, size_t size); /* calloc  */
void *reallocate_memory(void *ptr, size_t size);	/* realloc */
void *allocate_aligned_memory(size_t align, size_t size);
void deallocate_memory(void *ptr); /* free */

#endif
