/*
 * test_stats_walk.c - heap_get_stats and heap_walk: they agree with each
 * other and with what the caller allocated; the walk goes in address order
 * and stops when asked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "host/mm_host.h"
#include "mm/heap.h"
#include "tests/common/fixture.h"
#include "tests/common/walk.h"

#define MIX 40

/* Allocate a mix of sizes and alignments, then free every third block. */
static void make_mix(struct fixture *fx, void **p, size_t *asked)
{
	for (size_t i = 0; i < MIX; i++) {
		asked[i] = (i * 131) % 3000;
		if (i % 5 == 0)
			p[i] = heap_aligned_alloc(
			    fx->heap, (size_t)64 << (i % 7), asked[i]);
		else if (i % 5 == 1)
			p[i] = heap_calloc(fx->heap, 1, asked[i]);
		else
			p[i] = heap_alloc(fx->heap, asked[i]);
		assert_non_null(p[i]);
	}
	for (size_t i = 0; i < MIX; i += 3) {
		heap_free(fx->heap, p[i]);
		p[i] = NULL;
		asked[i] = 0;
	}
}

static void free_mix(struct fixture *fx, void **p)
{
	for (size_t i = 0; i < MIX; i++)
		heap_free(fx->heap, p[i]);
}

static void assert_stats_match_walk(struct heap *h)
{
	struct heap_stats s = stats_of(h);
	struct walk_summary w;

	assert_int_equal(walk_summarize(h, &w), 0);
	assert_int_equal(s.used_blocks, w.used_blocks);
	assert_int_equal(s.free_blocks, w.free_blocks);
	assert_int_equal(s.bytes_used, w.bytes_used);
	assert_int_equal(s.bytes_free, w.bytes_free);
	assert_int_equal(s.bytes_requested, w.bytes_requested);
	assert_int_equal(s.largest_free, w.largest_free);
	assert_int_equal(s.regions, w.regions);
}

static void test_stats_of_a_fresh_heap(void **state)
{
	struct fixture *fx = *state;
	struct heap_stats s = stats_of(fx->heap);

	assert_int_equal(s.used_blocks, 0);
	assert_int_equal(s.free_blocks, 1);
	assert_int_equal(s.regions, 1);
	assert_int_equal(s.bytes_used, 0);
	assert_int_equal(s.bytes_requested, 0);
	assert_int_equal(s.peak_used, 0);
	assert_true(s.bytes_free > 0 && s.bytes_free < fx->bytes);
	assert_int_equal(s.largest_free, s.bytes_free);
	for (int k = 0; k < HEAP_FAULT_KINDS; k++)
		assert_int_equal(s.faults[k], 0);
}

static void assert_every_byte_accounted(struct heap *h, size_t total)
{
	struct heap_stats s = stats_of(h);

	assert_int_equal(s.bytes_used + s.bytes_free + s.bytes_overhead, total);
}

static void test_stats_account_for_every_byte_of_the_heap(void **state)
{
	struct fixture *fx = *state;
	size_t piece_bytes = 64 << 10;
	unsigned char *piece = fixture_buffer(fx, piece_bytes);
	void *p[MIX];
	size_t asked[MIX];

	assert_non_null(piece);
	assert_every_byte_accounted(fx->heap, fx->bytes);
	make_mix(fx, p, asked);
	assert_every_byte_accounted(fx->heap, fx->bytes);
	assert_int_equal(heap_add_region(fx->heap, piece, piece_bytes), 0);
	assert_every_byte_accounted(fx->heap, fx->bytes + piece_bytes);
	free_mix(fx, p);
	assert_every_byte_accounted(fx->heap, fx->bytes + piece_bytes);
}

static void test_stats_agree_with_the_walk(void **state)
{
	struct fixture *fx = *state;
	void *p[MIX];
	size_t asked[MIX];

	assert_stats_match_walk(fx->heap);
	make_mix(fx, p, asked);
	assert_stats_match_walk(fx->heap);
	free_mix(fx, p);
	assert_stats_match_walk(fx->heap);
}

static void test_stats_agree_with_the_walk_over_several_regions(void **state)
{
	struct fixture *fx = *state;
	void *p[MIX];
	size_t asked[MIX];

	for (size_t i = 0; i < 3; i++) {
		size_t bytes = (size_t)(i + 1) << 14;
		unsigned char *piece = fixture_buffer(fx, bytes);

		assert_non_null(piece);
		assert_int_equal(heap_add_region(fx->heap, piece, bytes), 0);
	}
	make_mix(fx, p, asked);
	assert_stats_match_walk(fx->heap);
	free_mix(fx, p);
	assert_stats_match_walk(fx->heap);
	assert_int_equal(stats_of(fx->heap).free_blocks, 4);
}

static void test_alloc_and_free_move_a_block_between_used_and_free(void **state)
{
	struct fixture *fx = *state;
	void *guard = heap_alloc(fx->heap, 16);
	struct heap_stats before, during, after;
	void *p;

	assert_non_null(guard);
	before = stats_of(fx->heap);
	p = heap_alloc(fx->heap, 500);
	assert_non_null(p);
	during = stats_of(fx->heap);
	assert_int_equal(during.used_blocks, before.used_blocks + 1);
	assert_int_equal(during.bytes_used,
			 before.bytes_used + heap_usable_size(fx->heap, p));
	heap_free(fx->heap, p);
	after = stats_of(fx->heap);
	assert_int_equal(after.used_blocks, before.used_blocks);
	assert_int_equal(after.bytes_used, before.bytes_used);
	assert_int_equal(after.bytes_free, before.bytes_free);
	assert_int_equal(after.free_blocks, before.free_blocks);
	heap_free(fx->heap, guard);
}

static void test_bytes_requested_counts_what_callers_asked_for(void **state)
{
	struct fixture *fx = *state;
	void *a = heap_alloc(fx->heap, 10);
	void *b = heap_calloc(fx->heap, 5, 20);
	void *c = heap_aligned_alloc(fx->heap, 256, 7);
	void *z = heap_alloc(fx->heap, 0);
	struct walk_around w;

	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	assert_non_null(z);
	assert_int_equal(stats_of(fx->heap).bytes_requested, 10 + 100 + 7);
	assert_int_equal(walk_around(fx->heap, a, &w), 0);
	assert_int_equal(w.self.requested, 10);
	assert_int_equal(walk_around(fx->heap, b, &w), 0);
	assert_int_equal(w.self.requested, 100);
	a = heap_realloc(fx->heap, a, 50);
	assert_non_null(a);
	assert_int_equal(stats_of(fx->heap).bytes_requested, 50 + 100 + 7);
	heap_free(fx->heap, b);
	assert_int_equal(stats_of(fx->heap).bytes_requested, 50 + 7);
	heap_free(fx->heap, a);
	heap_free(fx->heap, c);
	heap_free(fx->heap, z);
	assert_int_equal(stats_of(fx->heap).bytes_requested, 0);
}

static void test_peak_used_is_the_high_water_mark(void **state)
{
	struct fixture *fx = *state;
	void *a = heap_alloc(fx->heap, 10000);
	void *b = heap_alloc(fx->heap, 20000);
	size_t high = stats_of(fx->heap).bytes_used;
	void *c;

	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(stats_of(fx->heap).peak_used, high);
	heap_free(fx->heap, b);
	assert_int_equal(stats_of(fx->heap).peak_used, high);
	c = heap_alloc(fx->heap, 5000);
	assert_non_null(c);
	assert_int_equal(stats_of(fx->heap).peak_used, high);
	heap_free(fx->heap, c);
	b = heap_alloc(fx->heap, 40000);
	assert_non_null(b);
	assert_true(stats_of(fx->heap).peak_used > high);
	assert_int_equal(stats_of(fx->heap).peak_used,
			 stats_of(fx->heap).bytes_used);
	heap_free(fx->heap, a);
	heap_free(fx->heap, b);
	assert_true(stats_of(fx->heap).peak_used > high);
	assert_int_equal(stats_of(fx->heap).bytes_used, 0);
}

struct visits {
	size_t n;
	size_t stop_at; /* 0: never stop */
	const void *block[4 * MIX];
	const void *ptr[4 * MIX];
	size_t size[4 * MIX];
	int free[4 * MIX];
};

static int record_visit(const struct heap_block_info *b, void *ctx)
{
	struct visits *v = ctx;

	if (v->n < 4 * MIX) {
		v->block[v->n] = b->block;
		v->ptr[v->n] = b->ptr;
		v->size[v->n] = b->size;
		v->free[v->n] = b->free;
	}
	v->n++;
	return v->stop_at != 0 && v->n == v->stop_at ? 7 : 0;
}

static void test_walk_visits_blocks_in_address_order(void **state)
{
	struct fixture *fx = *state;
	void *p[MIX];
	size_t asked[MIX];
	struct visits v;

	make_mix(fx, p, asked);
	memset(&v, 0, sizeof v);
	assert_int_equal(heap_walk(fx->heap, record_visit, &v), 0);
	assert_true(v.n > 1 && v.n <= 4 * MIX);
	for (size_t i = 1; i < v.n; i++)
		assert_true((uintptr_t)v.block[i] > (uintptr_t)v.block[i - 1]);
	free_mix(fx, p);
}

static void test_walk_blocks_tile_the_region_exactly(void **state)
{
	struct fixture *fx = *state;
	void *p[MIX];
	size_t asked[MIX];
	struct visits v;

	make_mix(fx, p, asked);
	memset(&v, 0, sizeof v);
	heap_walk(fx->heap, record_visit, &v);
	/* Each block starts where the previous one's payload ends. */
	for (size_t i = 1; i < v.n; i++) {
		uintptr_t end = (uintptr_t)v.ptr[i - 1] + v.size[i - 1];

		assert_int_equal((uintptr_t)v.block[i], end);
	}
	free_mix(fx, p);
}

static void test_walk_shows_every_allocation_once_with_its_size(void **state)
{
	struct fixture *fx = *state;
	void *p[MIX];
	size_t asked[MIX];
	struct visits v;

	make_mix(fx, p, asked);
	memset(&v, 0, sizeof v);
	heap_walk(fx->heap, record_visit, &v);
	for (size_t i = 0; i < MIX; i++) {
		size_t seen = 0;

		if (p[i] == NULL)
			continue;
		for (size_t j = 0; j < v.n; j++) {
			if (v.ptr[j] != p[i])
				continue;
			seen++;
			assert_false(v.free[j]);
			assert_int_equal(v.size[j],
					 heap_usable_size(fx->heap, p[i]));
		}
		assert_int_equal(seen, 1);
	}
	free_mix(fx, p);
}

static void test_walk_never_shows_two_free_blocks_side_by_side(void **state)
{
	struct fixture *fx = *state;
	void *p[MIX];
	size_t asked[MIX];
	struct walk_summary w;

	make_mix(fx, p, asked);
	walk_summarize(fx->heap, &w);
	assert_int_equal(w.adjacent_free, 0);
	assert_int_equal(w.disorder, 0);
	assert_int_equal(w.misaligned, 0);
	free_mix(fx, p);
}

static void test_walk_stops_when_the_callback_returns_nonzero(void **state)
{
	struct fixture *fx = *state;
	void *p[MIX];
	size_t asked[MIX];
	struct visits v;

	make_mix(fx, p, asked);
	memset(&v, 0, sizeof v);
	v.stop_at = 3;
	assert_int_equal(heap_walk(fx->heap, record_visit, &v), 7);
	assert_int_equal(v.n, 3);
	free_mix(fx, p);
}

static int stop_with_minus_one(const struct heap_block_info *b, void *ctx)
{
	(void)b;
	(void)ctx;
	return -1;
}

/* A damaged heap's walk says so with a value no callback uses to stop:
 * -1 from the callback comes back as -1, the damage as HEAP_WALK_DAMAGED. */
static void test_walk_tells_damage_from_a_callbacks_stop(void **state)
{
	struct fixture *fx = *state;
	unsigned char *a = heap_alloc(fx->heap, 64);
	void *b = heap_alloc(fx->heap, 64);
	struct visits v;

	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(heap_walk(fx->heap, stop_with_minus_one, NULL), -1);
	assert_int_equal(heap_walk(NULL, record_visit, &v), HEAP_WALK_DAMAGED);
	assert_int_equal(heap_walk(fx->heap, NULL, NULL), HEAP_WALK_DAMAGED);
	/* the size word of a's header, as an underflow would write it */
	((uintptr_t *)(void *)a)[-3] ^= 0x10;
	memset(&v, 0, sizeof v);
	assert_int_equal(heap_walk(fx->heap, record_visit, &v),
			 HEAP_WALK_DAMAGED);
	assert_true(fx->log.count[HEAP_FAULT_CORRUPTED] >= 1);
	((uintptr_t *)(void *)a)[-3] ^= 0x10;
	fault_log_reset(&fx->log);
	memset(&v, 0, sizeof v);
	assert_int_equal(heap_walk(fx->heap, record_visit, &v), 0);
	heap_free(fx->heap, a);
	heap_free(fx->heap, b);
}

#define T(name)                                                                \
	cmocka_unit_test_setup_teardown(name, fixture_setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_walk_tells_damage_from_a_callbacks_stop),
	    T(test_stats_of_a_fresh_heap),
	    T(test_stats_account_for_every_byte_of_the_heap),
	    T(test_stats_agree_with_the_walk),
	    T(test_stats_agree_with_the_walk_over_several_regions),
	    T(test_alloc_and_free_move_a_block_between_used_and_free),
	    T(test_bytes_requested_counts_what_callers_asked_for),
	    T(test_peak_used_is_the_high_water_mark),
	    T(test_walk_visits_blocks_in_address_order),
	    T(test_walk_blocks_tile_the_region_exactly),
	    T(test_walk_shows_every_allocation_once_with_its_size),
	    T(test_walk_never_shows_two_free_blocks_side_by_side),
	    T(test_walk_stops_when_the_callback_returns_nonzero),
	};

	mm_host_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
