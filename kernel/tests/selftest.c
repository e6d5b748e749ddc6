/*
 * selftest.c - the runner: selection, the per-test heap and leak checks,
 * and the verdict.
 *
 * The verdict is computed from the report lines themselves: every line is
 * one run, every "FAIL - " line one failure. No path can print a FAIL line
 * and still count it as a pass, or count one test twice.
 */
#include "kernel/tests/selftest.h"

#include <stdarg.h>

#include "kernel/cmdline.h"
#include "kernel/kprintf.h"
#include "kernel/tests/selftest_cases.h"
#include "tests/common/rng.h"
#include "kernel/smp.h"
#include "kernel/string.h"
#include "kernel/vga.h"
#include "kernel/vm/paging.h"
#include "kernel/vm/vm.h"
#include "mm/memory.h"

typedef int (*st_fn)(struct st_env *env);

static const struct {
	const char *name;
	st_fn fn;
} tests[] = {
    {"alignment", st_alignment},
    {"zero_size_and_null", st_zero_size_and_null},
    {"mixed_sizes", st_mixed_sizes},
    {"aligned_alloc", st_aligned_alloc},
    {"realloc_keeps_data", st_realloc_keeps_data},
    {"calloc_zeroes", st_calloc_zeroes},
    /* before out_of_memory, which grows the heap much further */
    {"heap_grows", st_heap_grows},
    {"out_of_memory", st_out_of_memory},
    {"largest_free", st_largest_free},
    {"walk_matches_stats", st_walk_matches_stats},
    {"double_free_reported", st_double_free_reported},
    {"invalid_pointer_reported", st_invalid_pointer_reported},
    {"overflow_detected", st_overflow_detected},
    /* before smp_stress: only this CPU has used the heap yet */
    {"cache", st_cache},
    {"tlb_shootdown", st_tlb_shootdown},
    /* last: every CPU at once, after the single-CPU behaviours held */
    {"smp_stress", st_smp_stress},
};

#define TEST_COUNT (sizeof(tests) / sizeof(tests[0]))

/* Each breaks one of the runner's checks on purpose (fail=...), after the
 * real tests, so that the boot test can prove every way to fail is seen. */
static const struct {
	enum fail_mode mode;
	const char *name;
	st_fn fn;
} deliberate[] = {
    {FAIL_SELFTEST, "deliberate_failure", st_deliberate_failure},
    {FAIL_SELFTEST_LEAK, "deliberate_leak", st_deliberate_leak},
    {FAIL_SELFTEST_DAMAGE, "deliberate_damage", st_deliberate_damage},
    {FAIL_SELFTEST_FRAMES, "deliberate_frames", st_deliberate_frames},
};

static char detail[256];
static struct rng rng_state;
static int lines_run, lines_failed;

const char *selftest_name(size_t i)
{
	return i < TEST_COUNT ? tests[i].name : NULL;
}

int st_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	return -1;
}

/* Adds a finding of the runner's to the test's own detail. */
static void add_detail(const char *fmt, ...) KPRINTF_FORMAT(1, 2);

static void add_detail(const char *fmt, ...)
{
	size_t len = strlen(detail);
	va_list ap;

	if (len > 0 && len + 2 < sizeof(detail)) {
		detail[len++] = ';';
		detail[len++] = ' ';
		detail[len] = '\0';
	}
	va_start(ap, fmt);
	kvsnprintf(detail + len, sizeof(detail) - len, fmt, ap);
	va_end(ap);
}

void st_random_seed(uint32_t seed)
{
	rng_seed(&rng_state, seed);
}

uint32_t st_random(void)
{
	return (uint32_t)rng_next(&rng_state);
}

struct check_record {
	char *first;
	size_t cap;
	int count;
};

/* Called with the heap locked: records only, never calls the heap. */
static void record_check(const struct heap_fault *f, void *ctx)
{
	struct check_record *r = ctx;

	if (r->count++ == 0)
		ksnprintf(r->first, r->cap, "%s",
			  f->what ? f->what : heap_fault_name(f->kind));
}

int st_heap_check(struct heap *h, char *first, size_t cap)
{
	struct check_record r = {first, cap, 0};
	int bad;

	if (cap > 0)
		first[0] = '\0';
	/* The kernel's handler panics; a finding here is the test's
	 * failure, to be reported as such and counted. */
	heap_set_fault_handler(h, record_check, &r);
	bad = heap_check(h);
	heap_set_fault_handler(h, NULL, NULL);
	return bad;
}

/* What callers hold: free, quarantined (and cached) blocks are not theirs,
 * so a mode that delays reuse still balances. */
static int holds_same(const struct heap_stats *a, const struct heap_stats *b)
{
	return a->used_blocks == b->used_blocks &&
	       a->bytes_used == b->bytes_used;
}

static void report(const char *name, int failed)
{
	lines_run++;
	if (failed) {
		lines_failed++;
		vga_set_color(VGA_LIGHT_RED, VGA_BLACK);
		kprintf("FAIL - %s (%s)\n", name, detail);
	} else {
		vga_set_color(VGA_LIGHT_GREEN, VGA_BLACK);
		kprintf("ok - %s\n", name);
	}
	vga_set_color(VGA_LIGHT_GREY, VGA_BLACK);
}

/* Runs one test and holds it to the invariants every test must keep. Each
 * check runs whatever the others found, and all that broke is named on the
 * test's one line. */
static void run_one(struct st_env *env, const char *name, st_fn fn)
{
	struct heap_stats before, after;
	char first[120];
	int failed, bad;

	heap_get_stats(env->heap, &before);
	detail[0] = '\0';
	st_random_seed(0x9e3779b9u ^ (uint32_t)strlen(name));
	failed = fn(env) != 0;
	/* Fault tests swap the handler; a failed one may not have put the
	 * kernel's back. */
	heap_set_fault_handler(env->heap, NULL, NULL);
	heap_get_stats(env->heap, &after);
	bad = st_heap_check(env->heap, first, sizeof(first));
	if (bad) {
		add_detail("heap_check found %d problem(s) after the test: %s",
			   bad, first);
		failed = 1;
	}
	if (!holds_same(&before, &after)) {
		add_detail("leak: %zu block(s), %zu bytes in use before the "
			   "test, %zu, %zu after",
			   before.used_blocks, before.bytes_used,
			   after.used_blocks, after.bytes_used);
		failed = 1;
	}
	report(name, failed);
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

/* The end-to-end view: whatever each test did, the heap as a whole must be
 * consistent and hold what it held at the start. */
static int final_checks(struct heap *h, const struct heap_stats *start)
{
	struct heap_stats end;
	char first[120];
	int bad = st_heap_check(h, first, sizeof(first));

	detail[0] = '\0';
	if (bad)
		st_fail("heap_check found %d problem(s): %s", bad, first);
	report("heap_check", bad != 0);

	heap_get_stats(h, &end);
	detail[0] = '\0';
	if (!holds_same(start, &end))
		st_fail("%zu block(s), %zu bytes in use at the start, %zu, %zu "
			"at the end",
			start->used_blocks, start->bytes_used, end.used_blocks,
			end.bytes_used);
	report("no_leaks", !holds_same(start, &end));
	return bad;
}

/* Each CPU's cache is made at its first call: before the frames are
 * counted, so that the count sees only what the tests take. */
static void warm(unsigned cpu, void *heap)
{
	(void)cpu;
	heap_free(heap, heap_alloc(heap, 16));
	heap_drain_caches(heap);
}

static void drain(unsigned cpu, void *heap)
{
	(void)cpu;
	heap_drain_caches(heap);
}

/*
 * Every frame the tests took is back: what the heap grew for them is a
 * whole free region once the caches and the quarantine let their blocks
 * go, and goes back by heap_trim; the page tables made for it go too. The
 * heap may also have given back (purged) pages it held before the tests:
 * those are free now on top. Not tried on a heap that failed heap_check,
 * which trimming would walk.
 */
static void frames_back(struct heap *h, const struct heap_stats *start,
			size_t before, int damaged)
{
	struct heap_stats s;
	struct vm_stats v;
	size_t gave;

	detail[0] = '\0';
	if (damaged) {
		st_fail("not checked: the heap failed heap_check");
		report("frames_back", 1);
		return;
	}
	if (smp_cpu_count() > 1)
		smp_run(drain, h, 1000000, NULL);
	heap_drain_caches(h);
	heap_flush_quarantine(h);
	heap_trim(h);
	vm_reclaim_tables();
	vm_get_stats(&v);
	heap_get_stats(h, &s);
	gave = s.bytes_purged > start->bytes_purged
		   ? (s.bytes_purged - start->bytes_purged) / PAGE_SIZE
		   : 0;
	kprintf("frames: %zu free before the self-tests, %zu after", before,
		v.frames_free);
	if (gave)
		kprintf(" (%zu of them pages the heap held before and gave "
			"back)",
			gave);
	kprintf("\n");
	if (v.frames_free != before + gave)
		st_fail("%zu frames free before the self-tests, %zu after, "
			"%zu given back by the heap (%zu page tables, %zu heap "
			"pages now)",
			before, v.frames_free, gave, v.page_tables,
			v.heap_pages);
	report("frames_back", v.frames_free != before + gave);
}

int selftest_run(const struct boot_options *opt)
{
	struct st_env env = {.heap = memory_heap(),
			     .heap_flags = opt->heap_flags,
			     .smp_ops = opt->smp_ops};
	struct vm_stats v;
	const char *mode = cmdline_heap_mode(opt->heap_flags);
	const char *caches = cmdline_caches_word(opt->heap_flags);
	struct heap_stats start;

	lines_run = lines_failed = 0;
	kprintf("self-tests on the system heap (heap=%s%s):\n", mode, caches);
	if (smp_cpu_count() > 1)
		smp_run(warm, env.heap, 1000000, NULL);
	heap_get_stats(env.heap, &start);
	vm_get_stats(&v);
	for (size_t i = 0; i < TEST_COUNT; i++)
		if (wanted(opt, tests[i].name))
			run_one(&env, tests[i].name, tests[i].fn);
	for (size_t i = 0; i < sizeof(deliberate) / sizeof(deliberate[0]); i++)
		if (opt->fail == deliberate[i].mode)
			run_one(&env, deliberate[i].name, deliberate[i].fn);
	if (lines_run > 0) {
		int damaged = final_checks(env.heap, &start);

		frames_back(env.heap, &start, v.frames_free, damaged);
	}

	kprintf("self-tests: %d run, %d passed, %d failed (heap=%s%s)\n",
		lines_run, lines_run - lines_failed, lines_failed, mode,
		caches);
	kprintf("%s\n",
		lines_failed ? "SOME TESTS FAILED" : "ALL TESTS PASSED");
	return lines_failed;
}
