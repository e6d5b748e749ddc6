/*
 * test_faults.c - bad pointers and damaged headers are reported through the
 * fault handler with the right kind, and the heap stays consistent and
 * usable afterwards.
 */
#define _DEFAULT_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host/mm_host.h"
#include "mm/heap.h"
#include "tests/common/fault_log.h"
#include "tests/common/fixture.h"
#include "tests/common/stamp.h"
#include "tests/common/walk.h"

/* One fault of this kind and no other, then forget it. */
static void assert_one_fault(struct fixture *fx, enum heap_fault_kind kind,
			     const void *ptr)
{
	assert_int_equal(fx->log.total, 1);
	assert_int_equal(fx->log.count[kind], 1);
	assert_int_equal(fx->log.last.kind, kind);
	assert_ptr_equal(fx->log.last.ptr, ptr);
	assert_true(fx->log.last_what[0] != '\0');
	fault_log_reset(&fx->log);
}

/* Heap consistent, and still able to allocate and free. */
static void assert_heap_usable(struct fixture *fx)
{
	void *p[16];

	assert_int_equal(heap_check(fx->heap), 0);
	for (size_t i = 0; i < 16; i++) {
		p[i] = heap_alloc(fx->heap, 24 * i);
		assert_non_null(p[i]);
	}
	for (size_t i = 0; i < 16; i++)
		heap_free(fx->heap, p[i]);
	assert_int_equal(heap_check(fx->heap), 0);
	assert_int_equal(fx->log.total, 0);
}

static void assert_follows(struct heap *h, const void *a, const void *b)
{
	struct walk_around w;

	assert_int_equal(walk_around(h, a, &w), 0);
	assert_true(w.has_next);
	assert_ptr_equal(w.next.ptr, b);
}

static void test_double_free_is_reported(void **state)
{
	struct fixture *fx = *state;
	void *keep = heap_alloc(fx->heap, 64);
	void *p = heap_alloc(fx->heap, 64);
	void *guard = heap_alloc(fx->heap, 64);
	struct heap_stats before;

	/* Used blocks on both sides: p stays a block of its own when freed. */
	assert_non_null(keep);
	assert_non_null(p);
	assert_non_null(guard);
	heap_free(fx->heap, p);
	before = stats_of(fx->heap);
	heap_free(fx->heap, p);
	assert_one_fault(fx, HEAP_FAULT_DOUBLE_FREE, p);
	assert_int_equal(stats_of(fx->heap).free_blocks, before.free_blocks);
	assert_int_equal(stats_of(fx->heap).bytes_free, before.bytes_free);
	assert_heap_usable(fx);
	heap_free(fx->heap, keep);
	heap_free(fx->heap, guard);
}

static void test_double_free_after_merging_left_is_reported(void **state)
{
	struct fixture *fx = *state;
	void *a = heap_alloc(fx->heap, 64);
	void *b = heap_alloc(fx->heap, 64);
	void *guard = heap_alloc(fx->heap, 64);

	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(guard);
	assert_follows(fx->heap, a, b);
	heap_free(fx->heap, a);
	heap_free(fx->heap, b); /* b's header now lies inside a free block */
	heap_free(fx->heap, b);
	assert_one_fault(fx, HEAP_FAULT_DOUBLE_FREE, b);
	assert_heap_usable(fx);
	heap_free(fx->heap, guard);
}

static void test_double_free_after_merging_right_is_reported(void **state)
{
	struct fixture *fx = *state;
	void *a = heap_alloc(fx->heap, 64);
	void *b = heap_alloc(fx->heap, 64);
	void *guard = heap_alloc(fx->heap, 64);

	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(guard);
	assert_follows(fx->heap, a, b);
	heap_free(fx->heap, b);
	heap_free(fx->heap, a); /* a absorbs b */
	heap_free(fx->heap, b);
	assert_one_fault(fx, HEAP_FAULT_DOUBLE_FREE, b);
	heap_free(fx->heap, a);
	assert_one_fault(fx, HEAP_FAULT_DOUBLE_FREE, a);
	assert_heap_usable(fx);
	heap_free(fx->heap, guard);
}

static void
test_double_free_after_merging_with_the_tail_is_reported(void **state)
{
	struct fixture *fx = *state;
	void *keep = heap_alloc(fx->heap, 64);
	void *last = heap_alloc(fx->heap, 64);

	assert_non_null(keep);
	assert_non_null(last);
	heap_free(fx->heap, last);
	heap_free(fx->heap, last);
	assert_one_fault(fx, HEAP_FAULT_DOUBLE_FREE, last);
	assert_heap_usable(fx);
	heap_free(fx->heap, keep);
}

static void test_free_of_a_stack_pointer_is_reported_as_invalid(void **state)
{
	struct fixture *fx = *state;
	_Alignas(16) unsigned char local[128];

	memset(local, 0, sizeof local);
	heap_free(fx->heap, local + 64);
	assert_one_fault(fx, HEAP_FAULT_INVALID_POINTER, local + 64);
	assert_int_equal(stamp_find_other(local, sizeof local, 0),
			 sizeof local);
	assert_heap_usable(fx);
}

static void
test_free_of_an_interior_pointer_is_reported_as_invalid(void **state)
{
	struct fixture *fx = *state;
	unsigned char *p = heap_alloc(fx->heap, 512);

	assert_non_null(p);
	/* Whatever the payload holds, it must not pass for a header. */
	for (int fill = 0; fill < 2; fill++) {
		if (fill)
			memset(p, 0, 512);
		else
			stamp_fill(p, 512, 1);
		for (size_t off = HEAP_ALIGN; off < 512;
		     off += 3 * HEAP_ALIGN) {
			heap_free(fx->heap, p + off);
			assert_one_fault(fx, HEAP_FAULT_INVALID_POINTER,
					 p + off);
		}
		assert_true(fill ? stamp_uniform(p, 512, 0)
				 : stamp_intact(p, 512, 1));
	}
	assert_heap_usable(fx);
	heap_free(fx->heap, p);
}

static void
test_free_of_a_misaligned_pointer_is_reported_as_invalid(void **state)
{
	struct fixture *fx = *state;
	unsigned char *p = heap_alloc(fx->heap, 256);

	assert_non_null(p);
	for (size_t off = 1; off < HEAP_ALIGN; off++) {
		heap_free(fx->heap, p + off);
		assert_one_fault(fx, HEAP_FAULT_INVALID_POINTER, p + off);
	}
	assert_heap_usable(fx);
	heap_free(fx->heap, p);
}

static void
test_free_of_another_heaps_pointer_is_reported_as_invalid(void **state)
{
	struct fixture *fx = *state;
	struct fixture other;
	unsigned char *q;

	assert_int_equal(fixture_open(&other, 256 << 10), 0);
	q = heap_alloc(other.heap, 200);
	assert_non_null(q);
	stamp_fill(q, 200, 2);
	heap_free(fx->heap, q);
	assert_one_fault(fx, HEAP_FAULT_INVALID_POINTER, q);
	/* Still a good block of its own heap. */
	assert_int_equal(stamp_find_damage(q, 200, 2), 200);
	heap_free(other.heap, q);
	assert_int_equal(fixture_close(&other), 0);
	assert_heap_usable(fx);
}

static void
test_free_of_a_pointer_into_the_control_area_is_reported(void **state)
{
	struct fixture *fx = *state;
	/* heap_create keeps its control structure at the start of mem. */
	unsigned char *inner = fx->mem + 4 * HEAP_ALIGN;

	heap_free(fx->heap, inner);
	/* named for what it is, not "not in this heap" */
	assert_non_null(strstr(fx->log.last_what, "control structure"));
	assert_one_fault(fx, HEAP_FAULT_INVALID_POINTER, inner);
	assert_heap_usable(fx);
}

/*
 * The first block of a region has no block before it to blame: its damaged
 * header is reported as such (it once said "previous block (none)
 * overflowed?").
 */
static void test_damaged_first_block_blames_no_neighbour(void **state)
{
	struct fixture *fx = *state;
	unsigned char *first = heap_alloc(fx->heap, 64);
	unsigned char *second = heap_alloc(fx->heap, 64);
	unsigned char saved;

	assert_non_null(second);
	assert_true(first < second);
	saved = first[-1];
	first[-1] ^= 0x40;
	heap_free(fx->heap, first);
	assert_non_null(strstr(fx->log.last_what, "no block before it"));
	assert_null(strstr(fx->log.last_what, "(none)"));
	assert_one_fault(fx, HEAP_FAULT_CORRUPTED, first);
	first[-1] = saved;
	heap_free(fx->heap, first);
	/* the second block's neighbour is real: that one is named */
	second[-sizeof(uintptr_t) * 4] ^= 0x01;
	heap_free(fx->heap, second);
	assert_non_null(strstr(fx->log.last_what, "previous block 0x"));
	assert_one_fault(fx, HEAP_FAULT_CORRUPTED, second);
	second[-sizeof(uintptr_t) * 4] ^= 0x01;
	heap_free(fx->heap, second);
	assert_heap_usable(fx);
}

/* Pages that fault on any access; the pointer sits in the middle one. */
static unsigned char *unmapped_pointer(void **map, size_t *len)
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned char *m;

	*len = 3 * (size_t)page;
	m = mmap(NULL, *len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(m != MAP_FAILED);
	*map = m;
	return m + page + 256;
}

static void test_pointer_outside_every_region_is_not_dereferenced(void **state)
{
	struct fixture *fx = *state;
	void *map;
	size_t len;
	unsigned char *bad = unmapped_pointer(&map, &len);

	/* Any read of bad or the header before it would crash here. */
	heap_free(fx->heap, bad);
	assert_one_fault(fx, HEAP_FAULT_INVALID_POINTER, bad);
	assert_null(heap_realloc(fx->heap, bad, 64));
	assert_one_fault(fx, HEAP_FAULT_INVALID_POINTER, bad);
	assert_int_equal(heap_usable_size(fx->heap, bad), 0);
	assert_one_fault(fx, HEAP_FAULT_INVALID_POINTER, bad);
	munmap(map, len);
	assert_heap_usable(fx);
}

static void
test_realloc_of_an_invalid_pointer_is_reported_and_returns_null(void **state)
{
	struct fixture *fx = *state;
	_Alignas(16) unsigned char local[64];
	struct heap_stats before = stats_of(fx->heap);

	memset(local, 0, sizeof local);
	assert_null(heap_realloc(fx->heap, local + 16, 100));
	assert_one_fault(fx, HEAP_FAULT_INVALID_POINTER, local + 16);
	assert_int_equal(stats_of(fx->heap).used_blocks, before.used_blocks);
	assert_heap_usable(fx);
}

static void
test_realloc_of_a_freed_pointer_is_reported_and_returns_null(void **state)
{
	struct fixture *fx = *state;
	void *keep = heap_alloc(fx->heap, 64);
	void *p = heap_alloc(fx->heap, 64);
	void *guard = heap_alloc(fx->heap, 64);

	assert_non_null(keep);
	assert_non_null(p);
	assert_non_null(guard);
	heap_free(fx->heap, p);
	assert_null(heap_realloc(fx->heap, p, 32));
	/* Which kind is a matter of wording; that it is caught is not. */
	assert_int_equal(fx->log.total, 1);
	assert_ptr_equal(fx->log.last.ptr, p);
	fault_log_reset(&fx->log);
	assert_heap_usable(fx);
	heap_free(fx->heap, keep);
	heap_free(fx->heap, guard);
}

static void
test_usable_size_of_an_invalid_pointer_is_reported_as_zero(void **state)
{
	struct fixture *fx = *state;
	_Alignas(16) unsigned char local[64];

	memset(local, 0, sizeof local);
	assert_int_equal(heap_usable_size(fx->heap, local + 32), 0);
	assert_one_fault(fx, HEAP_FAULT_INVALID_POINTER, local + 32);
	assert_heap_usable(fx);
}

/*
 * a, then b right after it; returns the first byte past a's usable size,
 * which must be the first byte of b's header.
 */
static unsigned char *byte_past(struct fixture *fx, unsigned char *a,
				const void *b_block)
{
	unsigned char *past = a + heap_usable_size(fx->heap, a);

	assert_ptr_equal(past, b_block);
	return past;
}

static void
test_overflow_into_the_next_header_is_reported_at_its_free(void **state)
{
	struct fixture *fx = *state;
	unsigned char *a = heap_alloc(fx->heap, 100);
	unsigned char *b = heap_alloc(fx->heap, 100);
	void *guard = heap_alloc(fx->heap, 16);
	struct walk_around w;
	unsigned char *past, saved;

	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(guard);
	assert_int_equal(walk_around(fx->heap, b, &w), 0);
	assert_true(w.has_prev && w.prev.ptr == a);
	past = byte_past(fx, a, w.self.block);
	saved = *past;
	*past = (unsigned char)~saved; /* a one-byte overflow out of a */
	heap_free(fx->heap, b);
	assert_ptr_equal(fx->log.last.block, w.self.block);
	assert_one_fault(fx, HEAP_FAULT_CORRUPTED, b);
	/* The free was abandoned: undo the damage and b is b again. */
	*past = saved;
	assert_int_equal(heap_check(fx->heap), 0);
	assert_int_equal(fx->log.total, 0);
	heap_free(fx->heap, b);
	heap_free(fx->heap, a);
	heap_free(fx->heap, guard);
	assert_heap_usable(fx);
}

/* a, b, guard in a row, with the first byte of b's header overwritten. */
struct damaged {
	unsigned char *a, *b, *guard;
	unsigned char *byte, saved;
};

static void damage_after(struct fixture *fx, struct damaged *d)
{
	struct walk_around w;

	d->a = heap_alloc(fx->heap, 100);
	d->b = heap_alloc(fx->heap, 100);
	d->guard = heap_alloc(fx->heap, 16);
	assert_non_null(d->a);
	assert_non_null(d->b);
	assert_non_null(d->guard);
	assert_int_equal(walk_around(fx->heap, d->b, &w), 0);
	assert_true(w.has_prev && w.prev.ptr == d->a);
	stamp_fill(d->a, 100, 20);
	stamp_fill(d->b, 100, 21);
	d->byte = byte_past(fx, d->a, w.self.block);
	d->saved = *d->byte;
	*d->byte = (unsigned char)~d->saved;
}

/* Undo the damage: the heap must be exactly as before it. */
static void repair(struct fixture *fx, struct damaged *d)
{
	*d->byte = d->saved;
	assert_int_equal(heap_check(fx->heap), 0);
	assert_int_equal(stamp_find_damage(d->a, 100, 20), 100);
	assert_int_equal(stamp_find_damage(d->b, 100, 21), 100);
	heap_free(fx->heap, d->a);
	heap_free(fx->heap, d->b);
	heap_free(fx->heap, d->guard);
	assert_heap_usable(fx);
}

static void test_damaged_header_is_reported_at_realloc(void **state)
{
	struct fixture *fx = *state;
	struct damaged d;

	damage_after(fx, &d);
	assert_null(heap_realloc(fx->heap, d.b, 50));
	assert_one_fault(fx, HEAP_FAULT_CORRUPTED, d.b);
	assert_null(heap_realloc(fx->heap, d.b, 5000));
	assert_one_fault(fx, HEAP_FAULT_CORRUPTED, d.b);
	repair(fx, &d);
}

static void test_damaged_header_is_reported_at_usable_size(void **state)
{
	struct fixture *fx = *state;
	struct damaged d;

	damage_after(fx, &d);
	assert_int_equal(heap_usable_size(fx->heap, d.b), 0);
	assert_one_fault(fx, HEAP_FAULT_CORRUPTED, d.b);
	repair(fx, &d);
}

static void test_free_next_to_a_damaged_header_is_stopped(void **state)
{
	struct fixture *fx = *state;
	struct damaged d;

	/* Freeing a would merge with b if b were free: b's header is read. */
	damage_after(fx, &d);
	heap_free(fx->heap, d.a);
	assert_one_fault(fx, HEAP_FAULT_CORRUPTED, d.a);
	repair(fx, &d);
}

static void test_realloc_next_to_a_damaged_header_is_stopped(void **state)
{
	struct fixture *fx = *state;
	struct damaged d;

	/* Growing a in place would take in b if b were free. */
	damage_after(fx, &d);
	assert_null(heap_realloc(fx->heap, d.a, 1000));
	assert_one_fault(fx, HEAP_FAULT_CORRUPTED, d.a);
	repair(fx, &d);
}

static void
test_overflow_into_the_next_header_is_found_by_heap_check(void **state)
{
	struct fixture *fx = *state;
	unsigned char *a = heap_alloc(fx->heap, 100);
	unsigned char *b = heap_alloc(fx->heap, 100);
	struct walk_around w;
	unsigned char *past, saved;

	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(walk_around(fx->heap, b, &w), 0);
	past = byte_past(fx, a, w.self.block);
	saved = *past;
	*past = (unsigned char)(saved + 1);
	assert_true(heap_check(fx->heap) != 0);
	assert_true(fx->log.count[HEAP_FAULT_CORRUPTED] >= 1);
	fault_log_reset(&fx->log);
	*past = saved;
	assert_int_equal(heap_check(fx->heap), 0);
	heap_free(fx->heap, a);
	heap_free(fx->heap, b);
}

static void
test_overflow_into_a_free_successor_is_found_by_heap_check(void **state)
{
	struct fixture *fx = *state;
	unsigned char *a = heap_alloc(fx->heap, 100);
	struct walk_around w;
	unsigned char *past, saved;

	/* a is followed by the free rest of the heap. */
	assert_non_null(a);
	assert_int_equal(walk_around(fx->heap, a, &w), 0);
	assert_true(w.has_next && w.next.free);
	past = byte_past(fx, a, w.next.block);
	saved = *past;
	*past = (unsigned char)~saved;
	assert_true(heap_check(fx->heap) != 0);
	assert_true(fx->log.count[HEAP_FAULT_CORRUPTED] >= 1);
	fault_log_reset(&fx->log);
	*past = saved;
	assert_int_equal(heap_check(fx->heap), 0);
	heap_free(fx->heap, a);
}

static void test_every_overwritten_header_byte_is_detected(void **state)
{
	struct fixture *fx = *state;
	unsigned char *a = heap_alloc(fx->heap, 100);
	unsigned char *b = heap_alloc(fx->heap, 100);
	void *guard = heap_alloc(fx->heap, 16);
	struct walk_around w;
	unsigned char *hdr;
	size_t hdr_bytes;

	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(guard);
	assert_int_equal(walk_around(fx->heap, b, &w), 0);
	hdr = (unsigned char *)(uintptr_t)w.self.block;
	hdr_bytes = (size_t)(b - hdr);
	for (size_t i = 0; i < hdr_bytes; i++) {
		unsigned char saved = hdr[i];

		hdr[i] = (unsigned char)~saved;
		assert_true(heap_check(fx->heap) != 0);
		fault_log_reset(&fx->log);
		heap_free(fx->heap, b);
		assert_one_fault(fx, HEAP_FAULT_CORRUPTED, b);
		hdr[i] = saved;
	}
	assert_int_equal(heap_check(fx->heap), 0);
	heap_free(fx->heap, a);
	heap_free(fx->heap, b);
	heap_free(fx->heap, guard);
}

static void test_faults_are_counted_in_the_stats(void **state)
{
	struct fixture *fx = *state;
	_Alignas(16) unsigned char local[32];
	struct heap_stats before = stats_of(fx->heap);
	struct heap_stats after;
	void *p = heap_alloc(fx->heap, 64);

	assert_non_null(p);
	heap_free(fx->heap, p);
	heap_free(fx->heap, p);
	heap_free(fx->heap, local);
	heap_free(fx->heap, local + 16);
	after = stats_of(fx->heap);
	assert_int_equal(after.faults[HEAP_FAULT_DOUBLE_FREE],
			 before.faults[HEAP_FAULT_DOUBLE_FREE] + 1);
	assert_int_equal(after.faults[HEAP_FAULT_INVALID_POINTER],
			 before.faults[HEAP_FAULT_INVALID_POINTER] + 2);
	assert_int_equal(fx->log.total, 3);
	fault_log_reset(&fx->log);
}

static void test_every_fault_kind_has_a_distinct_name(void **state)
{
	(void)state;
	for (int i = 0; i < HEAP_FAULT_KINDS; i++) {
		const char *name = heap_fault_name((enum heap_fault_kind)i);

		assert_non_null(name);
		assert_true(name[0] != '\0');
		for (int j = 0; j < i; j++)
			assert_string_not_equal(
			    name, heap_fault_name((enum heap_fault_kind)j));
	}
}

/* Run a double free in a child process; return how the child ended. */
static int status_of_double_free_in_child(int install_then_remove)
{
	pid_t pid = fork();
	int status = 0;

	assert_true(pid >= 0);
	if (pid == 0) {
		struct fixture child;
		struct fault_log log;
		int null_fd = open("/dev/null", O_WRONLY);
		void *p;

		if (null_fd >= 0)
			dup2(null_fd, STDERR_FILENO);
		if (fixture_open(&child, 64 << 10) != 0)
			_exit(2);
		/* fixture_open installed a recorder: drop it again. */
		heap_set_fault_handler(child.heap, NULL, NULL);
		if (install_then_remove) {
			heap_set_fault_handler(child.heap, fault_log_record,
					       &log);
			heap_set_fault_handler(child.heap, NULL, NULL);
		}
		p = heap_alloc(child.heap, 16);
		heap_free(child.heap, p);
		heap_free(child.heap, p);
		_exit(0); /* the default reporter should not return */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void test_default_fault_handler_aborts(void **state)
{
	int status = status_of_double_free_in_child(0);

	(void)state;
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
}

static void test_null_fault_handler_restores_the_default(void **state)
{
	int status = status_of_double_free_in_child(1);

	(void)state;
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
}

#define T(name)                                                                \
	cmocka_unit_test_setup_teardown(name, fixture_setup, fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_double_free_is_reported),
	    T(test_double_free_after_merging_left_is_reported),
	    T(test_double_free_after_merging_right_is_reported),
	    T(test_double_free_after_merging_with_the_tail_is_reported),
	    T(test_free_of_a_stack_pointer_is_reported_as_invalid),
	    T(test_free_of_an_interior_pointer_is_reported_as_invalid),
	    T(test_free_of_a_misaligned_pointer_is_reported_as_invalid),
	    T(test_free_of_another_heaps_pointer_is_reported_as_invalid),
	    T(test_free_of_a_pointer_into_the_control_area_is_reported),
	    T(test_damaged_first_block_blames_no_neighbour),
	    T(test_pointer_outside_every_region_is_not_dereferenced),
	    T(test_realloc_of_an_invalid_pointer_is_reported_and_returns_null),
	    T(test_realloc_of_a_freed_pointer_is_reported_and_returns_null),
	    T(test_usable_size_of_an_invalid_pointer_is_reported_as_zero),
	    T(test_overflow_into_the_next_header_is_reported_at_its_free),
	    T(test_overflow_into_the_next_header_is_found_by_heap_check),
	    T(test_damaged_header_is_reported_at_realloc),
	    T(test_damaged_header_is_reported_at_usable_size),
	    T(test_free_next_to_a_damaged_header_is_stopped),
	    T(test_realloc_next_to_a_damaged_header_is_stopped),
	    T(test_overflow_into_a_free_successor_is_found_by_heap_check),
	    T(test_every_overwritten_header_byte_is_detected),
	    T(test_faults_are_counted_in_the_stats),
	    cmocka_unit_test(test_every_fault_kind_has_a_distinct_name),
	    cmocka_unit_test(test_default_fault_handler_aborts),
	    cmocka_unit_test(test_null_fault_handler_restores_the_default),
	};

	mm_host_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
