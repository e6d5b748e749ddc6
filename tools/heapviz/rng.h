/*
 * rng.h - the generator behind the built-in scenarios.
 *
 * xorshift64*: tiny, and the same sequence for a seed on every host, so a
 * picture made from "--seed 7" can be made again anywhere.
 */
#ifndef HEAPVIZ_RNG_H
#define HEAPVIZ_RNG_H

#include <stddef.h>
#include <stdint.h>

struct rng {
	uint64_t s;
};

static inline void rng_seed(struct rng *r, uint64_t seed)
{
	/* xorshift never leaves state 0, so spread the seed and avoid it. */
	r->s = (seed ^ 0x2545f4914f6cdd1dull) * 0x9e3779b97f4a7c15ull;
	if (r->s == 0)
		r->s = 1;
}

static inline uint64_t rng_next(struct rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dull;
}

/* Uniform in [lo, hi]; the modulo bias is invisible in a picture. */
static inline size_t rng_range(struct rng *r, size_t lo, size_t hi)
{
	return lo + (size_t)(rng_next(r) % ((uint64_t)(hi - lo) + 1));
}

static inline int rng_percent(struct rng *r, unsigned pct)
{
	return rng_next(r) % 100 < pct;
}

#endif
