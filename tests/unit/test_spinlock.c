/*
 * test_spinlock.c - the heap's ticket lock: interrupt masking through the
 * hooks, and the holder checks that turn a self-deadlock or a stray unlock
 * into a named panic.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "host/mm_host.h"
#include "mm/hooks.h"
#include "mm/spinlock.h"

static jmp_buf panic_jump;
static char panic_msg[200];
static int irq_enabled = 1;
static unsigned irq_saves, irq_restores;

/* The panic hook must not return: go back to the test instead. */
static void panic_to_test(const char *what)
{
	strncpy(panic_msg, what, sizeof panic_msg - 1);
	longjmp(panic_jump, 1);
}

static uintptr_t fake_irq_save(void)
{
	uintptr_t was = (uintptr_t)irq_enabled;

	irq_enabled = 0;
	irq_saves++;
	return was;
}

static void fake_irq_restore(uintptr_t state)
{
	irq_enabled = (int)state;
	irq_restores++;
}

static unsigned cpu_seven(void)
{
	return 7;
}

static int setup(void **state)
{
	struct mm_hooks hooks = {
	    .irq_save = fake_irq_save,
	    .irq_restore = fake_irq_restore,
	    .cpu_id = cpu_seven,
	    .panic = panic_to_test,
	};

	(void)state;
	mm_set_hooks(&hooks);
	irq_enabled = 1;
	irq_saves = irq_restores = 0;
	panic_msg[0] = '\0';
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	mm_host_init();
	return 0;
}

static void test_lock_masks_interrupts_until_unlock(void **state)
{
	struct spinlock l;
	uintptr_t irq;

	(void)state;
	mm_spin_init(&l, "test");
	irq = mm_spin_lock_irqsave(&l);
	assert_int_equal(irq_enabled, 0);
	assert_true(mm_spin_held(&l));
	mm_spin_unlock_irqrestore(&l, irq);
	assert_int_equal(irq_enabled, 1);
	assert_false(mm_spin_held(&l));
	assert_int_equal(irq_saves, 1);
	assert_int_equal(irq_restores, 1);
}

static void
test_nested_locks_restore_interrupts_only_at_the_outermost(void **state)
{
	struct spinlock a, b;
	uintptr_t irq_a, irq_b;

	(void)state;
	mm_spin_init(&a, "a");
	mm_spin_init(&b, "b");
	irq_a = mm_spin_lock_irqsave(&a);
	irq_b = mm_spin_lock_irqsave(&b);
	mm_spin_unlock_irqrestore(&b, irq_b);
	assert_int_equal(irq_enabled, 0); /* a is still held */
	mm_spin_unlock_irqrestore(&a, irq_a);
	assert_int_equal(irq_enabled, 1);
}

static void test_taking_a_held_lock_again_panics_with_its_name(void **state)
{
	struct spinlock l;
	uintptr_t irq;

	(void)state;
	mm_spin_init(&l, "heap-under-test");
	irq = mm_spin_lock_irqsave(&l);
	if (setjmp(panic_jump) == 0) {
		mm_spin_lock_irqsave(&l);
		fail_msg("%s", "taking the lock twice did not panic");
	}
	assert_non_null(strstr(panic_msg, "spinlock heap-under-test"));
	assert_non_null(strstr(panic_msg, "taken again"));
	assert_non_null(strstr(panic_msg, "cpu 7"));
	assert_non_null(strstr(panic_msg, "caller 0x"));
	(void)irq;
}

static void test_releasing_a_lock_not_held_panics(void **state)
{
	struct spinlock l;

	(void)state;
	mm_spin_init(&l, "idle");
	if (setjmp(panic_jump) == 0) {
		mm_spin_unlock_irqrestore(&l, 1);
		fail_msg("%s", "releasing a free lock did not panic");
	}
	assert_non_null(strstr(panic_msg, "spinlock idle"));
	assert_non_null(strstr(panic_msg, "released but not held"));
}

static void test_lock_counts_acquisitions(void **state)
{
	struct spinlock l;

	(void)state;
	mm_spin_init(&l, "count");
	for (int i = 0; i < 5; i++)
		mm_spin_unlock_irqrestore(&l, mm_spin_lock_irqsave(&l));
	assert_int_equal(l.acquired, 5);
	assert_int_equal(l.contended, 0);
}

static unsigned cpu_three(void)
{
	return 3;
}

/* mm_spin_owned, behind MM_ASSERT's "called with the lock held": this
 * CPU's hold only, or any hold where CPUs cannot be told apart. */
static void test_owned_means_held_by_this_cpu(void **state)
{
	struct mm_hooks other = {.cpu_id = cpu_three, .panic = panic_to_test};
	struct mm_hooks seven = {.cpu_id = cpu_seven, .panic = panic_to_test};
	struct spinlock l;
	uintptr_t irq;

	(void)state;
	mm_spin_init(&l, "owned");
	assert_false(mm_spin_owned(&l));
	irq = mm_spin_lock_irqsave(&l);
	assert_true(mm_spin_owned(&l));
	mm_set_hooks(&other); /* cpu 3 looks at cpu 7's lock */
	assert_false(mm_spin_owned(&l));
	mm_set_hooks(&seven);
	mm_spin_unlock_irqrestore(&l, irq);
	assert_false(mm_spin_owned(&l));
}

static void test_owned_without_cpu_ids_means_held(void **state)
{
	struct spinlock l;
	uintptr_t irq;

	(void)state;
	mm_set_hooks(NULL);
	mm_spin_init(&l, "anyone");
	assert_false(mm_spin_owned(&l));
	irq = mm_spin_lock_irqsave(&l);
	assert_true(mm_spin_owned(&l));
	mm_spin_unlock_irqrestore(&l, irq);
	assert_false(mm_spin_owned(&l));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	    T(test_lock_masks_interrupts_until_unlock),
	    T(test_nested_locks_restore_interrupts_only_at_the_outermost),
	    T(test_taking_a_held_lock_again_panics_with_its_name),
	    T(test_releasing_a_lock_not_held_panics),
	    T(test_lock_counts_acquisitions),
	    T(test_owned_means_held_by_this_cpu),
	    T(test_owned_without_cpu_ids_means_held),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
