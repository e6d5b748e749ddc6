#define _GNU_SOURCE
#include "tests/bench/mtalloc.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "host/mm_host.h"
#include "mm/hooks.h"

/* Live sets here are small (8 threads x 256 blocks of <= 256 B, or 4
 * rings of 4096 blocks): the region only has to never run out. */
#define MT_REGION_BYTES ((size_t)64 << 20)

const struct mt_config mt_configs[MT_KINDS] = {
    [MT_MM_CACHED] = {"mm-cached", "mm/ HEAP_CACHES, host hooks (as shipped)",
		      1},
    [MT_MM_LOCKED] = {"mm-locked", "mm/ flags 0, host hooks: every op locks",
		      1},
    [MT_MM_NOHOOKS] = {"mm-nohooks",
		       "mm/ HEAP_CACHES, no hooks at all (caches are shards)",
		       1},
    [MT_MM_MUTEX] = {"mm-mutex", "mm-locked behind one pthread mutex", 1},
    [MT_LIBC] = {"libc", "malloc/free of the process", 0},
    [MT_BROKEN_TWICE] = {"broken-twice", "hands a live block out again", 1},
    [MT_BROKEN_LEAK] = {"broken-leak", "skips every 50th free", 1},
    [MT_HANG] = {"hang", "never returns from malloc", 1},
    [MT_SLOW] = {"slow", "sleeps 1 ms in every malloc", 1},
};

void *(*mt_malloc)(size_t n);
void (*mt_free)(void *p);

static struct heap *heap;
static pthread_mutex_t *mutex;

int mt_config_find(const char *name)
{
	int k;

	for (k = 0; k < MT_KINDS; k++)
		if (strcmp(mt_configs[k].name, name) == 0)
			return k;
	return -1;
}

static void *map(size_t bytes, int shared)
{
	int flags =
	    (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS | MAP_NORESERVE;
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, flags, -1, 0);

	if (p == MAP_FAILED) {
		fprintf(stderr, "bench: cannot map %zu bytes: %s\n", bytes,
			strerror(errno));
		exit(1);
	}
	return p;
}

static void *ax_mt_heap_malloc(size_t n)
{
	return heap_alloc(heap, n);
}

static void ax_mt_heap_free(void *p)
{
	heap_free(heap, p);
}

static void *ax_mt_mutex_malloc(size_t n)
{
	void *p;

	pthread_mutex_lock(mutex);
	p = heap_alloc(heap, n);
	pthread_mutex_unlock(mutex);
	return p;
}

static void ax_mt_mutex_free(void *p)
{
	pthread_mutex_lock(mutex);
	heap_free(heap, p);
	pthread_mutex_unlock(mutex);
}

static void *ax_mt_libc_malloc(size_t n)
{
	return malloc(n);
}

static void ax_mt_libc_free(void *p)
{
	free(p);
}

/*
 * broken-twice: every 97th malloc returns the block the last malloc
 * returned. On one thread that block is still live, so two owners hold it
 * and the stamp check must notice; across threads (remote) its consumer
 * may have freed it already, and then the heap's own checks fire instead.
 */
static _Atomic(void *) last_block;
static atomic_size_t broken_calls;

static void *ax_mt_twice_malloc(size_t n)
{
	void *p;

	if (atomic_fetch_add(&broken_calls, 1) % 97 == 96) {
		p = atomic_exchange(&last_block, NULL);
		if (p)
			return p;
	}
	p = heap_alloc(heap, n);
	atomic_store(&last_block, p);
	return p;
}

static void ax_mt_twice_free(void *p)
{
	void *expected = p;

	atomic_compare_exchange_strong(&last_block, &expected, NULL);
	heap_free(heap, p);
}

static atomic_size_t leak_calls;

static void ax_mt_leak_free(void *p)
{
	if (atomic_fetch_add(&leak_calls, 1) % 50 != 49)
		heap_free(heap, p);
}

static void *ax_mt_hang_malloc(size_t n)
{
	(void)n;
	for (;;)
		pause();
	return NULL;
}

static void *ax_mt_slow_malloc(size_t n)
{
	struct timespec ms = {0, 1000000};

	nanosleep(&ms, NULL);
	return heap_alloc(heap, n);
}

static void open_mutex(int shared)
{
	pthread_mutexattr_t attr;

	mutex = map(sizeof *mutex, shared);
	pthread_mutexattr_init(&attr);
	if (shared)
		pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
	pthread_mutex_init(mutex, &attr);
	pthread_mutexattr_destroy(&attr);
}

void mt_open(enum mt_kind kind, int shared)
{
	unsigned flags =
	    kind == MT_MM_CACHED || kind == MT_MM_NOHOOKS ? HEAP_CACHES : 0;

	mt_malloc = ax_mt_heap_malloc;
	mt_free = ax_mt_heap_free;
	switch (kind) {
	case MT_LIBC:
		mt_malloc = ax_mt_libc_malloc;
		mt_free = ax_mt_libc_free;
		return;
	case MT_MM_NOHOOKS:
		mm_set_hooks(NULL);
		break;
	case MT_MM_MUTEX:
		open_mutex(shared);
		mt_malloc = ax_mt_mutex_malloc;
		mt_free = ax_mt_mutex_free;
		mm_host_init();
		break;
	case MT_BROKEN_TWICE:
		mt_malloc = ax_mt_twice_malloc;
		mt_free = ax_mt_twice_free;
		mm_host_init();
		break;
	case MT_BROKEN_LEAK:
		mt_free = ax_mt_leak_free;
		mm_host_init();
		break;
	case MT_HANG:
		mt_malloc = ax_mt_hang_malloc;
		mm_host_init();
		break;
	case MT_SLOW:
		mt_malloc = ax_mt_slow_malloc;
		mm_host_init();
		break;
	default:
		mm_host_init();
		break;
	}
	heap = heap_create_flags(map(MT_REGION_BYTES, shared), MT_REGION_BYTES,
				 flags);
	if (!heap) {
		fprintf(stderr, "bench: heap_create_flags failed\n");
		exit(1);
	}
}

int mt_close(char *why, size_t len)
{
	struct heap_stats s;
	size_t faults = 0;
	int k, problems;

	if (!heap)
		return 0;
	heap_get_stats(heap, &s);
	for (k = 0; k < HEAP_FAULT_KINDS; k++)
		faults += s.faults[k];
	if (faults) {
		snprintf(why, len, "the heap reported %zu fault(s)", faults);
		return -1;
	}
	problems = heap_check(heap);
	if (problems) {
		snprintf(why, len, "heap_check found %d problem(s)", problems);
		return -1;
	}
	if (s.used_blocks || s.bytes_used) {
		snprintf(why, len,
			 "%zu blocks (%zu bytes) still in use after every "
			 "worker freed all it had",
			 s.used_blocks, s.bytes_used);
		return -1;
	}
	return 0;
}

void mt_lock_counts(size_t *taken, size_t *waited)
{
	struct heap_stats s;

	*taken = *waited = 0;
	if (!heap)
		return;
	heap_get_stats(heap, &s);
	*taken = s.lock_acquired;
	*waited = s.lock_contended;
}

/* Each of these exports a name of its own besides malloc. */
const char *mt_malloc_name(void)
{
	if (dlsym(RTLD_DEFAULT, "mallctl"))
		return "jemalloc";
	if (dlsym(RTLD_DEFAULT, "mi_malloc"))
		return "mimalloc";
	if (dlsym(RTLD_DEFAULT, "tc_malloc"))
		return "tcmalloc";
	return "glibc";
}
