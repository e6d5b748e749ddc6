#include "tests/common/stamp.h"

/* Odd, and far from any tag a test makes: word k + 1 of one tag is word k
 * of the tag WORD_STEP higher, which no caller uses. Counted from word 1:
 * mix(0) is 0, and zeroed memory must not pass for the stamp of tag 0. */
#define WORD_STEP 0x9e3779b97f4a7c15ull
#define SEQ_MASK  ((UINT64_C(1) << STAMP_SEQ_BITS) - 1)

/* splitmix64's finalizer: a bijection (xor-shifts and odd multipliers), so
 * unmix undoes it; it spreads neighbouring inputs over all 64 bits. */
static uint64_t mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* The multipliers' inverses modulo 2^64; x ^ x >> s is undone by xoring
 * in the shifts s, 2s, ... while they leave bits. */
static uint64_t unmix(uint64_t z)
{
	z ^= (z >> 31) ^ (z >> 62);
	z *= 0x319642b2d24d8ec3ull;
	z ^= (z >> 27) ^ (z >> 54);
	z *= 0x96de1b173f119089ull;
	return z ^ (z >> 30) ^ (z >> 60);
}

static uint64_t word_at(uint64_t tag, size_t k)
{
	return mix(tag + ((uint64_t)k + 1) * WORD_STEP);
}

/* Through memcpy, so that neither alignment nor aliasing rules matter;
 * compilers turn it into one move. The builtin: the kernel has no
 * <string.h>, and provides memcpy for when a compiler calls it anyway. */
static void put(unsigned char *b, uint64_t w, size_t n)
{
	__builtin_memcpy(b, &w, n);
}

static uint64_t get(const unsigned char *b)
{
	uint64_t w;

	__builtin_memcpy(&w, b, sizeof w);
	return w;
}

uint64_t stamp_tag(unsigned owner, uint64_t seq)
{
	return (uint64_t)(owner & 0xffffu) << STAMP_SEQ_BITS | (seq & SEQ_MASK);
}

unsigned stamp_owner(uint64_t tag)
{
	return (unsigned)(tag >> STAMP_SEQ_BITS);
}

uint64_t stamp_seq(uint64_t tag)
{
	return tag & SEQ_MASK;
}

void stamp_fill(void *p, size_t n, uint64_t tag)
{
	unsigned char *b = p;
	size_t words = n / 8;

	for (size_t k = 0; k < words; k++)
		put(b + 8 * k, word_at(tag, k), 8);
	put(b + 8 * words, word_at(tag, words), n % 8);
}

unsigned char stamp_byte(uint64_t tag, size_t i)
{
	unsigned char w[8];

	put(w, word_at(tag, i / 8), sizeof w);
	return w[i % 8];
}

size_t stamp_find_damage(const void *p, size_t n, uint64_t tag)
{
	const unsigned char *b = p;
	size_t words = n / 8, k = 0;

	/* whole words while they match; then byte by byte, within the
	 * first word that does not or in the tail */
	while (k < words && get(b + 8 * k) == word_at(tag, k))
		k++;
	for (size_t i = 8 * k; i < n; i++) {
		if (b[i] != stamp_byte(tag, i))
			return i;
	}
	return n;
}

int stamp_intact(const void *p, size_t n, uint64_t tag)
{
	return stamp_find_damage(p, n, tag) == n;
}

uint64_t stamp_whose(const void *p)
{
	return unmix(get(p)) - WORD_STEP;
}

size_t stamp_find_other(const void *p, size_t n, unsigned char byte)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++) {
		if (b[i] != byte)
			return i;
	}
	return n;
}

int stamp_uniform(const void *p, size_t n, unsigned char byte)
{
	return stamp_find_other(p, n, byte) == n;
}
