/*
 * test_frame.c - the physical frame allocator (kernel/vm/frame.c) on the
 * host: what it counts, hands out and takes back, runs, every misuse that
 * must panic, the whole 4 GiB, and a random walk against a model that
 * keeps one byte per frame.
 *
 * panic_at() here stands in for the kernel's (same prototype: noreturn,
 * variadic, printf-checked). It keeps the message and jumps back into the
 * test that expected it (panicked()); a panic no test expected fails the
 * test that caused it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kernel/panic.h"
#include "tests/common/rng.h"
#include "kernel/vm/frame.h"

#define KIB	     ((uint64_t)1 << 10)
#define MIB	     ((uint64_t)1 << 20)
#define GIB	     ((uint64_t)1 << 30)
#define PA(f)	     ((uintptr_t)(f)*FRAME_SIZE)
#define FRAME_OF(pa) ((uint32_t)((pa) / FRAME_SIZE))

static jmp_buf *panic_return;
static char panic_msg[256];
static unsigned panics;

void panic_at(const char *file, int line, const char *func, const char *fmt,
	      ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(panic_msg, sizeof(panic_msg), fmt, ap);
	va_end(ap);
	panics++;
	if (panic_return) {
		jmp_buf *back = panic_return;

		panic_return = NULL;
		longjmp(*back, 1);
	}
	print_error("unexpected panic at %s:%d (%s): %s\n", file, line, func,
		    panic_msg);
	fail();
	abort(); /* fail() is not declared noreturn */
}

enum call { CALL_FREE, CALL_FREE_RUN, CALL_ALLOC_RUN };

/* Whether the call panicked; its message is left in panic_msg. setjmp is
 * only here, in a function with nothing to lose to the longjmp, so that
 * no test's variables can be clobbered by it. */
static int panicked(enum call c, uintptr_t a, size_t n)
{
	jmp_buf back;

	panic_msg[0] = '\0';
	panic_return = &back;
	if (setjmp(back) != 0)
		return 1;
	switch (c) {
	case CALL_FREE:
		frame_free(a);
		break;
	case CALL_FREE_RUN:
		frame_free_run(a, n);
		break;
	case CALL_ALLOC_RUN:
		frame_alloc_run(n, a);
		break;
	}
	panic_return = NULL;
	return 0;
}

#define EXPECT_FREE_PANICS(pa) assert_true(panicked(CALL_FREE, (pa), 1))
#define EXPECT_FREE_RUN_PANICS(pa, n)                                          \
	assert_true(panicked(CALL_FREE_RUN, (pa), (n)))
#define EXPECT_ALLOC_RUN_PANICS(n, align)                                      \
	assert_true(panicked(CALL_ALLOC_RUN, (align), (n)))

/* The message must be exactly "frame: <pa> <what>". */
static void expect_message(unsigned long long pa, const char *what)
{
	char want[256];

	snprintf(want, sizeof(want), "frame: 0x%08llx %s", pa, what);
	assert_string_equal(panic_msg, want);
}

#define TWICE	"freed twice (it is already free)"
#define NOT_RAM "freed but it is not RAM the allocator manages"
#define UNALIGN "freed: not a frame address (not 4 KiB aligned)"

static struct frame_stats stats(void)
{
	struct frame_stats s;

	frame_get_stats(&s);
	return s;
}

static void expect_same_stats(const struct frame_stats *a)
{
	struct frame_stats b = stats();

	assert_int_equal(a->total, b.total);
	assert_int_equal(a->free, b.free);
	assert_int_equal(a->used, b.used);
	assert_int_equal(a->peak_used, b.peak_used);
	assert_int_equal(a->allocs, b.allocs);
	assert_int_equal(a->frees, b.frees);
	assert_int_equal(a->runs, b.runs);
}

static struct rng rng_state;

/* the same sequence on every variant */
static uint32_t rnd(void)
{
	return (uint32_t)rng_next(&rng_state);
}

static int setup(void **state)
{
	(void)state;
	frame_init();
	panic_return = NULL;
	panics = 0;
	rng_seed(&rng_state, 0x9e3779b9u);
	return 0;
}

static void test_add_counts_only_whole_frames_inside_the_range(void **state)
{
	(void)state;
	/* [0x2001, 0x5800) holds frames 3 and 4 whole, 2 and 5 in part. */
	assert_int_equal(frame_add(0x2001, 0x5800), 2);
	assert_false(frame_is_ram(0x2000));
	assert_true(frame_is_ram(0x3000));
	assert_true(frame_is_ram(0x4fff));
	assert_false(frame_is_ram(0x5000));
	assert_true(frame_is_free(0x3000));

	struct frame_stats s = stats();
	assert_int_equal(s.total, 2);
	assert_int_equal(s.free, 2);
	assert_int_equal(s.used, 0);
	assert_int_equal(frame_add(0x7000, 0x7fff), 0);
	assert_int_equal(frame_add(0x9000, 0x9000), 0);
	assert_int_equal(frame_add(0xb000, 0xa000), 0);
	assert_int_equal(frame_check(), 0);
}

static void test_adding_a_range_twice_does_not_double_count(void **state)
{
	(void)state;
	assert_int_equal(frame_add(MIB, 2 * MIB), 256);
	assert_int_equal(frame_add(MIB, 2 * MIB), 0);
	/* Half known already: only the new half counts. */
	assert_int_equal(frame_add(MIB + MIB / 2, 3 * MIB), 256);
	assert_int_equal(stats().total, 512);
	assert_int_equal(stats().free, 512);
	assert_int_equal(frame_check(), 0);
}

static void test_add_clips_at_4_gib(void **state)
{
	(void)state;
	assert_int_equal(frame_add(4 * GIB - 8 * KIB, 4 * GIB + MIB), 2);
	assert_int_equal(frame_add(5 * GIB, 6 * GIB), 0);
	assert_int_equal(frame_add(UINT64_MAX - 10, UINT64_MAX), 0);
	assert_true(frame_is_ram((uintptr_t)(4 * GIB - FRAME_SIZE)));
	if (sizeof(uintptr_t) > 4)
		assert_false(frame_is_ram((uintptr_t)(4 * GIB)));
	assert_int_equal(stats().total, 2);
	assert_int_equal(frame_check(), 0);
}

static void test_frame_zero_is_never_ram_nor_handed_out(void **state)
{
	(void)state;
	/* [0, 12 KiB): frames 0, 1 and 2, but frame 0 means "none". */
	assert_int_equal(frame_add(0, 12 * KIB), 2);
	assert_false(frame_is_ram(0));
	assert_false(frame_is_free(0));
	assert_int_not_equal(frame_alloc(), 0);
	assert_int_not_equal(frame_alloc(), 0);
	assert_int_equal(frame_alloc(), 0);
	assert_int_equal(frame_alloc_run(1, 0), 0);
	assert_int_equal(frame_check(), 0);
}

static void test_alloc_hands_out_distinct_ram_frames_until_none_left(void **s)
{
	uintptr_t got[24];

	(void)s;
	assert_int_equal(frame_add(MIB, MIB + 64 * KIB), 16);
	assert_int_equal(frame_add(3 * MIB, 3 * MIB + 32 * KIB), 8);
	for (size_t i = 0; i < 24; i++) {
		got[i] = frame_alloc();
		assert_int_not_equal(got[i], 0);
		assert_int_equal(got[i] % FRAME_SIZE, 0);
		assert_true(frame_is_ram(got[i]));
		assert_false(frame_is_free(got[i]));
		for (size_t j = 0; j < i; j++)
			assert_int_not_equal(got[i], got[j]);
	}
	assert_int_equal(frame_alloc(), 0);

	struct frame_stats st = stats();
	assert_int_equal(st.total, 24);
	assert_int_equal(st.free, 0);
	assert_int_equal(st.used, 24);
	assert_int_equal(st.allocs, 24);
	assert_int_equal(st.peak_used, 24);
	assert_int_equal(frame_check(), 0);
}

static void test_frames_just_below_4_gib_are_handed_out(void **state)
{
	(void)state;
	assert_int_equal(frame_add(4 * GIB - 16 * KIB, 4 * GIB), 4);
	for (int i = 0; i < 4; i++) {
		uintptr_t pa = frame_alloc();

		assert_true(pa >= (uintptr_t)(4 * GIB - 16 * KIB));
		assert_true(pa <= (uintptr_t)(4 * GIB - FRAME_SIZE));
	}
	assert_int_equal(frame_alloc(), 0);
	frame_free((uintptr_t)(4 * GIB - FRAME_SIZE));
	assert_int_equal(frame_alloc(), (uintptr_t)(4 * GIB - FRAME_SIZE));
	assert_int_equal(frame_check(), 0);
}

static void test_a_freed_frame_is_handed_out_again(void **state)
{
	uintptr_t a[4];

	(void)state;
	frame_add(MIB, MIB + 16 * KIB);
	for (int i = 0; i < 4; i++)
		a[i] = frame_alloc();
	assert_int_equal(frame_alloc(), 0);
	frame_free(a[2]);
	assert_true(frame_is_free(a[2]));
	assert_int_equal(frame_alloc(), a[2]);
	assert_int_equal(frame_alloc(), 0);
	assert_int_equal(frame_check(), 0);
}

static void test_stats_count_allocs_frees_and_the_peak(void **state)
{
	uintptr_t a, b, c;

	(void)state;
	frame_add(MIB, 2 * MIB);
	a = frame_alloc();
	b = frame_alloc();
	c = frame_alloc();
	frame_free(a);
	frame_free(c);
	frame_alloc_run(4, 0);

	struct frame_stats s = stats();
	assert_int_equal(s.total, 256);
	assert_int_equal(s.used, 5);
	assert_int_equal(s.free, 251);
	assert_int_equal(s.peak_used, 5);
	assert_int_equal(s.allocs, 7);
	assert_int_equal(s.frees, 2);
	assert_int_equal(s.runs, 1);
	frame_free(b);
	assert_int_equal(stats().peak_used, 5);
	assert_int_equal(stats().used, 4);
	assert_int_equal(frame_check(), 0);
}

static void test_init_forgets_everything(void **state)
{
	(void)state;
	frame_add(MIB, 2 * MIB);
	frame_alloc();
	frame_init();
	assert_int_equal(stats().total, 0);
	assert_int_equal(stats().peak_used, 0);
	assert_int_equal(stats().allocs, 0);
	assert_false(frame_is_ram(MIB));
	assert_int_equal(frame_alloc(), 0);
	assert_int_equal(frame_check(), 0);
}

static void test_double_free_panics_naming_the_frame(void **state)
{
	(void)state;
	frame_add(MIB, 2 * MIB);
	uintptr_t a = frame_alloc();
	uintptr_t b = frame_alloc();

	frame_free(a);
	struct frame_stats before = stats();
	EXPECT_FREE_PANICS(a);
	expect_message(a, TWICE);
	expect_same_stats(&before);
	assert_false(frame_is_free(b));
	assert_int_equal(frame_check(), 0);
}

static void test_freeing_a_frame_that_is_not_ram_panics(void **state)
{
	(void)state;
	frame_add(MIB, 2 * MIB);
	struct frame_stats before = stats();

	EXPECT_FREE_PANICS(0xc00000);
	expect_message(0xc00000, NOT_RAM);
	EXPECT_FREE_PANICS(0);
	expect_message(0, NOT_RAM);
	EXPECT_FREE_PANICS(2 * MIB);
	expect_message(2 * MIB, NOT_RAM);
	if (sizeof(uintptr_t) > 4) {
		EXPECT_FREE_PANICS((uintptr_t)(5 * GIB));
		expect_message(5 * GIB, NOT_RAM);
	}
	expect_same_stats(&before);
	assert_false(frame_is_ram(0xc00000));
	assert_int_equal(frame_check(), 0);
}

static void test_freeing_an_unaligned_address_panics(void **state)
{
	(void)state;
	frame_add(MIB, 2 * MIB);
	uintptr_t a = frame_alloc();
	struct frame_stats before = stats();

	EXPECT_FREE_PANICS(a + 0x456);
	expect_message(a + 0x456, UNALIGN);
	EXPECT_FREE_RUN_PANICS(a + 1, 2);
	assert_non_null(strstr(panic_msg, UNALIGN));
	expect_same_stats(&before);
	assert_false(frame_is_free(a));
	assert_int_equal(frame_check(), 0);
}

static void test_reserved_frames_are_never_handed_out(void **state)
{
	uintptr_t pa;

	(void)state;
	assert_int_equal(frame_add(MIB, MIB + 16 * FRAME_SIZE), 16);
	/* Outward: 0x101800-0x103001 touches frames 0x101, 0x102, 0x103. */
	frame_reserve(MIB + 0x1800, MIB + 0x3001);
	assert_int_equal(stats().used, 3);
	assert_int_equal(stats().free, 13);
	assert_int_equal(stats().allocs, 0);
	frame_reserve(MIB + 0x1000, MIB + 0x4000); /* nothing new */
	frame_reserve(8 * MIB, 9 * MIB);	   /* not RAM */
	assert_int_equal(stats().used, 3);
	while ((pa = frame_alloc()) != 0) {
		assert_true(pa < MIB + 0x1000 || pa >= MIB + 0x4000);
		assert_true(frame_is_ram(pa));
	}
	assert_int_equal(stats().used, 16);
	assert_int_equal(stats().allocs, 13);
	assert_false(frame_is_free(MIB + 0x2000));
	assert_int_equal(frame_check(), 0);
}

static void test_a_reserved_frame_can_be_given_back(void **state)
{
	(void)state;
	frame_add(MIB, 2 * MIB);
	frame_reserve(MIB, MIB + 1);
	assert_false(frame_is_free(MIB));
	frame_free(MIB);
	assert_true(frame_is_free(MIB));
	assert_int_equal(stats().used, 0);
	assert_int_equal(frame_check(), 0);
}

static void expect_run_used(uintptr_t pa, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		assert_true(frame_is_ram(pa + PA(i)));
		assert_false(frame_is_free(pa + PA(i)));
	}
}

static void test_a_run_is_contiguous_aligned_and_taken(void **state)
{
	(void)state;
	frame_add(MIB, 9 * MIB);
	uintptr_t a = frame_alloc_run(8, 32 * KIB);
	uintptr_t b = frame_alloc_run(8, 2 * MIB);

	assert_int_not_equal(a, 0);
	assert_int_not_equal(b, 0);
	assert_int_equal(a % (32 * KIB), 0);
	assert_int_equal(b % (2 * MIB), 0);
	expect_run_used(a, 8);
	expect_run_used(b, 8);
	assert_true(b >= a + PA(8) || a >= b + PA(8));
	assert_int_equal(stats().runs, 2);
	assert_int_equal(stats().allocs, 16);
	assert_int_equal(stats().used, 16);
	assert_int_equal(frame_check(), 0);
}

static void test_run_alignment_zero_means_one_frame(void **state)
{
	(void)state;
	frame_add(FRAME_SIZE, 4 * FRAME_SIZE);
	assert_int_equal(frame_alloc_run(3, 0), FRAME_SIZE);
	assert_int_equal(frame_alloc_run(1, 0), 0);
	assert_int_equal(frame_alloc_run(0, 0), 0);
	assert_int_equal(stats().runs, 1);
}

static void test_a_run_fails_when_the_free_frames_are_fragmented(void **s)
{
	uintptr_t a[64];

	(void)s;
	frame_add(MIB, MIB + 64 * FRAME_SIZE);
	for (int i = 0; i < 64; i++)
		a[i] = frame_alloc();
	for (int i = 0; i < 64; i += 2)
		frame_free(a[i]);
	struct frame_stats before = stats();
	assert_int_equal(before.free, 32);
	assert_int_equal(frame_alloc_run(2, 0), 0);
	expect_same_stats(&before);
	assert_int_not_equal(frame_alloc_run(1, 0), 0);
	assert_int_equal(frame_check(), 0);
}

static void test_a_run_fails_when_no_aligned_start_fits(void **state)
{
	(void)state;
	/* 512 frames from 0x101000: no 2 MiB boundary has 512 after it. */
	frame_add(MIB + FRAME_SIZE, 3 * MIB + FRAME_SIZE);
	assert_int_equal(frame_alloc_run(512, 2 * MIB), 0);
	/* From 2 MiB up to the end there are 257. */
	assert_int_equal(frame_alloc_run(258, 2 * MIB), 0);
	assert_int_equal(frame_alloc_run(257, 2 * MIB), 2 * MIB);
	assert_int_equal(frame_alloc_run(SIZE_MAX, 0), 0);
	assert_int_equal(frame_check(), 0);
}

static void test_run_alignment_must_be_a_power_of_two(void **state)
{
	(void)state;
	frame_add(MIB, 2 * MIB);
	EXPECT_ALLOC_RUN_PANICS(1, 3 * FRAME_SIZE);
	assert_non_null(strstr(panic_msg, "12288"));
	EXPECT_ALLOC_RUN_PANICS(1, FRAME_SIZE / 2);
	assert_int_equal(stats().used, 0);
}

static void test_run_free_checks_every_frame_before_changing_any(void **s)
{
	(void)s;
	frame_add(MIB, 2 * MIB);
	uintptr_t p = frame_alloc_run(4, 0);

	assert_int_not_equal(p, 0);
	frame_free(p + PA(2));
	struct frame_stats before = stats();
	EXPECT_FREE_RUN_PANICS(p, 4);
	assert_non_null(strstr(panic_msg, TWICE));
	{
		char want[64];

		snprintf(want, sizeof(want), "frame: 0x%08llx ",
			 (unsigned long long)(p + PA(2)));
		assert_memory_equal(panic_msg, want, strlen(want));
	}
	expect_same_stats(&before);
	assert_false(frame_is_free(p));
	assert_false(frame_is_free(p + PA(1)));
	assert_false(frame_is_free(p + PA(3)));
	assert_int_equal(frame_check(), 0);
}

static void test_run_free_past_ram_panics_and_changes_nothing(void **s)
{
	(void)s;
	frame_add(4 * GIB - 8 * KIB, 4 * GIB);
	uintptr_t p = frame_alloc_run(2, 0);

	assert_int_equal(p, (uintptr_t)(4 * GIB - 8 * KIB));
	EXPECT_FREE_RUN_PANICS(p, 3);
	assert_non_null(strstr(panic_msg, "frame: 0x100000000 " NOT_RAM));
	EXPECT_FREE_RUN_PANICS(p, SIZE_MAX);
	assert_non_null(strstr(panic_msg, NOT_RAM));
	assert_false(frame_is_free(p));
	assert_false(frame_is_free(p + FRAME_SIZE));
	frame_free_run(p, 2);
	assert_true(frame_is_free(p));
	assert_true(frame_is_free(p + FRAME_SIZE));
	assert_int_equal(stats().frees, 2);
	assert_int_equal(frame_check(), 0);
}

static void test_the_whole_4_gib_is_handed_out_and_taken_back(void **state)
{
	const uint32_t n = FRAME_MAX - 1; /* all but frame 0 */
	unsigned char *seen = calloc(FRAME_MAX, 1);
	uint32_t *order = malloc(sizeof(*order) * n);

	(void)state;
	assert_non_null(seen);
	assert_non_null(order);
	assert_int_equal(frame_add(0, 4 * GIB), n);
	for (uint32_t i = 0; i < n; i++) {
		uintptr_t pa = frame_alloc();

		assert_int_not_equal(pa, 0);
		assert_int_equal(pa % FRAME_SIZE, 0);
		assert_false(seen[FRAME_OF(pa)]);
		seen[FRAME_OF(pa)] = 1;
		order[i] = FRAME_OF(pa);
	}
	assert_int_equal(frame_alloc(), 0);
	assert_int_equal(frame_alloc_run(1, 0), 0);
	assert_int_equal(stats().free, 0);
	assert_int_equal(stats().used, n);
	assert_int_equal(frame_check(), 0);

	for (uint32_t i = n - 1; i > 0; i--) {
		uint32_t j = rnd() % (i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	for (uint32_t i = 0; i < n; i++) {
		frame_free(PA(order[i]));
		if (i % 65536 == 0 || i + 1 == n) {
			assert_int_equal(stats().free, i + 1);
			assert_int_equal(frame_check(), 0);
		}
	}
	struct frame_stats s = stats();
	assert_int_equal(s.free, n);
	assert_int_equal(s.used, 0);
	assert_int_equal(s.peak_used, n);
	assert_int_equal(s.allocs, n);
	assert_int_equal(s.frees, n);

	/* Everything free: the longest possible run starts at frame 1. */
	assert_int_equal(frame_alloc_run(n, 0), FRAME_SIZE);
	assert_int_equal(stats().free, 0);
	frame_free_run(FRAME_SIZE, n);
	assert_int_equal(frame_alloc_run(FRAME_MAX / 2, 2 * GIB),
			 (uintptr_t)(2 * GIB));
	assert_int_equal(frame_check(), 0);
	free(order);
	free(seen);
}

/* The model: one byte per frame. */
enum { M_NONE, M_FREE, M_USED };

#define WINDOW 2048u
#define OPS    20000

struct held {
	uintptr_t pa;
	size_t n;
};

struct model {
	unsigned char *m;
	size_t total, free, peak;
	struct held *held;
	size_t nheld;
};

/* RAM is only ever added in [0, WINDOW) and [FRAME_MAX - WINDOW, FRAME_MAX),
 * so that the whole state can be compared often. */
static uint32_t window_frame(void)
{
	uint32_t f = rnd() % (2 * WINDOW);

	return f < WINDOW ? f : FRAME_MAX - 2 * WINDOW + f;
}

static void model_compare(const struct model *md)
{
	for (uint32_t k = 0; k < 2 * WINDOW; k++) {
		uint32_t f = k < WINDOW ? k : FRAME_MAX - 2 * WINDOW + k;

		assert_int_equal(frame_is_ram(PA(f)), md->m[f] != M_NONE);
		assert_int_equal(frame_is_free(PA(f)), md->m[f] == M_FREE);
	}
	struct frame_stats s = stats();
	assert_int_equal(s.total, md->total);
	assert_int_equal(s.free, md->free);
	assert_int_equal(s.used, md->total - md->free);
	assert_int_equal(s.peak_used, md->peak);
	assert_int_equal(frame_check(), 0);
}

static void model_take(struct model *md, uint32_t f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(md->m[f + i], M_FREE);
		md->m[f + i] = M_USED;
	}
	md->free -= n;
	if (md->total - md->free > md->peak)
		md->peak = md->total - md->free;
}

/* Whether n free frames start at some multiple of a (in frames). */
static int model_has_run(const struct model *md, uint32_t n, uint32_t a)
{
	const uint32_t base[2] = {0, FRAME_MAX - WINDOW};

	for (int w = 0; w < 2; w++) {
		for (uint32_t s = base[w]; s + n <= base[w] + WINDOW; s += a) {
			uint32_t i = 0;

			while (i < n && md->m[s + i] == M_FREE)
				i++;
			if (i == n)
				return 1;
		}
	}
	return 0;
}

static void op_add(struct model *md)
{
	uint32_t f = window_frame(), len = rnd() % 64;
	uint64_t start = (uint64_t)f * FRAME_SIZE + rnd() % 2 * (rnd() % 4096);
	uint64_t end = start + (uint64_t)len * FRAME_SIZE + rnd() % 4096;
	uint64_t limit = f < WINDOW ? (uint64_t)WINDOW * FRAME_SIZE : 4 * GIB;
	size_t want = 0;

	if (end > limit)
		end = limit;
	for (uint64_t g = (start + FRAME_SIZE - 1) / FRAME_SIZE;
	     g < end / FRAME_SIZE; g++) {
		if (g != 0 && md->m[g] == M_NONE) {
			md->m[g] = M_FREE;
			want++;
		}
	}
	md->total += want;
	md->free += want;
	assert_int_equal(frame_add(start, end), want);
}

static void op_reserve(struct model *md)
{
	uint32_t f = window_frame();
	uint64_t start = (uint64_t)f * FRAME_SIZE + rnd() % 4096;
	uint64_t end = start + rnd() % (4 * FRAME_SIZE);
	size_t n = 0;

	if (end > start) {
		for (uint64_t g = start / FRAME_SIZE;
		     g < (end + FRAME_SIZE - 1) / FRAME_SIZE && g < FRAME_MAX;
		     g++) {
			if (md->m[g] == M_FREE) {
				md->m[g] = M_USED;
				n++;
			}
		}
	}
	md->free -= n;
	if (md->total - md->free > md->peak)
		md->peak = md->total - md->free;
	frame_reserve(start, end);
}

static void op_alloc(struct model *md)
{
	uintptr_t pa = frame_alloc();

	if (md->free == 0) {
		assert_int_equal(pa, 0);
		return;
	}
	assert_int_not_equal(pa, 0);
	assert_int_equal(pa % FRAME_SIZE, 0);
	model_take(md, FRAME_OF(pa), 1);
	md->held[md->nheld++] = (struct held){pa, 1};
}

static void op_alloc_run(struct model *md)
{
	uint32_t n = 1 + rnd() % 16, a = 1u << (rnd() % 6);
	uintptr_t pa = frame_alloc_run(n, (size_t)a * FRAME_SIZE);

	if (pa == 0) {
		assert_false(model_has_run(md, n, a));
		return;
	}
	assert_int_equal(FRAME_OF(pa) % a, 0);
	model_take(md, FRAME_OF(pa), n);
	md->held[md->nheld++] = (struct held){pa, n};
}

static void op_free(struct model *md)
{
	if (md->nheld == 0)
		return;
	size_t k = rnd() % md->nheld;
	struct held h = md->held[k];

	md->held[k] = md->held[--md->nheld];
	if (h.n == 1 && rnd() % 2)
		frame_free(h.pa);
	else
		frame_free_run(h.pa, h.n);
	for (size_t i = 0; i < h.n; i++)
		md->m[FRAME_OF(h.pa) + i] = M_FREE;
	md->free += h.n;
}

/* A misuse must panic with the reason the model predicts, and change
 * nothing. */
static void op_misuse(struct model *md)
{
	char want[256];
	uint32_t f = window_frame();
	uintptr_t pa = PA(f);
	const char *why = md->m[f] == M_FREE ? TWICE : NOT_RAM;
	struct frame_stats before = stats();

	if (md->m[f] == M_USED) {
		pa += 1 + rnd() % (FRAME_SIZE - 1);
		why = UNALIGN;
	}
	snprintf(want, sizeof(want), "frame: 0x%08llx %s",
		 (unsigned long long)pa, why);
	EXPECT_FREE_PANICS(pa);
	assert_string_equal(panic_msg, want);
	expect_same_stats(&before);
}

static void test_random_operations_match_a_byte_per_frame_model(void **s)
{
	struct model md = {0};

	(void)s;
	md.m = calloc(FRAME_MAX, 1);
	md.held = calloc(2 * WINDOW, sizeof(*md.held));
	assert_non_null(md.m);
	assert_non_null(md.held);
	for (int i = 0; i < OPS; i++) {
		uint32_t r = rnd() % 100;

		if (r < 6)
			op_add(&md);
		else if (r < 9)
			op_reserve(&md);
		else if (r < 45)
			op_alloc(&md);
		else if (r < 60)
			op_alloc_run(&md);
		else if (r < 95)
			op_free(&md);
		else
			op_misuse(&md);
		if (i % 256 == 0)
			model_compare(&md);
	}
	model_compare(&md);
	/* The walk must have been somewhere: RAM, allocations, failures. */
	assert_true(md.total > WINDOW);
	assert_true(stats().allocs > OPS / 4);
	assert_true(stats().runs > OPS / 100);
	assert_true(panics > OPS / 40);
	free(md.held);
	free(md.m);
}

#define T(name) cmocka_unit_test_setup(name, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_add_counts_only_whole_frames_inside_the_range),
	    T(test_adding_a_range_twice_does_not_double_count),
	    T(test_add_clips_at_4_gib),
	    T(test_frame_zero_is_never_ram_nor_handed_out),
	    T(test_alloc_hands_out_distinct_ram_frames_until_none_left),
	    T(test_frames_just_below_4_gib_are_handed_out),
	    T(test_a_freed_frame_is_handed_out_again),
	    T(test_stats_count_allocs_frees_and_the_peak),
	    T(test_init_forgets_everything),
	    T(test_double_free_panics_naming_the_frame),
	    T(test_freeing_a_frame_that_is_not_ram_panics),
	    T(test_freeing_an_unaligned_address_panics),
	    T(test_reserved_frames_are_never_handed_out),
	    T(test_a_reserved_frame_can_be_given_back),
	    T(test_a_run_is_contiguous_aligned_and_taken),
	    T(test_run_alignment_zero_means_one_frame),
	    T(test_a_run_fails_when_the_free_frames_are_fragmented),
	    T(test_a_run_fails_when_no_aligned_start_fits),
	    T(test_run_alignment_must_be_a_power_of_two),
	    T(test_run_free_checks_every_frame_before_changing_any),
	    T(test_run_free_past_ram_panics_and_changes_nothing),
	    T(test_the_whole_4_gib_is_handed_out_and_taken_back),
	    T(test_random_operations_match_a_byte_per_frame_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
