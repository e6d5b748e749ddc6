/*
 * allocators.h - the allocators a trace is replayed against, behind one
 * table of functions so that every replay loop is the same code for all.
 *
 * The region allocators (mm/ and the first-fit reference) share one large
 * mapping; each replay starts a fresh heap over it (begin), so repetitions
 * do not inherit each other's fragmentation. The system malloc cannot be
 * reset, so the replayer frees everything at the end of every replay. Nor
 * is the heap with caches (mm-cached): blocks may sit in a thread's cache,
 * so it is created once, over a region of its own, and never over again.
 */
#ifndef TESTS_BENCH_ALLOCATORS_H
#define TESTS_BENCH_ALLOCATORS_H

#include <stddef.h>
#include <stdint.h>

struct allocator {
	const char *name;
	const char *what;
	void (*begin)(void);
	int resets; /* begin() forgets every block: no need to free them */
	void *(*malloc_fn)(size_t n);
	void *(*calloc_fn)(size_t nmemb, size_t size);
	void *(*realloc_fn)(void *p, size_t n);
	void *(*aligned_fn)(size_t align, size_t n);
	void (*free_fn)(void *p);
	/* NULL when the allocator has none: */
	int (*check)(void);		 /* 0 when consistent */
	size_t (*used_blocks)(void);	 /* blocks the heap counts in use */
	uintptr_t (*region_start)(void); /* for the footprint */
	/* Not NULL: the allocator is a malloc preloaded into a child process
	 * (the mtrun.h column of that name), timed there; every function
	 * above is NULL. */
	const char *preload;
};

enum {
	ALLOC_MM_FAST,
	ALLOC_MM_CHECK,
	ALLOC_GLIBC,
	ALLOC_FIRST_FIT, /* the scaling reference only */
	ALLOC_MM_CACHED, /* HEAP_CACHES: the main table only */
	ALLOC_JEMALLOC,	 /* preloaded, in a child: the main table only */
	ALLOC_MIMALLOC,
	ALLOC_TCMALLOC,
	ALLOC_COUNT
};

extern const struct allocator allocators[ALLOC_COUNT];

/*
 * Map the region and install mm/'s hooks; once, at start. By default they
 * are host/'s (mm_host_init), as any host program gets them. cached_tid
 * swaps in the bench's own, identical but for a cpu_id that asks the
 * kernel for the thread id once per thread instead of on every call: it
 * shows what host/'s hook costs the heap lock.
 */
void allocators_init(size_t region_bytes, int cached_tid);
/* The in-process allocator named name, or NULL. */
const struct allocator *allocator_find(const char *name);

#endif
