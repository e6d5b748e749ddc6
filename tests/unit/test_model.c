/*
 * test_model.c - randomized model-based test of a heap.
 *
 * Long random sequences of alloc, calloc, realloc, aligned alloc and free
 * run against a shadow table of what should be live. Every block is filled
 * with a stamp of its own and verified before it is freed or resized and
 * at every checkpoint; every new block is checked for alignment, bounds and
 * overlap with all live blocks; checkpoints also run heap_check and compare
 * the stats with the shadow and with heap_walk. At the end everything is
 * freed and must merge back to the free space the heap started with.
 *
 * The seed is printed first. Replay a failure with
 *     MODEL_SEED=<seed> ./test_model      or      ./test_model <seed>
 * MODEL_STEPS=<n> changes the number of steps per run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "host/mm_host.h"
#include "mm/heap.h"
#include "tests/common/fault_log.h"
#include "tests/common/fixture.h"
#include "tests/common/stamp.h"
#include "tests/common/rng.h"
#include "tests/common/walk.h"

#define SLOTS		 256
#define MAX_REGIONS	 4
#define SEEDS_PER_CONFIG 3

/* How a run is shaped: its memory, request sizes and alignments. */
struct config {
	const char *name;
	size_t region_bytes[MAX_REGIONS]; /* 0 ends the list */
	size_t misalign; /* offset of regions after the first */
	size_t max_size; /* largest ordinary request */
	unsigned max_align_log2;
	size_t check_every; /* steps between full checkpoints */
	unsigned flags;	    /* for heap_create_flags */
};

static const struct config configs[] = {
    /* Small: most large requests fail, so the OOM paths run often. */
    {.name = "small",
     .region_bytes = {32 << 10},
     .max_size = 8 << 10,
     .max_align_log2 = 10,
     .check_every = 64},
    {.name = "medium",
     .region_bytes = {1 << 20},
     .max_size = 64 << 10,
     .max_align_log2 = 16,
     .check_every = 256},
    {.name = "regions",
     .region_bytes = {64 << 10, 48 << 10, 128 << 10, 300 << 10},
     .misalign = 7,
     .max_size = 32 << 10,
     .max_align_log2 = 12,
     .check_every = 128},
    {.name = "aligned",
     .region_bytes = {4 << 20},
     .max_size = 16 << 10,
     .max_align_log2 = 20,
     .check_every = 256},
    /* The same properties hold with the hardening switched on. */
    {.name = "checking",
     .region_bytes = {256 << 10, 64 << 10},
     .misalign = 3,
     .max_size = 16 << 10,
     .max_align_log2 = 12,
     .check_every = 128,
     .flags = HEAP_CHECKING},
    {.name = "quarantine",
     .region_bytes = {256 << 10},
     .max_size = 16 << 10,
     .max_align_log2 = 12,
     .check_every = 128,
     .flags = HEAP_QUARANTINE},
};
#define NCONFIGS (sizeof configs / sizeof configs[0])

struct slot {
	unsigned char *ptr; /* NULL: empty */
	size_t size;	    /* requested */
	size_t usable;
	size_t align;
	uint32_t seed;
};

struct model {
	const struct config *cfg;
	uint64_t seed;
	size_t step;
	struct rng rng;
	struct heap *heap;
	struct fault_log log;
	unsigned char *buf[MAX_REGIONS];
	uintptr_t lo[MAX_REGIONS], hi[MAX_REGIONS];
	size_t nregions;
	struct slot slot[SLOTS];
	size_t live;
	size_t requested;
	size_t ooms, ops;
};

static uint64_t base_seed;
static size_t steps_per_run = 12000;

static void model_fail(const struct model *m, const char *what, int line)
{
	fail_msg("model %s: seed %llu, step %zu: %s (line %d)\n"
		 "replay: MODEL_SEED=%llu",
		 m->cfg->name, (unsigned long long)m->seed, m->step, what, line,
		 (unsigned long long)base_seed);
}

#define CHECK(m, cond)                                                         \
	do {                                                                   \
		if (!(cond))                                                   \
			model_fail((m), #cond, __LINE__);                      \
	} while (0)

static struct heap_stats stats(struct model *m)
{
	return stats_of(m->heap);
}

static void model_open(struct model *m, const struct config *cfg, uint64_t seed)
{
	memset(m, 0, sizeof *m);
	m->cfg = cfg;
	m->seed = seed;
	rng_seed(&m->rng, seed);
	for (size_t i = 0; i < MAX_REGIONS && cfg->region_bytes[i]; i++) {
		size_t off = i ? cfg->misalign * i : 0;
		size_t bytes = cfg->region_bytes[i];

		m->buf[i] = buffer_get(bytes + off);
		assert_non_null(m->buf[i]);
		m->lo[i] = (uintptr_t)m->buf[i] + off;
		m->hi[i] = m->lo[i] + bytes;
		m->nregions++;
		if (i == 0) {
			m->heap =
			    heap_create_flags(m->buf[0], bytes, cfg->flags);
			assert_non_null(m->heap);
			fault_log_attach(&m->log, m->heap);
		} else {
			CHECK(m, heap_add_region(m->heap, m->buf[i] + off,
						 bytes) == 0);
		}
	}
}

static void model_close(struct model *m)
{
	for (size_t i = 0; i < m->nregions; i++)
		buffer_put(m->buf[i]);
}

static size_t random_size(struct model *m)
{
	uint64_t r = rng_below(&m->rng, 100);
	size_t max = m->cfg->max_size;

	if (r < 45)
		return rng_range(&m->rng, 0, 64);
	if (r < 75)
		return rng_range(&m->rng, 65, 1024);
	if (r < 92)
		return rng_range(&m->rng, 1025, 8192);
	return rng_range(&m->rng, 0, max);
}

static size_t random_align(struct model *m)
{
	return (size_t)1 << rng_range(&m->rng, 0, m->cfg->max_align_log2);
}

static int in_some_region(const struct model *m, const unsigned char *p,
			  size_t n)
{
	for (size_t i = 0; i < m->nregions; i++) {
		if (inside(p, n, (const void *)m->lo[i], m->hi[i] - m->lo[i]))
			return 1;
	}
	return 0;
}

static void verify_slot(struct model *m, const struct slot *s)
{
	size_t bad = stamp_find_damage(s->ptr, s->size, s->seed);

	if (bad != s->size) {
		char what[120];

		snprintf(what, sizeof what,
			 "block %p (%zu bytes) damaged at offset %zu: 0x%02x, "
			 "not its stamp's 0x%02x",
			 (void *)s->ptr, s->size, bad, s->ptr[bad],
			 stamp_byte(s->seed, bad));
		model_fail(m, what, __LINE__);
	}
}

/* A block the heap just handed out for slot i: check it, then fill it. */
static void adopt(struct model *m, size_t i, unsigned char *p, size_t size,
		  size_t align, int zeroed)
{
	struct slot *s = &m->slot[i];
	size_t want = align > HEAP_ALIGN ? align : HEAP_ALIGN;

	CHECK(m, (uintptr_t)p % want == 0);
	s->ptr = p;
	s->size = size;
	s->align = align;
	s->usable = heap_usable_size(m->heap, p);
	CHECK(m, s->usable >= size);
	CHECK(m, in_some_region(m, p, s->usable));
	for (size_t j = 0; j < SLOTS; j++) {
		const struct slot *o = &m->slot[j];

		if (j == i || o->ptr == NULL)
			continue;
		CHECK(m, (uintptr_t)p + s->usable <= (uintptr_t)o->ptr ||
			     (uintptr_t)o->ptr + o->usable <= (uintptr_t)p);
	}
	if (zeroed)
		CHECK(m, stamp_uniform(p, size, 0));
	s->seed = (uint32_t)rng_next(&m->rng);
	stamp_fill(p, size, s->seed);
	m->live++;
	m->requested += size;
}

static void forget(struct model *m, size_t i)
{
	m->live--;
	m->requested -= m->slot[i].size;
	memset(&m->slot[i], 0, sizeof m->slot[i]);
}

/*
 * A refused request must leave the heap as it was, and be a real refusal:
 * no free block could have served it. Good-fit allocators may round a
 * request up to its size class (TLSF: by up to 1/16) and an aligned one
 * needs room to reach the boundary, hence the slack.
 */
static void check_refusal(struct model *m, const struct heap_stats *before,
			  size_t size, size_t align)
{
	struct heap_stats after = stats(m);
	size_t extra = align > HEAP_ALIGN ? align : 0;
	size_t slack = (size + extra) / 8 + extra + 256;

	m->ooms++;
	CHECK(m, after.used_blocks == before->used_blocks);
	CHECK(m, after.bytes_used == before->bytes_used);
	if (before->quarantined_blocks == 0) {
		CHECK(m, after.bytes_free == before->bytes_free);
		CHECK(m, after.free_blocks == before->free_blocks);
	} else {
		/* It may release the quarantine first, whose blocks then
		 * merge: free space can only grow, by their headers. */
		CHECK(m, after.bytes_free + after.bytes_quarantined >=
			     before->bytes_free + before->bytes_quarantined);
	}
	CHECK(m, size > before->largest_free ||
		     before->largest_free - size < slack);
	CHECK(m, m->log.total == 0);
}

static void do_alloc(struct model *m, size_t i)
{
	struct heap_stats before = stats(m);
	uint64_t kind = rng_below(&m->rng, 100);
	size_t size = random_size(m);
	size_t align = HEAP_ALIGN;
	int zeroed = 0;
	unsigned char *p;

	if (kind < 55) {
		p = heap_alloc(m->heap, size);
	} else if (kind < 70) {
		size_t n = rng_range(&m->rng, 1, 16);

		size -= size % n;
		p = heap_calloc(m->heap, n, size / n);
		zeroed = 1;
	} else if (kind < 88) {
		align = random_align(m);
		p = heap_aligned_alloc(m->heap, align, size);
	} else {
		p = heap_realloc(m->heap, NULL, size);
	}
	if (p == NULL)
		check_refusal(m, &before, size, align);
	else
		adopt(m, i, p, size, align, zeroed);
}

static void do_free(struct model *m, size_t i)
{
	verify_slot(m, &m->slot[i]);
	heap_free(m->heap, m->slot[i].ptr);
	forget(m, i);
}

static void do_realloc(struct model *m, size_t i)
{
	struct slot old = m->slot[i];
	struct heap_stats before = stats(m);
	uint64_t r = rng_below(&m->rng, 100);
	size_t size = r < 5 ? 0 : r < 15 ? old.size : random_size(m);
	size_t keep = size < old.size ? size : old.size;
	unsigned char *p;

	verify_slot(m, &old);
	p = heap_realloc(m->heap, old.ptr, size);
	if (size == 0) {
		CHECK(m, p == NULL);
		forget(m, i);
		return;
	}
	if (p == NULL) {
		/* The old block is untouched and still ours. */
		check_refusal(m, &before, size, old.align);
		verify_slot(m, &old);
		CHECK(m, heap_usable_size(m->heap, old.ptr) == old.usable);
		return;
	}
	if (size <= old.usable)
		CHECK(m, p == old.ptr); /* shrinking never moves */
	CHECK(m, stamp_intact(p, keep, old.seed));
	forget(m, i);
	adopt(m, i, p, size, old.align, 0);
}

/* Requests that must fail whatever the heap holds. */
static void do_bad_request(struct model *m)
{
	struct heap_stats before = stats(m);
	size_t half = (size_t)1 << (sizeof(size_t) * 4);
	size_t k = rng_range(&m->rng, 0, 4096);
	void *p;

	switch (rng_below(&m->rng, 4)) {
	case 0:
		p = heap_alloc(m->heap, SIZE_MAX - k);
		break;
	case 1:
		p = heap_calloc(m->heap, half + k, half);
		break;
	case 2:
		p = heap_aligned_alloc(m->heap,
				       (size_t)3 * HEAP_ALIGN << (k % 8), 64);
		break;
	default:
		p = heap_aligned_alloc(m->heap, 64, SIZE_MAX - k);
		break;
	}
	CHECK(m, p == NULL);
	CHECK(m, stats(m).used_blocks == before.used_blocks);
	CHECK(m, stats(m).bytes_free == before.bytes_free);
}

static void checkpoint(struct model *m)
{
	struct heap_stats s;
	struct walk_summary w;

	for (size_t i = 0; i < SLOTS; i++) {
		if (m->slot[i].ptr != NULL)
			verify_slot(m, &m->slot[i]);
	}
	CHECK(m, heap_check(m->heap) == 0);
	CHECK(m, m->log.total == 0);
	s = stats(m);
	CHECK(m, s.used_blocks == m->live);
	CHECK(m, s.bytes_requested == m->requested);
	CHECK(m, s.peak_used >= s.bytes_used);
	CHECK(m, s.regions == m->nregions);
	CHECK(m, walk_summarize(m->heap, &w) == 0);
	/* The walk shows quarantined blocks as free; the stats keep them
	 * apart, and they are not merged until they leave the quarantine. */
	CHECK(m, w.used_blocks == s.used_blocks);
	CHECK(m, w.free_blocks == s.free_blocks + s.quarantined_blocks);
	CHECK(m, w.bytes_used == s.bytes_used);
	CHECK(m, w.bytes_free == s.bytes_free + s.bytes_quarantined);
	CHECK(m, w.bytes_requested == s.bytes_requested);
	if (s.quarantined_blocks == 0) {
		/* stats say what one allocation can get: in checking mode
		 * the red zone comes out of the largest payload */
		size_t redzone = m->cfg->flags ? HEAP_REDZONE : 0;

		CHECK(m, w.largest_free == s.largest_free + redzone);
		CHECK(m, w.adjacent_free == 0);
	}
	CHECK(m, w.disorder == 0);
	CHECK(m, w.misaligned == 0);
}

static void run_model(const struct config *cfg, uint64_t seed)
{
	struct model *m = calloc(1, sizeof *m);
	struct heap_stats initial, final;

	assert_non_null(m);
	model_open(m, cfg, seed);
	initial = stats(m);
	for (m->step = 0; m->step < steps_per_run; m->step++) {
		size_t i = (size_t)rng_below(&m->rng, SLOTS);
		uint64_t r = rng_below(&m->rng, 100);

		m->ops++;
		if (r < 2)
			do_bad_request(m);
		else if (m->slot[i].ptr == NULL)
			do_alloc(m, i);
		else if (r < 50)
			do_free(m, i);
		else if (r < 90)
			do_realloc(m, i);
		else
			verify_slot(m, &m->slot[i]);
		if (m->step % cfg->check_every == 0)
			checkpoint(m);
	}
	checkpoint(m);
	for (size_t i = 0; i < SLOTS; i++) {
		if (m->slot[i].ptr != NULL)
			do_free(m, i);
	}
	heap_flush_quarantine(m->heap);
	final = stats(m);
	CHECK(m, heap_check(m->heap) == 0);
	CHECK(m, m->log.total == 0);
	CHECK(m, final.used_blocks == 0);
	CHECK(m, final.bytes_used == 0);
	CHECK(m, final.bytes_requested == 0);
	CHECK(m, final.free_blocks == m->nregions);
	CHECK(m, final.largest_free == initial.largest_free);
	CHECK(m, final.bytes_free == initial.bytes_free);
	/* The run must have exercised something; small heaps must hit OOM. */
	CHECK(m, m->ops == steps_per_run);
	if (cfg == &configs[0])
		CHECK(m, m->ooms > 0);
	printf("model %s: seed %llu: %zu steps, %zu refused, peak %zu bytes\n",
	       cfg->name, (unsigned long long)seed, m->ops, m->ooms,
	       final.peak_used);
	model_close(m);
	free(m);
}

static void run_config(const struct config *cfg)
{
	for (uint64_t k = 0; k < SEEDS_PER_CONFIG; k++)
		run_model(cfg, base_seed + k * 0x9e3779b97f4a7c15ull);
}

static void test_model_small_heap_with_frequent_oom(void **state)
{
	(void)state;
	run_config(&configs[0]);
}

static void test_model_medium_heap(void **state)
{
	(void)state;
	run_config(&configs[1]);
}

static void test_model_several_misaligned_regions(void **state)
{
	(void)state;
	run_config(&configs[2]);
}

static void test_model_large_alignments(void **state)
{
	(void)state;
	run_config(&configs[3]);
}

static void test_model_checking_mode(void **state)
{
	(void)state;
	run_config(&configs[4]);
}

static void test_model_quarantine(void **state)
{
	(void)state;
	run_config(&configs[5]);
}

static uint64_t pick_seed(int argc, char **argv)
{
	const char *env = getenv("MODEL_SEED");

	if (argc > 1)
		return strtoull(argv[1], NULL, 0);
	if (env != NULL && *env != '\0')
		return strtoull(env, NULL, 0);
	{
		/* time, CPU time and where the stack landed (ASLR) */
		int local;
		struct rng r;

		rng_seed(&r, (uint64_t)time(NULL) ^ ((uint64_t)clock() << 20) ^
				 (uint64_t)(uintptr_t)&local);
		return rng_next(&r) >> 16; /* short enough to retype */
	}
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_model_small_heap_with_frequent_oom),
	    cmocka_unit_test(test_model_medium_heap),
	    cmocka_unit_test(test_model_several_misaligned_regions),
	    cmocka_unit_test(test_model_large_alignments),
	    cmocka_unit_test(test_model_checking_mode),
	    cmocka_unit_test(test_model_quarantine),
	};
	const char *steps = getenv("MODEL_STEPS");

	base_seed = pick_seed(argc, argv);
	if (steps != NULL && *steps != '\0')
		steps_per_run = (size_t)strtoull(steps, NULL, 0);
	printf("model: seed %llu, %zu steps per run, %d seeds per config "
	       "(replay: MODEL_SEED=%llu)\n",
	       (unsigned long long)base_seed, steps_per_run, SEEDS_PER_CONFIG,
	       (unsigned long long)base_seed);
	fflush(stdout);
	mm_host_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
