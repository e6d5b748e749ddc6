/*
 * test_aligned.c - heap_aligned_alloc: every power of two up to
 * HEAP_MAX_ALIGN, nothing else; and realloc keeping an aligned block aligned.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "host/mm_host.h"
#include "mm/heap.h"
#include "tests/common/fixture.h"
#include "tests/common/stamp.h"
#include "tests/common/walk.h"

/* Room for a HEAP_MAX_ALIGN block wherever the buffer happens to start. */
#define BIG_BYTES (3 * HEAP_MAX_ALIGN)

static int big_setup(void **state)
{
	struct fixture *fx = malloc(sizeof *fx);

	if (fx == NULL || fixture_open(fx, BIG_BYTES) != 0) {
		free(fx);
		return -1;
	}
	*state = fx;
	return 0;
}

static int is_aligned(const void *p, size_t align)
{
	return (uintptr_t)p % align == 0;
}

static void
test_aligned_alloc_honours_every_power_of_two_up_to_the_max(void **state)
{
	struct fixture *fx = *state;

	for (size_t align = 1; align <= HEAP_MAX_ALIGN; align *= 2) {
		unsigned char *p = heap_aligned_alloc(fx->heap, align, 100);

		assert_non_null(p);
		assert_true(is_aligned(p, align));
		assert_true(is_aligned(p, HEAP_ALIGN));
		assert_true(heap_usable_size(fx->heap, p) >= 100);
		stamp_fill(p, 100, align);
		assert_int_equal(heap_check(fx->heap), 0);
		assert_int_equal(stamp_find_damage(p, 100, align), 100);
		heap_free(fx->heap, p);
	}
}

static void
test_aligned_alloc_below_16_still_gives_16_byte_alignment(void **state)
{
	struct fixture *fx = *state;

	for (size_t align = 1; align < HEAP_ALIGN; align *= 2) {
		void *p = heap_aligned_alloc(fx->heap, align, 1);

		assert_non_null(p);
		assert_true(is_aligned(p, HEAP_ALIGN));
		heap_free(fx->heap, p);
	}
}

static void
test_aligned_alloc_rejects_alignments_that_are_not_powers_of_two(void **state)
{
	struct fixture *fx = *state;
	static const size_t bad[] = {
	    0,
	    3,
	    5,
	    6,
	    7,
	    9,
	    12,
	    15,
	    17,
	    24,
	    48,
	    100,
	    1000,
	    4095,
	    4097,
	    3 << 10,
	    (1u << 20) + (1u << 19),
	    HEAP_MAX_ALIGN - 1,
	    HEAP_MAX_ALIGN + 1,
	    SIZE_MAX,
	};
	struct heap_stats before = stats_of(fx->heap);

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_null(heap_aligned_alloc(fx->heap, bad[i], 64));
	assert_int_equal(stats_of(fx->heap).used_blocks, before.used_blocks);
	assert_int_equal(stats_of(fx->heap).bytes_free, before.bytes_free);
	assert_int_equal(fx->log.total, 0);
}

static void test_aligned_alloc_rejects_alignments_above_the_max(void **state)
{
	struct fixture *fx = *state;

	assert_null(heap_aligned_alloc(fx->heap, HEAP_MAX_ALIGN * 2, 64));
	assert_null(heap_aligned_alloc(fx->heap, HEAP_MAX_ALIGN * 4, 64));
	assert_null(heap_aligned_alloc(fx->heap, SIZE_MAX / 2 + 1, 64));
	assert_int_equal(stats_of(fx->heap).used_blocks, 0);
	assert_int_equal(fx->log.total, 0);
}

static void test_aligned_alloc_of_sizes_near_size_max_returns_null(void **state)
{
	struct fixture *fx = *state;
	static const size_t aligns[] = {1, 16, 64, 4096, HEAP_MAX_ALIGN};

	/* Sizes where size + align (+ header) wraps, for each alignment. */
	for (size_t i = 0; i < sizeof aligns / sizeof aligns[0]; i++) {
		size_t a = aligns[i];

		for (size_t m = 0; m < 4; m++) {
			for (size_t k = 0; k < 64; k++) {
				size_t size = SIZE_MAX - m * a - k;

				assert_null(
				    heap_aligned_alloc(fx->heap, a, size));
			}
		}
	}
	assert_int_equal(stats_of(fx->heap).used_blocks, 0);
	assert_int_equal(heap_check(fx->heap), 0);
}

static void
test_aligned_alloc_of_zero_bytes_returns_freeable_pointer(void **state)
{
	struct fixture *fx = *state;
	void *a = heap_aligned_alloc(fx->heap, 256, 0);
	void *b = heap_aligned_alloc(fx->heap, 256, 0);

	assert_non_null(a);
	assert_non_null(b);
	assert_ptr_not_equal(a, b);
	assert_true(is_aligned(a, 256));
	assert_true(is_aligned(b, 256));
	heap_free(fx->heap, a);
	heap_free(fx->heap, b);
	assert_int_equal(stats_of(fx->heap).used_blocks, 0);
}

#define MIXED 48

static void
test_aligned_blocks_do_not_overlap_and_keep_their_contents(void **state)
{
	struct fixture *fx = *state;
	unsigned char *p[MIXED];
	size_t size[MIXED];

	for (size_t i = 0; i < MIXED; i++) {
		size_t align = (size_t)HEAP_ALIGN << (i % 10);

		size[i] = 1 + i * 37 % 700;
		p[i] = heap_aligned_alloc(fx->heap, align, size[i]);
		assert_non_null(p[i]);
		assert_true(is_aligned(p[i], align));
		stamp_fill(p[i], size[i], i + 100);
	}
	for (size_t i = 0; i < MIXED; i++)
		assert_int_equal(stamp_find_damage(p[i], size[i], i + 100),
				 size[i]);
	assert_int_equal(heap_check(fx->heap), 0);
	for (size_t i = 0; i < MIXED; i++)
		heap_free(fx->heap, p[i]);
}

static void
test_freeing_aligned_blocks_gives_back_the_alignment_gaps(void **state)
{
	struct fixture *fx = *state;
	struct heap_stats initial = stats_of(fx->heap);
	void *p[MIXED];

	for (size_t i = 0; i < MIXED; i++) {
		p[i] = heap_aligned_alloc(fx->heap, (size_t)64 << (i % 8), 24);
		assert_non_null(p[i]);
	}
	for (size_t i = 0; i < MIXED; i += 2)
		heap_free(fx->heap, p[i]);
	for (size_t i = 1; i < MIXED; i += 2)
		heap_free(fx->heap, p[i]);
	assert_int_equal(stats_of(fx->heap).free_blocks, 1);
	assert_int_equal(stats_of(fx->heap).largest_free, initial.largest_free);
	assert_int_equal(stats_of(fx->heap).bytes_free, initial.bytes_free);
}

static void
test_aligned_alloc_returns_null_when_no_aligned_address_fits(void **state)
{
	struct fixture *fx = *state;
	uintptr_t lo = (uintptr_t)fx->mem;
	uintptr_t hi = lo + fx->bytes;
	/* The first HEAP_MAX_ALIGN boundary in the buffer, if any. */
	uintptr_t boundary =
	    (lo + HEAP_MAX_ALIGN - 1) & ~(uintptr_t)(HEAP_MAX_ALIGN - 1);
	void *p = heap_aligned_alloc(fx->heap, HEAP_MAX_ALIGN, 64);

	if (boundary + 64 > hi || boundary < lo)
		assert_null(p);
	else if (p != NULL)
		assert_true(is_aligned(p, HEAP_MAX_ALIGN));
	heap_free(fx->heap, p);
	assert_int_equal(heap_check(fx->heap), 0);
	assert_int_equal(stats_of(fx->heap).used_blocks, 0);
}

/* An aligned block whose successor is in use, so growing it must move it. */
static unsigned char *aligned_and_hemmed_in(struct fixture *fx, size_t align,
					    size_t size)
{
	unsigned char *p = heap_aligned_alloc(fx->heap, align, size);
	struct walk_around w;

	assert_non_null(p);
	for (int tries = 0; tries < 4096; tries++) {
		assert_int_equal(walk_around(fx->heap, p, &w), 0);
		if (w.has_next && !w.next.free)
			return p;
		/* Blockers stay allocated until the fixture drops the heap. */
		assert_non_null(heap_alloc(fx->heap, 16));
	}
	fail_msg("%s", "no used block could be placed after the aligned one");
	return NULL;
}

static void
test_realloc_moving_an_aligned_block_keeps_its_alignment(void **state)
{
	struct fixture *fx = *state;
	static const size_t aligns[] = {64, 4096, 65536};

	for (size_t i = 0; i < sizeof aligns / sizeof aligns[0]; i++) {
		size_t a = aligns[i];
		unsigned char *p = aligned_and_hemmed_in(fx, a, 100);
		unsigned char *q;

		stamp_fill(p, 100, a);
		q = heap_realloc(fx->heap, p, 20000);
		assert_non_null(q);
		assert_ptr_not_equal(q, p);
		assert_true(is_aligned(q, a));
		assert_int_equal(stamp_find_damage(q, 100, a), 100);
		heap_free(fx->heap, q);
	}
}

static void
test_realloc_shrinking_an_aligned_block_keeps_its_alignment(void **state)
{
	struct fixture *fx = *state;
	unsigned char *p = heap_aligned_alloc(fx->heap, 4096, 5000);
	unsigned char *q;

	assert_non_null(p);
	stamp_fill(p, 5000, 12);
	q = heap_realloc(fx->heap, p, 10);
	assert_non_null(q);
	assert_true(is_aligned(q, 4096));
	assert_int_equal(stamp_find_damage(q, 10, 12), 10);
	heap_free(fx->heap, q);
}

static void
test_realloc_growing_an_aligned_block_in_place_keeps_it(void **state)
{
	struct fixture *fx = *state;
	unsigned char *p = heap_aligned_alloc(fx->heap, 4096, 100);
	unsigned char *q;

	assert_non_null(p);
	stamp_fill(p, 100, 13);
	q = heap_realloc(fx->heap, p, 30000);
	assert_non_null(q);
	assert_true(is_aligned(q, 4096));
	assert_int_equal(stamp_find_damage(q, 100, 13), 100);
	heap_free(fx->heap, q);
}

#define T(name)                                                                \
	cmocka_unit_test_setup_teardown(name, fixture_setup, fixture_teardown)
#define T_BIG(name)                                                            \
	cmocka_unit_test_setup_teardown(name, big_setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T_BIG(test_aligned_alloc_honours_every_power_of_two_up_to_the_max),
	    T(test_aligned_alloc_below_16_still_gives_16_byte_alignment),
	    T(test_aligned_alloc_rejects_alignments_that_are_not_powers_of_two),
	    T(test_aligned_alloc_rejects_alignments_above_the_max),
	    T(test_aligned_alloc_of_sizes_near_size_max_returns_null),
	    T(test_aligned_alloc_of_zero_bytes_returns_freeable_pointer),
	    T(test_aligned_blocks_do_not_overlap_and_keep_their_contents),
	    T(test_freeing_aligned_blocks_gives_back_the_alignment_gaps),
	    T(test_aligned_alloc_returns_null_when_no_aligned_address_fits),
	    T(test_realloc_moving_an_aligned_block_keeps_its_alignment),
	    T(test_realloc_shrinking_an_aligned_block_keeps_its_alignment),
	    T(test_realloc_growing_an_aligned_block_in_place_keeps_it),
	};

	mm_host_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
