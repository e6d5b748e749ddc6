/*
 * selftest_fault.c - bad input is reported and does not break the heap.
 *
 * Each test swaps the kernel's panicking fault handler for one that only
 * records, provokes the fault, and checks what was reported; the runner
 * then puts the kernel's handler back and checks the heap.
 */
#include <stdint.h>

#include "kernel/tests/selftest_cases.h"
#include "mm/memory.h"

/* Called with the heap locked: records only, never calls the heap. */
void st_record(const struct heap_fault *f, void *ctx)
{
	struct st_recorded *r = ctx;

	if (r->count == 0)
		r->ptr = f->ptr;
	if (r->count < 2)
		r->kind[r->count] = f->kind;
	r->count++;
}

int st_double_free_reported(struct st_env *env)
{
	struct st_recorded r = {0};
	unsigned char *p = allocate_memory(48);

	ST_CHECK(p, "malloc(48) failed");
	heap_set_fault_handler(env->heap, st_record, &r);
	deallocate_memory(p);
	deallocate_memory(p);
	ST_CHECK(r.count == 1 && r.kind[0] == HEAP_FAULT_DOUBLE_FREE &&
		     r.ptr == p,
		 "%d fault(s), first %s on %p; wanted one double free of %p",
		 r.count, r.count ? heap_fault_name(r.kind[0]) : "-", r.ptr,
		 (void *)p);
	return 0;
}

int st_invalid_pointer_reported(struct st_env *env)
{
	struct st_recorded r = {0};
	unsigned char *p = allocate_memory(256);
	int local;

	ST_CHECK(p, "malloc(256) failed");
	heap_set_fault_handler(env->heap, st_record, &r);
	deallocate_memory(p + 32);
	deallocate_memory(&local);
	heap_set_fault_handler(env->heap, NULL, NULL);
	deallocate_memory(p);
	ST_CHECK(r.count == 2 && r.kind[0] == HEAP_FAULT_INVALID_POINTER &&
		     r.kind[1] == HEAP_FAULT_INVALID_POINTER,
		 "%d fault(s): free(p + 32) gave %s, free(&local) gave %s; "
		 "wanted invalid pointer twice",
		 r.count, r.count > 0 ? heap_fault_name(r.kind[0]) : "none",
		 r.count > 1 ? heap_fault_name(r.kind[1]) : "none");
	return 0;
}

int st_overflow_detected(struct st_env *env)
{
	struct st_recorded r = {0};
	unsigned char *p = allocate_memory(64), *q = allocate_memory(64);
	size_t usable;
	unsigned char saved[4];
	int bad, clean;

	ST_CHECK(p && q, "malloc(64) failed");
	usable = heap_usable_size(env->heap, p);
	/* Overrun p by four bytes: whatever follows it in memory (the next
	 * header) is damaged, and the heap must notice, then be whole again
	 * once the bytes are put back. */
	heap_set_fault_handler(env->heap, st_record, &r);
	for (size_t i = 0; i < sizeof(saved); i++) {
		saved[i] = p[usable + i];
		p[usable + i] ^= 0x5A;
	}
	bad = heap_check(env->heap);
	for (size_t i = 0; i < sizeof(saved); i++)
		p[usable + i] = saved[i];
	clean = heap_check(env->heap);
	heap_set_fault_handler(env->heap, NULL, NULL);
	deallocate_memory(p);
	deallocate_memory(q);
	ST_CHECK(bad > 0,
		 "heap_check found nothing after a 4-byte overrun "
		 "of %p",
		 (void *)p);
	ST_CHECK(clean == 0,
		 "heap_check still found %d problem(s) after "
		 "the bytes were restored",
		 clean);
	return 0;
}
