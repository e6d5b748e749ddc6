/*
 * selftest.c - the runner: selection, the per-test heap and leak checks,
 * and the verdict.
 */
#include "kernel/selftest.h"

#include <stdarg.h>

#include "kernel/kprintf.h"
#include "kernel/selftest_cases.h"
#include "kernel/string.h"
#include "kernel/vga.h"
#include "mm/memory.h"

static int st_deliberate_failure(struct st_env *env)
{
	(void)env;
	return st_fail("fails on purpose: fail=selftest on the command line");
}

static const struct {
	const char *name;
	int (*fn)(struct st_env *env);
} tests[] = {
    {"alignment", st_alignment},
    {"zero_size_and_null", st_zero_size_and_null},
    {"mixed_sizes", st_mixed_sizes},
    {"aligned_alloc", st_aligned_alloc},
    {"realloc_keeps_data", st_realloc_keeps_data},
    {"calloc_zeroes", st_calloc_zeroes},
    {"out_of_memory", st_out_of_memory},
    {"largest_free", st_largest_free},
    {"walk_matches_stats", st_walk_matches_stats},
    {"regions", st_regions},
    {"double_free_reported", st_double_free_reported},
    {"invalid_pointer_reported", st_invalid_pointer_reported},
    {"overflow_detected", st_overflow_detected},
    /* last: every CPU at once, after the single-CPU behaviours held */
    {"smp_stress", st_smp_stress},
};

#define TEST_COUNT (sizeof(tests) / sizeof(tests[0]))

static char detail[160];
static uint32_t rng_state = 1;

int st_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	return -1;
}

void st_random_seed(uint32_t seed)
{
	rng_state = seed ? seed : 1;
}

uint32_t st_random(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

static unsigned char pattern_byte(size_t i, uint32_t seed)
{
	/* Varies with position and block, so a block that overlaps another,
	 * or was shifted by a copy, reads back wrong. */
	return (unsigned char)((i * 131 + seed * 7 + (i >> 8)) ^ (seed >> 8));
}

void st_fill(void *p, size_t n, uint32_t seed)
{
	unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		b[i] = pattern_byte(i, seed);
}

size_t st_verify(const void *p, size_t n, uint32_t seed)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i] != pattern_byte(i, seed))
			return i;
	return n;
}

static void report(const char *name, int failed)
{
	if (failed) {
		vga_set_color(VGA_LIGHT_RED, VGA_BLACK);
		kprintf("FAIL - %s (%s)\n", name, detail);
	} else {
		vga_set_color(VGA_LIGHT_GREEN, VGA_BLACK);
		kprintf("ok - %s\n", name);
	}
	vga_set_color(VGA_LIGHT_GREY, VGA_BLACK);
}

/* Runs one test and holds it to the invariants every test must keep. */
static int run_one(struct st_env *env, const char *name,
		   int (*fn)(struct st_env *env))
{
	struct heap_stats before, after;
	int bad, failed;

	heap_get_stats(env->heap, &before);
	detail[0] = '\0';
	st_random_seed(0x9e3779b9u ^ (uint32_t)strlen(name));
	failed = fn(env) != 0;
	/* Fault tests swap the handler; a failed one may not have put the
	 * kernel's back. */
	heap_set_fault_handler(env->heap, NULL, NULL);
	heap_get_stats(env->heap, &after);
	if (!failed && (bad = heap_check(env->heap)) != 0)
		failed = st_fail(
		    "heap_check found %d problem(s) after the test", bad);
	if (!failed && after.bytes_free != before.bytes_free)
		failed = st_fail("leak: %zu bytes free before, %zu after "
				 "(%zu blocks in use, %zu before)",
				 before.bytes_free, after.bytes_free,
				 after.used_blocks, before.used_blocks);
	report(name, failed);
	return failed;
}

static int known(const char *name)
{
	for (size_t i = 0; i < TEST_COUNT; i++)
		if (strcmp(tests[i].name, name) == 0)
			return 1;
	return 0;
}

static int wanted(const struct boot_options *opt, const char *name)
{
	if (opt->all_tests)
		return 1;
	for (size_t i = 0; i < opt->test_count; i++)
		if (strcmp(opt->tests[i], name) == 0)
			return 1;
	return 0;
}

int selftest_run(const struct boot_options *opt, size_t regions)
{
	struct st_env env = {
	    .heap = memory_heap(), .regions = regions, .smp_ops = opt->smp_ops};
	struct heap_stats start, end;
	int run = 0, failed = 0;

	kprintf("self-tests on the system heap:\n");
	heap_get_stats(env.heap, &start);
	for (size_t i = 0; i < opt->test_count; i++) {
		if (!known(opt->tests[i])) {
			ksnprintf(detail, sizeof(detail),
				  "no such test, named in tests=");
			report(opt->tests[i], 1);
			run++;
			failed++;
		}
	}
	for (size_t i = 0; i < TEST_COUNT; i++) {
		if (!wanted(opt, tests[i].name))
			continue;
		failed += run_one(&env, tests[i].name, tests[i].fn);
		run++;
	}
	if (opt->fail == FAIL_SELFTEST) {
		failed +=
		    run_one(&env, "deliberate_failure", st_deliberate_failure);
		run++;
	}

	/* The end-to-end view: whatever each test did, the heap as a whole
	 * must be back where it started. */
	if (run > 0) {
		int bad = heap_check(env.heap);

		detail[0] = '\0';
		if (bad)
			st_fail("heap_check found %d problem(s)", bad);
		report("heap_check", bad != 0);
		failed += bad != 0;
		heap_get_stats(env.heap, &end);
		if (end.bytes_free != start.bytes_free)
			st_fail("%zu bytes free at the start, %zu at the end",
				start.bytes_free, end.bytes_free);
		report("no_leaks", end.bytes_free != start.bytes_free);
		failed += end.bytes_free != start.bytes_free;
		run += 2;
	}
	kprintf("self-tests: %d run, %d passed, %d failed\n", run, run - failed,
		failed);
	kprintf("%s\n", failed ? "SOME TESTS FAILED" : "ALL TESTS PASSED");
	return failed;
}
