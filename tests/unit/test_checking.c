/*
 * test_checking.c - every misuse class, in each mode: fast (always-on
 * header checks), checking (poison, red zones, canaries) and quarantine.
 *
 * Each test runs once per mode (cmocka prestate) and asserts the fault
 * kind that mode must report - or, where fast mode cannot see a misuse (a
 * write into the middle of a freed block), that it reports nothing wrong
 * and stays consistent. Where the heap can recover, heap_check must be
 * clean afterwards.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "host/mm_host.h"
#include "mm/heap.h"
#include "tests/common/fault_log.h"
#include "tests/common/fixture.h"

#define ARENA ((size_t)1 << 20)

struct mode {
	const char *name;
	unsigned flags;
};

static const struct mode fast = {"fast", 0};
static const struct mode checking = {"checking", HEAP_CHECKING};
static const struct mode quarantine = {"quarantine", HEAP_QUARANTINE};

struct env {
	const struct mode *mode;
	unsigned char *mem;
	struct heap *h;
	struct fault_log log;
};

static int is_checking(const struct env *e)
{
	return (e->mode->flags & (HEAP_CHECKING | HEAP_QUARANTINE)) != 0;
}

static int setup(void **state)
{
	static struct env e;

	e.mode = *state;
	e.mem = buffer_get(ARENA);
	if (!e.mem)
		return -1;
	e.h = heap_create_flags(e.mem, ARENA, e.mode->flags);
	if (!e.h)
		return -1;
	fault_log_attach(&e.log, e.h);
	*state = &e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	buffer_put(e->mem);
	*state = (void *)e->mode;
	return 0;
}

/* Free, then make sure whatever is quarantined is really released. */
static void settle(struct env *e)
{
	heap_flush_quarantine(e->h);
}

static void expect_only(struct env *e, enum heap_fault_kind kind)
{
	assert_true(e->log.count[kind] >= 1);
	assert_int_equal(e->log.last.kind, kind);
}

static void expect_clean(struct env *e)
{
	fault_log_reset(&e->log);
	assert_int_equal(heap_check(e->h), 0);
	assert_int_equal(e->log.total, 0);
}

static void test_double_free_of_a_lone_block(void **state)
{
	struct env *e = *state;
	void *a = heap_alloc(e->h, 40);
	void *guard = heap_alloc(e->h, 40);

	assert_non_null(a);
	heap_free(e->h, a);
	heap_free(e->h, a);
	expect_only(e, HEAP_FAULT_DOUBLE_FREE);
	assert_ptr_equal(e->log.last.ptr, a);
	heap_free(e->h, guard);
	expect_clean(e);
}

static void test_double_free_after_the_block_merged(void **state)
{
	struct env *e = *state;
	void *a = heap_alloc(e->h, 64);
	void *b = heap_alloc(e->h, 64);
	void *guard = heap_alloc(e->h, 64);

	heap_free(e->h, a);
	heap_free(e->h, b); /* merges with a */
	settle(e);
	heap_free(e->h, b);
	expect_only(e, HEAP_FAULT_DOUBLE_FREE);
	heap_free(e->h, guard);
	expect_clean(e);
}

static void test_free_of_a_stack_pointer(void **state)
{
	struct env *e = *state;
	_Alignas(16) unsigned char local[64];

	heap_free(e->h, local + 32);
	expect_only(e, HEAP_FAULT_INVALID_POINTER);
	assert_null(heap_realloc(e->h, local + 32, 10));
	expect_only(e, HEAP_FAULT_INVALID_POINTER);
	expect_clean(e);
}

static void test_free_of_an_interior_pointer(void **state)
{
	struct env *e = *state;
	unsigned char *a = heap_alloc(e->h, 256);

	heap_free(e->h, a + 64);
	expect_only(e, HEAP_FAULT_INVALID_POINTER);
	assert_null(heap_realloc(e->h, a + 64, 10));
	expect_only(e, HEAP_FAULT_INVALID_POINTER);
	heap_free(e->h, a);
	expect_clean(e);
}

static void test_free_of_a_misaligned_pointer(void **state)
{
	struct env *e = *state;
	unsigned char *a = heap_alloc(e->h, 64);

	heap_free(e->h, a + 1);
	expect_only(e, HEAP_FAULT_INVALID_POINTER);
	heap_free(e->h, a);
	expect_clean(e);
}

static void test_free_of_another_heaps_pointer(void **state)
{
	struct env *e = *state;
	unsigned char *other_mem = buffer_get(ARENA);
	struct heap *other = heap_create_flags(other_mem, ARENA, 0);
	void *p = heap_alloc(other, 64);

	assert_non_null(p);
	heap_free(e->h, p);
	expect_only(e, HEAP_FAULT_INVALID_POINTER);
	assert_int_equal(heap_check(other), 0);
	heap_free(other, p);
	assert_int_equal(heap_check(other), 0);
	buffer_put(other_mem);
	expect_clean(e);
}

/*
 * Overflow by n bytes past what heap_usable_size() allows. 32 bytes asked
 * leave a red zone of 16 in checking mode, so all of 1..16 land in the
 * canary and the damage is contained; in fast mode the usable size is the
 * whole payload and the first byte past it is the next block's header.
 */
static void overflow_by(struct env *e, size_t n)
{
	unsigned char *a = heap_alloc(e->h, 32);
	void *b = heap_alloc(e->h, 32);
	size_t usable = heap_usable_size(e->h, a);

	assert_non_null(b);
	if (is_checking(e)) {
		/* the red zone holds HEAP_CANARY_BYTE, never 0x5a */
		memset(a + usable, 0x5a, n);
	} else {
		/* the next header's first word is a keyed hash: any fixed
		 * byte matches it one time in 256, so flip bits instead */
		for (size_t i = 0; i < n; i++)
			a[usable + i] ^= 0x5a;
	}
	heap_free(e->h, a);
	if (is_checking(e)) {
		expect_only(e, HEAP_FAULT_OVERFLOW);
		assert_int_equal(e->log.last.offset, usable);
		assert_int_equal(e->log.last.found, 0x5a);
		assert_int_equal(e->log.last.expected, HEAP_CANARY_BYTE);
		heap_free(e->h, b);
		expect_clean(e);
	} else {
		/* the next header broke: not recoverable, but reported and
		 * never followed */
		expect_only(e, HEAP_FAULT_CORRUPTED);
		assert_ptr_equal(e->log.last.ptr, a);
		fault_log_reset(&e->log);
		assert_int_not_equal(heap_check(e->h), 0);
		assert_int_equal(e->log.last.kind, HEAP_FAULT_CORRUPTED);
	}
}

static void test_overflow_by_1(void **state)
{
	overflow_by(*state, 1);
}

static void test_overflow_by_2(void **state)
{
	overflow_by(*state, 2);
}

static void test_overflow_by_8(void **state)
{
	overflow_by(*state, 8);
}

static void test_overflow_by_16(void **state)
{
	overflow_by(*state, 16);
}

static void test_underflow_into_the_own_header(void **state)
{
	struct env *e = *state;
	unsigned char *a = heap_alloc(e->h, 64);

	a[-1] ^= 0x40;
	heap_free(e->h, a);
	expect_only(e, HEAP_FAULT_CORRUPTED);
	assert_ptr_equal(e->log.last.ptr, a);
	fault_log_reset(&e->log);
	assert_int_not_equal(heap_check(e->h), 0);
	a[-1] ^= 0x40; /* undo: the heap was left as it was */
	expect_clean(e);
	heap_free(e->h, a);
	expect_clean(e);
}

/*
 * Write into a block after freeing it, at byte `at`. The block is between
 * two live ones so that it stays a block of its own. Checking mode sees the
 * write when the block is reused or checked; fast mode sees only writes
 * over the free-list links at the start of the payload.
 */
static void write_after_free_at(struct env *e, size_t at)
{
	void *left = heap_alloc(e->h, 128);
	unsigned char *a = heap_alloc(e->h, 128);
	void *right = heap_alloc(e->h, 128);

	assert_non_null(right);
	heap_free(e->h, a);
	a[at] ^= 0xff;
	if (is_checking(e)) {
		assert_int_not_equal(heap_check(e->h), 0);
		assert_true(e->log.count[HEAP_FAULT_USE_AFTER_FREE] >= 1);
		if (at >= 2 * sizeof(void *)) {
			assert_ptr_equal(e->log.last.ptr, a + at);
			assert_int_equal(e->log.last.offset, at);
		}
	} else if (at < 2 * sizeof(void *)) {
		assert_int_not_equal(heap_check(e->h), 0);
		assert_true(e->log.count[HEAP_FAULT_CORRUPTED] >= 1);
	} else {
		/* documented blind spot of fast mode */
		assert_int_equal(heap_check(e->h), 0);
		assert_int_equal(e->log.total, 0);
	}
	a[at] ^= 0xff;
	expect_clean(e);
	heap_free(e->h, left);
	heap_free(e->h, right);
	settle(e);
	expect_clean(e);
}

static void test_write_after_free_at_the_start(void **state)
{
	write_after_free_at(*state, 0);
}

static void test_write_after_free_in_the_middle(void **state)
{
	write_after_free_at(*state, 64);
}

static void test_write_after_free_at_the_end(void **state)
{
	write_after_free_at(*state, 127);
}

/* A wild pointer written over a free block's list link is reported when
 * the allocator would follow it, and never written through. */
static void test_corrupted_free_list_link_is_not_followed(void **state)
{
	struct env *e = *state;
	void *left = heap_alloc(e->h, 128);
	unsigned char *a = heap_alloc(e->h, 128);
	void *right = heap_alloc(e->h, 128);
	uintptr_t wild = (uintptr_t)0x1000; /* unmapped: following it crashes */
	void *p;

	assert_non_null(right);
	heap_free(e->h, a);
	settle(e);
	memcpy(a, &wild, sizeof wild);
	p = heap_alloc(e->h, 128);
	assert_non_null(p);
	assert_true(e->log.total >= 1);
	assert_true(e->log.last.kind == HEAP_FAULT_CORRUPTED ||
		    e->log.last.kind == HEAP_FAULT_USE_AFTER_FREE);
	fault_log_reset(&e->log);
	heap_free(e->h, p);
	heap_free(e->h, left);
	heap_free(e->h, right);
	/* the lists were rebuilt from the headers: nothing left to report */
	expect_clean(e);
}

/*
 * After a reported link corruption the heap must not refuse what it can
 * serve: it once kept the damaged list and returned NULL for every small
 * request with nearly all of its memory free.
 */
static void test_heap_serves_small_blocks_after_a_damaged_list(void **state)
{
	struct env *e = *state;
	void *guard[8], *p[64];
	unsigned char *a[8];
	uintptr_t wild = (uintptr_t)0x1000;

	for (size_t i = 0; i < 8; i++) {
		a[i] = heap_alloc(e->h, 48);
		guard[i] = heap_alloc(e->h, 48);
		assert_non_null(guard[i]);
	}
	for (size_t i = 0; i < 8; i++)
		heap_free(e->h, a[i]);
	settle(e);
	memcpy(a[7], &wild, sizeof wild); /* the head of its list */
	for (size_t i = 0; i < 64; i++) {
		p[i] = heap_alloc(e->h, 16 + 16 * (i % 8));
		assert_non_null(p[i]);
	}
	assert_true(e->log.total >= 1);
	fault_log_reset(&e->log);
	for (size_t i = 0; i < 64; i++)
		heap_free(e->h, p[i]);
	for (size_t i = 0; i < 8; i++)
		heap_free(e->h, guard[i]);
	settle(e);
	expect_clean(e);
	assert_int_equal(stats_of(e->h).used_blocks, 0);
}

/* What stats call the largest free block is what one call can get. */
static void test_largest_free_is_allocatable(void **state)
{
	struct env *e = *state;
	struct heap_stats s;
	void *p;

	heap_get_stats(e->h, &s);
	p = heap_alloc(e->h, s.largest_free);
	assert_non_null(p);
	heap_free(e->h, p);
	settle(e);
	assert_null(heap_alloc(e->h, s.largest_free + 1));
	expect_clean(e);
}

/* Checking mode only: what a caller sees in fresh and freed memory. */
static void
test_new_memory_holds_the_new_pattern_but_calloc_zeroes(void **state)
{
	struct env *e = *state;
	unsigned char *a = heap_alloc(e->h, 100);
	unsigned char *z = heap_calloc(e->h, 10, 10);

	for (size_t i = 0; i < 100; i++) {
		if (is_checking(e))
			assert_int_equal(a[i], HEAP_NEW_BYTE);
		assert_int_equal(z[i], 0);
	}
	heap_free(e->h, a);
	heap_free(e->h, z);
	expect_clean(e);
}

static void
test_usable_size_is_the_requested_size_in_checking_mode(void **state)
{
	struct env *e = *state;
	void *a = heap_alloc(e->h, 37);

	if (is_checking(e))
		assert_int_equal(heap_usable_size(e->h, a), 37);
	else
		assert_true(heap_usable_size(e->h, a) >= 37);
	heap_free(e->h, a);
	expect_clean(e);
}

static void test_alignment_holds_in_every_mode(void **state)
{
	struct env *e = *state;
	void *p[12];

	for (size_t i = 0; i < 12; i++) {
		size_t align = (size_t)16 << i;

		p[i] = heap_aligned_alloc(e->h, align, 24 + i);
		assert_non_null(p[i]);
		assert_int_equal((uintptr_t)p[i] & (align - 1), 0);
	}
	for (size_t i = 0; i < 12; i++) {
		p[i] = heap_realloc(e->h, p[i], 5000);
		assert_int_equal((uintptr_t)p[i] & (((size_t)16 << i) - 1), 0);
	}
	for (size_t i = 0; i < 12; i++)
		heap_free(e->h, p[i]);
	expect_clean(e);
}

static void test_realloc_keeps_the_canary_after_the_new_size(void **state)
{
	struct env *e = *state;
	unsigned char *a = heap_alloc(e->h, 20);

	memset(a, 7, 20);
	a = heap_realloc(e->h, a, 40); /* grows: bytes 20..39 are new */
	for (size_t i = 0; i < 20; i++)
		assert_int_equal(a[i], 7);
	if (is_checking(e)) {
		assert_int_equal(a[20], HEAP_NEW_BYTE);
		a[40] = 1; /* one past the new size: the canary */
		a = heap_realloc(e->h, a, 10);
		expect_only(e, HEAP_FAULT_OVERFLOW);
		assert_int_equal(e->log.last.offset, 40);
		fault_log_reset(&e->log);
	}
	heap_free(e->h, a);
	expect_clean(e);
}

/* The quarantine keeps a freed block from being handed out again at once;
 * the other modes reuse it first thing (good fit, LIFO list). */
static void test_quarantine_delays_reuse(void **state)
{
	struct env *e = *state;
	void *a = heap_alloc(e->h, 200);
	void *guard = heap_alloc(e->h, 200);
	void *b;
	struct heap_stats s;

	heap_free(e->h, a);
	heap_get_stats(e->h, &s);
	if (e->mode->flags & HEAP_QUARANTINE) {
		assert_int_equal(s.quarantined_blocks, 1);
		assert_true(s.bytes_quarantined >= 200);
	} else {
		assert_int_equal(s.quarantined_blocks, 0);
	}
	b = heap_alloc(e->h, 200);
	if (e->mode->flags & HEAP_QUARANTINE)
		assert_ptr_not_equal(b, a);
	else
		assert_ptr_equal(b, a);
	heap_free(e->h, b);
	heap_free(e->h, guard);
	settle(e);
	heap_get_stats(e->h, &s);
	assert_int_equal(s.quarantined_blocks, 0);
	assert_int_equal(s.used_blocks, 0);
	assert_int_equal(s.free_blocks, 1);
	expect_clean(e);
}

static void test_quarantine_gives_memory_back_before_failing(void **state)
{
	struct env *e = *state;
	struct heap_stats s;
	void *big;

	heap_get_stats(e->h, &s);
	big = heap_alloc(e->h, s.largest_free / 2);
	assert_non_null(big);
	heap_free(e->h, big);
	/* with big quarantined, only the flush makes this fit */
	big = heap_alloc(e->h, s.largest_free - 4096);
	assert_non_null(big);
	heap_free(e->h, big);
	settle(e);
	expect_clean(e);
}

#define EACH_MODE(f)                                                           \
	cmocka_unit_test_prestate_setup_teardown(f, setup, teardown,           \
						 (void *)&fast),               \
	    cmocka_unit_test_prestate_setup_teardown(f, setup, teardown,       \
						     (void *)&checking),       \
	    cmocka_unit_test_prestate_setup_teardown(f, setup, teardown,       \
						     (void *)&quarantine)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    EACH_MODE(test_double_free_of_a_lone_block),
	    EACH_MODE(test_double_free_after_the_block_merged),
	    EACH_MODE(test_free_of_a_stack_pointer),
	    EACH_MODE(test_free_of_an_interior_pointer),
	    EACH_MODE(test_free_of_a_misaligned_pointer),
	    EACH_MODE(test_free_of_another_heaps_pointer),
	    EACH_MODE(test_overflow_by_1),
	    EACH_MODE(test_overflow_by_2),
	    EACH_MODE(test_overflow_by_8),
	    EACH_MODE(test_overflow_by_16),
	    EACH_MODE(test_underflow_into_the_own_header),
	    EACH_MODE(test_write_after_free_at_the_start),
	    EACH_MODE(test_write_after_free_in_the_middle),
	    EACH_MODE(test_write_after_free_at_the_end),
	    EACH_MODE(test_corrupted_free_list_link_is_not_followed),
	    EACH_MODE(test_heap_serves_small_blocks_after_a_damaged_list),
	    EACH_MODE(test_largest_free_is_allocatable),
	    EACH_MODE(test_new_memory_holds_the_new_pattern_but_calloc_zeroes),
	    EACH_MODE(test_usable_size_is_the_requested_size_in_checking_mode),
	    EACH_MODE(test_alignment_holds_in_every_mode),
	    EACH_MODE(test_realloc_keeps_the_canary_after_the_new_size),
	    EACH_MODE(test_quarantine_delays_reuse),
	    EACH_MODE(test_quarantine_gives_memory_back_before_failing),
	};

	mm_host_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
