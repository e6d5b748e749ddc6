/*
 * gen.h - bookkeeping shared by the trace generators: which slots are live,
 * how many bytes they hold, and the ops that change that.
 *
 * The live set is an array, so a generator can pick a random live block, or
 * the most recent one (the top, for LIFO patterns), in constant time.
 * Removing from the middle moves the top into the gap: a LIFO pattern stays
 * LIFO except right after a random free, which is what "mostly LIFO" asks.
 */
#ifndef TESTS_BENCH_GEN_H
#define TESTS_BENCH_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "tests/bench/trace.h"
#include "tests/common/rng.h"

struct gen {
	struct trace *t;
	struct rng rng;
	uint32_t *live;	 /* live slots, oldest first (unless shuffled) */
	uint32_t *pos;	 /* slot -> index in live, or NO_POS when pinned */
	uint32_t *size;	 /* slot -> requested bytes */
	uint32_t *spare; /* freed slots, reused last-in first-out */
	size_t nlive, nspare, cap;
	size_t live_bytes, live_blocks;
};

void gen_open(struct gen *g, struct trace *t, uint64_t seed);
/* End of the untimed part: what follows is measured. */
void gen_start_timing(struct gen *g);
/* Count the timed ops by kind and free the bookkeeping. */
void gen_close(struct gen *g);

uint32_t gen_alloc(struct gen *g, enum op_kind kind, size_t size,
		   unsigned align_log2);
void gen_free(struct gen *g, uint32_t slot);
void gen_realloc(struct gen *g, uint32_t slot, size_t size);
/* Keep slot allocated but out of the live set, so no later random pick
 * frees it (the pins between holes). The replayer frees it at the end. */
void gen_pin(struct gen *g, uint32_t slot);

/* A random live slot; the live set must not be empty. */
uint32_t gen_pick(struct gen *g);
/* The most recently allocated live slot. */
uint32_t gen_top(const struct gen *g);
size_t gen_timed(const struct gen *g);

/* Sizes: uniform in [lo, hi], or log-uniform (each power of two between lo
 * and hi equally likely, uniform inside it: many small, a few large, as
 * real programs ask). */
size_t gen_uniform(struct gen *g, size_t lo, size_t hi);
size_t gen_log_uniform(struct gen *g, size_t lo, size_t hi);
int gen_chance(struct gen *g, unsigned percent);

#endif
