/*
 * selftest_alloc.c - the allocation behaviours, through the original API
 * (mm/memory.h) and the heap API where the original has no equivalent.
 */
#include <stdint.h>

#include "kernel/tests/selftest_cases.h"
#include "mm/memory.h"
#include "tests/common/stamp.h"

#define MANY 3000

/* Shared by the tests that hold many blocks at once; too big for the
 * 16 KiB boot stack. */
static unsigned char *blocks[MANY];
static size_t sizes[MANY];

static int aligned(const void *p, size_t align)
{
	return ((uintptr_t)p & (align - 1)) == 0;
}

/* Mostly small, some medium, a few large: what a kernel asks for. */
static size_t mixed_size(void)
{
	uint32_t r = st_random();

	switch (r % 20) {
	case 0:
		return 8192 + (r >> 8) % 57344; /* 8..64 KiB */
	case 1:
	case 2:
	case 3:
	case 4:
		return 256 + (r >> 8) % 7936; /* 256 B..8 KiB */
	default:
		return 1 + (r >> 8) % 256;
	}
}

static void free_all(size_t n)
{
	for (size_t i = 0; i < n; i++) {
		deallocate_memory(blocks[i]);
		blocks[i] = NULL;
	}
}

int st_alignment(struct st_env *env)
{
	size_t n;

	for (n = 0; n < 1000; n++) {
		sizes[n] = n < 64 ? n : mixed_size();
		blocks[n] = allocate_memory(sizes[n]);
		if (!blocks[n] || !aligned(blocks[n], 16) ||
		    heap_usable_size(env->heap, blocks[n]) < sizes[n])
			break;
	}
	if (n < 1000) {
		unsigned char *p = blocks[n];
		size_t usable = p ? heap_usable_size(env->heap, p) : 0;

		free_all(n + 1);
		return st_fail("allocation %zu of %zu bytes gave %p, usable "
			       "%zu",
			       n, sizes[n], (void *)p, usable);
	}
	free_all(n);
	return 0;
}

int st_zero_size_and_null(struct st_env *env)
{
	unsigned char *a = allocate_memory(0), *b = allocate_memory(0), *c;

	(void)env;
	if (!a || !b || a == b) {
		deallocate_memory(a);
		deallocate_memory(b == a ? NULL : b);
		return st_fail("malloc(0) gave %p and %p", (void *)a,
			       (void *)b);
	}
	deallocate_memory(a);
	deallocate_memory(b);
	deallocate_memory(NULL);

	c = reallocate_memory(NULL, 100);
	ST_CHECK(c && aligned(c, 16), "realloc(NULL, 100) gave %p", (void *)c);
	stamp_fill(c, 100, 1);
	c = reallocate_memory(c, 0);
	ST_CHECK(c == NULL, "realloc(p, 0) gave %p, not NULL", (void *)c);
	return 0;
}

static size_t overlap_check(size_t n)
{
	/* Shell sort by address (Ciura's gaps), then neighbours must not
	 * overlap. */
	static const size_t gaps[] = {701, 301, 132, 57, 23, 10, 4, 1};

	for (size_t g = 0; g < sizeof(gaps) / sizeof(gaps[0]); g++) {
		size_t gap = gaps[g];
		for (size_t i = gap; i < n; i++) {
			unsigned char *p = blocks[i];
			size_t s = sizes[i], j = i;
			for (; j >= gap &&
			       (uintptr_t)blocks[j - gap] > (uintptr_t)p;
			     j -= gap) {
				blocks[j] = blocks[j - gap];
				sizes[j] = sizes[j - gap];
			}
			blocks[j] = p;
			sizes[j] = s;
		}
	}
	for (size_t i = 0; i + 1 < n; i++)
		if ((uintptr_t)blocks[i] + sizes[i] > (uintptr_t)blocks[i + 1])
			return i;
	return n;
}

int st_mixed_sizes(struct st_env *env)
{
	size_t n, bad, at;

	(void)env;
	for (n = 0; n < MANY; n++) {
		sizes[n] = mixed_size();
		blocks[n] = allocate_memory(sizes[n]);
		if (!blocks[n])
			break;
		stamp_fill(blocks[n], sizes[n], (uintptr_t)blocks[n]);
	}
	/* Small machines (32 MiB) may run out; a thousand blocks still
	 * make the test worth its name. */
	if (n < 1000) {
		free_all(n);
		return st_fail("out of memory after %zu blocks", n);
	}
	for (size_t i = 0; i < n; i++) {
		at = stamp_find_damage(blocks[i], sizes[i],
				       (uintptr_t)blocks[i]);
		if (at != sizes[i]) {
			unsigned got = blocks[i][at],
				 want = stamp_byte((uintptr_t)blocks[i], at);

			free_all(n);
			return st_fail("block %p (%zu bytes) damaged at +%zu: "
				       "0x%02x, not its stamp's 0x%02x",
				       (void *)blocks[i], sizes[i], at, got,
				       want);
		}
	}
	bad = overlap_check(n);
	if (bad != n) {
		unsigned char *p = blocks[bad], *q = blocks[bad + 1];
		size_t s = sizes[bad];
		free_all(n);
		return st_fail("blocks overlap: %p+%zu runs into %p", (void *)p,
			       s, (void *)q);
	}
	/* Free every other block, then check the survivors: merging the
	 * freed ones with their neighbours must not touch them. */
	for (size_t i = 0; i < n; i += 2) {
		deallocate_memory(blocks[i]);
		blocks[i] = NULL;
	}
	for (size_t i = 1; i < n; i += 2) {
		at = stamp_find_damage(blocks[i], sizes[i],
				       (uintptr_t)blocks[i]);
		if (at != sizes[i]) {
			unsigned got = blocks[i][at],
				 want = stamp_byte((uintptr_t)blocks[i], at);

			free_all(n);
			return st_fail("block %p (%zu bytes) damaged at +%zu "
				       "by frees of its neighbours: 0x%02x, "
				       "not its stamp's 0x%02x",
				       (void *)blocks[i], sizes[i], at, got,
				       want);
		}
	}
	free_all(n);
	return 0;
}

int st_aligned_alloc(struct st_env *env)
{
	static const size_t bad_aligns[] = {0, 3, 24, 48, HEAP_MAX_ALIGN * 2};

	(void)env;
	for (size_t align = 32; align <= 1024 * 1024; align *= 2) {
		size_t want[] = {1, align, align + 1, 3 * align / 2};
		for (size_t k = 0; k < sizeof(want) / sizeof(want[0]); k++) {
			unsigned char *p =
			    allocate_aligned_memory(align, want[k]);
			ST_CHECK(p && aligned(p, align),
				 "aligned_alloc(%zu, %zu) gave %p", align,
				 want[k], (void *)p);
			stamp_fill(p, want[k], align);
			size_t at = stamp_find_damage(p, want[k], align);
			unsigned got = at < want[k] ? p[at] : 0;

			deallocate_memory(p);
			ST_CHECK(
			    at == want[k],
			    "aligned block %p (%zu bytes) damaged at +%zu: "
			    "0x%02x, not its stamp's 0x%02x",
			    (void *)p, want[k], at, got, stamp_byte(align, at));
		}
	}
	for (size_t k = 0; k < sizeof(bad_aligns) / sizeof(bad_aligns[0]);
	     k++) {
		void *p = allocate_aligned_memory(bad_aligns[k], 64);
		deallocate_memory(p);
		ST_CHECK(!p, "aligned_alloc(%zu, 64) gave %p, not NULL",
			 bad_aligns[k], p);
	}
	return 0;
}

int st_realloc_keeps_data(struct st_env *env)
{
	static const size_t steps[] = {100,  1000, 10000, 100000, 300000,
				       5000, 50,   50,	  4000};
	unsigned char *p = NULL, *blocker = NULL;
	size_t have = 0;

	(void)env;
	for (size_t k = 0; k < sizeof(steps) / sizeof(steps[0]); k++) {
		size_t n = steps[k], keep = n < have ? n : have;
		unsigned char *q = reallocate_memory(p, n);

		if (!q) {
			deallocate_memory(p);
			deallocate_memory(blocker);
			return st_fail("realloc(%p, %zu) failed", (void *)p, n);
		}
		size_t at = stamp_find_damage(q, keep, 77);
		if (at != keep) {
			unsigned got = q[at];

			deallocate_memory(q);
			deallocate_memory(blocker);
			return st_fail("realloc %zu -> %zu bytes lost data at "
				       "+%zu: 0x%02x, not its stamp's 0x%02x",
				       have, n, at, got, stamp_byte(77, at));
		}
		stamp_fill(q, n, 77);
		p = q;
		have = n;
		/* A neighbour right after the block forces the next grow to
		 * move it rather than extend in place: both paths run. */
		if (k == 2)
			blocker = allocate_memory(64);
	}
	deallocate_memory(p);
	deallocate_memory(blocker);
	return 0;
}

int st_calloc_zeroes(struct st_env *env)
{
	static const size_t counts[] = {1, 3, 100, 4096, 65536};
	unsigned char *p;

	(void)env;
	for (size_t k = 0; k < sizeof(counts) / sizeof(counts[0]); k++) {
		size_t n = counts[k];
		/* Dirty memory first, so calloc must really clear it. */
		p = allocate_memory(n * 4);
		ST_CHECK(p, "malloc(%zu) failed", n * 4);
		for (size_t i = 0; i < n * 4; i++)
			p[i] = 0xA5;
		deallocate_memory(p);

		p = allocate_clear_memory(n, 4);
		ST_CHECK(p, "calloc(%zu, 4) failed", n);
		size_t at = stamp_find_other(p, n * 4, 0);
		unsigned got = at < n * 4 ? p[at] : 0;

		deallocate_memory(p);
		ST_CHECK(at == n * 4, "calloc(%zu, 4) byte +%zu is 0x%02x", n,
			 at, got);
	}
	p = allocate_clear_memory(SIZE_MAX / 2 + 1, 2);
	deallocate_memory(p);
	ST_CHECK(!p, "calloc whose size overflows gave %p", (void *)p);
	p = allocate_clear_memory(0, 16);
	ST_CHECK(p, "calloc(0, 16) gave NULL");
	deallocate_memory(p);
	return 0;
}

int st_out_of_memory(struct st_env *env)
{
	struct heap_stats s;
	size_t chunk = 1024 * 1024, n = 0;
	char first[120];
	int bad;

	/* Big machines get bigger chunks, so the blocks array suffices. */
	heap_get_stats(env->heap, &s);
	while (s.bytes_free / chunk > MANY / 2)
		chunk *= 2;

	/* Take all the memory there is, a megabyte at a time, touching both
	 * ends of each block: every byte handed out must be real RAM. */
	while (n < MANY && (blocks[n] = allocate_memory(chunk)) != NULL) {
		blocks[n][0] = (unsigned char)n;
		blocks[n][chunk - 1] = (unsigned char)~n;
		n++;
	}
	unsigned char *huge = allocate_memory(SIZE_MAX - 4096);
	unsigned char *more = n < MANY ? allocate_memory(chunk) : NULL;
	bad = st_heap_check(env->heap, first, sizeof(first));
	for (size_t i = 0; i < n; i++) {
		if (blocks[i][0] != (unsigned char)i ||
		    blocks[i][chunk - 1] != (unsigned char)~i) {
			free_all(n);
			return st_fail("%zu-byte block %zu at %p did not "
				       "keep its data",
				       chunk, i, (void *)blocks[i]);
		}
	}
	free_all(n);
	deallocate_memory(huge);
	deallocate_memory(more);
	ST_CHECK(n > 0, "not even one %zu-byte block", chunk);
	ST_CHECK(!huge, "malloc(SIZE_MAX - 4096) gave %p", (void *)huge);
	ST_CHECK(!more, "a %zu-byte block after running out: %p", chunk,
		 (void *)more);
	ST_CHECK(bad == 0, "heap_check found %d problem(s) when full: %s", bad,
		 first);
	return 0;
}

int st_largest_free(struct st_env *env)
{
	struct heap_stats s;
	unsigned char *p;

	heap_get_stats(env->heap, &s);
	ST_CHECK(s.largest_free > 0, "largest_free is 0");
	p = allocate_memory(s.largest_free);
	ST_CHECK(p, "malloc(largest_free = %zu) failed", s.largest_free);
	p[0] = 1;
	p[s.largest_free - 1] = 2;
	deallocate_memory(p);
	return 0;
}

struct walk_count {
	size_t used, free, quarantined, cached, bytes_used, bytes_free,
	    bytes_quarantined, bytes_cached;
};

static int count_block(const struct heap_block_info *b, void *ctx)
{
	struct walk_count *c = ctx;

	/* A quarantined block is free to the walk, but not yet reusable; a
	 * cached one is neither used nor free; the caches' own memory
	 * (internal) is overhead: the stats count each apart. */
	if (b->quarantined) {
		c->quarantined++;
		c->bytes_quarantined += b->size;
	} else if (b->free) {
		c->free++;
		c->bytes_free += b->size;
	} else if (b->cached) {
		c->cached++;
		c->bytes_cached += b->size;
	} else if (!b->internal) {
		c->used++;
		c->bytes_used += b->size;
	}
	return 0;
}

int st_walk_matches_stats(struct st_env *env)
{
	struct walk_count c = {0};
	struct heap_stats s;
	int r;

	for (size_t i = 0; i < 100; i++)
		blocks[i] = allocate_memory(mixed_size());
	for (size_t i = 0; i < 100; i += 3) {
		deallocate_memory(blocks[i]);
		blocks[i] = NULL;
	}
	r = heap_walk(env->heap, count_block, &c);
	heap_get_stats(env->heap, &s);
	free_all(100);
	ST_CHECK(r == 0, "heap_walk returned %d", r);
	ST_CHECK(c.used == s.used_blocks && c.free == s.free_blocks,
		 "walk saw %zu used/%zu free blocks, stats say %zu/%zu", c.used,
		 c.free, s.used_blocks, s.free_blocks);
	ST_CHECK(c.bytes_used == s.bytes_used && c.bytes_free == s.bytes_free,
		 "walk saw %zu/%zu bytes used/free, stats say %zu/%zu",
		 c.bytes_used, c.bytes_free, s.bytes_used, s.bytes_free);
	ST_CHECK(c.quarantined == s.quarantined_blocks &&
		     c.bytes_quarantined == s.bytes_quarantined,
		 "walk saw %zu quarantined blocks of %zu bytes, stats say "
		 "%zu of %zu",
		 c.quarantined, c.bytes_quarantined, s.quarantined_blocks,
		 s.bytes_quarantined);
	/* one CPU runs this; the others' caches hold still meanwhile */
	ST_CHECK(c.cached == s.cached_blocks &&
		     c.bytes_cached == s.bytes_cached,
		 "walk saw %zu cached blocks of %zu bytes, stats say %zu of "
		 "%zu",
		 c.cached, c.bytes_cached, s.cached_blocks, s.bytes_cached);
	return 0;
}

/* Bytes of heap memory held in regions (large blocks aside). */
static size_t region_bytes(const struct heap_stats *s)
{
	return s->bytes_used - s->bytes_large + s->bytes_free +
	       s->bytes_overhead + s->bytes_quarantined + s->bytes_cached;
}

/*
 * The heap starts as one small mapping: taking more than it holds must make
 * it grow (a new region of fresh frames), and the new memory must be real.
 * Blocks below the large-block threshold, so that they come from regions.
 */
int st_heap_grows(struct st_env *env)
{
	const size_t chunk = 16 * 1024;
	struct heap_stats before, after;
	size_t n = 0, want;

	/* what earlier tests grew goes back first (no other CPU is in the
	 * heap between tests): growth must come from fresh frames */
	heap_drain_caches(env->heap);
	heap_flush_quarantine(env->heap);
	heap_trim(env->heap);
	heap_get_stats(env->heap, &before);
	want = region_bytes(&before) + chunk;
	do {
		blocks[n] = allocate_memory(chunk);
		if (!blocks[n])
			break;
		stamp_fill(blocks[n], chunk, n);
		heap_get_stats(env->heap, &after);
		n++;
	} while (n < MANY && after.regions_grown == before.regions_grown);
	for (size_t i = 0; i < n; i++) {
		size_t at = stamp_find_damage(blocks[i], chunk, i);

		if (at != chunk) {
			unsigned got = blocks[i][at];

			free_all(n);
			return st_fail("block %zu at %p lost its data at +%zu: "
				       "0x%02x, not its stamp's 0x%02x",
				       i, (void *)blocks[i], at, got,
				       stamp_byte(i, at));
		}
	}
	free_all(n);
	ST_CHECK(n > 0 && n < MANY,
		 "%zu blocks of %zu bytes did not make "
		 "the heap grow",
		 n, chunk);
	ST_CHECK(after.regions == before.regions + 1 &&
		     region_bytes(&after) >= want,
		 "after growing: %zu regions (%zu before), %zu bytes in "
		 "regions (%zu before)",
		 after.regions, before.regions, region_bytes(&after),
		 region_bytes(&before));
	kprintf("heap: grew by %zu KiB to %zu KiB\n",
		(region_bytes(&after) - region_bytes(&before)) >> 10,
		region_bytes(&after) >> 10);
	return 0;
}
