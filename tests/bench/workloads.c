/*
 * workloads.c - the five workloads of `make bench`.
 *
 * Each starts with an untimed setup (ramping the live set up, or carving
 * holes) so that the timed part measures the steady state the workload is
 * named for, not the first fill of an empty heap.
 */
#include "tests/bench/workloads.h"

#include <string.h>

#include "tests/bench/gen.h"

/* Keep the live set near target: allocate a little more often below it. */
static int want_alloc(struct gen *g, size_t target)
{
	return gen_chance(g, g->nlive < target ? 55 : 45) || g->nlive == 0;
}

/*
 * mixed: sizes 8..4096 (log-uniform), about `live` blocks live, freed in
 * random order, with calloc, aligned_alloc and realloc among the mallocs.
 */
static void gen_mixed(struct trace *t, uint64_t seed, size_t ops, size_t live)
{
	struct gen g;

	gen_open(&g, t, seed);
	while (g.nlive < live)
		gen_alloc(&g, OP_MALLOC, gen_log_uniform(&g, 8, 4096), 0);
	gen_start_timing(&g);
	while (gen_timed(&g) < ops) {
		unsigned r = (unsigned)gen_uniform(&g, 0, 99);
		size_t size = gen_log_uniform(&g, 8, 4096);

		if (r < 10 && g.nlive) {
			gen_realloc(&g, gen_pick(&g), size);
		} else if (!want_alloc(&g, live)) {
			gen_free(&g, gen_pick(&g));
		} else if (r < 15) {
			gen_alloc(&g, OP_CALLOC, size, 0);
		} else if (r < 19) {
			gen_alloc(&g, OP_ALIGNED, size,
				  (unsigned)gen_uniform(&g, 5, 9));
		} else {
			gen_alloc(&g, OP_MALLOC, size, 0);
		}
	}
	gen_close(&g);
}

/*
 * small: 8..128 bytes, freed mostly in LIFO order. The depth wanders
 * towards a new random target every 512 ops, as a parser's or an
 * interpreter's temporaries do; one free in ten is of a random block.
 */
static void gen_small(struct trace *t, uint64_t seed, size_t ops,
		      size_t max_live)
{
	struct gen g;
	size_t target = 0;

	gen_open(&g, t, seed);
	gen_start_timing(&g);
	while (gen_timed(&g) < ops) {
		int up;

		if (gen_timed(&g) % 512 == 0)
			target = gen_uniform(&g, 0, max_live);
		up = gen_chance(&g, g.nlive < target ? 80 : 20);
		if (up || g.nlive == 0)
			gen_alloc(&g, OP_MALLOC, gen_uniform(&g, 8, 128), 0);
		else if (gen_chance(&g, 90))
			gen_free(&g, gen_top(&g));
		else
			gen_free(&g, gen_pick(&g));
	}
	gen_close(&g);
}

/*
 * holes: `holes` free blocks of 16..48 bytes, each pinned between two
 * blocks that stay allocated, so nothing merges them; then allocs and frees
 * of 64..2048 bytes, which none of the holes fits, around a live set of
 * 1000. An allocator that scans its free blocks pays for every hole.
 */
void workload_holes(struct trace *t, uint64_t seed, size_t ops, size_t holes)
{
	const size_t live = 1000;
	struct gen g;
	size_t i;

	gen_open(&g, t, seed);
	for (i = 0; i < holes; i++) {
		gen_alloc(&g, OP_MALLOC, gen_uniform(&g, 16, 48), 0);
		gen_pin(&g, gen_alloc(&g, OP_MALLOC, 16, 0));
	}
	/* newest first: the first-fit reference then files each hole at the
	 * head of its address-ordered list, and setting up stays linear */
	while (g.nlive)
		gen_free(&g, gen_top(&g));
	while (g.nlive < live)
		gen_alloc(&g, OP_MALLOC, gen_log_uniform(&g, 64, 2048), 0);
	gen_start_timing(&g);
	while (gen_timed(&g) < ops) {
		if (want_alloc(&g, live))
			gen_alloc(&g, OP_MALLOC, gen_log_uniform(&g, 64, 2048),
				  0);
		else
			gen_free(&g, gen_pick(&g));
	}
	gen_close(&g);
}

/* aligned: aligned_alloc with alignments 64..4096 and sizes 16..4096. */
static size_t aligned_size(struct gen *g)
{
	return gen_log_uniform(g, 16, 4096);
}

static unsigned aligned_log2(struct gen *g)
{
	return (unsigned)gen_uniform(g, 6, 12);
}

static void gen_aligned(struct trace *t, uint64_t seed, size_t ops, size_t live)
{
	struct gen g;

	gen_open(&g, t, seed);
	while (g.nlive < live)
		gen_alloc(&g, OP_ALIGNED, aligned_size(&g), aligned_log2(&g));
	gen_start_timing(&g);
	while (gen_timed(&g) < ops) {
		if (want_alloc(&g, live))
			gen_alloc(&g, OP_ALIGNED, aligned_size(&g),
				  aligned_log2(&g));
		else
			gen_free(&g, gen_pick(&g));
	}
	gen_close(&g);
}

/*
 * realloc: `objects` buffers growing at once. Strings grow by 1..64 bytes
 * per call up to 256 B..8 KiB, vectors double from 16 B up to 1..64 KiB;
 * a full one is freed and a new one started. Short-lived temporaries
 * (8..256 bytes, a ring of 32) come and go between the calls, so that a
 * buffer cannot always grow in place.
 */
#define TEMPS 32

struct grower {
	uint32_t slot;
	size_t size, limit;
	int vector;
};

static void grower_start(struct gen *g, struct grower *o)
{
	o->vector = gen_chance(g, 40);
	o->size = o->vector ? 16 : gen_uniform(g, 8, 32);
	o->limit = o->vector ? gen_log_uniform(g, 1024, 65536)
			     : gen_log_uniform(g, 256, 8192);
	o->slot = gen_alloc(g, OP_MALLOC, o->size, 0);
}

static void gen_realloc_growth(struct trace *t, uint64_t seed, size_t ops,
			       size_t objects)
{
	struct grower objs[1024];
	uint32_t temps[TEMPS];
	size_t ntemps = 0, next_temp = 0, i;
	struct gen g;

	if (objects > sizeof objs / sizeof objs[0])
		objects = sizeof objs / sizeof objs[0];
	gen_open(&g, t, seed);
	for (i = 0; i < objects; i++)
		grower_start(&g, &objs[i]);
	gen_start_timing(&g);
	while (gen_timed(&g) < ops) {
		struct grower *o = &objs[gen_uniform(&g, 0, objects - 1)];

		if (gen_chance(&g, 20)) {
			if (ntemps == TEMPS)
				gen_free(&g, temps[next_temp]);
			else
				ntemps++;
			temps[next_temp] = gen_alloc(
			    &g, OP_MALLOC, gen_uniform(&g, 8, 256), 0);
			next_temp = (next_temp + 1) % TEMPS;
		}
		if (o->size >= o->limit) {
			gen_free(&g, o->slot);
			grower_start(&g, o);
			continue;
		}
		o->size =
		    o->vector ? o->size * 2 : o->size + gen_uniform(&g, 1, 64);
		if (o->size > o->limit)
			o->size = o->limit;
		gen_realloc(&g, o->slot, o->size);
	}
	gen_close(&g);
}

const struct workload workloads[] = {
    {"mixed", "8..4096 B, malloc/calloc/aligned/realloc, 20000 live", gen_mixed,
     1000000, 20000},
    {"small", "8..128 B, mostly LIFO frees, up to 4000 live", gen_small,
     1000000, 4000},
    {"holes", "64..2048 B past 100000 free holes none fits", workload_holes,
     300000, 100000},
    {"aligned", "align 64..4096, 16..4096 B, 5000 live", gen_aligned, 300000,
     5000},
    {"realloc", "200 strings/vectors growing, temporaries between",
     gen_realloc_growth, 400000, 200},
};
const size_t workload_count = sizeof workloads / sizeof workloads[0];

const struct workload *workload_find(const char *name)
{
	size_t i;

	for (i = 0; i < workload_count; i++)
		if (strcmp(workloads[i].name, name) == 0)
			return &workloads[i];
	return NULL;
}
