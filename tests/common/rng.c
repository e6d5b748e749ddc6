#include "tests/common/rng.h"

void rng_seed(struct rng *r, uint64_t seed)
{
	r->state = seed;
}

uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint64_t rng_below(struct rng *r, uint64_t n)
{
	/* The modulo bias is far below anything a test could notice. */
	return rng_next(r) % n;
}

size_t rng_range(struct rng *r, size_t lo, size_t hi)
{
	uint64_t span = (uint64_t)(hi - lo) + 1;

	/* the full 64-bit range (never on i386, where size_t is 32 bits) */
	// cppcheck-suppress knownConditionTrueFalse
	if (span == 0)
		return (size_t)rng_next(r);
	return lo + (size_t)rng_below(r, span);
}

int rng_chance(struct rng *r, unsigned percent)
{
	return rng_below(r, 100) < percent;
}
