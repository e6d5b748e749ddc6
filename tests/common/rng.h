/*
 * rng.h - a small deterministic generator (splitmix64), so a seed printed by
 * a failing run replays the same sequence on every platform.
 */
#ifndef TESTS_COMMON_RNG_H
#define TESTS_COMMON_RNG_H

#include <stddef.h>
#include <stdint.h>

struct rng {
	uint64_t state;
};

void rng_seed(struct rng *r, uint64_t seed);
uint64_t rng_next(struct rng *r);
/* Uniform in [0, n); n must be > 0. */
uint64_t rng_below(struct rng *r, uint64_t n);
/* Uniform in [lo, hi]. */
size_t rng_range(struct rng *r, size_t lo, size_t hi);
/* Non-zero with probability percent/100. */
int rng_chance(struct rng *r, unsigned percent);

#endif
