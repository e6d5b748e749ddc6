/*
 * selftest_cache.c - the per-CPU caches on the kernel's own heap
 * (mm/cache.h): a small block freed is taken back from this CPU's cache
 * without the heap's lock, a batch of frees takes it once per batch, a
 * block freed twice while it sits in the cache is reported, and
 * heap_drain_caches() gives everything back. A heap without caches
 * (caches=off, or a checking mode, which bypasses them) must instead take
 * the lock on every call and show no cache at all.
 *
 * The lock's counter (heap_get_stats' lock_acquired) is the witness:
 * heap_get_stats takes the lock itself, once per call, which is taken out.
 */
#include "kernel/tests/selftest_cases.h"
#include "mm/memory.h"

#define SMALL	 48  /* well inside the caches' limit */
#define BATCHED	 200 /* blocks: several batches of any class */
#define MIN_PER	 4   /* the fewest blocks a batch holds (CACHE_BATCH_MIN) */
#define MANY_MAX 256

static void *many[MANY_MAX];

/* Times the lock was taken since `before` was read, by others than
 * heap_get_stats. */
static size_t locks_since(struct heap *h, const struct heap_stats *before)
{
	struct heap_stats now;

	heap_get_stats(h, &now);
	return now.lock_acquired - before->lock_acquired - 1;
}

struct find {
	const void *ptr;
	int seen, cached;
};

static int find_block(const struct heap_block_info *b, void *ctx)
{
	struct find *f = ctx;

	if (b->ptr != f->ptr)
		return 0;
	f->seen = 1;
	f->cached = b->cached;
	return 1;
}

static struct find walk_to(struct heap *h, const void *p)
{
	struct find f = {p, 0, 0};

	heap_walk(h, find_block, &f);
	return f;
}

/* No caches: every call takes the lock, and this CPU has no cache. */
static int uncached(struct st_env *env)
{
	struct heap_cache_stats c;
	struct heap_stats s;
	size_t locks;
	void *p;

	heap_get_stats(env->heap, &s);
	p = allocate_memory(SMALL);
	deallocate_memory(p);
	locks = locks_since(env->heap, &s);
	heap_get_cache_stats(env->heap, &c);
	ST_CHECK(p, "malloc(%d) failed", SMALL);
	ST_CHECK(locks == 2,
		 "malloc and free without caches took the lock %zu times, "
		 "not twice",
		 locks);
	ST_CHECK(c.alloc_hits + c.alloc_misses + c.free_hits + c.blocks == 0,
		 "a heap without caches shows a cache: %zu hits, %zu blocks",
		 c.alloc_hits, c.blocks);
	ST_CHECK(s.cached_blocks == 0, "%zu cached block(s) without caches",
		 s.cached_blocks);
	return 0;
}

/* A freed block is the next one handed out, through the cache alone. */
static int reuse_without_lock(struct st_env *env)
{
	struct heap_cache_stats c0, c1;
	struct heap_stats s;
	unsigned char *p = allocate_memory(SMALL), *q;
	struct find f;
	size_t locks;

	ST_CHECK(p, "malloc(%d) failed", SMALL);
	deallocate_memory(p);
	f = walk_to(env->heap, p);
	ST_CHECK(f.seen && f.cached, "freed block %p: the walk %s it %s",
		 (void *)p, f.seen ? "shows" : "does not show",
		 f.seen ? "as not cached" : "at all");
	heap_get_cache_stats(env->heap, &c0);
	heap_get_stats(env->heap, &s);
	q = allocate_memory(SMALL);
	deallocate_memory(q);
	locks = locks_since(env->heap, &s);
	heap_get_cache_stats(env->heap, &c1);
	ST_CHECK(q == p, "malloc(%d) after the free gave %p, not the cached %p",
		 SMALL, (void *)q, (void *)p);
	ST_CHECK(locks == 0,
		 "malloc and free from the cache took the lock %zu time(s)",
		 locks);
	ST_CHECK(c1.alloc_hits == c0.alloc_hits + 1 &&
		     c1.free_hits == c0.free_hits + 1,
		 "cache hits went %zu -> %zu (alloc), %zu -> %zu (free); "
		 "wanted one more each",
		 c0.alloc_hits, c1.alloc_hits, c0.free_hits, c1.free_hits);
	return 0;
}

/* Blocks move between the cache and the heap a batch at a time. */
static int batches(struct st_env *env)
{
	struct heap_stats s;
	size_t locks, n;

	heap_get_stats(env->heap, &s);
	for (n = 0; n < BATCHED; n++)
		if (!(many[n] = allocate_memory(SMALL)))
			break;
	for (size_t i = 0; i < n; i++)
		deallocate_memory(many[i]);
	locks = locks_since(env->heap, &s);
	ST_CHECK(n == BATCHED, "malloc(%d) failed after %zu blocks", SMALL, n);
	ST_CHECK(locks <= 2 * (BATCHED / MIN_PER + 1),
		 "%d mallocs and frees took the lock %zu times: more than "
		 "once per batch of %d",
		 2 * BATCHED, locks, MIN_PER);
	return 0;
}

static int double_free_in_cache(struct st_env *env)
{
	struct st_recorded r = {0};
	unsigned char *p = allocate_memory(SMALL);

	ST_CHECK(p, "malloc(%d) failed", SMALL);
	deallocate_memory(p);
	heap_set_fault_handler(env->heap, st_record, &r);
	deallocate_memory(p);
	heap_set_fault_handler(env->heap, NULL, NULL);
	ST_CHECK(r.count == 1 && r.kind[0] == HEAP_FAULT_DOUBLE_FREE &&
		     r.ptr == p,
		 "%d fault(s), first %s on %p; wanted one double free of the "
		 "cached %p",
		 r.count, r.count ? heap_fault_name(r.kind[0]) : "-", r.ptr,
		 (void *)p);
	return 0;
}

/* Runs before smp_stress: no other CPU has a cache that holds blocks. */
static int drain(struct st_env *env)
{
	struct heap_cache_stats c;
	struct heap_stats s;
	unsigned char *p = allocate_memory(SMALL);
	struct find f;

	ST_CHECK(p, "malloc(%d) failed", SMALL);
	deallocate_memory(p);
	heap_drain_caches(env->heap);
	heap_get_cache_stats(env->heap, &c);
	heap_get_stats(env->heap, &s);
	f = walk_to(env->heap, p);
	ST_CHECK(c.blocks == 0 && c.bytes == 0,
		 "after heap_drain_caches this CPU's cache holds %zu "
		 "block(s), %zu bytes",
		 c.blocks, c.bytes);
	ST_CHECK(s.cached_blocks == 0 && s.bytes_cached == 0,
		 "after heap_drain_caches the heap counts %zu cached "
		 "block(s), %zu bytes",
		 s.cached_blocks, s.bytes_cached);
	ST_CHECK(!f.seen || !f.cached,
		 "block %p is still cached after heap_drain_caches", (void *)p);
	return 0;
}

int st_cache(struct st_env *env)
{
	if (!(env->heap_flags & HEAP_CACHES) ||
	    (env->heap_flags & HEAP_CHECKING))
		return uncached(env);
	if (reuse_without_lock(env) != 0 || batches(env) != 0 ||
	    double_free_in_cache(env) != 0)
		return -1;
	return drain(env);
}
