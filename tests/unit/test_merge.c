/*
 * test_merge.c - a freed block merges at once with a free left neighbour, a
 * free right neighbour, or both, and everything freed merges back into one.
 *
 * Each test carves a row of blocks from a fresh heap; they lie one after
 * the other, followed by the rest of the heap as one free block (the tail).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "host/mm_host.h"
#include "mm/heap.h"
#include "tests/common/fixture.h"
#include "tests/common/walk.h"

#define ROW	 5
#define ROW_SIZE 256

/* Allocate n adjacent blocks and check that they are adjacent. */
static void row_make(struct fixture *fx, void **p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		p[i] = heap_alloc(fx->heap, ROW_SIZE);
		assert_non_null(p[i]);
	}
	for (size_t i = 0; i + 1 < n; i++) {
		struct walk_around w;

		assert_int_equal(walk_around(fx->heap, p[i], &w), 0);
		assert_true(w.has_next);
		assert_ptr_equal(w.next.ptr, p[i + 1]);
	}
}

static struct heap_block_info block_of(struct fixture *fx, const void *p)
{
	struct walk_around w;

	assert_int_equal(walk_around(fx->heap, p, &w), 0);
	return w.self;
}

/* Non-zero when p is no longer the start of any block. */
static int swallowed(struct fixture *fx, const void *p)
{
	struct walk_around w;

	return walk_around(fx->heap, p, &w) != 0;
}

static void test_free_between_used_blocks_adds_one_free_block(void **state)
{
	struct fixture *fx = *state;
	void *p[ROW];
	size_t before;
	struct heap_block_info c;

	row_make(fx, p, ROW);
	before = stats_of(fx->heap).free_blocks;
	heap_free(fx->heap, p[2]);
	assert_int_equal(stats_of(fx->heap).free_blocks, before + 1);
	c = block_of(fx, p[2]);
	assert_true(c.free);
	assert_true(c.size >= ROW_SIZE);
}

static void test_free_merges_with_the_left_neighbour(void **state)
{
	struct fixture *fx = *state;
	void *p[ROW];
	struct heap_block_info c;
	struct heap_block_info merged;
	size_t before;

	row_make(fx, p, ROW);
	c = block_of(fx, p[2]);
	heap_free(fx->heap, p[1]);
	before = stats_of(fx->heap).free_blocks;
	heap_free(fx->heap, p[2]);
	assert_int_equal(stats_of(fx->heap).free_blocks, before);
	merged = block_of(fx, p[1]);
	assert_true(merged.free);
	assert_ptr_equal(block_end(&merged), block_end(&c));
	assert_true(swallowed(fx, p[2]));
}

static void test_free_merges_with_the_right_neighbour(void **state)
{
	struct fixture *fx = *state;
	void *p[ROW];
	struct heap_block_info c;
	struct heap_block_info merged;
	size_t before;

	row_make(fx, p, ROW);
	c = block_of(fx, p[2]);
	heap_free(fx->heap, p[2]);
	before = stats_of(fx->heap).free_blocks;
	heap_free(fx->heap, p[1]);
	assert_int_equal(stats_of(fx->heap).free_blocks, before);
	merged = block_of(fx, p[1]);
	assert_true(merged.free);
	assert_ptr_equal(block_end(&merged), block_end(&c));
	assert_true(swallowed(fx, p[2]));
}

static void test_free_merges_with_both_neighbours(void **state)
{
	struct fixture *fx = *state;
	void *p[ROW];
	struct heap_block_info d;
	struct heap_block_info merged;
	size_t before;

	row_make(fx, p, ROW);
	d = block_of(fx, p[3]);
	heap_free(fx->heap, p[1]);
	heap_free(fx->heap, p[3]);
	before = stats_of(fx->heap).free_blocks;
	heap_free(fx->heap, p[2]);
	assert_int_equal(stats_of(fx->heap).free_blocks, before - 1);
	merged = block_of(fx, p[1]);
	assert_true(merged.free);
	assert_ptr_equal(block_end(&merged), block_end(&d));
	assert_true(swallowed(fx, p[2]));
	assert_true(swallowed(fx, p[3]));
}

static void test_free_of_the_last_block_merges_with_the_tail(void **state)
{
	struct fixture *fx = *state;
	void *p[ROW];
	struct heap_stats before;
	struct heap_block_info merged;

	row_make(fx, p, ROW);
	before = stats_of(fx->heap);
	heap_free(fx->heap, p[ROW - 1]);
	assert_int_equal(stats_of(fx->heap).free_blocks, before.free_blocks);
	assert_true(stats_of(fx->heap).largest_free > before.largest_free);
	merged = block_of(fx, p[ROW - 1]);
	assert_true(merged.free);
	assert_int_equal(merged.size, stats_of(fx->heap).largest_free);
}

static void
test_merged_block_serves_an_allocation_of_its_whole_size(void **state)
{
	struct fixture *fx = *state;
	void *p[ROW];
	void *tail;
	void *q;
	struct heap_block_info merged;

	row_make(fx, p, ROW);
	/* Take the tail, so the merged block is the only free one. */
	tail = heap_alloc(fx->heap, stats_of(fx->heap).largest_free);
	assert_non_null(tail);
	heap_free(fx->heap, p[1]);
	heap_free(fx->heap, p[3]);
	heap_free(fx->heap, p[2]);
	assert_int_equal(stats_of(fx->heap).free_blocks, 1);
	merged = block_of(fx, p[1]);
	q = heap_alloc(fx->heap, merged.size);
	assert_ptr_equal(q, p[1]);
	assert_int_equal(stats_of(fx->heap).free_blocks, 0);
	heap_free(fx->heap, q);
	heap_free(fx->heap, tail);
}

#define LONG_ROW 32

static void free_in_order(struct fixture *fx, void **p, const size_t *order)
{
	for (size_t i = 0; i < LONG_ROW; i++) {
		struct walk_summary sum;

		heap_free(fx->heap, p[order[i]]);
		walk_summarize(fx->heap, &sum);
		assert_int_equal(sum.adjacent_free, 0);
	}
}

static void test_free_never_leaves_two_free_blocks_side_by_side(void **state)
{
	struct fixture *fx = *state;
	void *p[LONG_ROW];
	size_t order[LONG_ROW];

	/* A stride coprime to the row length visits every block once. */
	for (size_t i = 0; i < LONG_ROW; i++)
		order[i] = i * 7 % LONG_ROW;
	row_make(fx, p, LONG_ROW);
	free_in_order(fx, p, order);
	assert_int_equal(stats_of(fx->heap).free_blocks, 1);
}

static void
test_freeing_a_row_in_any_order_merges_back_to_one_block(void **state)
{
	struct fixture *fx = *state;
	size_t initial = stats_of(fx->heap).largest_free;
	void *p[LONG_ROW];
	size_t order[LONG_ROW];

	for (int pass = 0; pass < 4; pass++) {
		for (size_t i = 0; i < LONG_ROW; i++) {
			switch (pass) {
			case 0: /* front to back */
				order[i] = i;
				break;
			case 1: /* back to front */
				order[i] = LONG_ROW - 1 - i;
				break;
			case 2: /* odd first, then even */
				order[i] = i < LONG_ROW / 2
					       ? 2 * i + 1
					       : 2 * (i - LONG_ROW / 2);
				break;
			default: /* from the middle outwards */
				order[i] = i % 2 ? LONG_ROW / 2 + i / 2
						 : LONG_ROW / 2 - 1 - i / 2;
				break;
			}
		}
		row_make(fx, p, LONG_ROW);
		free_in_order(fx, p, order);
		assert_int_equal(stats_of(fx->heap).free_blocks, 1);
		assert_int_equal(stats_of(fx->heap).largest_free, initial);
	}
}

#define T(name)                                                                \
	cmocka_unit_test_setup_teardown(name, fixture_setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_free_between_used_blocks_adds_one_free_block),
	    T(test_free_merges_with_the_left_neighbour),
	    T(test_free_merges_with_the_right_neighbour),
	    T(test_free_merges_with_both_neighbours),
	    T(test_free_of_the_last_block_merges_with_the_tail),
	    T(test_merged_block_serves_an_allocation_of_its_whole_size),
	    T(test_free_never_leaves_two_free_blocks_side_by_side),
	    T(test_freeing_a_row_in_any_order_merges_back_to_one_block),
	};

	mm_host_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
