/*
 * test_caller.c - a fault names the code that called the heap
 * (heap_fault.caller): the return address of the public call, or what a
 * wrapper passed to the heap_*_from variants; through the original API too.
 * In every mode: plain, checking, quarantine, caches.
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
#include "mm/memory.h"
#include "tests/common/fault_log.h"
#include "tests/common/fixture.h"

/* A wrapper's own tiny function: its return address from the call into the
 * heap lies this close after its first byte (ASan builds included). */
#define WRAPPER_BYTES 256

/* What a wrapper passes as its caller: never code, so only the heap
 * copying it through can make a fault name it. */
#define TOKEN ((const void *)(uintptr_t)0x7e57c0de)

/* The asm after each call keeps it a call (not a jump), so that the return
 * address lands in the wrapper. */
#define KEEP_A_CALL() __asm__ volatile("" ::: "memory")

static __attribute__((noinline)) void free_here(struct heap *h, void *p)
{
	heap_free(h, p);
	KEEP_A_CALL();
}

static __attribute__((noinline)) void *realloc_here(struct heap *h, void *p,
						    size_t n)
{
	void *q = heap_realloc(h, p, n);

	KEEP_A_CALL();
	return q;
}

static __attribute__((noinline)) void deallocate_here(void *p)
{
	deallocate_memory(p);
	KEEP_A_CALL();
}

/* caller is a return address inside fn */
static void assert_inside(const void *caller, void (*fn)(void))
{
	uintptr_t at = (uintptr_t)caller, start = (uintptr_t)fn;

	assert_non_null(caller);
	assert_true(at > start);
	assert_true(at - start < WRAPPER_BYTES);
}

#define INSIDE(caller, fn) assert_inside(caller, (void (*)(void))(fn))

struct mode {
	struct fixture fx;
	unsigned flags;
};

static int open_mode(void **state, unsigned flags)
{
	struct mode *m = calloc(1, sizeof *m);
	unsigned char *mem;

	if (!m)
		return -1;
	mem = buffer_get(FIXTURE_BYTES);
	if (!mem) {
		free(m);
		return -1;
	}
	m->fx.mem = mem;
	m->fx.bytes = FIXTURE_BYTES;
	m->fx.heap = heap_create_flags(mem, FIXTURE_BYTES, flags);
	m->flags = flags;
	if (!m->fx.heap) {
		buffer_put(mem);
		free(m);
		return -1;
	}
	fault_log_attach(&m->fx.log, m->fx.heap);
	*state = m;
	return 0;
}

static int plain(void **state)
{
	return open_mode(state, 0);
}

static int checking(void **state)
{
	return open_mode(state, HEAP_CHECKING);
}

static int quarantine(void **state)
{
	return open_mode(state, HEAP_QUARANTINE);
}

static int caches(void **state)
{
	return open_mode(state, HEAP_CACHES);
}

static int close_mode(void **state)
{
	struct mode *m = *state;
	int rc = fixture_close(&m->fx);

	free(m);
	return rc;
}

/* One fault of this kind, naming this caller; then forget it. */
static const void *take_fault(struct fault_log *log, enum heap_fault_kind kind)
{
	const void *caller = log->last.caller;

	assert_int_equal(log->total, 1);
	assert_int_equal(log->last.kind, kind);
	fault_log_reset(log);
	return caller;
}

static void test_double_free_names_the_function_that_freed(void **state)
{
	struct mode *m = *state;
	struct heap *h = m->fx.heap;
	void *keep = heap_alloc(h, 48), *p = heap_alloc(h, 48);

	assert_non_null(keep);
	assert_non_null(p);
	heap_free(h, p);
	/* caches: the first free only cached it; flushed, the second free
	 * finds it free in the heap as in every other mode */
	heap_flush_quarantine(h);
	free_here(h, p);
	INSIDE(take_fault(&m->fx.log, HEAP_FAULT_DOUBLE_FREE), free_here);
	heap_free(h, keep);
}

static void test_a_realloc_of_freed_memory_names_its_caller(void **state)
{
	struct mode *m = *state;
	struct heap *h = m->fx.heap;
	void *keep = heap_alloc(h, 40), *p = heap_alloc(h, 40);

	assert_non_null(keep);
	assert_non_null(p);
	heap_free(h, p);
	heap_flush_quarantine(h);
	assert_null(realloc_here(h, p, 400));
	INSIDE(take_fault(&m->fx.log, HEAP_FAULT_DOUBLE_FREE), realloc_here);
	heap_free(h, keep);
}

/* Each _from variant reports exactly the caller it was given. */
static void
test_the_from_variants_report_the_caller_they_are_given(void **state)
{
	struct mode *m = *state;
	struct heap *h = m->fx.heap;
	long on_stack[4];
	char *p = heap_alloc(h, 64);

	assert_non_null(p);
	heap_free_from(h, on_stack, TOKEN);
	assert_ptr_equal(take_fault(&m->fx.log, HEAP_FAULT_INVALID_POINTER),
			 TOKEN);
	assert_null(heap_realloc_from(h, p + 16, 128, TOKEN));
	assert_ptr_equal(take_fault(&m->fx.log, HEAP_FAULT_INVALID_POINTER),
			 TOKEN);
	assert_int_equal(heap_usable_size_from(h, p + 16, TOKEN), 0);
	assert_ptr_equal(take_fault(&m->fx.log, HEAP_FAULT_INVALID_POINTER),
			 TOKEN);
	heap_free(h, p);
	heap_flush_quarantine(h);
	heap_free_from(h, p, TOKEN);
	assert_ptr_equal(take_fault(&m->fx.log, HEAP_FAULT_DOUBLE_FREE), TOKEN);
}

/* Checking mode: a write into freed memory is found by the allocation that
 * reuses it, and the report names that allocation's caller. */
static void test_an_allocation_that_meets_damage_names_its_caller(void **state)
{
	struct mode *m = *state;
	struct heap *h = m->fx.heap;
	void *keep = heap_alloc(h, 64);

	assert_non_null(keep);
	for (int way = 0; way < 3; way++) {
		unsigned char *p = heap_alloc(h, 96);
		void *q = NULL;

		assert_non_null(p);
		heap_free(h, p);
		p[8] ^= 0xff; /* after free: use after free */
		if (way == 0)
			q = heap_alloc_from(h, 96, TOKEN);
		else if (way == 1)
			q = heap_calloc_from(h, 3, 32, TOKEN);
		else
			q = heap_aligned_alloc_from(h, 16, 96, TOKEN);
		assert_ptr_equal(
		    take_fault(&m->fx.log, HEAP_FAULT_USE_AFTER_FREE), TOKEN);
		heap_free(h, q);
	}
	heap_free(h, keep);
}

static int alloc_inside_walk(const struct heap_block_info *b, void *ctx)
{
	(void)b;
	/* refused: the walk holds the lock */
	assert_null(heap_alloc_from(ctx, 16, TOKEN));
	return 1;
}

static void test_a_call_refused_inside_a_walk_names_its_caller(void **state)
{
	struct mode *m = *state;
	struct heap *h = m->fx.heap;
	void *p = heap_alloc(h, 16);

	assert_non_null(p);
	assert_int_equal(heap_walk(h, alloc_inside_walk, h), 1);
	assert_ptr_equal(take_fault(&m->fx.log, HEAP_FAULT_REENTERED), TOKEN);
	heap_free(h, p);
}

/* The original API: deallocate_memory passes on who called it. */
static void test_the_original_api_names_its_caller(void **state)
{
	static struct fault_log log;
	unsigned char *mem = buffer_get(FIXTURE_BYTES);
	void *keep, *p;

	(void)state;
	assert_non_null(mem);
	assert_int_equal(memory_init_flags(mem, FIXTURE_BYTES, HEAP_CHECKING),
			 0);
	fault_log_attach(&log, memory_heap());
	keep = allocate_memory(32);
	p = allocate_memory(32);
	assert_non_null(keep);
	assert_non_null(p);
	deallocate_memory(p);
	deallocate_here(p);
	INSIDE(take_fault(&log, HEAP_FAULT_DOUBLE_FREE), deallocate_here);
	deallocate_memory(keep);
	assert_int_equal(heap_check(memory_heap()), 0);
	assert_int_equal(log.total, 0);
}

#define IN(mode, name) cmocka_unit_test_setup_teardown(name, mode, close_mode)
#define EVERY_MODE(name)                                                       \
	IN(plain, name), IN(checking, name), IN(quarantine, name),             \
	    IN(caches, name)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    EVERY_MODE(test_double_free_names_the_function_that_freed),
	    EVERY_MODE(test_a_realloc_of_freed_memory_names_its_caller),
	    EVERY_MODE(test_the_from_variants_report_the_caller_they_are_given),
	    EVERY_MODE(test_a_call_refused_inside_a_walk_names_its_caller),
	    IN(checking, test_an_allocation_that_meets_damage_names_its_caller),
	    cmocka_unit_test(test_the_original_api_names_its_caller),
	};

	mm_host_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
