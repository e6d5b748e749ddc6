/*
 * scenario.c - generating the built-in traces.
 */
#include "tools/heapviz/scenario.h"

#include <stdlib.h>
#include <string.h>

#include "tests/common/rng.h"

static size_t round16(size_t n)
{
	return (n + 15) & ~(size_t)15;
}

static void fill_free_alternate(const struct scenario_params *p,
				struct trace *t)
{
	size_t s = p->block ? p->block : round16(p->cfg.heap_bytes / 64);
	/* The exact count that fills this heap, so the heap is really full
	 * and every other block is a hole between two used ones. */
	size_t n = replay_capacity(&p->cfg, s), i;
	uint32_t big = (uint32_t)n;

	trace_picture(t, "empty");
	for (i = 0; i < n; i++)
		trace_op(t, TRACE_ALLOC, (uint32_t)i, 0, s);
	trace_picture(t, "full");
	for (i = 1; i < n; i += 2)
		trace_op(t, TRACE_FREE, (uint32_t)i, 0, 0);
	trace_picture(t, "every other block freed");
	/* Half the heap is free, but no hole holds four blocks: this fails. */
	trace_op(t, TRACE_ALLOC, big, 0, 4 * s);
	trace_op(t, TRACE_FREE, big, 0, 0);
	for (i = 0; i < n; i += 2)
		trace_op(t, TRACE_FREE, (uint32_t)i, 0, 0);
	trace_picture(t, "all freed and merged");
	/* After merging the same request fits. */
	trace_op(t, TRACE_ALLOC, big, 0, 4 * s);
	trace_op(t, TRACE_FREE, big, 0, 0);
	trace_picture(t, "end");
}

/* Mostly small, some medium, a few large: roughly what a kernel asks. */
static size_t mixed_size(struct rng *r, size_t heap)
{
	size_t cap = heap / 16 > 256 ? heap / 16 : 256;
	unsigned k = (unsigned)rng_range(r, 0, 99);
	size_t s = k < 60   ? rng_range(r, 1, 128)
		   : k < 90 ? rng_range(r, 129, 1024)
			    : rng_range(r, 1025, 8192);

	return s < cap ? s : cap;
}

struct live {
	uint32_t *id;
	size_t *size;
	size_t n, bytes;
	uint32_t next_id;
};

static void live_add(struct live *l, uint32_t id, size_t size)
{
	l->id[l->n] = id;
	l->size[l->n++] = size;
	l->bytes += size;
}

static void live_free(struct live *l, struct trace *t, size_t k)
{
	trace_op(t, TRACE_FREE, l->id[k], 0, 0);
	l->bytes -= l->size[k];
	l->n--;
	l->id[k] = l->id[l->n];
	l->size[k] = l->size[l->n];
}

static void mixed(const struct scenario_params *p, struct trace *t)
{
	size_t ops = p->ops ? p->ops : 3000, heap = p->cfg.heap_bytes, i;
	/* Ids are never reused here, so one per op is enough room. */
	struct live l = {.id = calloc(ops, sizeof(uint32_t)),
			 .size = calloc(ops, sizeof(size_t))};
	struct rng r;

	if (!l.id || !l.size) {
		fprintf(stderr, "heapviz: out of memory\n");
		exit(1);
	}
	rng_seed(&r, p->seed);
	trace_picture(t, "empty");
	for (i = 0; i < ops; i++) {
		/* Ramp up for the first 40%, then as many frees as
		 * allocations; never ask for more than 3/4 of the heap. */
		unsigned grow = i < ops * 4 / 10 ? 70 : 50;
		size_t s = mixed_size(&r, heap);

		if (i == ops * 4 / 10)
			trace_picture(t, "ramped up");
		if (l.n &&
		    (!rng_chance(&r, grow) || l.bytes + s > heap * 3 / 4)) {
			live_free(&l, t, rng_range(&r, 0, l.n - 1));
		} else if (l.n && rng_chance(&r, 10)) {
			size_t k = rng_range(&r, 0, l.n - 1);

			/* Half to double: both in-place and moving paths. */
			s = l.size[k] / 2 + rng_range(&r, 1, l.size[k] * 3 / 2);
			trace_op(t, TRACE_REALLOC, l.id[k], 0, s);
			l.bytes += s - l.size[k];
			l.size[k] = s;
		} else if (rng_chance(&r, 6)) {
			size_t align = (size_t)64 << rng_range(&r, 0, 4);

			trace_op(t, TRACE_ALIGNED, l.next_id, align, s);
			live_add(&l, l.next_id++, s);
		} else {
			trace_op(t, TRACE_ALLOC, l.next_id, 0, s);
			live_add(&l, l.next_id++, s);
		}
	}
	trace_picture(t, "steady state");
	while (l.n)
		live_free(&l, t, rng_range(&r, 0, l.n - 1));
	trace_picture(t, "drained");
	free(l.id);
	free(l.size);
}

#define GROWERS	   6
#define MAX_ROUNDS 40

static void realloc_growth(const struct scenario_params *p, struct trace *t)
{
	size_t heap = p->cfg.heap_bytes, size[GROWERS], total = 0;
	uint32_t pin = GROWERS, first_pin = GROWERS, id;
	unsigned g, round;
	struct rng r;

	rng_seed(&r, p->seed);
	trace_picture(t, "empty");
	/* Each buffer starts with a small pinned block right after it, so
	 * the first growth already has to move. */
	for (g = 0; g < GROWERS; g++) {
		size[g] = 64;
		total += size[g];
		trace_op(t, TRACE_ALLOC, g, 0, size[g]);
		trace_op(t, TRACE_ALLOC, pin++, 0, rng_range(&r, 16, 256));
	}
	for (round = 0; round < MAX_ROUNDS && total < heap / 2; round++) {
		for (g = 0; g < GROWERS; g++) {
			size_t s = round16(size[g] + size[g] / 2);

			if (s > heap / 10)
				continue;
			trace_op(t, TRACE_REALLOC, g, 0, s);
			total += s - size[g];
			size[g] = s;
			/* A new pin lands in whatever hole fits, often the
			 * one a move just left, and blocks it from merging. */
			if (rng_chance(&r, 40))
				trace_op(t, TRACE_ALLOC, pin++, 0,
					 rng_range(&r, 16, 512));
		}
	}
	trace_picture(t, "grown");
	for (id = first_pin; id < pin; id++)
		trace_op(t, TRACE_FREE, id, 0, 0);
	trace_picture(t, "pins freed");
	/* Shrinking splits in place: the tails become free blocks. */
	for (g = 0; g < GROWERS; g++)
		trace_op(t, TRACE_REALLOC, g, 0, round16(size[g] / 4));
	trace_picture(t, "shrunk to a quarter");
	for (g = 0; g < GROWERS; g++)
		trace_op(t, TRACE_FREE, g, 0, 0);
	trace_picture(t, "all freed");
}

static const struct scenario {
	const char *name;
	void (*make)(const struct scenario_params *p, struct trace *t);
	unsigned regions;
	const char *what;
} scenarios[] = {
    {"fill-free-alternate", fill_free_alternate, 1,
     "fill with equal blocks, free every other one, then the rest"},
    {"mixed", mixed, 2, "random sizes, alignments and reallocs"},
    {"realloc-growth", realloc_growth, 1,
     "buffers growing by realloc between small pinned blocks"},
};

#define NSCENARIOS (sizeof scenarios / sizeof scenarios[0])

static const struct scenario *find(const char *name)
{
	size_t i;

	for (i = 0; i < NSCENARIOS; i++)
		if (strcmp(scenarios[i].name, name) == 0)
			return &scenarios[i];
	return NULL;
}

int scenario_make(const char *name, const struct scenario_params *p,
		  struct trace *t)
{
	const struct scenario *s = find(name);

	if (!s)
		return -1;
	s->make(p, t);
	return 0;
}

unsigned scenario_regions(const char *name)
{
	const struct scenario *s = find(name);

	return s ? s->regions : 1;
}

void scenario_list(FILE *f)
{
	size_t i;

	for (i = 0; i < NSCENARIOS; i++)
		fprintf(f, "      %-20s %s\n", scenarios[i].name,
			scenarios[i].what);
}
