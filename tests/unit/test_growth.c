/*
 * test_growth.c - heap_set_growth: a heap that asks for memory when no
 * block fits, purges whole free regions and commits them before reuse,
 * and serves large requests from memory of their own - with every check
 * the rest of the heap has.
 *
 * The environment here is a recorder over mmap: it counts every call, can
 * refuse to grow or to commit, and "purges" by overwriting the pages, so
 * that a heap reading purged memory as if it were still its own is seen.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host/mm_host.h"
#include "mm/heap.h"
#include "tests/common/fault_log.h"
#include "tests/common/stamp.h"
#include "tests/common/walk.h"

#define PAGE	  ((size_t)4096)
#define START	  ((size_t)64 << 10)
#define GROW_MIN  ((size_t)64 << 10)
#define LARGE_MIN ((size_t)256 << 10)
#define MAX_MAPS  512
#define LOST_BYTE 0x5au

struct env {
	struct {
		unsigned char *mem;
		size_t bytes;
		int live;
	} map[MAX_MAPS];
	size_t nmaps, grows, releases, purges, commits;
	size_t grow_limit; /* growths allowed; 0: any */
	int commit_fails;
	void *overlap; /* grow returns this instead of fresh memory */
	unsigned char *purged_at;
	size_t purged_len;
	int guard; /* an inaccessible page after every piece (guarded) */
};

static void *env_grow(size_t bytes, void *ctx)
{
	struct env *e = ctx;
	void *p;

	if (e->overlap)
		return e->overlap;
	if ((e->grow_limit && e->grows >= e->grow_limit) ||
	    e->nmaps == MAX_MAPS)
		return NULL;
	p = mmap(NULL, bytes + (e->guard ? PAGE : 0), PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	if (e->guard)
		assert_int_equal(
		    mprotect((unsigned char *)p + bytes, PAGE, PROT_NONE), 0);
	e->grows++;
	e->map[e->nmaps].mem = p;
	e->map[e->nmaps].bytes = bytes;
	e->map[e->nmaps].live = 1;
	e->nmaps++;
	return p;
}

static void env_release(void *mem, size_t bytes, void *ctx)
{
	struct env *e = ctx;

	e->releases++;
	for (size_t i = 0; i < e->nmaps; i++) {
		if (e->map[i].mem == mem && e->map[i].live) {
			assert_int_equal(e->map[i].bytes, bytes);
			e->map[i].live = 0;
			munmap(mem, bytes + (e->guard ? PAGE : 0));
			return;
		}
	}
	if (mem != e->overlap)
		fail_msg("release of %p, which grow never gave", mem);
}

/* what a purge may do to the pages: anything; here, overwrite them */
static void env_purge(void *mem, size_t bytes, void *ctx)
{
	struct env *e = ctx;

	assert_int_equal((uintptr_t)mem % PAGE, 0);
	assert_int_equal(bytes % PAGE, 0);
	e->purges++;
	e->purged_at = mem;
	e->purged_len = bytes;
	memset(mem, LOST_BYTE, bytes);
}

static int env_commit(void *mem, size_t bytes, void *ctx)
{
	struct env *e = ctx;

	(void)mem;
	(void)bytes;
	e->commits++;
	return e->commit_fails ? -1 : 0;
}

static void env_free_all(struct env *e)
{
	for (size_t i = 0; i < e->nmaps; i++)
		if (e->map[i].live)
			munmap(e->map[i].mem,
			       e->map[i].bytes + (e->guard ? PAGE : 0));
}

/* A heap over START bytes from the environment, growing through it. */
struct grown {
	struct env env;
	struct heap *h;
	struct fault_log log;
	unsigned char *base;
};

static struct heap_growth growth_of(struct env *e, size_t large_min)
{
	struct heap_growth g = {.grow = env_grow,
				.release = env_release,
				.purge = env_purge,
				.commit = env_commit,
				.ctx = e,
				.page = PAGE,
				.grow_min = GROW_MIN,
				.large_min = large_min};
	return g;
}

static int open_grown(struct grown *g, unsigned flags, size_t large_min)
{
	struct heap_growth hg;

	memset(g, 0, sizeof *g);
	g->base = mmap(NULL, START, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g->base == MAP_FAILED)
		return -1;
	g->h = heap_create_flags(g->base, START, flags);
	if (!g->h)
		return -1;
	fault_log_attach(&g->log, g->h);
	hg = growth_of(&g->env, large_min);
	return heap_set_growth(g->h, &hg);
}

static void close_grown(struct grown *g)
{
	heap_destroy(g->h);
	env_free_all(&g->env);
	munmap(g->base, START);
}

static int setup(void **state)
{
	static struct grown g;

	if (open_grown(&g, 0, 0) != 0)
		return -1;
	*state = &g;
	return 0;
}

static int setup_large(void **state)
{
	static struct grown g;

	if (open_grown(&g, 0, LARGE_MIN) != 0)
		return -1;
	*state = &g;
	return 0;
}

static int setup_checking(void **state)
{
	static struct grown g;

	if (open_grown(&g, HEAP_CHECKING, LARGE_MIN) != 0)
		return -1;
	*state = &g;
	return 0;
}

/* Guard pages after every piece, and the heap told so (guarded). */
static int open_guarded(struct grown *g, unsigned flags)
{
	struct heap_growth hg;

	if (open_grown(g, flags, LARGE_MIN) != 0)
		return -1;
	g->env.guard = 1;
	hg = growth_of(&g->env, LARGE_MIN);
	hg.guarded = 1;
	return heap_set_growth(g->h, &hg);
}

static int setup_guarded(void **state)
{
	static struct grown g;

	if (open_guarded(&g, 0) != 0)
		return -1;
	*state = &g;
	return 0;
}

static int setup_guarded_checking(void **state)
{
	static struct grown g;

	if (open_guarded(&g, HEAP_CHECKING) != 0)
		return -1;
	*state = &g;
	return 0;
}

static int teardown(void **state)
{
	struct grown *g = *state;
	int bad = heap_check(g->h);

	close_grown(g);
	return bad == 0 && g->log.total == 0 ? 0 : -1;
}

#define COUNT 2000
#define SIZE  1000

static void *blocks[COUNT];

static void fill(struct grown *g, size_t count, size_t size)
{
	for (size_t i = 0; i < count; i++) {
		blocks[i] = heap_alloc(g->h, size);
		assert_non_null(blocks[i]);
		stamp_fill(blocks[i], size, i);
	}
}

static void free_all(struct grown *g, size_t count, size_t size)
{
	for (size_t i = 0; i < count; i++) {
		assert_int_equal(stamp_find_damage(blocks[i], size, i), size);
		heap_free(g->h, blocks[i]);
	}
}

static size_t free_bytes(struct heap *h)
{
	struct heap_stats s;

	heap_get_stats(h, &s);
	return s.bytes_free;
}

/* --- growth ------------------------------------------------------------ */

static void test_without_growth_a_small_heap_runs_out(void **state)
{
	struct grown *g = *state;
	size_t n = 0;

	heap_set_growth(g->h, NULL);
	while (n < COUNT && (blocks[n] = heap_alloc(g->h, SIZE)) != NULL)
		n++;
	assert_true(n < COUNT / 10);
	assert_int_equal(g->env.grows, 0);
	for (size_t i = 0; i < n; i++)
		heap_free(g->h, blocks[i]);
}

static void test_heap_grows_when_no_block_fits(void **state)
{
	struct grown *g = *state;
	struct heap_stats s;
	struct walk_summary w;

	fill(g, COUNT, SIZE);
	heap_get_stats(g->h, &s);
	assert_true(g->env.grows > 0);
	assert_int_equal(s.regions_grown, g->env.grows);
	assert_int_equal(s.regions, g->env.grows + 1);
	assert_int_equal(s.used_blocks, COUNT);
	assert_int_equal(heap_check(g->h), 0);
	/* the walk covers the grown regions: every block is seen */
	assert_int_equal(walk_summarize(g->h, &w), 0);
	assert_int_equal(w.used_blocks, COUNT);
	assert_int_equal(w.regions, s.regions);
	free_all(g, COUNT, SIZE);
}

/* each growth asks for a quarter of what the heap has, at least */
static void test_growth_is_geometric(void **state)
{
	struct grown *g = *state;
	const size_t count = 16000; /* 16 MiB in 1 KiB blocks */
	void **many = test_malloc(count * sizeof *many);
	struct heap_stats s;

	for (size_t i = 0; i < count; i++)
		assert_non_null(many[i] = heap_alloc(g->h, 1024));
	heap_get_stats(g->h, &s);
	/* one region per 64 KiB would be 256 of them */
	assert_true(s.regions_grown < 40);
	for (size_t i = 0; i < count; i++)
		heap_free(g->h, many[i]);
	test_free(many);
}

static void test_growth_refused_fails_cleanly(void **state)
{
	struct grown *g = *state;
	size_t n = 0;

	g->env.grow_limit = 2;
	while (n < COUNT && (blocks[n] = heap_alloc(g->h, SIZE)) != NULL) {
		stamp_fill(blocks[n], SIZE, n);
		n++;
	}
	assert_true(n < COUNT);
	assert_int_equal(g->env.grows, 2);
	assert_int_equal(g->log.total, 0);
	assert_int_equal(heap_check(g->h), 0);
	free_all(g, n, SIZE);
}

static void test_grown_memory_that_overlaps_is_refused(void **state)
{
	struct grown *g = *state;
	void *p;

	/* the environment hands back memory the heap already has */
	g->env.overlap = g->base + 4096;
	p = heap_alloc(g->h, 2 * START);
	assert_null(p);
	assert_int_equal(g->env.releases, 1);
	g->env.overlap = NULL;
	assert_int_equal(heap_check(g->h), 0);
	assert_non_null(p = heap_alloc(g->h, 2 * START));
	heap_free(g->h, p);
}

static void test_set_growth_refuses_bad_settings(void **state)
{
	struct grown *g = *state;
	struct heap_growth hg = growth_of(&g->env, 0);

	hg.page = 3000;
	assert_int_equal(heap_set_growth(g->h, &hg), -1);
	hg.page = PAGE;
	hg.large_min = 100;
	assert_int_equal(heap_set_growth(g->h, &hg), -1);
	assert_int_equal(heap_set_growth(NULL, &hg), -1);
}

/* --- giving memory back ------------------------------------------------ */

static void test_whole_free_regions_are_purged(void **state)
{
	struct grown *g = *state;
	struct heap_stats s;

	fill(g, COUNT, SIZE);
	free_all(g, COUNT, SIZE);
	heap_get_stats(g->h, &s);
	assert_true(g->env.purges > 0);
	assert_true(s.bytes_purged > 0);
	/* all but the first region, about `keep` (GROW_MIN) free bytes, and
	 * each region's first and last page */
	assert_true(s.bytes_free - s.bytes_purged <=
		    START + 2 * GROW_MIN + s.regions * 2 * PAGE);
	assert_int_equal(heap_check(g->h), 0);
}

static void test_purged_region_is_committed_before_reuse(void **state)
{
	struct grown *g = *state;
	size_t commits;

	fill(g, COUNT, SIZE);
	free_all(g, COUNT, SIZE);
	assert_true(g->env.purges > 0);
	commits = g->env.commits;
	/* the same again: now out of the purged regions */
	fill(g, COUNT, SIZE);
	assert_true(g->env.commits > commits);
	assert_int_equal(heap_check(g->h), 0);
	free_all(g, COUNT, SIZE);
}

static void test_failed_commit_fails_the_allocation(void **state)
{
	struct grown *g = *state;
	struct heap_stats s;
	size_t commits;
	void *p;

	fill(g, COUNT, SIZE);
	free_all(g, COUNT, SIZE);
	heap_get_stats(g->h, &s);
	assert_true(s.bytes_purged > 0);
	commits = g->env.commits;
	g->env.commit_fails = 1;
	g->env.grow_limit = g->env.grows; /* and no more memory */
	/* larger than any free memory that is not purged */
	p = heap_alloc(g->h, s.bytes_free - s.bytes_purged + 1);
	assert_null(p);
	assert_true(g->env.commits > commits); /* it was tried */
	assert_int_equal(g->log.total, 0);
	assert_int_equal(heap_check(g->h), 0);
	g->env.commit_fails = 0;
}

static void test_heap_keeps_free_memory_worth_keep(void **state)
{
	struct grown *g = *state;
	struct heap_growth hg = growth_of(&g->env, 0);

	hg.keep = (size_t)1 << 30;
	assert_int_equal(heap_set_growth(g->h, &hg), 0);
	fill(g, COUNT, SIZE);
	free_all(g, COUNT, SIZE);
	assert_int_equal(g->env.purges, 0);
	assert_true(free_bytes(g->h) > COUNT * SIZE);
}

/* checking mode: purged pages lose their poison, and that is no fault */
static void test_checking_heap_reuses_purged_regions(void **state)
{
	struct grown *g = *state;

	fill(g, COUNT, SIZE);
	free_all(g, COUNT, SIZE);
	assert_true(g->env.purges > 0);
	assert_int_equal(heap_check(g->h), 0);
	fill(g, COUNT, SIZE);
	assert_int_equal(g->log.total, 0);
	free_all(g, COUNT, SIZE);
	assert_int_equal(heap_check(g->h), 0);
}

/* --- large blocks ------------------------------------------------------ */

static void test_large_block_has_memory_of_its_own(void **state)
{
	struct grown *g = *state;
	const size_t n = LARGE_MIN + 1000;
	struct walk_summary w;
	struct heap_stats s;
	unsigned char *p = heap_alloc(g->h, n);
	size_t grows = g->env.grows;

	assert_non_null(p);
	assert_int_equal((uintptr_t)p % HEAP_ALIGN, 0);
	assert_int_equal(grows, 1);
	assert_true(p > g->env.map[0].mem &&
		    p + n <= g->env.map[0].mem + g->env.map[0].bytes);
	assert_true(heap_usable_size(g->h, p) >= n);
	stamp_fill(p, n, 7);
	heap_get_stats(g->h, &s);
	assert_int_equal(s.large_blocks, 1);
	assert_true(s.bytes_large >= n);
	assert_int_equal(s.used_blocks, 1);
	assert_int_equal(s.regions, 1);
	assert_int_equal(heap_check(g->h), 0);
	assert_int_equal(walk_summarize(g->h, &w), 0);
	assert_int_equal(w.used_blocks, 1);
	assert_int_equal(stamp_find_damage(p, n, 7), n);
	heap_free(g->h, p);
	assert_int_equal(g->env.releases, 1);
	assert_int_equal(g->env.map[0].live, 0);
	heap_get_stats(g->h, &s);
	assert_int_equal(s.large_blocks, 0);
	assert_int_equal(s.used_blocks, 0);
}

static int find_large(const struct heap_block_info *b, void *ctx)
{
	if (b->large && b->region == -1 && !b->free)
		*(const void **)ctx = b->ptr;
	return 0;
}

static void test_walk_shows_large_blocks(void **state)
{
	struct grown *g = *state;
	void *p = heap_alloc(g->h, LARGE_MIN);
	const void *seen = NULL;

	assert_int_equal(heap_walk(g->h, find_large, &seen), 0);
	assert_ptr_equal(seen, p);
	heap_free(g->h, p);
}

static void test_large_double_free_is_reported(void **state)
{
	struct grown *g = *state;
	void *p = heap_alloc(g->h, LARGE_MIN);
	void *q;

	heap_free(g->h, p);
	heap_free(g->h, p);
	assert_int_equal(g->log.count[HEAP_FAULT_DOUBLE_FREE], 1);
	assert_non_null(strstr(g->log.last_what, "double free"));
	fault_log_reset(&g->log);
	assert_non_null(q = heap_alloc(g->h, LARGE_MIN));
	heap_free(g->h, q);
}

static void test_pointer_inside_large_block_is_invalid(void **state)
{
	struct grown *g = *state;
	unsigned char *p = heap_alloc(g->h, LARGE_MIN);

	heap_free(g->h, p + 64);
	assert_int_equal(g->log.count[HEAP_FAULT_INVALID_POINTER], 1);
	assert_int_equal(g->env.releases, 0);
	fault_log_reset(&g->log);
	heap_free(g->h, p);
	assert_int_equal(g->env.releases, 1);
}

static void test_large_header_damage_is_reported(void **state)
{
	struct grown *g = *state;
	unsigned char *p = heap_alloc(g->h, LARGE_MIN);
	uintptr_t *size_word = (uintptr_t *)(void *)p - 3;
	uintptr_t was = *size_word;

	*size_word ^= 0x100;
	heap_free(g->h, p);
	assert_int_equal(g->log.count[HEAP_FAULT_CORRUPTED], 1);
	assert_int_equal(g->env.releases, 0);
	assert_true(heap_check(g->h) > 0);
	*size_word = was;
	fault_log_reset(&g->log);
	assert_int_equal(heap_check(g->h), 0);
	heap_free(g->h, p);
	assert_int_equal(g->env.releases, 1);
}

/* the words before the block header link the large blocks */
static void test_large_link_damage_is_reported(void **state)
{
	struct grown *g = *state;
	unsigned char *p = heap_alloc(g->h, LARGE_MIN);
	unsigned char *q = heap_alloc(g->h, LARGE_MIN);
	/* the four words before the block header: on either target, some
	 * of struct large's (its size, at least) */
	uintptr_t *link = (uintptr_t *)(void *)p - 4 - 4;
	uintptr_t was[4];

	for (int i = 0; i < 4; i++) {
		was[i] = link[i];
		link[i] ^= 0x40;
	}
	assert_true(heap_check(g->h) > 0);
	assert_true(g->log.count[HEAP_FAULT_CORRUPTED] > 0);
	for (int i = 0; i < 4; i++)
		link[i] = was[i];
	fault_log_reset(&g->log);
	assert_int_equal(heap_check(g->h), 0);
	heap_free(g->h, q);
	heap_free(g->h, p);
	assert_int_equal(g->env.releases, 2);
}

static void test_large_realloc_in_place_and_moved(void **state)
{
	struct grown *g = *state;
	unsigned char *p = heap_alloc(g->h, LARGE_MIN + 100);
	unsigned char *q;

	stamp_fill(p, LARGE_MIN + 100, 3);
	/* within the pages it has: stays */
	q = heap_realloc(g->h, p, LARGE_MIN + 200);
	assert_ptr_equal(q, p);
	/* four times as large: moves, contents kept, old memory back */
	q = heap_realloc(g->h, p, 4 * LARGE_MIN);
	assert_non_null(q);
	assert_ptr_not_equal(q, p);
	assert_int_equal(stamp_find_damage(q, LARGE_MIN + 100, 3),
			 LARGE_MIN + 100);
	assert_int_equal(g->env.releases, 1);
	/* small again: into a region */
	p = heap_realloc(g->h, q, 100);
	assert_non_null(p);
	assert_int_equal(stamp_find_damage(p, 100, 3), 100);
	assert_int_equal(g->env.releases, 2);
	assert_int_equal(heap_check(g->h), 0);
	heap_free(g->h, p);
}

static void test_large_aligned_block(void **state)
{
	struct grown *g = *state;
	void *p = heap_aligned_alloc(g->h, 4096, LARGE_MIN);
	struct heap_stats s;

	assert_non_null(p);
	assert_int_equal((uintptr_t)p % 4096, 0);
	heap_get_stats(g->h, &s);
	assert_int_equal(s.large_blocks, 1);
	assert_int_equal(heap_check(g->h), 0);
	heap_free(g->h, p);
	assert_int_equal(g->env.releases, 1);
}

/* the checking mode keeps large requests in regions, under its checks */
static void test_checking_heap_keeps_large_requests_in_regions(void **state)
{
	struct grown *g = *state;
	unsigned char *p = heap_alloc(g->h, LARGE_MIN);
	struct heap_stats s;

	assert_non_null(p);
	heap_get_stats(g->h, &s);
	assert_int_equal(s.large_blocks, 0);
	assert_true(s.regions_grown > 0);
	p[LARGE_MIN] = 0; /* into the red zone */
	heap_free(g->h, p);
	assert_int_equal(g->log.count[HEAP_FAULT_OVERFLOW], 1);
	fault_log_reset(&g->log);
}

/* --- guard pages (guarded) ------------------------------------------------ */

/* The piece grow() handed out last: where a guarded block must end. */
static unsigned char *last_piece_end(const struct grown *g)
{
	const struct env *e = &g->env;

	assert_true(e->nmaps > 0);
	return e->map[e->nmaps - 1].mem + e->map[e->nmaps - 1].bytes;
}

static void test_guarded_large_block_ends_at_its_guard_page(void **state)
{
	struct grown *g = *state;
	unsigned char *p = heap_alloc(g->h, LARGE_MIN + 48);
	unsigned char *q;

	assert_non_null(p);
	assert_ptr_equal(p + LARGE_MIN + 48, last_piece_end(g));
	stamp_fill(p, LARGE_MIN + 48, 1);
	/* not a multiple of 16: the payload (rounded up) ends there */
	q = heap_alloc(g->h, LARGE_MIN + 5);
	assert_non_null(q);
	assert_ptr_equal(q + LARGE_MIN + 16, last_piece_end(g));
	assert_int_equal((uintptr_t)q % 16, 0);
	assert_int_equal(stamp_find_damage(p, LARGE_MIN + 48, 1),
			 LARGE_MIN + 48);
	assert_int_equal(heap_check(g->h), 0);
	heap_free(g->h, p);
	heap_free(g->h, q);
	assert_int_equal(g->env.releases, 2);
}

static void test_guarded_aligned_block_stays_aligned(void **state)
{
	struct grown *g = *state;
	unsigned char *p = heap_aligned_alloc(g->h, 4096, LARGE_MIN + 100);

	assert_non_null(p);
	assert_int_equal((uintptr_t)p % 4096, 0);
	assert_true(p + LARGE_MIN + 100 <= last_piece_end(g));
	assert_true(last_piece_end(g) - (p + LARGE_MIN + 100) < 4096);
	stamp_fill(p, LARGE_MIN + 100, 2);
	assert_int_equal(stamp_find_damage(p, LARGE_MIN + 100, 2),
			 LARGE_MIN + 100);
	heap_free(g->h, p);
}

/* a write one byte past the end is a fault at once, not at free */
static void test_guarded_overflow_faults_at_once(void **state)
{
	struct grown *g = *state;
	unsigned char *p = heap_alloc(g->h, LARGE_MIN);
	int status = 0;
	pid_t pid;

	assert_non_null(p);
	pid = fork();
	if (pid == 0) {
		signal(SIGSEGV, SIG_DFL); /* cmocka catches it otherwise */
		p[LARGE_MIN - 1] = 1;	  /* the last byte is the caller's */
		((volatile unsigned char *)p)[LARGE_MIN] = 1;
		_exit(0); /* not reached when the guard page works */
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSEGV);
	heap_free(g->h, p);
}

static void test_guarded_block_is_moved_not_resized(void **state)
{
	struct grown *g = *state;
	unsigned char *p = heap_alloc(g->h, LARGE_MIN * 2), *q;

	assert_non_null(p);
	stamp_fill(p, LARGE_MIN * 2, 3);
	q = heap_realloc(g->h, p, LARGE_MIN * 2 - 4096);
	assert_non_null(q);
	assert_ptr_not_equal(q, p);
	assert_ptr_equal(q + LARGE_MIN * 2 - 4096, last_piece_end(g));
	assert_int_equal(stamp_find_damage(q, LARGE_MIN * 2 - 4096, 3),
			 LARGE_MIN * 2 - 4096);
	heap_free(g->h, q);
	assert_int_equal(heap_check(g->h), 0);
}

/* checking mode: large blocks too, with the red zone for the last bytes */
static void test_guarded_checking_heap_serves_large_blocks(void **state)
{
	struct grown *g = *state;
	unsigned char *p = heap_alloc(g->h, LARGE_MIN + 5);
	struct heap_stats s;

	assert_non_null(p);
	heap_get_stats(g->h, &s);
	assert_int_equal(s.large_blocks, 1);
	assert_ptr_equal(p + LARGE_MIN + 16, last_piece_end(g));
	p[LARGE_MIN + 5] = 0; /* inside the piece: the red zone sees it */
	heap_free(g->h, p);
	assert_int_equal(g->log.count[HEAP_FAULT_OVERFLOW], 1);
	assert_int_equal(g->log.last.offset, LARGE_MIN + 5);
	fault_log_reset(&g->log);
	assert_int_equal(g->env.releases, 1);
}

static void test_large_at_names_the_block_of_a_piece(void **state)
{
	struct grown *g = *state;
	unsigned char *p = heap_alloc(g->h, LARGE_MIN + 32);
	struct heap_block_info info;
	unsigned char *piece;

	assert_non_null(p);
	piece = g->env.map[g->env.nmaps - 1].mem;
	assert_int_equal(heap_large_at(g->h, piece, &info), 1);
	assert_ptr_equal(info.ptr, p);
	assert_int_equal(info.requested, LARGE_MIN + 32);
	assert_int_equal(info.large, 1);
	assert_int_equal(heap_large_at(g->h, piece + PAGE, &info), 0);
	heap_free(g->h, p);
	assert_int_equal(heap_large_at(g->h, piece, &info), 0);
}

/* --- trim ---------------------------------------------------------------- */

static void test_trim_gives_back_whole_grown_regions(void **state)
{
	struct grown *g = *state;
	struct heap_stats s;
	size_t grows;

	fill(g, COUNT, SIZE);
	grows = g->env.grows;
	assert_true(grows > 1);
	/* one block kept in the newest region keeps that region */
	free_all(g, COUNT - 1, SIZE);
	assert_int_equal(heap_trim(g->h) > 0, 1);
	heap_get_stats(g->h, &s);
	assert_int_equal(s.regions, 2);
	assert_int_equal(g->env.releases, grows - 1);
	assert_int_equal(heap_check(g->h), 0);
	assert_int_equal(stamp_find_damage(blocks[COUNT - 1], SIZE, COUNT - 1),
			 SIZE);
	heap_free(g->h, blocks[COUNT - 1]);
	assert_int_not_equal(heap_trim(g->h), 0);
	heap_get_stats(g->h, &s);
	assert_int_equal(s.regions, 1);
	assert_int_equal(g->env.releases, grows);
	/* and the heap grows again as before */
	fill(g, COUNT, SIZE);
	free_all(g, COUNT, SIZE);
	assert_int_equal(heap_check(g->h), 0);
}

static void test_trim_without_release_gives_nothing(void **state)
{
	struct grown *g = *state;
	struct heap_growth hg = growth_of(&g->env, 0);
	struct heap_stats s;

	fill(g, COUNT, SIZE);
	free_all(g, COUNT, SIZE);
	hg.release = NULL;
	assert_int_equal(heap_set_growth(g->h, &hg), 0);
	assert_int_equal(heap_trim(g->h), 0);
	heap_get_stats(g->h, &s);
	assert_true(s.regions > 1);
	assert_int_equal(g->env.releases, 0);
}

/* --- fork --------------------------------------------------------------- */

/* the child's heap: every lock free, usable, consistent */
static void test_heap_is_usable_in_a_forked_child(void **state)
{
	struct grown *g = *state;
	int status = 0;
	pid_t pid;

	fill(g, 100, SIZE);
	heap_fork_prepare(g->h);
	pid = fork();
	if (pid == 0) {
		heap_fork_child(g->h);
		for (size_t i = 0; i < 100; i++)
			heap_free(g->h, blocks[i]);
		fill(g, COUNT, SIZE);
		_exit(heap_check(g->h) == 0 && g->log.total == 0 ? 0 : 1);
	}
	heap_fork_parent(g->h);
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* and the parent's heap goes on */
	free_all(g, 100, SIZE);
	assert_int_equal(heap_check(g->h), 0);
}

#define T(name)	 cmocka_unit_test_setup_teardown(name, setup, teardown)
#define TL(name) cmocka_unit_test_setup_teardown(name, setup_large, teardown)
#define TC(name) cmocka_unit_test_setup_teardown(name, setup_checking, teardown)
#define TG(name) cmocka_unit_test_setup_teardown(name, setup_guarded, teardown)
#define TGC(name)                                                              \
	cmocka_unit_test_setup_teardown(name, setup_guarded_checking, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_without_growth_a_small_heap_runs_out),
	    T(test_heap_grows_when_no_block_fits),
	    T(test_growth_is_geometric),
	    T(test_growth_refused_fails_cleanly),
	    T(test_grown_memory_that_overlaps_is_refused),
	    T(test_set_growth_refuses_bad_settings),
	    T(test_whole_free_regions_are_purged),
	    T(test_purged_region_is_committed_before_reuse),
	    T(test_failed_commit_fails_the_allocation),
	    T(test_heap_keeps_free_memory_worth_keep),
	    TC(test_checking_heap_reuses_purged_regions),
	    TL(test_large_block_has_memory_of_its_own),
	    TL(test_walk_shows_large_blocks),
	    TL(test_large_double_free_is_reported),
	    TL(test_pointer_inside_large_block_is_invalid),
	    TL(test_large_header_damage_is_reported),
	    TL(test_large_link_damage_is_reported),
	    TL(test_large_realloc_in_place_and_moved),
	    TL(test_large_aligned_block),
	    TC(test_checking_heap_keeps_large_requests_in_regions),
	    TG(test_guarded_large_block_ends_at_its_guard_page),
	    TG(test_guarded_aligned_block_stays_aligned),
	    TG(test_guarded_overflow_faults_at_once),
	    TG(test_guarded_block_is_moved_not_resized),
	    TGC(test_guarded_checking_heap_serves_large_blocks),
	    TG(test_large_at_names_the_block_of_a_piece),
	    T(test_trim_gives_back_whole_grown_regions),
	    T(test_trim_without_release_gives_nothing),
	    T(test_heap_is_usable_in_a_forked_child),
	};

	mm_host_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
