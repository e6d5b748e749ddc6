/*
 * test_regions.c - heap_create and heap_add_region: too-small memory,
 * misaligned bases and sizes rounded inward, many regions, and sentinels
 * that keep merging inside a region.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "host/mm_host.h"
#include "mm/heap.h"
#include "tests/common/fault_log.h"
#include "tests/common/fixture.h"
#include "tests/common/stamp.h"
#include "tests/common/walk.h"

#define SCAN_LIMIT ((size_t)64 << 10)

static uintptr_t align_up(uintptr_t x)
{
	return (x + HEAP_ALIGN - 1) & ~(uintptr_t)(HEAP_ALIGN - 1);
}

static uintptr_t align_down(uintptr_t x)
{
	return x & ~(uintptr_t)(HEAP_ALIGN - 1);
}

/* Smallest size heap_create accepts at base (tried byte by byte). */
static size_t smallest_heap(unsigned char *base)
{
	for (size_t n = 0; n < SCAN_LIMIT; n++) {
		if (heap_create(base, n) != NULL)
			return n;
	}
	fail_msg("heap_create accepted nothing below %zu bytes", SCAN_LIMIT);
	return 0;
}

/* The blocks of a heap filled to the last byte it will hand out. */
struct filled {
	unsigned char **p;
	size_t *usable;
	size_t n, cap;
};

static void fill_heap(struct heap *h, struct filled *f)
{
	size_t size = (size_t)1 << 20;

	f->n = f->cap = 0;
	f->p = NULL;
	f->usable = NULL;
	while (size > 0) {
		unsigned char *q = heap_alloc(h, size);

		if (q == NULL) {
			size /= 2;
			continue;
		}
		if (f->n == f->cap) {
			f->cap = f->cap ? 2 * f->cap : 64;
			f->p = realloc(f->p, f->cap * sizeof *f->p);
			f->usable =
			    realloc(f->usable, f->cap * sizeof *f->usable);
			assert_non_null(f->p);
			assert_non_null(f->usable);
		}
		assert_int_equal((uintptr_t)q % HEAP_ALIGN, 0);
		f->p[f->n] = q;
		f->usable[f->n] = heap_usable_size(h, q);
		stamp_fill(q, f->usable[f->n], f->n);
		f->n++;
	}
}

static void empty_heap(struct heap *h, struct filled *f)
{
	for (size_t i = 0; i < f->n; i++) {
		assert_int_equal(stamp_find_damage(f->p[i], f->usable[i], i),
				 f->usable[i]);
		heap_free(h, f->p[i]);
	}
	free(f->p);
	free(f->usable);
	f->p = NULL;
	f->usable = NULL;
	f->n = f->cap = 0;
}

/* Every byte of buf outside [lo, hi) still holds the fixture's junk. */
static void assert_untouched_outside(const unsigned char *buf, size_t bytes,
				     uintptr_t lo, uintptr_t hi)
{
	for (size_t i = 0; i < bytes; i++) {
		uintptr_t at = (uintptr_t)buf + i;

		if (at < lo || at >= hi)
			assert_int_equal(buf[i], FIXTURE_JUNK);
	}
}

static void test_create_returns_null_for_memory_too_small(void **state)
{
	unsigned char *buf = buffer_get(4096);
	static const size_t tiny[] = {0, 1, 15, 16, 32, 64, 128, 256};

	(void)state;
	assert_non_null(buf);
	for (size_t i = 0; i < sizeof tiny / sizeof tiny[0]; i++)
		assert_null(heap_create(buf, tiny[i]));
	buffer_put(buf);
}

/*
 * A size that runs past the top of the address space describes no real
 * memory: refused, untouched. (It once crashed: the heap was laid out up to
 * the last address and the sentinel written there.)
 */
static void test_create_refuses_a_size_that_wraps(void **state)
{
	unsigned char *buf = buffer_get(4096);
	size_t to_top = (size_t)(UINTPTR_MAX - (uintptr_t)buf);

	(void)state;
	assert_non_null(buf);
	assert_null(heap_create(buf, SIZE_MAX));
	assert_null(heap_create(buf, to_top + 1));
	assert_null(heap_create(buf, to_top + 4096));
	assert_null(heap_create_flags(buf, SIZE_MAX, HEAP_CHECKING));
	assert_int_equal(stamp_find_other(buf, 4096, FIXTURE_JUNK), 4096);
	buffer_put(buf);
}

static void test_add_region_refuses_a_size_that_wraps(void **state)
{
	struct fixture *fx = *state;
	unsigned char *piece = fixture_buffer(fx, 4096);
	size_t to_top = (size_t)(UINTPTR_MAX - (uintptr_t)piece);

	assert_non_null(piece);
	assert_int_equal(heap_add_region(fx->heap, piece, SIZE_MAX), -1);
	assert_int_equal(heap_add_region(fx->heap, piece, to_top + 1), -1);
	assert_int_equal(stats_of(fx->heap).regions, 1);
	assert_int_equal(stamp_find_other(piece, 4096, FIXTURE_JUNK), 4096);
}

static void test_create_smallest_accepted_heap_can_allocate(void **state)
{
	unsigned char *buf = buffer_get(SCAN_LIMIT + 4096);
	struct fault_log log;
	struct heap *h;
	size_t min;
	void *p;

	(void)state;
	assert_non_null(buf);
	min = smallest_heap(buf);
	assert_true(min > 0);
	/* "Too small" means it cannot hold the control structure and one
	 * block: the smallest heap it accepts holds one. */
	h = heap_create(buf, min);
	assert_non_null(h);
	fault_log_attach(&log, h);
	p = heap_alloc(h, 1);
	assert_non_null(p);
	heap_free(h, p);
	assert_int_equal(heap_check(h), 0);
	assert_int_equal(log.total, 0);
	/* And every larger size works too. */
	for (size_t n = min; n < min + 256; n++)
		assert_non_null(heap_create(buf, n));
	buffer_put(buf);
}

static void test_create_rounds_a_misaligned_base_and_size_inward(void **state)
{
	unsigned char *buf = buffer_get(SCAN_LIMIT + 4096);
	unsigned char *base;
	size_t min;

	(void)state;
	assert_non_null(buf);
	base = buf + 64;
	min = smallest_heap(base);
	/* base - 15 rounds up to base; the end must still reach base + min. */
	assert_non_null(heap_create(base - 15, min + 15));
	assert_null(heap_create(base - 15, min + 14));
	/* A size that is not a multiple of HEAP_ALIGN rounds down. */
	assert_null(heap_create(base, min - 1));
	assert_non_null(heap_create(base, min + HEAP_ALIGN - 1));
	buffer_put(buf);
}

static void test_heap_never_touches_memory_outside_its_region(void **state)
{
	size_t bytes = 256 << 10;
	unsigned char *buf = buffer_get(bytes);
	/* Misaligned on both ends. */
	unsigned char *base = buf + 4096 + 3;
	size_t size = bytes - 2 * 4096 - 7;
	uintptr_t lo = align_up((uintptr_t)base);
	uintptr_t hi = align_down((uintptr_t)base + size);
	struct fault_log log;
	struct filled f;
	struct heap *h;

	(void)state;
	assert_non_null(buf);
	h = heap_create(base, size);
	assert_non_null(h);
	fault_log_attach(&log, h);
	fill_heap(h, &f);
	assert_true(f.n > 0);
	for (size_t i = 0; i < f.n; i++) {
		assert_true((uintptr_t)f.p[i] >= lo);
		assert_true((uintptr_t)f.p[i] + f.usable[i] <= hi);
	}
	assert_untouched_outside(buf, bytes, lo, hi);
	empty_heap(h, &f);
	assert_int_equal(heap_check(h), 0);
	assert_untouched_outside(buf, bytes, lo, hi);
	assert_int_equal(log.total, 0);
	buffer_put(buf);
}

static void test_add_region_adds_its_memory_to_the_heap(void **state)
{
	struct fixture *fx = *state;
	size_t piece_bytes = (size_t)4 << 20;
	unsigned char *piece = fixture_buffer(fx, piece_bytes);
	struct heap_stats before, after;
	size_t want = FIXTURE_BYTES + (FIXTURE_BYTES / 2);
	unsigned char *p;

	assert_non_null(piece);
	before = stats_of(fx->heap);
	assert_null(heap_alloc(fx->heap, want));
	assert_int_equal(heap_add_region(fx->heap, piece, piece_bytes), 0);
	after = stats_of(fx->heap);
	assert_int_equal(after.regions, before.regions + 1);
	assert_true(after.bytes_free > before.bytes_free);
	assert_int_equal(after.free_blocks, before.free_blocks + 1);
	p = heap_alloc(fx->heap, want);
	assert_non_null(p);
	assert_true(inside(p, want, piece, piece_bytes));
	heap_free(fx->heap, p);
	assert_int_equal(heap_check(fx->heap), 0);
}

static void test_add_region_rejects_a_piece_too_small(void **state)
{
	struct fixture *fx = *state;
	unsigned char *piece = fixture_buffer(fx, SCAN_LIMIT);
	size_t regions = stats_of(fx->heap).regions;
	size_t min = 0;

	assert_non_null(piece);
	for (size_t n = 0; n < SCAN_LIMIT && min == 0; n++) {
		if (heap_add_region(fx->heap, piece, n) == 0)
			min = n;
		else
			assert_int_equal(stats_of(fx->heap).regions, regions);
	}
	/* The smallest piece accepted holds a usable free block. */
	assert_true(min > HEAP_ALIGN);
	assert_int_equal(stats_of(fx->heap).regions, regions + 1);
	assert_int_equal(heap_check(fx->heap), 0);
	{
		struct walk_summary sum;

		walk_summarize(fx->heap, &sum);
		assert_int_equal(sum.regions, regions + 1);
		assert_int_equal(sum.free_blocks, 2);
	}
}

static void test_add_region_rounds_a_misaligned_piece_inward(void **state)
{
	struct fixture *fx = *state;
	size_t bytes = 128 << 10;
	unsigned char *buf = fixture_buffer(fx, bytes);
	unsigned char *base = buf + 4096 + 5;
	size_t size = bytes - 2 * 4096 - 9;
	uintptr_t lo = align_up((uintptr_t)base);
	uintptr_t hi = align_down((uintptr_t)base + size);
	struct filled f;

	assert_non_null(buf);
	assert_int_equal(heap_add_region(fx->heap, base, size), 0);
	fill_heap(fx->heap, &f);
	assert_untouched_outside(buf, bytes, lo, hi);
	empty_heap(fx->heap, &f);
	assert_untouched_outside(buf, bytes, lo, hi);
}

static void test_add_region_rejects_memory_the_heap_already_has(void **state)
{
	struct fixture *fx = *state;
	size_t bytes = 64 << 10;
	/* Twice the region, so that a wrongly accepted overlap stays ours. */
	unsigned char *piece = fixture_buffer(fx, 2 * bytes);
	size_t regions;

	assert_non_null(piece);
	assert_int_equal(heap_add_region(fx->heap, piece, bytes), 0);
	regions = stats_of(fx->heap).regions;
	assert_true(heap_add_region(fx->heap, piece, bytes) < 0);
	assert_true(heap_add_region(fx->heap, piece + 4096, 4096) < 0);
	assert_true(heap_add_region(fx->heap, piece + bytes - 4096, bytes) < 0);
	assert_true(heap_add_region(fx->heap, fx->mem, fx->bytes) < 0);
	assert_true(heap_add_region(fx->heap, fx->mem + fx->bytes / 2, 8192) <
		    0);
	assert_int_equal(stats_of(fx->heap).regions, regions);
	assert_int_equal(heap_check(fx->heap), 0);
}

#define PIECES 64
#define PIECE  4096

static void test_add_region_accepts_many_regions(void **state)
{
	struct fixture *fx = *state;
	/* Every other page, so no two pieces touch. */
	unsigned char *buf = fixture_buffer(fx, 2 * PIECES * PIECE);
	size_t regions = stats_of(fx->heap).regions;
	struct walk_summary sum;
	size_t in_piece = 0;

	assert_non_null(buf);
	for (size_t i = 0; i < PIECES; i++)
		assert_int_equal(
		    heap_add_region(fx->heap, buf + 2 * i * PIECE, PIECE), 0);
	assert_int_equal(stats_of(fx->heap).regions, regions + PIECES);
	walk_summarize(fx->heap, &sum);
	assert_int_equal(sum.regions, regions + PIECES);
	assert_int_equal(sum.free_blocks, 1 + PIECES);
	assert_int_equal(heap_check(fx->heap), 0);
	/* Each piece serves an allocation of nearly its whole size. */
	for (size_t i = 0; i < 2 * PIECES; i++) {
		unsigned char *p = heap_alloc(fx->heap, PIECE / 2);

		assert_non_null(p);
		if (inside(p, PIECE / 2, buf, 2 * PIECES * PIECE))
			in_piece++;
	}
	assert_true(in_piece >= PIECES);
}

static void test_free_never_merges_across_adjacent_regions(void **state)
{
	size_t half = 128 << 10;
	unsigned char *buf = buffer_get(2 * half);
	struct fault_log log;
	struct filled f;
	struct heap *h;

	(void)state;
	assert_non_null(buf);
	h = heap_create(buf, half);
	assert_non_null(h);
	fault_log_attach(&log, h);
	/* The second region starts exactly where the first one ends. */
	assert_int_equal(heap_add_region(h, buf + half, half), 0);
	fill_heap(h, &f);
	empty_heap(h, &f);
	assert_int_equal(stats_of(h).free_blocks, 2);
	assert_true(stats_of(h).largest_free < half);
	assert_null(heap_alloc(h, half));
	assert_int_equal(heap_check(h), 0);
	assert_int_equal(log.total, 0);
	buffer_put(buf);
}

static void test_walk_reports_the_region_of_each_block(void **state)
{
	struct fixture *fx = *state;
	size_t bytes = (size_t)2 << 20;
	unsigned char *piece = fixture_buffer(fx, bytes);
	unsigned char *p, *q;
	struct walk_around w;

	assert_non_null(piece);
	assert_int_equal(heap_add_region(fx->heap, piece, bytes), 0);
	p = heap_alloc(fx->heap, 100);
	/* Larger than all of region 0: must come from region 1. */
	q = heap_alloc(fx->heap, FIXTURE_BYTES + 4096);
	assert_non_null(p);
	assert_non_null(q);
	assert_true(inside(q, FIXTURE_BYTES + 4096, piece, bytes));
	assert_int_equal(walk_around(fx->heap, q, &w), 0);
	assert_int_equal(w.self.region, 1);
	assert_int_equal(walk_around(fx->heap, p, &w), 0);
	assert_int_equal(w.self.region, inside(p, 100, piece, bytes) ? 1 : 0);
	heap_free(fx->heap, p);
	heap_free(fx->heap, q);
}

static void test_blocks_in_use_survive_adding_a_region(void **state)
{
	struct fixture *fx = *state;
	size_t bytes = 64 << 10;
	unsigned char *piece = fixture_buffer(fx, bytes);
	unsigned char *p[8];

	assert_non_null(piece);
	for (size_t i = 0; i < 8; i++) {
		p[i] = heap_alloc(fx->heap, 1000);
		assert_non_null(p[i]);
		stamp_fill(p[i], 1000, i);
	}
	assert_int_equal(heap_add_region(fx->heap, piece, bytes), 0);
	for (size_t i = 0; i < 8; i++) {
		assert_int_equal(stamp_find_damage(p[i], 1000, i), 1000);
		heap_free(fx->heap, p[i]);
	}
}

#define T(name)                                                                \
	cmocka_unit_test_setup_teardown(name, fixture_setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_create_returns_null_for_memory_too_small),
	    cmocka_unit_test(test_create_smallest_accepted_heap_can_allocate),
	    cmocka_unit_test(test_create_refuses_a_size_that_wraps),
	    T(test_add_region_refuses_a_size_that_wraps),
	    cmocka_unit_test(
		test_create_rounds_a_misaligned_base_and_size_inward),
	    cmocka_unit_test(test_heap_never_touches_memory_outside_its_region),
	    T(test_add_region_adds_its_memory_to_the_heap),
	    T(test_add_region_rejects_a_piece_too_small),
	    T(test_add_region_rounds_a_misaligned_piece_inward),
	    T(test_add_region_rejects_memory_the_heap_already_has),
	    T(test_add_region_accepts_many_regions),
	    cmocka_unit_test(test_free_never_merges_across_adjacent_regions),
	    T(test_walk_reports_the_region_of_each_block),
	    T(test_blocks_in_use_survive_adding_a_region),
	};

	mm_host_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
