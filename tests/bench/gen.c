#include "tests/bench/gen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NO_POS UINT32_MAX

static void *grow(void *p, size_t n, size_t each)
{
	void *q = realloc(p, n * each);

	if (!q) {
		fprintf(stderr, "bench: out of memory generating a trace\n");
		exit(1);
	}
	return q;
}

void gen_open(struct gen *g, struct trace *t, uint64_t seed)
{
	memset(g, 0, sizeof *g);
	g->t = t;
	rng_seed(&g->rng, seed);
}

void gen_start_timing(struct gen *g)
{
	g->t->setup = g->t->count;
}

void gen_close(struct gen *g)
{
	struct trace *t = g->t;
	size_t i;

	memset(t->kind_count, 0, sizeof t->kind_count);
	for (i = t->setup; i < t->count; i++)
		t->kind_count[t->ops[i].kind]++;
	free(g->live);
	free(g->pos);
	free(g->size);
	free(g->spare);
	memset(g, 0, sizeof *g);
}

static void push(struct gen *g, enum op_kind kind, uint32_t slot, size_t size,
		 unsigned align_log2)
{
	struct op op = {.kind = (uint8_t)kind,
			.align_log2 = (uint8_t)align_log2,
			.slot = slot,
			.size = (uint32_t)size};

	trace_push(g->t, op);
}

static void account(struct gen *g)
{
	if (g->live_bytes > g->t->peak_live_bytes)
		g->t->peak_live_bytes = g->live_bytes;
	if (g->live_blocks > g->t->peak_live_blocks)
		g->t->peak_live_blocks = g->live_blocks;
}

static uint32_t new_slot(struct gen *g)
{
	uint32_t slot;

	if (g->nspare)
		return g->spare[--g->nspare];
	slot = g->t->slots++;
	if (slot >= g->cap) {
		g->cap = g->cap ? g->cap * 2 : 1024;
		g->live = grow(g->live, g->cap, sizeof *g->live);
		g->pos = grow(g->pos, g->cap, sizeof *g->pos);
		g->size = grow(g->size, g->cap, sizeof *g->size);
		g->spare = grow(g->spare, g->cap, sizeof *g->spare);
	}
	return slot;
}

/* Take slot out of the live array, moving the top into its place. */
static void unlink_live(struct gen *g, uint32_t slot)
{
	uint32_t i = g->pos[slot], top;

	if (i == NO_POS)
		return;
	top = g->live[--g->nlive];
	g->live[i] = top;
	g->pos[top] = i;
	g->pos[slot] = NO_POS;
}

/* The replayer keeps an 8-byte tag at the start of every block. */
static void check_size(size_t size)
{
	if (size < 8 || size > UINT32_MAX) {
		fprintf(stderr, "bench: trace asks for %zu bytes (8..4 GiB)\n",
			size);
		abort();
	}
}

uint32_t gen_alloc(struct gen *g, enum op_kind kind, size_t size,
		   unsigned align_log2)
{
	uint32_t slot = new_slot(g);

	check_size(size);
	g->pos[slot] = (uint32_t)g->nlive;
	g->live[g->nlive++] = slot;
	g->size[slot] = (uint32_t)size;
	g->live_bytes += size;
	g->live_blocks++;
	account(g);
	push(g, kind, slot, size, align_log2);
	return slot;
}

void gen_free(struct gen *g, uint32_t slot)
{
	unlink_live(g, slot);
	g->live_bytes -= g->size[slot];
	g->live_blocks--;
	g->spare[g->nspare++] = slot;
	push(g, OP_FREE, slot, 0, 0);
}

void gen_realloc(struct gen *g, uint32_t slot, size_t size)
{
	check_size(size);
	g->live_bytes = g->live_bytes - g->size[slot] + size;
	g->size[slot] = (uint32_t)size;
	account(g);
	push(g, OP_REALLOC, slot, size, 0);
}

void gen_pin(struct gen *g, uint32_t slot)
{
	unlink_live(g, slot);
}

uint32_t gen_pick(struct gen *g)
{
	return g->live[rng_below(&g->rng, g->nlive)];
}

uint32_t gen_top(const struct gen *g)
{
	return g->live[g->nlive - 1];
}

size_t gen_timed(const struct gen *g)
{
	return g->t->count - g->t->setup;
}

size_t gen_uniform(struct gen *g, size_t lo, size_t hi)
{
	return rng_range(&g->rng, lo, hi);
}

size_t gen_log_uniform(struct gen *g, size_t lo, size_t hi)
{
	unsigned lo_bit = 0, hi_bit = 0, bit;
	size_t a, b;

	while (((size_t)2 << lo_bit) <= lo)
		lo_bit++;
	while (((size_t)2 << hi_bit) <= hi)
		hi_bit++;
	bit = (unsigned)rng_range(&g->rng, lo_bit, hi_bit);
	a = (size_t)1 << bit;
	b = ((size_t)2 << bit) - 1;
	if (a < lo)
		a = lo;
	if (b > hi)
		b = hi;
	return rng_range(&g->rng, a, b);
}

int gen_chance(struct gen *g, unsigned percent)
{
	return rng_chance(&g->rng, percent);
}
