/*
 * allocators.c - mm/ (fast and checking), glibc and the first-fit
 * reference behind struct allocator.
 *
 * The wrappers are all named ax_*: `make bench-icount` tells callgrind to
 * count only inside functions of that name, so the replay loop's own
 * instructions stay out of the per-operation counts.
 */
#define _GNU_SOURCE
#include "tests/bench/allocators.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "host/mm_host.h"
#include "mm/heap.h"
#include "mm/hooks.h"
#include "tests/bench/firstfit.h"

static unsigned char *region;
static size_t region_bytes;
static struct heap *heap, *cached_heap;

static _Thread_local unsigned tid;

static unsigned cached_thread_id(void)
{
	if (!tid)
		tid = (unsigned)syscall(SYS_gettid);
	return tid;
}

static uintptr_t bench_entropy(void)
{
	uintptr_t v = 0;

	if (getrandom(&v, sizeof v, 0) != (ssize_t)sizeof v)
		v = (uintptr_t)&v;
	return v;
}

static void bench_panic(const char *what)
{
	fprintf(stderr, "%s\n", what);
	abort();
}

static void *map_region(size_t bytes)
{
	/* NORESERVE: only what the workloads touch becomes resident */
	void *m = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (m == MAP_FAILED) {
		fprintf(stderr, "bench: cannot map a %zu MiB region\n",
			bytes >> 20);
		exit(1);
	}
	return m;
}

void allocators_init(size_t bytes, int cached_tid)
{
	region = map_region(bytes);
	region_bytes = bytes;
	mm_host_init();
	if (cached_tid) {
		struct mm_hooks hooks = {
		    .entropy = bench_entropy,
		    .cpu_id = cached_thread_id,
		    .panic = bench_panic,
		    .fault = mm_host_fault_abort,
		};

		mm_set_hooks(&hooks);
	}
	cached_heap = heap_create_flags(map_region(bytes), bytes, HEAP_CACHES);
	if (!cached_heap) {
		fprintf(stderr,
			"bench: heap_create_flags(HEAP_CACHES) failed\n");
		exit(1);
	}
}

static void open_heap(unsigned flags)
{
	heap = heap_create_flags(region, region_bytes, flags);
	if (!heap) {
		fprintf(stderr, "bench: heap_create failed\n");
		exit(1);
	}
}

static void ax_mm_fast_begin(void)
{
	open_heap(0);
}

static void ax_mm_check_begin(void)
{
	open_heap(HEAP_CHECKING);
}

static void *ax_mm_malloc(size_t n)
{
	return heap_alloc(heap, n);
}

static void *ax_mm_calloc(size_t nmemb, size_t size)
{
	return heap_calloc(heap, nmemb, size);
}

static void *ax_mm_realloc(void *p, size_t n)
{
	return heap_realloc(heap, p, n);
}

static void *ax_mm_aligned(size_t align, size_t n)
{
	return heap_aligned_alloc(heap, align, n);
}

static void ax_mm_free(void *p)
{
	heap_free(heap, p);
}

static int mm_check(void)
{
	return heap_check(heap);
}

/* mm-cached: the one heap allocators_init made; begin() only selects it. */
static void ax_mm_cached_begin(void)
{
	heap = cached_heap;
}

static size_t mm_used_blocks(void)
{
	struct heap_stats s;

	heap_get_stats(heap, &s);
	return s.used_blocks;
}

static uintptr_t region_start(void)
{
	return (uintptr_t)region;
}

static void glibc_begin(void)
{
}

static void *ax_libc_malloc(size_t n)
{
	return malloc(n);
}

static void *ax_libc_calloc(size_t nmemb, size_t size)
{
	return calloc(nmemb, size);
}

static void *ax_libc_realloc(void *p, size_t n)
{
	return realloc(p, n);
}

/* glibc's aligned_alloc takes any size, as posix_memalign does. */
static void *ax_libc_aligned(size_t align, size_t n)
{
	return aligned_alloc(align, n);
}

static void ax_libc_free(void *p)
{
	free(p);
}

static void ff_begin(void)
{
	ff_init(region, region_bytes);
}

static void *ax_ff_malloc(size_t n)
{
	return ff_malloc(n);
}

static void *ax_ff_calloc(size_t nmemb, size_t size)
{
	return ff_calloc(nmemb, size);
}

static void *ax_ff_realloc(void *p, size_t n)
{
	return ff_realloc(p, n);
}

/* The reference has no aligned allocation: the scaling trace needs none. */
static void *ax_ff_aligned(size_t align, size_t n)
{
	(void)align;
	(void)n;
	return NULL;
}

static void ax_ff_free(void *p)
{
	ff_free(p);
}

const struct allocator allocators[ALLOC_COUNT] = {
    [ALLOC_MM_FAST] = {"mm-fast", "mm/ heap_create, fast mode",
		       ax_mm_fast_begin, 1, ax_mm_malloc, ax_mm_calloc,
		       ax_mm_realloc, ax_mm_aligned, ax_mm_free, mm_check,
		       mm_used_blocks, region_start, NULL},
    [ALLOC_MM_CHECK] = {"mm-check", "mm/ HEAP_CHECKING", ax_mm_check_begin, 1,
			ax_mm_malloc, ax_mm_calloc, ax_mm_realloc,
			ax_mm_aligned, ax_mm_free, mm_check, mm_used_blocks,
			region_start, NULL},
    [ALLOC_GLIBC] = {"glibc", "system malloc", glibc_begin, 0, ax_libc_malloc,
		     ax_libc_calloc, ax_libc_realloc, ax_libc_aligned,
		     ax_libc_free, NULL, NULL, NULL, NULL},
    [ALLOC_FIRST_FIT] = {"first-fit", "naive list scan (reference)", ff_begin,
			 1, ax_ff_malloc, ax_ff_calloc, ax_ff_realloc,
			 ax_ff_aligned, ax_ff_free, NULL, NULL, region_start,
			 NULL},
    /* no footprint: the heap lives on across replays, so its high-water
     * mark is not one trace's */
    [ALLOC_MM_CACHED] = {"mm-cached", "mm/ HEAP_CACHES (as shipped)",
			 ax_mm_cached_begin, 0, ax_mm_malloc, ax_mm_calloc,
			 ax_mm_realloc, ax_mm_aligned, ax_mm_free, mm_check,
			 mm_used_blocks, NULL, NULL},
    [ALLOC_JEMALLOC] = {.name = "jemalloc",
			.what = "libjemalloc2, LD_PRELOAD in a child",
			.preload = "jemalloc"},
    [ALLOC_MIMALLOC] = {.name = "mimalloc",
			.what = "libmimalloc2.0, LD_PRELOAD in a child",
			.preload = "mimalloc"},
    [ALLOC_TCMALLOC] = {.name = "tcmalloc",
			.what = "libtcmalloc-minimal4, LD_PRELOAD in a child",
			.preload = "tcmalloc"},
};

const struct allocator *allocator_find(const char *name)
{
	size_t i;

	for (i = 0; i < ALLOC_COUNT; i++)
		if (strcmp(allocators[i].name, name) == 0 &&
		    !allocators[i].preload)
			return &allocators[i];
	return NULL;
}
