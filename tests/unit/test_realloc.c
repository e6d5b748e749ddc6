/*
 * test_realloc.c - heap_realloc: the C edge cases, shrinking and growing in
 * place, moving, and failure that leaves the old block as it was.
 *
 * Several tests build a layout first (a block, then its neighbour) and
 * assert it through heap_walk before relying on it: on a fresh heap,
 * consecutive allocations are carved one after the other.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "host/mm_host.h"
#include "mm/heap.h"
#include "tests/common/fixture.h"
#include "tests/common/stamp.h"
#include "tests/common/walk.h"

/* Assert that b is the block right after a, in the same region. */
static void assert_follows(struct heap *h, const void *a, const void *b)
{
	struct walk_around w;

	assert_int_equal(walk_around(h, a, &w), 0);
	assert_true(w.has_next);
	assert_ptr_equal(w.next.ptr, b);
}

static void test_realloc_of_null_allocates(void **state)
{
	struct fixture *fx = *state;
	void *p = heap_realloc(fx->heap, NULL, 100);

	assert_non_null(p);
	assert_int_equal((uintptr_t)p % HEAP_ALIGN, 0);
	assert_true(heap_usable_size(fx->heap, p) >= 100);
	assert_int_equal(stats_of(fx->heap).used_blocks, 1);
	heap_free(fx->heap, p);
}

static void test_realloc_to_zero_frees_and_returns_null(void **state)
{
	struct fixture *fx = *state;
	struct heap_stats before = stats_of(fx->heap);
	void *p = heap_alloc(fx->heap, 100);

	assert_non_null(p);
	assert_null(heap_realloc(fx->heap, p, 0));
	assert_int_equal(stats_of(fx->heap).used_blocks, before.used_blocks);
	assert_int_equal(stats_of(fx->heap).bytes_free, before.bytes_free);
	assert_int_equal(fx->log.total, 0);
}

static void test_realloc_to_the_same_size_keeps_pointer_and_data(void **state)
{
	struct fixture *fx = *state;
	void *p = heap_alloc(fx->heap, 200);

	assert_non_null(p);
	stamp_fill(p, 200, 1);
	assert_ptr_equal(heap_realloc(fx->heap, p, 200), p);
	assert_int_equal(stamp_find_damage(p, 200, 1), 200);
	heap_free(fx->heap, p);
}

static void test_realloc_shrink_keeps_pointer_and_data(void **state)
{
	struct fixture *fx = *state;
	unsigned char *p = heap_alloc(fx->heap, 4096);
	void *guard = heap_alloc(fx->heap, 16);

	assert_non_null(p);
	assert_non_null(guard);
	stamp_fill(p, 4096, 2);
	for (size_t n = 2048; n >= 1; n /= 2) {
		assert_ptr_equal(heap_realloc(fx->heap, p, n), p);
		assert_int_equal(stamp_find_damage(p, n, 2), n);
	}
	heap_free(fx->heap, p);
	heap_free(fx->heap, guard);
}

static void
test_realloc_shrink_splits_off_the_tail_as_a_free_block(void **state)
{
	struct fixture *fx = *state;
	void *p = heap_alloc(fx->heap, 8192);
	void *guard = heap_alloc(fx->heap, 16);
	struct heap_stats before;
	struct walk_around w;

	assert_non_null(p);
	assert_non_null(guard);
	assert_follows(fx->heap, p, guard);
	before = stats_of(fx->heap);
	assert_ptr_equal(heap_realloc(fx->heap, p, 64), p);
	assert_true(heap_usable_size(fx->heap, p) < 8192);
	assert_int_equal(stats_of(fx->heap).free_blocks,
			 before.free_blocks + 1);
	assert_true(stats_of(fx->heap).bytes_free > before.bytes_free);
	/* The tail sits between p and guard, free. */
	assert_int_equal(walk_around(fx->heap, p, &w), 0);
	assert_true(w.has_next);
	assert_true(w.next.free);
	assert_true(w.next.size > 0);
	assert_follows(fx->heap, w.next.ptr, guard);
	heap_free(fx->heap, p);
	heap_free(fx->heap, guard);
}

static void test_realloc_shrink_tail_merges_with_a_free_successor(void **state)
{
	struct fixture *fx = *state;
	void *p = heap_alloc(fx->heap, 8192);
	void *q = heap_alloc(fx->heap, 1024);
	void *guard = heap_alloc(fx->heap, 16);
	struct heap_stats before;
	struct walk_summary sum;

	assert_non_null(p);
	assert_non_null(q);
	assert_non_null(guard);
	assert_follows(fx->heap, p, q);
	heap_free(fx->heap, q);
	before = stats_of(fx->heap);
	assert_ptr_equal(heap_realloc(fx->heap, p, 64), p);
	/* One free block grew; no new one appeared beside it. */
	assert_int_equal(stats_of(fx->heap).free_blocks, before.free_blocks);
	assert_true(stats_of(fx->heap).bytes_free > before.bytes_free);
	walk_summarize(fx->heap, &sum);
	assert_int_equal(sum.adjacent_free, 0);
	heap_free(fx->heap, p);
	heap_free(fx->heap, guard);
}

static void test_realloc_grows_in_place_into_a_free_successor(void **state)
{
	struct fixture *fx = *state;
	unsigned char *a = heap_alloc(fx->heap, 64);
	void *b = heap_alloc(fx->heap, 2048);
	void *c = heap_alloc(fx->heap, 64);

	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	assert_follows(fx->heap, a, b);
	assert_follows(fx->heap, b, c);
	stamp_fill(a, 64, 3);
	stamp_fill(c, 64, 4);
	heap_free(fx->heap, b);
	assert_ptr_equal(heap_realloc(fx->heap, a, 1024), a);
	assert_true(heap_usable_size(fx->heap, a) >= 1024);
	assert_int_equal(stamp_find_damage(a, 64, 3), 64);
	assert_int_equal(stamp_find_damage(c, 64, 4), 64);
	/* The rest of b is still free, between a and c. */
	assert_int_equal(heap_check(fx->heap), 0);
	heap_free(fx->heap, a);
	heap_free(fx->heap, c);
}

static void
test_realloc_grows_in_place_taking_the_whole_free_successor(void **state)
{
	struct fixture *fx = *state;
	unsigned char *a = heap_alloc(fx->heap, 64);
	void *b = heap_alloc(fx->heap, 2048);
	unsigned char *c = heap_alloc(fx->heap, 64);
	size_t room;
	struct heap_stats before;

	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	assert_follows(fx->heap, a, b);
	assert_follows(fx->heap, b, c);
	heap_free(fx->heap, b);
	before = stats_of(fx->heap);
	/* Everything up to c's header: a's payload, b's header and payload
	 * (rounded down: a size always is, and the slack cannot be a block). */
	{
		struct walk_around w;

		assert_int_equal(walk_around(fx->heap, c, &w), 0);
		room = (size_t)((uintptr_t)w.self.block - (uintptr_t)a);
		room -= room % HEAP_ALIGN;
	}
	stamp_fill(a, 64, 5);
	stamp_fill(c, 64, 6);
	assert_ptr_equal(heap_realloc(fx->heap, a, room), a);
	assert_true(heap_usable_size(fx->heap, a) >= room);
	assert_int_equal(stats_of(fx->heap).free_blocks,
			 before.free_blocks - 1);
	assert_int_equal(stamp_find_damage(a, 64, 5), 64);
	assert_int_equal(stamp_find_damage(c, 64, 6), 64);
	heap_free(fx->heap, a);
	heap_free(fx->heap, c);
}

static void test_realloc_grows_in_place_into_trailing_free_space(void **state)
{
	struct fixture *fx = *state;
	unsigned char *a = heap_alloc(fx->heap, 100);
	struct walk_around w;

	/* a is the only block in use: the rest of the heap follows it. */
	assert_non_null(a);
	assert_int_equal(walk_around(fx->heap, a, &w), 0);
	assert_true(w.has_next && w.next.free);
	stamp_fill(a, 100, 7);
	assert_ptr_equal(heap_realloc(fx->heap, a, 100000), a);
	assert_int_equal(stamp_find_damage(a, 100, 7), 100);
	heap_free(fx->heap, a);
}

static void test_realloc_moves_when_the_successor_is_in_use(void **state)
{
	struct fixture *fx = *state;
	unsigned char *a = heap_alloc(fx->heap, 256);
	void *b = heap_alloc(fx->heap, 64);
	unsigned char *moved;
	struct walk_around w;

	assert_non_null(a);
	assert_non_null(b);
	assert_follows(fx->heap, a, b);
	stamp_fill(a, 256, 8);
	moved = heap_realloc(fx->heap, a, 4096);
	assert_non_null(moved);
	assert_ptr_not_equal(moved, a);
	assert_int_equal((uintptr_t)moved % HEAP_ALIGN, 0);
	assert_true(heap_usable_size(fx->heap, moved) >= 4096);
	assert_int_equal(stamp_find_damage(moved, 256, 8), 256);
	/* The old block was freed. */
	assert_int_equal(stats_of(fx->heap).used_blocks, 2);
	assert_int_equal(walk_around(fx->heap, a, &w), 0);
	assert_true(w.self.free);
	heap_free(fx->heap, moved);
	heap_free(fx->heap, b);
}

static void
test_realloc_moves_when_the_free_successor_is_too_small(void **state)
{
	struct fixture *fx = *state;
	unsigned char *a = heap_alloc(fx->heap, 256);
	void *b = heap_alloc(fx->heap, 64);
	void *c = heap_alloc(fx->heap, 64);
	unsigned char *moved;

	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	assert_follows(fx->heap, a, b);
	assert_follows(fx->heap, b, c);
	heap_free(fx->heap, b);
	stamp_fill(a, 256, 9);
	moved = heap_realloc(fx->heap, a, 4096);
	assert_non_null(moved);
	assert_ptr_not_equal(moved, a);
	assert_int_equal(stamp_find_damage(moved, 256, 9), 256);
	assert_int_equal(stats_of(fx->heap).used_blocks, 2);
	heap_free(fx->heap, moved);
	heap_free(fx->heap, c);
}

static void test_realloc_keeps_contents_across_many_sizes(void **state)
{
	struct fixture *fx = *state;
	static const size_t steps[] = {1,   17,	   300, 5,   4000,  64,
				       100, 70000, 3,	129, 20000, 0};
	unsigned char *p = heap_alloc(fx->heap, 0);
	size_t have = 0;

	assert_non_null(p);
	for (size_t i = 0; steps[i] != 0; i++) {
		size_t keep = have < steps[i] ? have : steps[i];

		p = heap_realloc(fx->heap, p, steps[i]);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % HEAP_ALIGN, 0);
		assert_true(heap_usable_size(fx->heap, p) >= steps[i]);
		assert_int_equal(stamp_find_damage(p, keep, i), keep);
		stamp_fill(p, steps[i], i + 1);
		have = steps[i];
	}
	heap_free(fx->heap, p);
}

static void test_realloc_failure_leaves_the_block_untouched(void **state)
{
	struct fixture *fx = *state;
	unsigned char *p = heap_alloc(fx->heap, 300);
	size_t usable;
	struct heap_stats before, after;

	assert_non_null(p);
	stamp_fill(p, 300, 10);
	usable = heap_usable_size(fx->heap, p);
	before = stats_of(fx->heap);
	for (size_t k = 0; k < 256; k++)
		assert_null(heap_realloc(fx->heap, p, SIZE_MAX - k));
	assert_null(heap_realloc(fx->heap, p, SIZE_MAX / 2 + 1));
	assert_null(heap_realloc(fx->heap, p, fx->bytes));
	after = stats_of(fx->heap);
	assert_int_equal(stamp_find_damage(p, 300, 10), 300);
	assert_int_equal(heap_usable_size(fx->heap, p), usable);
	assert_int_equal(after.used_blocks, before.used_blocks);
	assert_int_equal(after.bytes_free, before.bytes_free);
	assert_int_equal(heap_check(fx->heap), 0);
	heap_free(fx->heap, p);
	assert_int_equal(fx->log.total, 0);
}

static void
test_realloc_failure_out_of_memory_leaves_the_block_untouched(void **state)
{
	struct fixture *fx = *state;
	unsigned char *p = heap_alloc(fx->heap, 300);
	void *guard = heap_alloc(fx->heap, 16);
	size_t too_big;

	assert_non_null(p);
	assert_non_null(guard);
	assert_follows(fx->heap, p, guard);
	stamp_fill(p, 300, 11);
	/* p cannot grow in place, and no free block can take the new size. */
	too_big = stats_of(fx->heap).largest_free + 1;
	assert_null(heap_realloc(fx->heap, p, too_big));
	assert_int_equal(stamp_find_damage(p, 300, 11), 300);
	assert_int_equal(stats_of(fx->heap).used_blocks, 2);
	assert_int_equal(heap_check(fx->heap), 0);
	heap_free(fx->heap, p);
	heap_free(fx->heap, guard);
	assert_int_equal(fx->log.total, 0);
}

#define T(name)                                                                \
	cmocka_unit_test_setup_teardown(name, fixture_setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_realloc_of_null_allocates),
	    T(test_realloc_to_zero_frees_and_returns_null),
	    T(test_realloc_to_the_same_size_keeps_pointer_and_data),
	    T(test_realloc_shrink_keeps_pointer_and_data),
	    T(test_realloc_shrink_splits_off_the_tail_as_a_free_block),
	    T(test_realloc_shrink_tail_merges_with_a_free_successor),
	    T(test_realloc_grows_in_place_into_a_free_successor),
	    T(test_realloc_grows_in_place_taking_the_whole_free_successor),
	    T(test_realloc_grows_in_place_into_trailing_free_space),
	    T(test_realloc_moves_when_the_successor_is_in_use),
	    T(test_realloc_moves_when_the_free_successor_is_too_small),
	    T(test_realloc_keeps_contents_across_many_sizes),
	    T(test_realloc_failure_leaves_the_block_untouched),
	    T(test_realloc_failure_out_of_memory_leaves_the_block_untouched),
	};

	mm_host_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
