/*
 * test_assert.c - MM_ASSERT (mm/assert.h): in a build with MM_ASSERTS, a
 * broken invariant stops everything through the panic hook, naming the
 * file, the line, the condition and why it must hold; without, the check
 * costs nothing and is not even evaluated.
 *
 * An invariant can only be broken from inside mm/, so these tests reach
 * inside: the one unit test that includes mm/internal.h, to do what mm/
 * never does (file a block in use on a free list, touch the lists without
 * the lock, leave two free blocks side by side, let the lock go with a
 * block half split) and see each caught. The
 * last breaks a hook's contract instead, from outside: two threads that
 * share one struct mm_local.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "host/mm_host.h"
#include "mm/internal.h"

static jmp_buf panic_jump;
static char panic_msg[300];
static unsigned panics;

/* The panic hook must not return: back to the test instead. */
static void panic_to_test(const char *what)
{
	strncpy(panic_msg, what, sizeof panic_msg - 1);
	panics++;
	longjmp(panic_jump, 1);
}

#define HEAP_BYTES ((size_t)1 << 20)
static void *mem;

static void panic_hook_over(const struct mm_hooks *base)
{
	struct mm_hooks hooks = *base;

	hooks.panic = panic_to_test;
	mm_set_hooks(&hooks);
}

static int setup(void **state)
{
	(void)state;
	mm_host_init();
	panic_hook_over(&mm_hooks);
	panic_msg[0] = '\0';
	panics = 0;
	mem = aligned_alloc(4096, HEAP_BYTES);
	return mem ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(mem);
	mm_host_init();
	return 0;
}

#if MM_ASSERTS_ON

/* The panic message names where, what and why. */
static void assert_caught(const char *file, const char *why)
{
	char where[64];

	snprintf(where, sizeof where, "%s:", file);
	assert_int_equal(panics, 1);
	assert_non_null(strstr(panic_msg, where));
	assert_true(strstr(panic_msg, where) <
		    strstr(panic_msg, ": assertion failed: "));
	assert_non_null(strstr(panic_msg, why));
}

static void test_an_assertion_names_file_line_condition_and_reason(void **state)
{
	volatile int line = 0;
	int two = 2;

	(void)state;
	if (setjmp(panic_jump) == 0) {
		line = __LINE__ + 1;
		MM_ASSERT(two == 3, "two is three");
		fail_msg("%s", "a false assertion returned");
	}
	{
		char want[120];

		snprintf(want, sizeof want,
			 "%s:%d: assertion failed: two == 3 (two is three)",
			 __FILE__, line);
		assert_string_equal(panic_msg, want);
	}
}

static void test_an_assertion_evaluates_its_condition_once(void **state)
{
	int n = 0;

	(void)state;
	MM_ASSERT(++n == 1, "evaluated");
	assert_int_equal(n, 1);
	assert_int_equal(panics, 0);
}

static void test_a_block_in_use_filed_on_a_free_list_is_caught(void **state)
{
	struct heap *h = heap_create(mem, HEAP_BYTES);
	void *p = heap_alloc(h, 100);
	uintptr_t irq = 0;

	(void)state;
	assert_non_null(p);
	assert_int_equal(mm_heap_lock(h, &irq, NULL), 0);
	if (setjmp(panic_jump) == 0) {
		mm_fl_insert(h, block_from_payload(p));
		fail_msg("%s", "a used block went on a free list unseen");
	}
	assert_caught("mm/freelist.c", "only a free block");
}

static void test_free_lists_touched_without_the_lock_are_caught(void **state)
{
	struct heap *h = heap_create(mem, HEAP_BYTES);

	(void)state;
	assert_non_null(h);
	if (setjmp(panic_jump) == 0) {
		(void)mm_fl_take(h, 64);
		fail_msg("%s", "the lists were taken from without the lock");
	}
	assert_caught("mm/freelist.c", "under the lock");
}

static void test_two_free_blocks_side_by_side_are_caught(void **state)
{
	struct heap *h = heap_create(mem, HEAP_BYTES);
	void *p[4];
	uintptr_t irq = 0;

	(void)state;
	for (int i = 0; i < 4; i++)
		assert_non_null(p[i] = heap_alloc(h, 64));
	/* what mm/ never leaves: p[1] and p[2] free and listed, unmerged */
	assert_int_equal(mm_heap_lock(h, &irq, NULL), 0);
	for (int i = 1; i <= 2; i++) {
		struct block *b = block_from_payload(p[i]);

		mm_uncount_used(h, b);
		mm_mark_free(h, b, block_size(b));
		mm_fl_insert(h, b);
	}
	mm_heap_unlock(h, irq);
	/* freeing p[0] merges p[1], and finds p[2] still free beyond it */
	if (setjmp(panic_jump) == 0) {
		heap_free(h, p[0]);
		fail_msg("%s", "unmerged free neighbours went unseen");
	}
	assert_caught("mm/free.c", "free neighbours are always merged");
}

static void test_a_split_block_left_unmarked_is_caught(void **state)
{
	struct heap *h = heap_create(mem, HEAP_BYTES);
	struct block *b;
	uintptr_t irq = 0;

	(void)state;
	assert_int_equal(mm_heap_lock(h, &irq, NULL), 0);
	b = mm_fl_take(h, 64);
	assert_non_null(b);
	mm_split(h, b, 64, 1);
	/* and no mm_mark_used(): the lock must not go with b half made */
	if (setjmp(panic_jump) == 0) {
		mm_heap_unlock(h, irq);
		fail_msg("%s", "a block split and left unsealed went unseen");
	}
	assert_caught("mm/internal.h", "is marked before the lock goes");
}

/* A broken environment: one struct mm_local for two CPUs. */
static struct mm_local shared_local;
static unsigned cpu_now;

static struct mm_local *one_local_for_all(void)
{
	return &shared_local;
}

static unsigned which_cpu(void)
{
	return cpu_now;
}

static void test_a_cache_shared_by_two_cpus_is_caught(void **state)
{
	struct mm_hooks hooks = mm_hooks;
	struct heap *h;
	void *p;

	(void)state;
	memset(&shared_local, 0, sizeof shared_local);
	hooks.local = one_local_for_all;
	hooks.cpu_id = which_cpu;
	panic_hook_over(&hooks);
	h = heap_create_flags(mem, HEAP_BYTES, HEAP_CACHES);
	assert_non_null(h);
	cpu_now = 0;
	p = heap_alloc(h, 32); /* cpu 0 claims its cache */
	assert_non_null(p);
	heap_free(h, p);
	cpu_now = 1; /* and cpu 1 finds it in "its" mm_local */
	if (setjmp(panic_jump) == 0) {
		(void)heap_alloc(h, 32);
		fail_msg("%s", "two CPUs used one cache unseen");
	}
	assert_caught("mm/cache_ops.h", "owns it alone");
}

#else /* !MM_ASSERTS_ON */

static void test_assertions_off_evaluate_nothing(void **state)
{
	int n = 0;

	(void)state;
	MM_ASSERT(++n == 5, "never evaluated");
	assert_int_equal(n, 0);
	assert_int_equal(panics, 0);
}

static void test_assertions_off_let_a_false_condition_pass(void **state)
{
	int two = 2;

	(void)state;
	MM_ASSERT(two == 3, "not checked in this build");
	assert_int_equal(panics, 0);
}

#endif

int main(void)
{
	const struct CMUnitTest tests[] = {
#if MM_ASSERTS_ON
		cmocka_unit_test_setup_teardown(
		    test_an_assertion_names_file_line_condition_and_reason,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_an_assertion_evaluates_its_condition_once, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_a_block_in_use_filed_on_a_free_list_is_caught, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_free_lists_touched_without_the_lock_are_caught, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_two_free_blocks_side_by_side_are_caught, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_a_split_block_left_unmarked_is_caught, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_a_cache_shared_by_two_cpus_is_caught, setup, teardown),
#else
		cmocka_unit_test_setup_teardown(
		    test_assertions_off_evaluate_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_assertions_off_let_a_false_condition_pass, setup,
		    teardown),
#endif
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
