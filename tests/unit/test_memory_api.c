/*
 * test_memory_api.c - the original API (memory_init, allocate_memory, ...)
 * over the one system heap, before and after memory_init.
 *
 * The system heap is global, so the order matters: the first tests run
 * before memory_init, one test makes the system heap, and each test after
 * it leaves that heap as it found it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "host/mm_host.h"
#include "mm/heap.h"
#include "mm/memory.h"
#include "tests/common/fault_log.h"
#include "tests/common/fixture.h"
#include "tests/common/stamp.h"

#define SYSTEM_BYTES ((size_t)1 << 20)

static unsigned char *system_mem;
static unsigned char *system_extra; /* a second region, added by a test */
static struct fault_log system_log;

/*
 * Around each test: it must leave as many blocks in use as it found, report
 * nothing and keep the heap whole. Counting from the start of each test
 * keeps one failed test from failing every test after it.
 */
static size_t used_before;

static int system_enter(void **state)
{
	struct heap_stats s;

	(void)state;
	if (memory_heap() == NULL)
		return -1; /* memory_init failed: nothing to test */
	heap_get_stats(memory_heap(), &s);
	used_before = s.used_blocks;
	fault_log_reset(&system_log);
	return 0;
}

static int system_leave(void **state)
{
	struct heap_stats s;

	(void)state;
	heap_get_stats(memory_heap(), &s);
	if (s.used_blocks != used_before || system_log.total != 0 ||
	    heap_check(memory_heap()) != 0)
		return -1;
	return 0;
}

static void test_memory_heap_is_null_before_init(void **state)
{
	(void)state;
	assert_null(memory_heap());
}

static void test_allocation_before_init_returns_null(void **state)
{
	(void)state;
	assert_null(allocate_memory(16));
	assert_null(allocate_memory(0));
	assert_null(allocate_clear_memory(4, 4));
	assert_null(reallocate_memory(NULL, 16));
	assert_null(allocate_aligned_memory(64, 16));
}

static void test_deallocate_before_init_does_nothing(void **state)
{
	_Alignas(16) unsigned char local[64];

	(void)state;
	memset(local, 0x5a, sizeof local);
	deallocate_memory(NULL);
	deallocate_memory(local + 16);
	assert_int_equal(stamp_find_other(local, sizeof local, 0x5a),
			 sizeof local);
	assert_null(memory_heap());
}

static void test_memory_init_rejects_memory_too_small(void **state)
{
	unsigned char *buf = buffer_get(4096);

	(void)state;
	assert_non_null(buf);
	assert_int_equal(memory_init(buf, 64), -1);
	assert_null(memory_heap());
	assert_null(allocate_memory(16));
	buffer_put(buf);
}

static int system_teardown(void **state)
{
	(void)state;
	/* memory_heap() lives in this buffer: nothing may use it after. */
	buffer_put(system_mem);
	buffer_put(system_extra);
	system_mem = NULL;
	system_extra = NULL;
	return 0;
}

/* Every test after this one runs on the heap it makes. */
static void test_memory_init_makes_the_system_heap(void **state)
{
	struct heap *h;
	struct heap_stats s;

	(void)state;
	system_mem = buffer_get(SYSTEM_BYTES);
	assert_non_null(system_mem);
	assert_int_equal(memory_init(system_mem, SYSTEM_BYTES), 0);
	h = memory_heap();
	assert_non_null(h);
	fault_log_attach(&system_log, h);
	assert_true(inside(h, 1, system_mem, SYSTEM_BYTES));
	heap_get_stats(h, &s);
	assert_int_equal(s.regions, 1);
	assert_int_equal(s.used_blocks, 0);
}

/*
 * A second memory_init would lay a new heap over memory that may hold live
 * blocks of the first (it once did, silently): refused, and the system heap
 * and its blocks stay as they were.
 */
static void test_second_memory_init_is_refused(void **state)
{
	struct heap *h = memory_heap();
	unsigned char *other = buffer_get(SYSTEM_BYTES);
	unsigned char *p = allocate_memory(100);

	(void)state;
	assert_non_null(other);
	assert_non_null(p);
	stamp_fill(p, 100, 7);
	assert_int_equal(memory_init(system_mem, SYSTEM_BYTES), -1);
	assert_int_equal(memory_init(other, SYSTEM_BYTES), -1);
	assert_int_equal(memory_init_flags(other, SYSTEM_BYTES, HEAP_CHECKING),
			 -1);
	assert_ptr_equal(memory_heap(), h);
	assert_int_equal(stamp_find_damage(p, 100, 7), 100);
	assert_int_equal(stamp_find_other(other, SYSTEM_BYTES, FIXTURE_JUNK),
			 SYSTEM_BYTES);
	deallocate_memory(p);
	buffer_put(other);
}

static void test_allocate_memory_comes_from_the_system_heap(void **state)
{
	unsigned char *p = allocate_memory(1000);
	struct heap_stats s;

	(void)state;
	assert_non_null(p);
	assert_int_equal((uintptr_t)p % HEAP_ALIGN, 0);
	assert_true(inside(p, 1000, system_mem, SYSTEM_BYTES));
	heap_get_stats(memory_heap(), &s);
	assert_int_equal(s.used_blocks, used_before + 1);
	assert_true(heap_usable_size(memory_heap(), p) >= 1000);
	deallocate_memory(p);
}

static void test_allocate_memory_of_zero_returns_distinct_pointers(void **state)
{
	void *a = allocate_memory(0);
	void *b = allocate_memory(0);

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	assert_ptr_not_equal(a, b);
	deallocate_memory(a);
	deallocate_memory(b);
}

static void test_allocate_memory_of_size_max_returns_null(void **state)
{
	(void)state;
	for (size_t k = 0; k < 64; k++)
		assert_null(allocate_memory(SIZE_MAX - k));
}

static void test_allocate_clear_memory_returns_zeroed_memory(void **state)
{
	unsigned char *dirty = allocate_memory(2000);
	unsigned char *p;

	(void)state;
	assert_non_null(dirty);
	memset(dirty, 0xee, 2000);
	deallocate_memory(dirty);
	p = allocate_clear_memory(100, 20);
	assert_non_null(p);
	assert_int_equal(stamp_find_other(p, 2000, 0), 2000);
	deallocate_memory(p);
}

static void test_allocate_clear_memory_with_overflow_returns_null(void **state)
{
	size_t half = (size_t)1 << (sizeof(size_t) * 4);

	(void)state;
	assert_null(allocate_clear_memory(half, half));
	assert_null(allocate_clear_memory(SIZE_MAX, 2));
}

static void test_reallocate_memory_keeps_the_contents(void **state)
{
	unsigned char *p = allocate_memory(100);
	void *blocker = allocate_memory(16);

	(void)state;
	assert_non_null(p);
	assert_non_null(blocker);
	stamp_fill(p, 100, 1);
	p = reallocate_memory(p, 5000);
	assert_non_null(p);
	assert_int_equal(stamp_find_damage(p, 100, 1), 100);
	p = reallocate_memory(p, 50);
	assert_non_null(p);
	assert_int_equal(stamp_find_damage(p, 50, 1), 50);
	deallocate_memory(p);
	deallocate_memory(blocker);
}

static void test_reallocate_memory_of_null_allocates(void **state)
{
	void *p = reallocate_memory(NULL, 64);

	(void)state;
	assert_non_null(p);
	deallocate_memory(p);
}

static void test_reallocate_memory_to_zero_frees(void **state)
{
	void *p = allocate_memory(64);
	struct heap_stats s;

	(void)state;
	assert_non_null(p);
	assert_null(reallocate_memory(p, 0));
	heap_get_stats(memory_heap(), &s);
	assert_int_equal(s.used_blocks, used_before);
}

static void test_reallocate_memory_failure_keeps_the_block(void **state)
{
	unsigned char *p = allocate_memory(64);

	(void)state;
	assert_non_null(p);
	stamp_fill(p, 64, 2);
	assert_null(reallocate_memory(p, SIZE_MAX));
	assert_null(reallocate_memory(p, SYSTEM_BYTES));
	assert_int_equal(stamp_find_damage(p, 64, 2), 64);
	deallocate_memory(p);
}

static void test_allocate_aligned_memory_honours_the_alignment(void **state)
{
	(void)state;
	for (size_t align = 1; align <= 65536; align *= 2) {
		void *p = allocate_aligned_memory(align, 40);

		assert_non_null(p);
		assert_int_equal((uintptr_t)p % align, 0);
		assert_int_equal((uintptr_t)p % HEAP_ALIGN, 0);
		deallocate_memory(p);
	}
}

static void test_allocate_aligned_memory_rejects_bad_alignments(void **state)
{
	(void)state;
	assert_null(allocate_aligned_memory(0, 16));
	assert_null(allocate_aligned_memory(24, 16));
	assert_null(allocate_aligned_memory(HEAP_MAX_ALIGN * 2, 16));
}

static void test_deallocate_memory_of_null_does_nothing(void **state)
{
	(void)state;
	deallocate_memory(NULL);
	assert_int_equal(system_log.total, 0);
}

static void test_double_deallocate_is_reported_by_the_system_heap(void **state)
{
	void *keep = allocate_memory(32);
	void *p = allocate_memory(32);
	void *guard = allocate_memory(32);

	(void)state;
	assert_non_null(keep);
	assert_non_null(p);
	assert_non_null(guard);
	deallocate_memory(p);
	deallocate_memory(p);
	assert_int_equal(system_log.total, 1);
	assert_int_equal(system_log.count[HEAP_FAULT_DOUBLE_FREE], 1);
	fault_log_reset(&system_log);
	deallocate_memory(keep);
	deallocate_memory(guard);
}

static void test_system_heap_grows_with_another_region(void **state)
{
	size_t want = SYSTEM_BYTES + (64 << 10);
	struct heap_stats s;
	void *p;

	(void)state;
	assert_null(allocate_memory(want));
	system_extra = buffer_get(2 * SYSTEM_BYTES);
	assert_non_null(system_extra);
	assert_int_equal(
	    heap_add_region(memory_heap(), system_extra, 2 * SYSTEM_BYTES), 0);
	p = allocate_memory(want);
	assert_non_null(p);
	assert_true(inside(p, want, system_extra, 2 * SYSTEM_BYTES));
	deallocate_memory(p);
	heap_get_stats(memory_heap(), &s);
	assert_int_equal(s.regions, 2);
}

#define S(name)                                                                \
	cmocka_unit_test_setup_teardown(name, system_enter, system_leave)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    /* before memory_init */
	    cmocka_unit_test(test_memory_heap_is_null_before_init),
	    cmocka_unit_test(test_allocation_before_init_returns_null),
	    cmocka_unit_test(test_deallocate_before_init_does_nothing),
	    cmocka_unit_test(test_memory_init_rejects_memory_too_small),
	    cmocka_unit_test(test_memory_init_makes_the_system_heap),
	    /* after it */
	    S(test_second_memory_init_is_refused),
	    S(test_allocate_memory_comes_from_the_system_heap),
	    S(test_allocate_memory_of_zero_returns_distinct_pointers),
	    S(test_allocate_memory_of_size_max_returns_null),
	    S(test_allocate_clear_memory_returns_zeroed_memory),
	    S(test_allocate_clear_memory_with_overflow_returns_null),
	    S(test_reallocate_memory_keeps_the_contents),
	    S(test_reallocate_memory_of_null_allocates),
	    S(test_reallocate_memory_to_zero_frees),
	    S(test_reallocate_memory_failure_keeps_the_block),
	    S(test_allocate_aligned_memory_honours_the_alignment),
	    S(test_allocate_aligned_memory_rejects_bad_alignments),
	    S(test_deallocate_memory_of_null_does_nothing),
	    S(test_double_deallocate_is_reported_by_the_system_heap),
	    S(test_system_heap_grows_with_another_region),
	};

	mm_host_init();
	return cmocka_run_group_tests(tests, NULL, system_teardown);
}
