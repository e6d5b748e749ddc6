/*
 * bitops.h - find-first-set / find-last-set on machine words.
 *
 * The free-list bitmaps are searched with these, which is what makes
 * allocation constant-time. gcc and clang have builtins that become one
 * instruction (bsf/bsr); other compilers get a plain loop.
 */
#ifndef MM_BITOPS_H
#define MM_BITOPS_H

#include <stdint.h>

/* Index of the lowest set bit; x must not be 0. */
static inline unsigned bit_ffs(uintptr_t x)
{
#if defined(__GNUC__) || defined(__clang__)
	_Static_assert(sizeof(uintptr_t) == sizeof(unsigned long),
		       "uintptr_t must be unsigned long for the builtins");
	return (unsigned)__builtin_ctzl(x);
#else
	unsigned i = 0;

	while (!(x & 1u)) {
		x >>= 1;
		i++;
	}
	return i;
#endif
}

/* Index of the highest set bit; x must not be 0. */
static inline unsigned bit_fls(uintptr_t x)
{
#if defined(__GNUC__) || defined(__clang__)
	return (unsigned)(sizeof(unsigned long) * 8 - 1) -
	       (unsigned)__builtin_clzl(x);
#else
	unsigned i = 0;

	while (x >>= 1)
		i++;
	return i;
#endif
}

#endif
