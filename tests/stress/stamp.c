#include "tests/stress/stamp.h"

#include <string.h>

/* An odd constant: consecutive words of one stamp all differ. */
#define STEP 0x9e3779b97f4a7c15ull

/* splitmix64's finalizer is a bijection, so distinct inputs stay distinct;
 * it only spreads them so that nearby tags share no bytes. */
uint64_t stamp_tag(unsigned owner, uint64_t seq)
{
	uint64_t z = ((uint64_t)owner << 48) ^ (seq & 0xffffffffffffull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t word_at(uint64_t tag, size_t i)
{
	return tag + (uint64_t)i * STEP;
}

/* memcpy keeps the loads and stores free of alignment and aliasing
 * assumptions; compilers turn it into plain moves. */
void stamp_fill(void *p, size_t n, uint64_t tag)
{
	unsigned char *b = p;
	size_t words = n / 8, i;
	uint64_t w;

	for (i = 0; i < words; i++) {
		w = word_at(tag, i);
		memcpy(b + i * 8, &w, 8);
	}
	w = word_at(tag, words);
	memcpy(b + words * 8, &w, n % 8);
}

unsigned char stamp_byte(uint64_t tag, size_t i)
{
	uint64_t w = word_at(tag, i / 8);
	unsigned char bytes[8];

	memcpy(bytes, &w, 8);
	return bytes[i % 8];
}

size_t stamp_find_damage(const void *p, size_t n, uint64_t tag)
{
	const unsigned char *b = p;
	size_t words = n / 8, i;
	uint64_t w;

	for (i = 0; i < words; i++) {
		memcpy(&w, b + i * 8, 8);
		if (w != word_at(tag, i))
			break;
	}
	for (i *= 8; i < n; i++) {
		if (b[i] != stamp_byte(tag, i))
			return i;
	}
	return n;
}
