/*
 * test_cache.c - the per-thread caches of HEAP_CACHES heaps: what a cache
 * holds and when it takes the lock, the depot, the drain, a thread's exit,
 * frees from another thread, and every fault class with the blocks
 * involved sitting in a cache.
 */
#define _DEFAULT_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host/mm_host.h"
#include "mm/heap.h"
#include "mm/hooks.h"
#include "tests/common/fault_log.h"
#include "tests/common/fixture.h"
#include "tests/common/stamp.h"

#define ARENA ((size_t)4 << 20)

struct env {
	unsigned char *mem;
	struct heap *h;
	struct fault_log log;
};

static int setup(void **state)
{
	static struct env e;

	e.mem = buffer_get(ARENA);
	if (!e.mem)
		return -1;
	e.h = heap_create_flags(e.mem, ARENA, HEAP_CACHES);
	if (!e.h)
		return -1;
	fault_log_attach(&e.log, e.h);
	*state = &e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	int bad = heap_check(e->h) != 0 || e->log.total != 0;

	if (e->log.total != 0)
		print_error("%zu fault(s) reported, the last: %s\n",
			    e->log.total, e->log.last_what);

	heap_destroy(e->h);
	buffer_put(e->mem);
	return bad ? -1 : 0;
}

static struct heap_stats stats(struct env *e)
{
	struct heap_stats s;

	heap_get_stats(e->h, &s);
	return s;
}

static struct heap_cache_stats mine(struct env *e)
{
	struct heap_cache_stats s;

	heap_get_cache_stats(e->h, &s);
	return s;
}

/* Blocks the walk shows as cached, and as a caller's. */
struct census {
	size_t cached, used, internal;
	const void *find;
	int found_cached;
};

static int count_block(const struct heap_block_info *b, void *ctx)
{
	struct census *c = ctx;

	c->cached += (size_t)b->cached;
	c->internal += (size_t)b->internal;
	c->used += (size_t)(!b->free && !b->cached && !b->internal);
	if (b->ptr == c->find)
		c->found_cached = b->cached;
	return 0;
}

static struct census census_of(struct env *e, const void *find)
{
	struct census c = {.find = find};

	assert_int_equal(heap_walk(e->h, count_block, &c), 0);
	return c;
}

static void expect_usable(struct env *e)
{
	void *p[64];

	for (size_t i = 0; i < 64; i++) {
		p[i] = heap_alloc(e->h, 8 + 24 * i);
		assert_non_null(p[i]);
	}
	for (size_t i = 0; i < 64; i++)
		heap_free(e->h, p[i]);
	assert_int_equal(heap_check(e->h), 0);
	assert_int_equal(e->log.total, 0);
}

static void test_freed_small_block_stays_in_the_cache(void **state)
{
	struct env *e = *state;
	void *p = heap_alloc(e->h, 64);
	struct heap_stats s;
	struct census c;

	assert_non_null(p);
	heap_free(e->h, p);
	s = stats(e);
	c = census_of(e, p);
	/* cached: neither a caller's nor free, and counted apart */
	assert_int_equal(s.used_blocks, 0);
	assert_int_equal(s.bytes_used, 0);
	assert_true(s.cached_blocks >= 1);
	assert_int_equal(c.cached, s.cached_blocks);
	assert_true(c.found_cached);
	assert_int_equal(c.used, 0);
	assert_int_equal(mine(e).blocks, s.cached_blocks);
}

static void test_cache_hands_back_the_last_block_freed(void **state)
{
	struct env *e = *state;
	void *p = heap_alloc(e->h, 100);

	heap_free(e->h, p);
	assert_ptr_equal(heap_alloc(e->h, 100), p);
	heap_free(e->h, p);
}

static void test_cache_hits_take_no_lock(void **state)
{
	struct env *e = *state;
	void *p = heap_alloc(e->h, 48);
	size_t locks, hits = mine(e).alloc_hits;

	heap_free(e->h, p);
	locks = stats(e).lock_acquired;
	for (int i = 0; i < 1000; i++) {
		p = heap_alloc(e->h, 48);
		assert_non_null(p);
		heap_free(e->h, p);
	}
	/* heap_get_stats takes the lock once itself */
	assert_int_equal(stats(e).lock_acquired, locks + 1);
	assert_int_equal(mine(e).alloc_hits, hits + 1000);
	assert_int_equal(mine(e).free_hits >= 1000, 1);
}

/* A batch at a time: many frees and allocations, few locks. */
static void test_lock_is_taken_once_per_batch(void **state)
{
	struct env *e = *state;
	enum { N = 4096 };
	static void *p[N];
	size_t locks = stats(e).lock_acquired;

	for (size_t i = 0; i < N; i++) {
		p[i] = heap_alloc(e->h, 32);
		assert_non_null(p[i]);
	}
	for (size_t i = 0; i < N; i++)
		heap_free(e->h, p[i]);
	/* the goal: at most one lock per ten operations */
	assert_true(stats(e).lock_acquired - locks <= 2 * N / 10);
	assert_int_equal(stats(e).used_blocks, 0);
}

/* Above 1 KiB the classes are 1/8 of a power of two apart: 2900 and 3000
 * bytes share the 3072-byte class. */
static void test_coarse_classes_share_a_block(void **state)
{
	struct env *e = *state;
	void *p = heap_alloc(e->h, 3000);

	assert_non_null(p);
	assert_true(heap_usable_size(e->h, p) >= 3072);
	heap_free(e->h, p);
	assert_true(census_of(e, p).found_cached);
	assert_ptr_equal(heap_alloc(e->h, 2900), p);
	heap_free(e->h, p);
}

/* A realloc that moves through the caches keeps every byte the caller was
 * told it could use, not only the bytes it asked for. */
static void test_cached_realloc_keeps_the_usable_bytes(void **state)
{
	struct env *e = *state;
	unsigned char *p = heap_alloc(e->h, 20), *q;
	size_t usable = heap_usable_size(e->h, p);

	assert_true(usable > 20);
	stamp_fill(p, usable, 9);
	q = heap_realloc(e->h, p, 300);
	assert_non_null(q);
	assert_ptr_not_equal(q, p);
	assert_int_equal(stamp_find_damage(q, usable, 9), usable);
	/* a size in the same class stays in place */
	assert_ptr_equal(heap_realloc(e->h, q, 290), q);
	assert_int_equal(stamp_find_damage(q, usable, 9), usable);
	heap_free(e->h, q);
}

static void test_large_blocks_bypass_the_cache(void **state)
{
	struct env *e = *state;
	void *p = heap_alloc(e->h, 4097);
	size_t cached = stats(e).cached_blocks;

	assert_non_null(p);
	heap_free(e->h, p);
	assert_int_equal(stats(e).cached_blocks, cached);
	assert_false(census_of(e, p).found_cached);
}

static void test_double_free_of_a_cached_block_is_reported(void **state)
{
	struct env *e = *state;
	void *keep = heap_alloc(e->h, 40);
	void *p = heap_alloc(e->h, 40);
	struct heap_stats before;

	heap_free(e->h, p);
	before = stats(e);
	heap_free(e->h, p);
	assert_int_equal(e->log.total, 1);
	assert_int_equal(e->log.count[HEAP_FAULT_DOUBLE_FREE], 1);
	assert_ptr_equal(e->log.last.ptr, p);
	assert_non_null(strstr(e->log.last_what, "double free"));
	fault_log_reset(&e->log);
	/* nothing moved: the cache still holds it once */
	assert_int_equal(stats(e).cached_blocks, before.cached_blocks);
	heap_free(e->h, keep);
	expect_usable(e);
}

static void test_double_free_after_the_drain_is_reported(void **state)
{
	struct env *e = *state;
	void *p = heap_alloc(e->h, 40);

	heap_free(e->h, p);
	heap_drain_caches(e->h);
	assert_int_equal(stats(e).cached_blocks, 0);
	heap_free(e->h, p);
	assert_int_equal(e->log.count[HEAP_FAULT_DOUBLE_FREE], 1);
	fault_log_reset(&e->log);
	expect_usable(e);
}

static void test_realloc_and_usable_size_of_a_cached_block(void **state)
{
	struct env *e = *state;
	void *p = heap_alloc(e->h, 40);

	heap_free(e->h, p);
	assert_null(heap_realloc(e->h, p, 80));
	assert_int_equal(e->log.count[HEAP_FAULT_DOUBLE_FREE], 1);
	assert_int_equal(heap_usable_size(e->h, p), 0);
	assert_int_equal(e->log.count[HEAP_FAULT_DOUBLE_FREE], 2);
	fault_log_reset(&e->log);
	expect_usable(e);
}

static void test_bad_pointers_are_reported_with_caches(void **state)
{
	struct env *e = *state;
	_Alignas(16) unsigned char local[64];
	unsigned char *p = heap_alloc(e->h, 64);
	void *stray[] = {p + 16, p + 1, local + 16, e->mem + 64};

	for (size_t i = 0; i < sizeof stray / sizeof stray[0]; i++) {
		heap_free(e->h, stray[i]);
		assert_int_equal(e->log.total, 1);
		assert_int_equal(e->log.count[HEAP_FAULT_INVALID_POINTER], 1);
		fault_log_reset(&e->log);
	}
	heap_free(e->h, p);
	expect_usable(e);
}

/* A cache's own memory is the heap's: freeing it is refused. */
struct find_internal {
	void *ptr;
};

static int first_internal(const struct heap_block_info *b, void *ctx)
{
	struct find_internal *f = ctx;

	if (b->internal) {
		f->ptr = b->ptr;
		return 1;
	}
	return 0;
}

static void test_free_of_a_cache_structure_is_refused(void **state)
{
	struct env *e = *state;
	struct find_internal f = {0};
	void *p = heap_alloc(e->h, 64);

	heap_free(e->h, p);
	assert_int_equal(heap_walk(e->h, first_internal, &f), 1);
	assert_non_null(f.ptr);
	heap_free(e->h, f.ptr);
	assert_int_equal(e->log.count[HEAP_FAULT_INVALID_POINTER], 1);
	assert_non_null(strstr(e->log.last_what, "cache"));
	fault_log_reset(&e->log);
	expect_usable(e);
}

/* Two neighbours of one size: b right after a. */
static void neighbours(struct env *e, unsigned char **a, unsigned char **b)
{
	for (int tries = 0; tries < 64; tries++) {
		*a = heap_alloc(e->h, 64);
		*b = heap_alloc(e->h, 64);
		assert_non_null(*b);
		if (*b > *a)
			return;
	}
	fail_msg("%s", "no two neighbours in address order");
}

static void test_overflow_into_a_cached_header_is_reported(void **state)
{
	struct env *e = *state;
	unsigned char *a, *b, saved;
	size_t gap;

	neighbours(e, &a, &b);
	gap = (size_t)(b - a);
	heap_free(e->h, b); /* b sits in the cache now */
	saved = a[gap - 4 * sizeof(uintptr_t)];
	a[gap - 4 * sizeof(uintptr_t)] ^= 0x5a; /* b's check word */
	assert_true(heap_check(e->h) != 0);
	assert_true(e->log.count[HEAP_FAULT_CORRUPTED] >= 1);
	fault_log_reset(&e->log);
	/* giving the cache back finds it too (and the neighbour it would
	 * merge with), and keeps the damaged block out */
	heap_drain_caches(e->h);
	assert_true(e->log.count[HEAP_FAULT_CORRUPTED] >= 1);
	assert_int_equal(e->log.total, e->log.count[HEAP_FAULT_CORRUPTED]);
	fault_log_reset(&e->log);
	a[gap - 4 * sizeof(uintptr_t)] = saved;
	heap_free(e->h, a);
}

static void test_write_after_free_into_a_cached_link_is_caught(void **state)
{
	struct env *e = *state;
	unsigned char *a, *b, *p, *q;
	uintptr_t wild = (uintptr_t)0x1000; /* unmapped: following it crashes */

	neighbours(e, &a, &b);
	heap_free(e->h, a);
	heap_free(e->h, b); /* head: b, then a */
	memcpy(b, &wild, sizeof wild);
	p = heap_alloc(e->h, 64);
	assert_ptr_equal(p, b);
	q = heap_alloc(e->h, 64); /* would follow the link */
	assert_non_null(q);
	assert_ptr_not_equal(q, (void *)wild);
	assert_int_equal(e->log.count[HEAP_FAULT_CORRUPTED], 1);
	assert_non_null(strstr(e->log.last_what, "written after free"));
	fault_log_reset(&e->log);
	heap_free(e->h, p);
	heap_free(e->h, q);
	expect_usable(e);
}

static void test_heap_check_finds_a_damaged_cache_list(void **state)
{
	struct env *e = *state;
	unsigned char *a, *b;
	uintptr_t wild = (uintptr_t)0x1000, saved;

	neighbours(e, &a, &b);
	heap_free(e->h, a);
	heap_free(e->h, b);
	memcpy(&saved, b, sizeof saved);
	memcpy(b, &wild, sizeof wild);
	assert_true(heap_check(e->h) != 0);
	assert_non_null(strstr(e->log.last_what, "cache"));
	fault_log_reset(&e->log);
	memcpy(b, &saved, sizeof saved);
	assert_int_equal(heap_check(e->h), 0);
}

static void test_drain_gives_every_cached_block_back(void **state)
{
	struct env *e = *state;
	static void *p[2000];
	struct heap_stats s;

	for (size_t i = 0; i < 2000; i++)
		p[i] = heap_alloc(e->h, 16 * (i % 60));
	for (size_t i = 0; i < 2000; i++)
		heap_free(e->h, p[i]);
	assert_true(stats(e).cached_blocks > 0);
	heap_drain_caches(e->h);
	s = stats(e);
	assert_int_equal(s.cached_blocks, 0);
	assert_int_equal(s.bytes_cached, 0);
	assert_int_equal(mine(e).blocks, 0);
	/* merged again: the free space is one block, and the cache's own */
	assert_true(s.free_blocks <= 2);
	assert_int_equal(census_of(e, NULL).cached, 0);
}

/*
 * Fill the heap with small blocks and free them all: the caches and the
 * depot keep some, scattered among the rest. A request larger than the
 * largest free block then fits only once they go back and merge.
 */
static void test_allocation_drains_the_caches_before_failing(void **state)
{
	unsigned char *mem = buffer_get(256 << 10);
	static void *p[4096];
	struct heap *h;
	struct heap_stats s;
	size_t n = 0;
	void *big;

	(void)state;
	h = heap_create_flags(mem, 256 << 10, HEAP_CACHES);
	assert_non_null(h);
	while (n < 4096 && (p[n] = heap_alloc(h, 100)) != NULL)
		n++;
	assert_true(n < 4096);
	for (size_t i = 0; i < n; i++)
		heap_free(h, p[i]);
	heap_get_stats(h, &s);
	assert_true(s.cached_blocks > 0);
	assert_int_equal(s.used_blocks, 0);
	big = heap_alloc(h, s.largest_free + 1);
	assert_non_null(big);
	heap_get_stats(h, &s);
	assert_int_equal(s.cached_blocks, 0);
	heap_free(h, big);
	assert_int_equal(heap_check(h), 0);
	heap_destroy(h);
	buffer_put(mem);
}

static void test_cached_memory_is_bounded(void **state)
{
	struct env *e = *state;
	enum { N = 8000 };
	static void *p[N];

	for (size_t i = 0; i < N; i++)
		p[i] = heap_alloc(e->h, 16 + 16 * (i % 64));
	for (size_t i = 0; i < N; i++)
		heap_free(e->h, p[i]);
	/* a cache's spares stay in its budget (1/64 of the heap) and its
	 * heads hold a batch a class (1/512 of the heap, 64 classes); the
	 * depot keeps twice the budget */
	assert_true(stats(e).bytes_cached <= 4 * ARENA / 64 + ARENA / 8);
}

static void *alloc_and_free_then_exit(void *arg)
{
	struct heap *h = arg;
	void *p[100];

	for (int i = 0; i < 100; i++)
		p[i] = heap_alloc(h, 24);
	for (int i = 0; i < 100; i++)
		heap_free(h, p[i]);
	return NULL;
}

static void test_thread_exit_gives_its_cache_back(void **state)
{
	struct env *e = *state;
	pthread_t t;
	size_t before;

	heap_drain_caches(e->h);
	before = stats(e).cached_blocks;
	assert_int_equal(
	    pthread_create(&t, NULL, alloc_and_free_then_exit, e->h), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	/* what it held went back to the heap as it left; only full batches
	 * it passed to the depot may remain */
	assert_true(stats(e).cached_blocks - before <= 100);
	heap_drain_caches(e->h);
	assert_int_equal(stats(e).cached_blocks, 0);
	assert_int_equal(stats(e).used_blocks, 0);
}

/*
 * Another thread's cache holds the blocks that lie next to the largest
 * free block, so an allocation one byte too large for it needs them. The
 * thread keeps the lowest of its blocks, so that the rest can only merge
 * upwards, into that free block.
 */
struct holder {
	struct heap *h;
	void *p[64];
	atomic_int ready, stop, busy;
	atomic_uint calls; /* made while busy */
	pthread_t waiter;  /* the test's thread, whose allocation waits */
};

/* The holder a busy test's relax hook waits for. */
static struct holder *waited_on;

/*
 * The relax hook of the busy test. An allocation waits for the other
 * caches a bounded number of rounds (CACHE_WAIT_ROUNDS), relaxing between
 * them; with the host's relax, a sched_yield, the holder had to be
 * scheduled within some 20 ms, a time limit that a loaded machine missed
 * now and then. Here each relax of the waiting thread lasts until the
 * holder has made two more calls, so one call began after the wait did:
 * the holder's next call comes within the first round however slow the
 * machine, and the test asserts what the heap does with it.
 */
static void relax_until_the_holder_calls(void)
{
	struct holder *o = waited_on;
	unsigned start;

	if (!o || !pthread_equal(pthread_self(), o->waiter)) {
		sched_yield();
		return;
	}
	start = atomic_load(&o->calls);
	while (atomic_load(&o->calls) - start < 2 && !atomic_load(&o->stop))
		sched_yield();
}

static void *hold_then_wait(void *arg)
{
	struct holder *o = arg;

	for (int i = 0; i < 64; i++)
		o->p[i] = heap_alloc(o->h, 16);
	for (int i = 63; i > 0; i--)
		heap_free(o->h, o->p[64 - i]);
	atomic_store(&o->ready, 1);
	while (!atomic_load(&o->stop)) {
		/* busy: a call now and then, each one a cache hit, except
		 * the first after a drain was asked for */
		if (atomic_load(&o->busy)) {
			heap_free(o->h, heap_alloc(o->h, 16));
			atomic_fetch_add(&o->calls, 1);
		}
		sched_yield();
	}
	heap_free(o->h, o->p[0]);
	return NULL;
}

static void needs_anothers_cache(struct env *e, int busy)
{
	static struct holder o;
	struct heap_stats s;
	size_t held, still;
	pthread_t t;
	void *big;

	heap_drain_caches(e->h);
	o = (struct holder){.h = e->h, .waiter = pthread_self()};
	if (busy) {
		struct mm_hooks hooks = mm_host_hooks();

		/* installed before the holder runs: hooks are not changed
		 * under a running thread */
		hooks.relax = relax_until_the_holder_calls;
		waited_on = &o;
		mm_set_hooks(&hooks);
	}
	assert_int_equal(pthread_create(&t, NULL, hold_then_wait, &o), 0);
	while (!atomic_load(&o.ready))
		sched_yield();
	s = stats(e);
	held = s.cached_blocks;
	/* from now on a busy holder's cache lends a block out now and then */
	atomic_store(&o.busy, busy);
	big = heap_alloc(e->h, s.largest_free + 16);
	still = stats(e).cached_blocks;
	if (big)
		heap_free(e->h, big);
	/* the holder leaves before anything is asserted: a failed assertion
	 * must not leave it calling into the next test's heap */
	atomic_store(&o.stop, 1);
	assert_int_equal(pthread_join(t, NULL), 0);
	waited_on = NULL;
	mm_host_init();
	assert_true(held >= 63);
	if (busy) {
		/* the holder gave its cache back at its next call, and the
		 * allocation, which waited for that, got the memory */
		assert_non_null(big);
	} else {
		/* a thread that makes no call keeps its cache: the
		 * allocation fails, after a bounded wait, not a hang */
		assert_null(big);
		assert_true(still >= 63);
	}
	/* gone, and its cache with it: now it fits */
	big = heap_alloc(e->h, s.largest_free + 16);
	assert_non_null(big);
	heap_free(e->h, big);
}

static void test_allocation_waits_for_a_busy_threads_cache(void **state)
{
	needs_anothers_cache(*state, 1);
}

static void test_allocation_fails_past_an_idle_threads_cache(void **state)
{
	needs_anothers_cache(*state, 0);
}

struct handoff {
	struct heap *h;
	void **p;
	size_t n;
};

static void *free_them(void *arg)
{
	struct handoff *ho = arg;

	for (size_t i = 0; i < ho->n; i++)
		heap_free(ho->h, ho->p[i]);
	return NULL;
}

static void test_blocks_freed_by_another_thread(void **state)
{
	struct env *e = *state;
	enum { N = 5000 };
	static void *p[N];
	struct handoff ho = {e->h, p, N};
	pthread_t t;

	for (int round = 0; round < 3; round++) {
		for (size_t i = 0; i < N; i++) {
			p[i] = heap_alloc(e->h, 8 + i % 200);
			assert_non_null(p[i]);
			stamp_fill(p[i], 8, i);
		}
		assert_int_equal(pthread_create(&t, NULL, free_them, &ho), 0);
		assert_int_equal(pthread_join(t, NULL), 0);
		assert_int_equal(stats(e).used_blocks, 0);
	}
	expect_usable(e);
}

/* A call back into the heap from its own walk: refused, never a hang. */
struct reenter {
	struct heap *h;
	void *victim;
	void *got;
	int calls;
};

static int reenter_from_walk(const struct heap_block_info *b, void *ctx)
{
	struct reenter *r = ctx;

	(void)b;
	if (r->calls++ == 0) {
		r->got = heap_alloc(r->h, 3000);
		heap_free(r->h, r->victim);
	}
	return 0;
}

static void test_walk_callback_calling_in_is_refused(void **state)
{
	struct env *e = *state;
	struct reenter r = {e->h, heap_alloc(e->h, 3000), NULL, 0};

	assert_int_equal(heap_walk(e->h, reenter_from_walk, &r), 0);
	assert_true(r.calls > 1);
	assert_null(r.got);
	assert_int_equal(e->log.count[HEAP_FAULT_REENTERED], 2);
	assert_non_null(strstr(e->log.last_what, "refused"));
	fault_log_reset(&e->log);
	/* nothing was done: the victim is still the caller's */
	assert_true(heap_usable_size(e->h, r.victim) >= 3000);
	heap_free(e->h, r.victim);
}

static struct heap *handler_heap;
static void *handler_got = (void *)1;
static int handler_calls;

static void reenter_from_handler(const struct heap_fault *f, void *ctx)
{
	(void)f;
	(void)ctx;
	handler_calls++;
	handler_got = heap_alloc(handler_heap, 5000);
}

static void test_fault_handler_calling_in_is_refused(void **state)
{
	struct env *e = *state;
	_Alignas(16) unsigned char local[32];
	struct heap_stats s;

	handler_heap = e->h;
	heap_set_fault_handler(e->h, reenter_from_handler, NULL);
	heap_free(e->h, local + 16);
	assert_int_equal(handler_calls, 1);
	assert_null(handler_got);
	s = stats(e);
	assert_int_equal(s.faults[HEAP_FAULT_REENTERED], 1);
	fault_log_attach(&e->log, e->h);
}

/* With no hooks at all the heap cannot tell threads apart: a call from
 * the walk's callback is still refused, never a spin. */
static void test_walk_reentry_without_hooks_is_refused(void **state)
{
	unsigned char *mem = buffer_get(1 << 20);
	struct reenter r = {0};
	struct fault_log log;

	(void)state;
	mm_set_hooks(NULL);
	r.h = heap_create(mem, 1 << 20);
	assert_non_null(r.h);
	fault_log_attach(&log, r.h);
	r.victim = heap_alloc(r.h, 3000);
	assert_int_equal(heap_walk(r.h, reenter_from_walk, &r), 0);
	assert_null(r.got);
	assert_int_equal(log.count[HEAP_FAULT_REENTERED], 2);
	heap_free(r.h, r.victim);
	assert_int_equal(heap_check(r.h), 0);
	mm_host_init();
	buffer_put(mem);
}

/* Without any hooks threads cannot be told apart: the caches are shards
 * that any thread takes for a call. They still cache, and a double free of
 * a block in one is still caught. */
static void *churn_without_hooks(void *arg)
{
	struct heap *h = arg;
	void *p[64];

	for (int r = 0; r < 200; r++) {
		for (int i = 0; i < 64; i++) {
			p[i] = heap_alloc(h, 8 + 40 * (size_t)(i % 20));
			if (!p[i])
				return arg;
			stamp_fill(p[i], 8, i);
		}
		for (int i = 0; i < 64; i++) {
			if (!stamp_intact(p[i], 8, i))
				return arg;
			heap_free(h, p[i]);
		}
	}
	return NULL;
}

static void test_caches_without_hooks_are_shards(void **state)
{
	unsigned char *mem = buffer_get(4 << 20);
	struct heap *h;
	struct heap_stats s;
	struct fault_log log;
	pthread_t t[4];
	void *p, *rc;
	size_t locks;

	(void)state;
	mm_set_hooks(NULL);
	h = heap_create_flags(mem, 4 << 20, HEAP_CACHES);
	assert_non_null(h);
	fault_log_attach(&log, h);
	p = heap_alloc(h, 64);
	heap_free(h, p);
	heap_get_stats(h, &s);
	assert_true(s.cached_blocks > 0);
	locks = s.lock_acquired;
	/* a call's shard follows its stack address, so an alloc and a free
	 * may land in two shards (when the frames straddle a 64 KiB line):
	 * then one refills and the other overflows a batch at a time */
	for (int i = 0; i < 256; i++) {
		p = heap_alloc(h, 64);
		assert_non_null(p);
		heap_free(h, p);
	}
	heap_get_stats(h, &s);
	assert_true(s.lock_acquired - locks <= 256 / 8);
	p = heap_alloc(h, 64);
	heap_free(h, p);
	heap_free(h, p);
	assert_int_equal(log.count[HEAP_FAULT_DOUBLE_FREE], 1);
	fault_log_reset(&log);
	for (int i = 0; i < 4; i++)
		assert_int_equal(
		    pthread_create(&t[i], NULL, churn_without_hooks, h), 0);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(t[i], &rc), 0);
		assert_null(rc);
	}
	assert_int_equal(heap_check(h), 0);
	heap_drain_caches(h);
	heap_get_stats(h, &s);
	assert_int_equal(s.used_blocks, 0);
	assert_int_equal(s.cached_blocks, 0); /* shards drain at once */
	assert_int_equal(log.total, 0);
	heap_destroy(h);
	mm_host_init();
	buffer_put(mem);
}

static void test_checking_mode_bypasses_the_caches(void **state)
{
	unsigned char *mem = buffer_get(1 << 20);
	struct heap *h;
	struct fault_log log;
	unsigned char *p;
	struct heap_stats s;

	(void)state;
	h = heap_create_flags(mem, 1 << 20, HEAP_CACHES | HEAP_CHECKING);
	assert_non_null(h);
	fault_log_attach(&log, h);
	p = heap_alloc(h, 64);
	heap_free(h, p);
	heap_get_stats(h, &s);
	assert_int_equal(s.cached_blocks, 0);
	p[40] = 1; /* written after free: the poison says so at reuse */
	p = heap_alloc(h, 64);
	assert_int_equal(log.count[HEAP_FAULT_USE_AFTER_FREE], 1);
	heap_destroy(h);
	buffer_put(mem);
}

/* A heap made again over the same memory is a new heap: the thread's old
 * cache slot names the old one and must not be used. */
static void test_heap_made_again_gets_a_fresh_cache(void **state)
{
	unsigned char *mem = buffer_get(1 << 20);
	struct heap *h;
	void *p;

	(void)state;
	for (int i = 0; i < 5; i++) {
		h = heap_create_flags(mem, 1 << 20, HEAP_CACHES);
		assert_non_null(h);
		p = heap_alloc(h, 64);
		assert_non_null(p);
		heap_free(h, p);
		assert_int_equal(heap_check(h), 0);
		heap_destroy(h);
		/* a destroyed heap does nothing */
		assert_null(heap_alloc(h, 64));
		memset(mem, 0x5a, 1 << 20);
	}
	buffer_put(mem);
}

/* After fork, parent and child share the heap (MAP_SHARED) but each has
 * its own cache: the child never gets a block the parent's cache holds. */
static void test_forked_child_does_not_use_the_parents_cache(void **state)
{
	size_t bytes = 1 << 20;
	unsigned char *mem = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct heap *h;
	void *p;
	pid_t pid;
	int status;

	(void)state;
	assert_true(mem != MAP_FAILED);
	h = heap_create_flags(mem, bytes, HEAP_CACHES);
	p = heap_alloc(h, 64);
	heap_free(h, p); /* in the parent's cache */
	pid = fork();
	if (pid == 0) {
		void *q = heap_alloc(h, 64);

		_exit(q == NULL ? 2 : q == p ? 3 : heap_check(h) ? 4 : 0);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_ptr_equal(heap_alloc(h, 64), p);
	heap_free(h, p);
	heap_destroy(h);
	munmap(mem, bytes);
}

/* after a test without hooks, even one that failed half way */
static int hooks_back(void **state)
{
	(void)state;
	mm_host_init();
	return 0;
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_freed_small_block_stays_in_the_cache),
	    T(test_cache_hands_back_the_last_block_freed),
	    T(test_cache_hits_take_no_lock),
	    T(test_lock_is_taken_once_per_batch),
	    T(test_coarse_classes_share_a_block),
	    T(test_cached_realloc_keeps_the_usable_bytes),
	    T(test_large_blocks_bypass_the_cache),
	    T(test_double_free_of_a_cached_block_is_reported),
	    T(test_double_free_after_the_drain_is_reported),
	    T(test_realloc_and_usable_size_of_a_cached_block),
	    T(test_bad_pointers_are_reported_with_caches),
	    T(test_free_of_a_cache_structure_is_refused),
	    T(test_overflow_into_a_cached_header_is_reported),
	    T(test_write_after_free_into_a_cached_link_is_caught),
	    T(test_heap_check_finds_a_damaged_cache_list),
	    T(test_drain_gives_every_cached_block_back),
	    cmocka_unit_test(test_allocation_drains_the_caches_before_failing),
	    T(test_cached_memory_is_bounded),
	    T(test_thread_exit_gives_its_cache_back),
	    T(test_allocation_waits_for_a_busy_threads_cache),
	    T(test_allocation_fails_past_an_idle_threads_cache),
	    T(test_blocks_freed_by_another_thread),
	    T(test_walk_callback_calling_in_is_refused),
	    T(test_fault_handler_calling_in_is_refused),
	    cmocka_unit_test_teardown(
		test_walk_reentry_without_hooks_is_refused, hooks_back),
	    cmocka_unit_test_teardown(test_caches_without_hooks_are_shards,
				      hooks_back),
	    cmocka_unit_test(test_checking_mode_bypasses_the_caches),
	    cmocka_unit_test(test_heap_made_again_gets_a_fresh_cache),
	    cmocka_unit_test(test_forked_child_does_not_use_the_parents_cache),
	};

	mm_host_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
