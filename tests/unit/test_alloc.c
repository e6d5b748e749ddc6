/*
 * test_alloc.c - heap_alloc, heap_calloc, heap_free: alignment, sizes at the
 * edges (0, SIZE_MAX), out of memory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "host/mm_host.h"
#include "mm/heap.h"
#include "tests/common/fixture.h"
#include "tests/common/stamp.h"

static const size_t sizes[] = {
    0,	 1,    2,    7,	   8,	 15,   16,    17,    31,    32,
    33,	 63,   64,   65,   100,	 127,  128,   129,   255,   256,
    257, 1000, 1024, 4095, 4096, 4097, 10000, 65535, 65536, 65537};
#define NSIZES (sizeof sizes / sizeof sizes[0])

static int by_address(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t) * (void *const *)a;
	uintptr_t y = (uintptr_t) * (void *const *)b;

	return (x > y) - (x < y);
}

static void test_alloc_returns_16_byte_aligned_pointers(void **state)
{
	struct fixture *fx = *state;
	void *p[NSIZES];

	for (size_t i = 0; i < NSIZES; i++) {
		p[i] = heap_alloc(fx->heap, sizes[i]);
		assert_non_null(p[i]);
		assert_int_equal((uintptr_t)p[i] % HEAP_ALIGN, 0);
	}
	for (size_t i = 0; i < NSIZES; i++)
		heap_free(fx->heap, p[i]);
}

static void test_alloc_gives_at_least_the_requested_bytes(void **state)
{
	struct fixture *fx = *state;
	void *p[NSIZES];
	size_t usable[NSIZES];

	for (size_t i = 0; i < NSIZES; i++) {
		p[i] = heap_alloc(fx->heap, sizes[i]);
		assert_non_null(p[i]);
		usable[i] = heap_usable_size(fx->heap, p[i]);
		assert_true(usable[i] >= sizes[i]);
		stamp_fill(p[i], usable[i], i + 1);
	}
	/* Writing every usable byte of every block damaged no other block. */
	for (size_t i = 0; i < NSIZES; i++) {
		assert_int_equal(stamp_find_damage(p[i], usable[i], i + 1),
				 usable[i]);
		heap_free(fx->heap, p[i]);
	}
	assert_int_equal(heap_check(fx->heap), 0);
}

static void test_alloc_blocks_do_not_overlap(void **state)
{
	struct fixture *fx = *state;
	void *p[NSIZES];

	for (size_t i = 0; i < NSIZES; i++) {
		p[i] = heap_alloc(fx->heap, sizes[i]);
		assert_non_null(p[i]);
	}
	qsort(p, NSIZES, sizeof p[0], by_address);
	for (size_t i = 0; i + 1 < NSIZES; i++) {
		uintptr_t end =
		    (uintptr_t)p[i] + heap_usable_size(fx->heap, p[i]);

		assert_true(end <= (uintptr_t)p[i + 1]);
	}
	for (size_t i = 0; i < NSIZES; i++)
		heap_free(fx->heap, p[i]);
}

static void test_alloc_returns_pointers_inside_the_heap_memory(void **state)
{
	struct fixture *fx = *state;
	uintptr_t lo = (uintptr_t)fx->mem;
	uintptr_t hi = lo + fx->bytes;

	for (size_t i = 0; i < NSIZES; i++) {
		unsigned char *p = heap_alloc(fx->heap, sizes[i]);

		assert_non_null(p);
		assert_true((uintptr_t)p >= lo);
		assert_true((uintptr_t)p + heap_usable_size(fx->heap, p) <= hi);
		heap_free(fx->heap, p);
	}
}

static void test_alloc_zero_returns_distinct_freeable_pointers(void **state)
{
	struct fixture *fx = *state;
	struct heap_stats before = stats_of(fx->heap);
	void *a = heap_alloc(fx->heap, 0);
	void *b = heap_alloc(fx->heap, 0);

	assert_non_null(a);
	assert_non_null(b);
	assert_ptr_not_equal(a, b);
	assert_int_equal((uintptr_t)a % HEAP_ALIGN, 0);
	assert_int_equal((uintptr_t)b % HEAP_ALIGN, 0);
	assert_int_equal(stats_of(fx->heap).used_blocks,
			 before.used_blocks + 2);
	heap_free(fx->heap, a);
	heap_free(fx->heap, b);
	assert_int_equal(stats_of(fx->heap).used_blocks, before.used_blocks);
	assert_int_equal(fx->log.total, 0);
}

static void test_free_null_does_nothing(void **state)
{
	struct fixture *fx = *state;
	void *keep = heap_alloc(fx->heap, 100);
	struct heap_stats before = stats_of(fx->heap);
	struct heap_stats after;

	heap_free(fx->heap, NULL);
	after = stats_of(fx->heap);
	assert_int_equal(after.used_blocks, before.used_blocks);
	assert_int_equal(after.free_blocks, before.free_blocks);
	assert_int_equal(after.bytes_used, before.bytes_used);
	assert_int_equal(after.bytes_free, before.bytes_free);
	assert_int_equal(fx->log.total, 0);
	heap_free(fx->heap, keep);
}

static void test_alloc_of_size_max_and_just_below_returns_null(void **state)
{
	struct fixture *fx = *state;
	struct heap_stats before = stats_of(fx->heap);

	/* Covers every way adding a header or rounding up could wrap. */
	for (size_t k = 0; k < 4096; k++)
		assert_null(heap_alloc(fx->heap, SIZE_MAX - k));
	assert_null(heap_alloc(fx->heap, SIZE_MAX / 2 + 1));
	assert_null(heap_alloc(fx->heap, SIZE_MAX / 2));
	assert_int_equal(stats_of(fx->heap).bytes_free, before.bytes_free);
	assert_int_equal(stats_of(fx->heap).used_blocks, before.used_blocks);
	assert_int_equal(heap_check(fx->heap), 0);
}

static void test_alloc_larger_than_the_heap_returns_null(void **state)
{
	struct fixture *fx = *state;

	assert_null(heap_alloc(fx->heap, fx->bytes));
	assert_null(heap_alloc(fx->heap, fx->bytes * 4));
	assert_int_equal(stats_of(fx->heap).used_blocks, 0);
	assert_int_equal(heap_check(fx->heap), 0);
}

static void test_alloc_of_largest_free_succeeds(void **state)
{
	struct fixture *fx = *state;
	size_t largest = stats_of(fx->heap).largest_free;
	void *p;

	assert_true(largest > 0);
	p = heap_alloc(fx->heap, largest);
	assert_non_null(p);
	assert_true(heap_usable_size(fx->heap, p) >= largest);
	heap_free(fx->heap, p);
}

static void test_alloc_one_byte_over_largest_free_returns_null(void **state)
{
	struct fixture *fx = *state;
	struct heap_stats s = stats_of(fx->heap);

	/* A fresh heap is one free block: nothing else could serve it. */
	assert_int_equal(s.free_blocks, 1);
	assert_null(heap_alloc(fx->heap, s.largest_free + 1));
	assert_int_equal(heap_check(fx->heap), 0);
}

#define OOM_BLOCK 4000u
#define OOM_MAX	  1024u

static size_t fill_until_null(struct heap *h, void **p, size_t max)
{
	size_t n = 0;

	while (n < max && (p[n] = heap_alloc(h, OOM_BLOCK)) != NULL)
		n++;
	return n;
}

static void
test_alloc_out_of_memory_returns_null_and_heap_stays_consistent(void **state)
{
	struct fixture *fx = *state;
	void **p = calloc(OOM_MAX, sizeof *p);
	size_t n;

	assert_non_null(p);
	n = fill_until_null(fx->heap, p, OOM_MAX);
	assert_true(n > 0 && n < OOM_MAX);
	assert_int_equal(heap_check(fx->heap), 0);
	assert_true(stats_of(fx->heap).largest_free < OOM_BLOCK);
	assert_int_equal(stats_of(fx->heap).used_blocks, n);
	for (size_t i = 0; i < n; i++)
		heap_free(fx->heap, p[i]);
	free(p);
}

static void test_alloc_succeeds_again_after_freeing_a_full_heap(void **state)
{
	struct fixture *fx = *state;
	size_t initial = stats_of(fx->heap).largest_free;
	void **p = calloc(OOM_MAX, sizeof *p);
	size_t first, second;

	assert_non_null(p);
	first = fill_until_null(fx->heap, p, OOM_MAX);
	for (size_t i = 0; i < first; i++)
		heap_free(fx->heap, p[i]);
	assert_int_equal(stats_of(fx->heap).largest_free, initial);
	second = fill_until_null(fx->heap, p, OOM_MAX);
	assert_int_equal(second, first);
	for (size_t i = 0; i < second; i++)
		heap_free(fx->heap, p[i]);
	free(p);
}

static void
test_freeing_everything_restores_the_initial_free_space(void **state)
{
	struct fixture *fx = *state;
	struct heap_stats initial = stats_of(fx->heap);
	struct heap_stats after;
	void *p[NSIZES];

	for (size_t i = 0; i < NSIZES; i++) {
		p[i] = heap_alloc(fx->heap, sizes[i]);
		assert_non_null(p[i]);
	}
	/* Odd indices first, so that frees meet free neighbours both ways. */
	for (size_t i = 1; i < NSIZES; i += 2)
		heap_free(fx->heap, p[i]);
	for (size_t i = 0; i < NSIZES; i += 2)
		heap_free(fx->heap, p[i]);
	after = stats_of(fx->heap);
	assert_int_equal(after.largest_free, initial.largest_free);
	assert_int_equal(after.bytes_free, initial.bytes_free);
	assert_int_equal(after.free_blocks, 1);
	assert_int_equal(after.used_blocks, 0);
}

static void test_calloc_returns_zeroed_memory(void **state)
{
	struct fixture *fx = *state;
	size_t n = 3000;
	unsigned char *dirty = heap_alloc(fx->heap, n);
	unsigned char *p;

	/* Make the memory calloc is likely to reuse non-zero first. */
	assert_non_null(dirty);
	memset(dirty, 0xff, n);
	heap_free(fx->heap, dirty);
	p = heap_calloc(fx->heap, n / 4, 4);
	assert_non_null(p);
	assert_int_equal((uintptr_t)p % HEAP_ALIGN, 0);
	assert_int_equal(stamp_find_other(p, n, 0), n);
	heap_free(fx->heap, p);
}

static void test_calloc_zeroes_memory_never_used_before(void **state)
{
	struct fixture *fx = *state;
	size_t n = 5000;
	unsigned char *p = heap_calloc(fx->heap, 1, n);

	/* The fixture's buffer starts as junk, never zero. */
	assert_non_null(p);
	assert_int_equal(stamp_find_other(p, n, 0), n);
	heap_free(fx->heap, p);
}

static void test_calloc_with_overflowing_product_returns_null(void **state)
{
	struct fixture *fx = *state;
	/* half * half is exactly 2^bits: wraps to 0 on i386 and x86_64. */
	size_t half = (size_t)1 << (sizeof(size_t) * 4);
	struct heap_stats before = stats_of(fx->heap);

	assert_null(heap_calloc(fx->heap, half, half));
	assert_null(heap_calloc(fx->heap, half + 1, half));
	assert_null(heap_calloc(fx->heap, SIZE_MAX, 2));
	assert_null(heap_calloc(fx->heap, 2, SIZE_MAX));
	assert_null(heap_calloc(fx->heap, SIZE_MAX / 3 + 1, 3));
	assert_null(heap_calloc(fx->heap, SIZE_MAX / 16 + 1, 16));
	assert_null(heap_calloc(fx->heap, SIZE_MAX, SIZE_MAX));
	assert_int_equal(stats_of(fx->heap).used_blocks, before.used_blocks);
	assert_int_equal(stats_of(fx->heap).bytes_free, before.bytes_free);
	assert_int_equal(fx->log.total, 0);
}

static void test_calloc_of_size_max_returns_null(void **state)
{
	struct fixture *fx = *state;

	for (size_t k = 0; k < 256; k++)
		assert_null(heap_calloc(fx->heap, 1, SIZE_MAX - k));
	assert_int_equal(heap_check(fx->heap), 0);
}

static void test_calloc_of_zero_elements_returns_freeable_pointer(void **state)
{
	struct fixture *fx = *state;
	void *a = heap_calloc(fx->heap, 0, 16);
	void *b = heap_calloc(fx->heap, 16, 0);

	assert_non_null(a);
	assert_non_null(b);
	assert_ptr_not_equal(a, b);
	heap_free(fx->heap, a);
	heap_free(fx->heap, b);
	assert_int_equal(stats_of(fx->heap).used_blocks, 0);
}

static void test_freed_block_is_returned_to_free_space(void **state)
{
	struct fixture *fx = *state;
	size_t free_before = stats_of(fx->heap).bytes_free;
	void *p = heap_alloc(fx->heap, 1000);

	assert_non_null(p);
	assert_true(stats_of(fx->heap).bytes_free < free_before);
	heap_free(fx->heap, p);
	assert_int_equal(stats_of(fx->heap).bytes_free, free_before);
}

#define T(name)                                                                \
	cmocka_unit_test_setup_teardown(name, fixture_setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_alloc_returns_16_byte_aligned_pointers),
	    T(test_alloc_gives_at_least_the_requested_bytes),
	    T(test_alloc_blocks_do_not_overlap),
	    T(test_alloc_returns_pointers_inside_the_heap_memory),
	    T(test_alloc_zero_returns_distinct_freeable_pointers),
	    T(test_free_null_does_nothing),
	    T(test_alloc_of_size_max_and_just_below_returns_null),
	    T(test_alloc_larger_than_the_heap_returns_null),
	    T(test_alloc_of_largest_free_succeeds),
	    T(test_alloc_one_byte_over_largest_free_returns_null),
	    T(test_alloc_out_of_memory_returns_null_and_heap_stays_consistent),
	    T(test_alloc_succeeds_again_after_freeing_a_full_heap),
	    T(test_freeing_everything_restores_the_initial_free_space),
	    T(test_calloc_returns_zeroed_memory),
	    T(test_calloc_zeroes_memory_never_used_before),
	    T(test_calloc_with_overflowing_product_returns_null),
	    T(test_calloc_of_size_max_returns_null),
	    T(test_calloc_of_zero_elements_returns_freeable_pointer),
	    T(test_freed_block_is_returned_to_free_space),
	};

	mm_host_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
