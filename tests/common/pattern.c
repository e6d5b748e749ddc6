#include "tests/common/pattern.h"

/* Mixes the position in, so a shifted copy of the pattern does not match. */
static unsigned char pattern_byte(uint32_t seed, size_t i)
{
	uint32_t x = seed ^ (uint32_t)(i * 0x9e3779b1u);

	x ^= x >> 15;
	x *= 0x2c1b3c6du;
	x ^= x >> 12;
	return (unsigned char)(x ^ (uint32_t)(i >> 8));
}

void pattern_fill(void *p, size_t n, uint32_t seed)
{
	unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		b[i] = pattern_byte(seed, i);
}

size_t pattern_find_damage(const void *p, size_t n, uint32_t seed)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++) {
		if (b[i] != pattern_byte(seed, i))
			return i;
	}
	return n;
}

int pattern_intact(const void *p, size_t n, uint32_t seed)
{
	return pattern_find_damage(p, n, seed) == n;
}

int bytes_all(const void *p, size_t n, unsigned char value)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++) {
		if (b[i] != value)
			return 0;
	}
	return 1;
}
