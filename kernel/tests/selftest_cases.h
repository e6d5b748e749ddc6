/*
 * selftest_cases.h - what the self-test runner and the test files share.
 *
 * A test returns 0 when the behaviour holds, or st_fail(...)'s -1 with the
 * detail of what broke. The runner checks after every test that the heap
 * is consistent and that the test gave back every block it took (callers'
 * blocks and bytes in use, as before it), so tests need not repeat that.
 */
#ifndef KERNEL_SELFTEST_CASES_H
#define KERNEL_SELFTEST_CASES_H

#include <stddef.h>
#include <stdint.h>

#include "kernel/kprintf.h"
#include "mm/heap.h"

struct st_env {
	struct heap *heap;
	unsigned heap_flags;   /* what the heap was made with */
	unsigned long smp_ops; /* operations per CPU for smp_stress */
};

/* Records why the test failed; returns -1 for the test to return. */
int st_fail(const char *fmt, ...) KPRINTF_FORMAT(1, 2);

#define ST_CHECK(cond, ...)                                                    \
	do {                                                                   \
		if (!(cond))                                                   \
			return st_fail(__VA_ARGS__);                           \
	} while (0)

/* tests/common/rng.h's generator: the same sequence every boot, so
 * failures reproduce. */
uint32_t st_random(void);
void st_random_seed(uint32_t seed);

/* heap_check(h) with the findings recorded instead of panicking: returns
 * the number of problems and copies the first one's message to first. */
int st_heap_check(struct heap *h, char *first, size_t cap);

/* A fault handler that records instead of panicking (selftest_fault.c):
 * heap_set_fault_handler(h, st_record, &r) with r zeroed. */
struct st_recorded {
	int count;
	enum heap_fault_kind kind[2]; /* of the first two */
	const void *ptr;	      /* of the first */
};
void st_record(const struct heap_fault *f, void *ctx);

/* selftest_alloc.c */
int st_alignment(struct st_env *env);
int st_zero_size_and_null(struct st_env *env);
int st_mixed_sizes(struct st_env *env);
int st_aligned_alloc(struct st_env *env);
int st_realloc_keeps_data(struct st_env *env);
int st_calloc_zeroes(struct st_env *env);
int st_out_of_memory(struct st_env *env);
int st_largest_free(struct st_env *env);
int st_walk_matches_stats(struct st_env *env);
int st_heap_grows(struct st_env *env);

/* selftest_vm.c */
int st_tlb_shootdown(struct st_env *env);

/* selftest_fault.c */
int st_double_free_reported(struct st_env *env);
int st_invalid_pointer_reported(struct st_env *env);
int st_overflow_detected(struct st_env *env);

/* selftest_cache.c */
int st_cache(struct st_env *env);

/* smp_stress.c */
int st_smp_stress(struct st_env *env);

/* selftest_deliberate.c: each fails one of the runner's checks on purpose
 * (fail=selftest, fail=selftest-leak, fail=selftest-damage) */
int st_deliberate_failure(struct st_env *env);
int st_deliberate_leak(struct st_env *env);
int st_deliberate_damage(struct st_env *env);
int st_deliberate_frames(struct st_env *env);

#endif
